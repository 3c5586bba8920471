"""Text helpers of the text views. Display width in a terminal or a fixed-width table:
wide CJK and emoji take two columns, combining marks none.

Uses only ``unicodedata`` (East Asian Width and combining classes), which covers what
labels hold; labels reach here through ``display_label``, so there are no control
characters to measure.
"""

from __future__ import annotations

import unicodedata

ELLIPSIS = "…"


def char_width(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) in {"Mn", "Me", "Cf"}:
        return 0
    return 2 if unicodedata.east_asian_width(char) in {"W", "F"} else 1


def display_width(text: str) -> int:
    if text.isascii():
        return len(text)
    return sum(char_width(char) for char in text)


def shorten(text: str, width: int) -> str:
    """``text`` cut to at most ``width`` columns, ending in … when it was cut."""
    if display_width(text) <= width:
        return text
    if width <= 0:
        return ""
    kept, used = [], 0
    for char in text:
        size = char_width(char)
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
