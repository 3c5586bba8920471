"""Text helpers of the text views. Display width in a terminal or a fixed-width table:
wide CJK and emoji take two columns, combining marks none.

Uses only ``unicodedata`` (East Asian Width and combining classes), which covers what
labels hold; labels reach here through ``display_label``, so there are no control
characters to measure.
"""

from __future__ import annotations

import unicodedata

ELLIPSIS = "…"


_ZWJ = "\u200d"  # zero-width joiner: 👩 + ZWJ + 💻 is one two-column emoji
_EMOJI_PRESENTATION = "\ufe0f"  # VS16: ❤ + VS16 is drawn as a two-column emoji


def char_width(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) in {"Mn", "Me", "Cf"}:
        return 0
    return 2 if unicodedata.east_asian_width(char) in {"W", "F"} else 1


def _widths(text: str) -> list[tuple[str, int]]:
    """Each character with the columns it adds, in context: a character joined by ZWJ
    to the one before adds none; VS16 widens a one-column symbol to two."""
    out: list[tuple[str, int]] = []
    previous = ""
    for char in text:
        if previous == _ZWJ:
            size = 0
        elif char == _EMOJI_PRESENTATION and out and out[-1][1] == 1:
            size = 1
        else:
            size = char_width(char)
        out.append((char, size))
        previous = char
    return out


def display_width(text: str) -> int:
    if text.isascii():
        return len(text)
    return sum(size for _, size in _widths(text))


def shorten(text: str, width: int) -> str:
    """``text`` cut to at most ``width`` columns, ending in … when it was cut."""
    if display_width(text) <= width:
        return text
    if width <= 0:
        return ""
    kept, used = [], 0
    for char, size in _widths(text):
        if used + size > width - 1:
            break
        kept.append(char)
        used += size
    return "".join(kept) + ELLIPSIS


def fit(text: str, width: int, align: str = "left") -> str:
    """``text`` shortened and padded to exactly ``width`` columns."""
    text = shorten(text, width)
    gap = width - display_width(text)
    if align == "right":
        return " " * gap + text
    if align == "center":
        return " " * (gap // 2) + text + " " * (gap - gap // 2)
    return text + " " * gap


def counted(n: int, noun: str) -> str:
    """``1 token``, ``2 tokens``: a number with its noun in the right number."""
    return f"{n} {noun}{'' if n == 1 else 's'}"
