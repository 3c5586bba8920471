"""What every format shares: the input options, the safety limits, the format record,
and the small helpers readers use to turn bytes and cells into checked values.

Kept free of any one format so that a new reader is one module plus one registration.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from ..atomic import describe_os_error, open_regular
from ..errors import GridError, InputError, LimitError
from ..model import AttributionMatrix
from .cells import parse_number, parse_plain_numbers

STDIN = "-"

#: ``--part``: which rows of an inseq file (source tokens, target tokens, or both).
PARTS = ("source", "target", "both")
#: ``--aggregate``: how trailing dimensions of an attribution are reduced to one number.
#: ``l2-scaled`` is inseq's own default (L2 norm, then each column scaled to sum to 1).
AGGREGATES = ("l2-scaled", "l2", "sum", "mean", "max-abs")


@dataclass(frozen=True)
class Limits:
    """Safety limits that stop a hostile or mistaken input before it eats the machine.

    Generous for real attribution matrices (a 13x5 file is ~1 kB); raise them with
    ``--max-mb`` / ``--max-cells`` if you genuinely need more. Compressed inputs count
    what they decompress to.
    """

    max_bytes: int = 64 * 1024 * 1024
    max_cells: int = 250_000
    max_label_chars: int = 10_000
    max_yaml_depth: int = 32


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class InputOptions:
    """Everything that decides how an input is read, in one object passed down.

    ``input_format`` overrides the extension (and is needed for stdin); ``allow_missing``
    lets empty, ``nan`` or ``null`` cells be missing (NaN) instead of errors; ``part``
    and ``aggregate`` choose what an inseq export shows; ``sequence`` picks one matrix
    of a file that holds several (0-based).
    """

    input_format: str | None = None
    limits: Limits = DEFAULT_LIMITS
    allow_missing: bool = False
    #: A long table's columns by role (``token``, ``expression``, ``value``, ``position``):
    #: ``(role, header name)`` pairs, for tables whose headers use other names.
    columns: tuple[tuple[str, str], ...] | None = None
    part: str | None = None
    aggregate: str | None = None
    sequence: int | None = None

    def __post_init__(self) -> None:
        if self.part is not None and self.part not in PARTS:
            raise ValueError(f"part must be one of {', '.join(PARTS)}, not {self.part!r}")
        if self.aggregate is not None and self.aggregate not in AGGREGATES:
            raise ValueError(
                f"aggregate must be one of {', '.join(AGGREGATES)}, not {self.aggregate!r}"
            )
        if self.sequence is not None and self.sequence < 0:
            raise ValueError(f"sequence must be 0 or more, not {self.sequence}")


DEFAULT_INPUT = InputOptions()


@dataclass(frozen=True)
class WriteOptions:
    """How a matrix is written: ``long`` writes one (token, expression, value) row per
    cell instead of the wide grid (for formats that support it)."""

    long: bool = False


DEFAULT_WRITE = WriteOptions()

Reader = Callable[[bytes, str, InputOptions], list[AttributionMatrix]]
Writer = Callable[[AttributionMatrix, WriteOptions], bytes]


@dataclass(frozen=True)
class Format:
    """One input format: how to recognise it and how to read (and maybe write) it.

    ``extensions`` are lower-case and may have several parts (``.json.gz``); when several
    formats share an extension, the first whose ``sniff`` recognises the file's first
    bytes is used, else the first without a ``sniff``. ``read`` returns every matrix the
    file holds (most formats: exactly one); the caller picks ``options.sequence``.
    ``text`` formats get a clear message when the bytes are really gzip, zip or NumPy data.
    """

    name: str
    extensions: tuple[str, ...]
    read: Reader
    write: Writer | None = None
    sniff: Callable[[bytes], bool] | None = None
    text: bool = True
    writes_long: bool = False
    description: str = ""

    def __post_init__(self) -> None:
        for extension in self.extensions:
            if not extension.startswith(".") or extension != extension.lower():
                raise ValueError(f"extension {extension!r} must be lower-case and start with '.'")


# --------------------------------------------------------------------------- helpers


def rows_for_writing(matrix: AttributionMatrix) -> list[list[float | None]]:
    """The values as nested lists, a missing cell as ``None`` (written null or empty)."""
    rows = matrix.values.tolist()
    if matrix.missing.any():
        rows = [[None if value != value else value for value in row] for row in rows]
    return rows


def source_name(name: str) -> str:
    """How messages name an input: its path, or ``<stdin>`` for ``-``."""
    return "<stdin>" if name == STDIN else name


def count(number: int, noun: str, plural: str | None = None) -> str:
    """``1 value``, ``2 values``: messages get their plurals right."""
    return f"{number:,} {noun if number == 1 else plural or noun + 's'}"


def read_input_bytes(name: str, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """Read at most ``limits.max_bytes``; refuse larger inputs before reading them."""
    source = source_name(name)
    too_big = (
        f"larger than the {limits.max_bytes:,}-byte limit (raise it with max_bytes=... if you must)"
    )
    try:
        if name == STDIN:
            data = _read_capped(sys.stdin.buffer, limits.max_bytes)
        else:
            with open_regular(name) as handle:  # a FIFO would wait for ever
                if os.fstat(handle.fileno()).st_size > limits.max_bytes:
                    raise LimitError(source, too_big)
                data = _read_capped(handle, limits.max_bytes)
    except OSError as error:
        raise InputError(source, f"cannot read: {describe_os_error(error)}") from None
    if len(data) > limits.max_bytes:
        raise LimitError(source, too_big)
    return data


def _read_capped(handle: IO[bytes], limit: int) -> bytes:
    """At most ``limit + 1`` bytes, read in chunks (any ``limit``, however large)."""
    chunks: list[bytes] = []
    total = 0
    while total <= limit:
        chunk = handle.read(min(1 << 20, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def decode_text(data: bytes, source: str) -> str:
    """UTF-8 text, with or without BOM; anything else is one clear error."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(
            source,
            "this is UTF-16 text (a spreadsheet's 'Unicode text' export?), not UTF-8; "
            "save it as UTF-8",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InputError(
            source,
            f"not UTF-8 text (byte 0x{data[error.start]:02x}); save the file as UTF-8",
            line,
        ) from None


def parse_cell(
    text: str,
    source: str,
    line: int | None,
    column: int | None,
    token: str,
    expression: str,
    allow_missing: bool = False,
) -> float:
    """A cell's number (NaN if missing and allowed), or a ``GridError`` naming where it
    is and what it belongs to."""
    try:
        return parse_number(text, allow_missing)
    except ValueError as error:
        raise GridError(
            source, f"token {token!r}, expression {expression!r}: {error}", line, column
        ) from None


def parse_row(
    texts: list[str],
    source: str,
    line: int | None,
    first_column: int,
    token: str,
    expressions: list[str],
    allow_missing: bool = False,
) -> list[float]:
    """A row's numbers; the first bad cell is a ``GridError`` as from ``parse_cell``."""
    values = parse_plain_numbers(texts)
    if values is not None:
        return values
    return [
        parse_cell(text, source, line, first_column + col, token, expressions[col], allow_missing)
        for col, text in enumerate(texts)
    ]


_BINARY_KINDS = (
    (b"\x1f\x8b", "gzip-compressed data", "decompress it first (gunzip -k FILE)"),
    (
        b"PK\x03\x04",
        "a zip archive (a NumPy .npz?)",
        "if it is an .npz of values, tokens and expressions, name it .npz "
        '(or pass input_format="npz")',
    ),
    (
        b"\x93NUMPY",
        "a NumPy .npy array",
        "save values, tokens and expressions together with numpy.savez to an .npz",
    ),
)


def refuse_binary(data: bytes, source: str, kind: str) -> None:
    """A text format given compressed or NumPy data gets one line saying what it is."""
    for magic, what, advice in _BINARY_KINDS:
        if data.startswith(magic):
            raise InputError(source, f"this is {what}, not {kind} text; {advice}")


def too_many_cells(source: str, limits: Limits) -> LimitError:
    return LimitError(
        source,
        f"more than {limits.max_cells:,} cells (raise the limit with max_cells=... if you must)",
    )
