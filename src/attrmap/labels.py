"""How labels are shown: the text a reader sees for a token or expression.

Free of matplotlib, so text views (describe, terminal, HTML) show labels exactly as the
figure does without paying for a drawing library.

Two token displays (``--tokens``):

- ``raw`` keeps every label exactly as written (control characters escaped).
- ``clean`` shows the text a tokenizer piece stands for. The tokenizer's scheme is
  recognised from the labels themselves, one axis (tokens, expressions) at a time:
  GPT-2/RoBERTa byte-level pieces (``Ġcat``) are decoded through the byte-to-unicode
  table, SentencePiece's ``▁`` becomes a space (its ``<0xNN>`` byte pieces are bytes),
  WordPiece's ``##`` is dropped. A character whose UTF-8 bytes are split over several
  consecutive tokens is shown on the first of them; each following one is marked as
  its continuation, ``·오²``, ``·오³`` (a middle dot, the character, which of its pieces
  this is): no row is blank and none looks like a repeated token. Bytes that form no
  character show as ``\\xNN``.
  Spaces at either end of a cleaned label are drawn as ``␣``, so ``▁the`` and ``the``
  stay distinguishable.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

#: ``--tokens``: how token and expression labels are shown.
TOKEN_MODES = ("raw", "clean")
VISIBLE_SPACE = "\u2423"  # ␣

_ZWJ = "\u200d"
_EMOJI_TAGS = range(0xE0020, 0xE0080)  # tag characters of subdivision flags (🏴 + tags)


#: Invisible characters a tokenizer splits off, named where they stand alone: a joiner
#: between two pictographs stays (it makes 👩‍💻 one emoji), elsewhere it is named.
INVISIBLE_NAMES = {
    _ZWJ: "ZWJ",
    "\u200c": "ZWNJ",
    **{chr(0xFE00 + n): f"VS{n + 1}" for n in range(16)},
}


def _named(char: str) -> str:
    return f"\u27e8{INVISIBLE_NAMES[char]}\u27e9"  # ⟨ZWJ⟩


def display_label(label: str) -> str:
    """Show control and invisible format characters as escapes instead of tofu boxes.

    Joiners and tags inside an emoji sequence (👩‍💻, subdivision flags) are part of the
    emoji, not stray control characters: they stay, invisible as they are meant to be.
    A joiner or variation selector anywhere else is named: ``⟨ZWJ⟩``, ``⟨VS16⟩``.
    """
    bare = label.rstrip(_SUPERSCRIPTS).removeprefix(CONTINUATION)
    if bare and all(char in INVISIBLE_NAMES for char in bare):
        # Only invisible characters (a piece of a split emoji, say): name them.
        return "".join(_named(char) if char in INVISIBLE_NAMES else char for char in label)
    if label.isprintable():
        return label
    out = []
    for index, char in enumerate(label):
        if char.isprintable() or char == " ":
            out.append(char)
        elif char in "\n\t\r":
            out.append({"\n": "\\n", "\t": "\\t", "\r": "\\r"}[char])
        elif ord(char) < 0x100:
            out.append(f"\\x{ord(char):02x}")
        elif unicodedata.category(char) in {"Zs"} or _inside_emoji(label, index):
            out.append(char)
        elif char in INVISIBLE_NAMES:
            out.append(_named(char))
        else:
            out.append(f"\\u{ord(char):04x}" if ord(char) < 0x10000 else f"\\U{ord(char):08x}")
    return "".join(out)


def _is_emoji_part(char: str) -> bool:
    """Pictographs, skin-tone modifiers, variation selectors and keycaps."""
    return unicodedata.category(char) in {"So", "Sk", "Me"} or "\ufe00" <= char <= "\ufe0f"


def _inside_emoji(label: str, index: int) -> bool:
    char = label[index]
    before = label[index - 1] if index else ""
    if char == _ZWJ:
        after = label[index + 1] if index + 1 < len(label) else ""
        return bool(before and after) and _is_emoji_part(before) and _is_emoji_part(after)
    if ord(char) in _EMOJI_TAGS:
        return bool(before) and (_is_emoji_part(before) or ord(before) in _EMOJI_TAGS)
    return False


# --------------------------------------------------------------------------- clean tokens


@lru_cache(maxsize=1)
def _byte_decoder() -> dict[str, int]:
    """GPT-2's ``bytes_to_unicode`` table, inverted: printable stand-in character -> byte.

    Printable Latin-1 bytes stand for themselves; the 68 others (space, newline, control
    characters, ...) are shifted to U+0100..U+0143, so the space is ``Ġ`` (U+0120).
    """
    printable = [
        *range(ord("!"), ord("~") + 1),
        *range(ord("¡"), ord("¬") + 1),
        *range(ord("®"), ord("ÿ") + 1),
    ]
    table = {chr(byte): byte for byte in printable}
    shifted = (byte for byte in range(256) if byte not in table.values())
    table.update({chr(0x100 + n): byte for n, byte in enumerate(shifted)})
    return table


#: Byte-level stand-ins that only a byte-level tokenizer writes: space, newline, tab, CR.
_BYTE_LEVEL_EVIDENCE = frozenset("\u0120\u010a\u0109\u010d")
_SENTENCEPIECE_SPACE = "\u2581"  # ▁
_SENTENCEPIECE_BYTE = re.compile(r"<0x([0-9A-Fa-f]{2})>")
#: Special tokens kept as written by every scheme: <s>, </s>, <|endoftext|>, [CLS], <0x0A>.
_SPECIAL = re.compile(r"<[^<>\s]{1,64}>|\[[A-Z_]{2,16}\]")

Piece = bytes | str  # bytes to decode, or a special token kept as it is


def detect_scheme(labels: Sequence[str]) -> str | None:
    """The tokenizer scheme the labels were written in: ``byte-level``, ``sentencepiece``,
    ``wordpiece``, or None for plain text (kept as is). Conservative on purpose: plain
    labels such as ``_x`` or ``$35 ($85 - $50)`` are never decoded."""
    if _byte_level_possible(labels) and any(
        not _SPECIAL.fullmatch(label) and _BYTE_LEVEL_EVIDENCE.intersection(label)
        for label in labels
    ):
        return "byte-level"
    if any(
        _SENTENCEPIECE_SPACE in label or _SENTENCEPIECE_BYTE.fullmatch(label) for label in labels
    ):
        return "sentencepiece"
    if any(label.startswith("##") and len(label) > 2 for label in labels):
        return "wordpiece"
    return None


def _byte_level_possible(labels: Sequence[str], strict: bool = False) -> bool:
    """Every character is a byte stand-in, and the bytes decode as UTF-8 (but for a
    split character hanging over either end of a cut-out sequence, unless ``strict``:
    decoded text such as captum's ``schön`` must not be read as bytes)."""
    decoder = _byte_decoder()
    ordinary = [label for label in labels if not _SPECIAL.fullmatch(label)]
    if not ordinary or not all(char in decoder for label in ordinary for char in label):
        return False
    pieces = [bytes(decoder[char] for char in label) for label in ordinary]
    invalid, size = _decode_run(pieces)[1], sum(map(len, pieces))
    if strict:
        return not invalid
    return all(position < 3 or position >= size - 3 for position in invalid)


def clean_labels(labels: Sequence[str], scheme: str | None) -> list[str]:
    """The text each piece stands for under ``scheme``, edge spaces drawn as ``␣``."""
    if scheme == "byte-level":
        decoder = _byte_decoder()
        texts = _decode_pieces(
            [
                label if _SPECIAL.fullmatch(label) else bytes(decoder[c] for c in label)
                for label in labels
            ]
        )
    elif scheme == "sentencepiece":
        texts = _decode_pieces([_sentencepiece_piece(label) for label in labels])
    elif scheme == "wordpiece":
        texts = [
            label[2:] if label.startswith("##") and len(label) > 2 else label for label in labels
        ]
    else:
        texts = list(labels)
    return [_mark_edge_spaces(text) for text in texts]


def clean_axes(tokens: Sequence[str], expressions: Sequence[str]) -> tuple[list[str], list[str]]:
    """Clean both axes. Each is recognised on its own; an axis without a scheme of its
    own (a single generated token, say) follows a byte-level other axis when its labels
    are valid byte-level text too."""
    token_scheme, expression_scheme = detect_scheme(tokens), detect_scheme(expressions)
    if token_scheme == "byte-level" and expression_scheme is None:
        expression_scheme = "byte-level" if _byte_level_possible(expressions, True) else None
    elif expression_scheme == "byte-level" and token_scheme is None:
        token_scheme = "byte-level" if _byte_level_possible(tokens, True) else None
    cleaned_tokens = clean_labels(tokens, token_scheme)
    count = len(expressions)
    if (
        token_scheme is not None
        and count <= len(tokens)
        and list(tokens[-count:]) == list(expressions)
    ):  # generated tokens that end the rows (inseq's target): read in the rows' context,
        # so a split character's last pieces are its continuations, not bare \xNN bytes
        return cleaned_tokens, cleaned_tokens[-count:]
    return cleaned_tokens, clean_labels(expressions, expression_scheme)


def resolve_token_mode(requested: str | None, input_default: str | None) -> str:
    """``--tokens`` if given, else what the input says suits it (inseq: clean), else raw."""
    return requested or input_default or "raw"


def display_axes(
    tokens: Sequence[str], expressions: Sequence[str], mode: str
) -> tuple[list[str], list[str]]:
    """Token and expression labels as every view shows them, for ``--tokens MODE``."""
    if mode == "clean":
        tokens, expressions = clean_axes(tokens, expressions)
    return [display_label(t) for t in tokens], [display_label(e) for e in expressions]


def _sentencepiece_piece(label: str) -> Piece:
    byte = _SENTENCEPIECE_BYTE.fullmatch(label)
    if byte:
        return bytes([int(byte[1], 16)])
    if _SPECIAL.fullmatch(label):
        return label
    return label.replace(_SENTENCEPIECE_SPACE, " ").encode("utf-8")


def _mark_edge_spaces(text: str) -> str:
    stripped = text.strip(" ")
    if stripped == text:
        return text
    if not stripped:
        return VISIBLE_SPACE * len(text)
    start = text.index(stripped[0])
    end = len(text) - len(stripped) - start
    return VISIBLE_SPACE * start + stripped + VISIBLE_SPACE * end


def _decode_pieces(pieces: Sequence[Piece]) -> list[str]:
    """Decode runs of consecutive byte pieces together; special tokens break a run."""
    out: list[str] = []
    run: list[bytes] = []
    for piece in [*pieces, None]:
        if isinstance(piece, bytes):
            run.append(piece)
            continue
        if run:
            out.extend(_decode_run(run)[0])
            run = []
        if piece is not None:
            out.append(piece)
    return out


def _utf8_length(lead: int) -> int:
    if lead < 0x80:
        return 1
    if 0xC2 <= lead <= 0xDF:
        return 2
    if 0xE0 <= lead <= 0xEF:
        return 3
    if 0xF0 <= lead <= 0xF4:
        return 4
    return 0  # a continuation byte or never valid


_SUPERSCRIPTS = "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079"
CONTINUATION = "\u00b7"  # ·


def continuation(char: str, piece: int) -> str:
    """How the ``piece``-th (1-based, at least 2) piece of a split character is shown:
    ``·오²``."""
    return CONTINUATION + char + "".join(_SUPERSCRIPTS[int(d)] for d in str(piece))


def _decode_run(pieces: Sequence[bytes]) -> tuple[list[str], list[int]]:
    """Decode the concatenated bytes of ``pieces``; a character goes to the piece that
    holds its first byte, and each later piece holding a byte of it shows it as a
    continuation (``·오²``). Also returns where bytes that form no character (shown as
    ``\\xNN``) are in the stream."""
    stream = b"".join(pieces)
    owner = [index for index, piece in enumerate(pieces) for _ in piece]
    texts: list[list[str]] = [[] for _ in pieces]
    invalid: list[int] = []
    position = 0
    while position < len(stream):
        length = _utf8_length(stream[position])
        chunk = stream[position : position + length] if length else b""
        try:
            char = chunk.decode("utf-8") if len(chunk) == length and length else None
        except UnicodeDecodeError:
            char = None
        if char is None:
            texts[owner[position]].append(f"\\x{stream[position]:02x}")
            invalid.append(position)
            position += 1
            continue
        owners = dict.fromkeys(owner[position : position + length])
        for number, index in enumerate(owners, start=1):
            texts[index].append(char if number == 1 else continuation(char, number))
        position += length
    return ["".join(text) for text in texts], invalid


def spelled_text(labels: Sequence[str]) -> str:
    """The text a run of tokenizer pieces spells, special tokens (``</s>``) left out:
    for a title made of a prompt's tokens. Bytes are decoded over the whole run, so a
    character split across pieces appears once."""
    ordinary = [
        label
        for label in labels
        if not _SPECIAL.fullmatch(label) or _SENTENCEPIECE_BYTE.fullmatch(label)
    ]
    scheme = detect_scheme(ordinary)
    if scheme == "byte-level":
        decoder = _byte_decoder()
        stream = bytes(decoder[char] for label in ordinary for char in label)
    elif scheme == "sentencepiece":
        stream = b"".join(_sentencepiece_piece(label) for label in ordinary)  # type: ignore[misc]
    elif scheme == "wordpiece":
        return "".join(
            label[2:] if label.startswith("##") and len(label) > 2 else " " + label
            for label in ordinary
        ).strip()
    else:
        return " ".join(ordinary)
    return stream.decode("utf-8", errors="replace").strip()


#: A title made of an input's text is cut to about this many characters.
TITLE_CHARS = 60


def title_line(text: str) -> str:
    """Text on one line, shortened to about ``TITLE_CHARS`` characters: a title."""
    line = " ".join(text.split())
    return line if len(line) <= TITLE_CHARS else line[: TITLE_CHARS - 1].rstrip() + "…"


def page_marker(
    tokens: tuple[int, int],
    total_tokens: int,
    expressions: tuple[int, int] | None = None,
    total_expressions: int = 0,
) -> str:
    """What a page of a long figure holds, as printed on it and said by ``describe``:
    "tokens 751\u20131,500 of 1,500" (``[start, stop)`` ranges), and the expressions too when
    the page holds only some of them."""

    def span(what: str, start: int, stop: int, total: int) -> str:
        if stop - start == 1:
            return f"{what} {start + 1:,} of {total:,}"
        return f"{what}s {start + 1:,}\u2013{stop:,} of {total:,}"

    text = span("token", *tokens, total_tokens)
    if expressions is not None and expressions != (0, total_expressions):
        text += "; " + span("expression", *expressions, total_expressions)
    return text


def word_starts(tokens: list[str]) -> list[bool]:
    """Which tokens begin a word. Cleaned tokenizer pieces mark a word's start with a
    leading space (``␣the``): the pieces after it, up to the next, stay together. Labels
    with no such marks (plain words) are each a word."""
    marked = [token.startswith((VISIBLE_SPACE, " ")) for token in tokens]
    if not any(marked):
        return [True] * len(tokens)
    return [index == 0 or mark for index, mark in enumerate(marked)]


def shown_text(token: str, starts_word: bool) -> str:
    """A token's text in running text: a word's leading space mark is the gap before it."""
    if starts_word and len(token) > 1 and token[0] in (VISIBLE_SPACE, " "):
        return token[1:]
    return token
