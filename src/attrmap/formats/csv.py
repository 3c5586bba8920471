"""CSV, wide: a header row (corner cell, then one cell per expression), then one row per
token: the token, then its values. RFC 4180 quoting, UTF-8 with or without BOM.

The reading and writing here serve every delimited format (TSV is the same with tabs).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from ..errors import GridError, InputError
from ..model import AttributionMatrix
from .base import (
    Format,
    InputOptions,
    WriteOptions,
    count,
    decode_text,
    parse_row,
    too_many_cells,
)

CORNER = "token"


@dataclass(frozen=True)
class Dialect:
    """What differs between the delimited formats: the delimiter and how messages name it."""

    delimiter: str
    kind: str  # "CSV", "TSV"


COMMA = Dialect(",", "CSV")
_QUOTED_RE = re.compile(r'"[^"]*"')


def read_delimited(data: bytes, source: str, options: InputOptions, dialect: Dialect) -> list:
    text = decode_text(data, source)
    limits = options.limits
    # csv builds a whole row before we can count it (a 64 MB line of commas is 64 million
    # fields, over 1 GB). A grid within the cell limit has at most 2 * max_cells
    # delimiters outside quotes (header included), so more than that is refused up front.
    if text.count(dialect.delimiter) > 2 * limits.max_cells and (
        _QUOTED_RE.sub("", text).count(dialect.delimiter) > 2 * limits.max_cells
    ):
        raise too_many_cells(source, limits)
    previous_limit = csv.field_size_limit(limits.max_label_chars)  # process-wide: restore
    try:
        return [_read_rows(text, source, options, dialect)]
    finally:
        csv.field_size_limit(previous_limit)


def _read_rows(
    text: str, source: str, options: InputOptions, dialect: Dialect
) -> AttributionMatrix:
    limits = options.limits
    reader = csv.reader(io.StringIO(text, newline=""), strict=True, delimiter=dialect.delimiter)
    expressions: list[str] | None = None
    tokens: list[str] = []
    rows: list[list[float]] = []
    try:
        for row in reader:
            line = reader.line_num
            if not row:  # blank line
                continue
            if expressions is None:
                if len(row) < 2:
                    raise GridError(
                        source,
                        "the header needs a corner cell, then one cell per expression",
                        line,
                    )
                expressions = row[1:]
                continue
            if len(row) != len(expressions) + 1:
                raise GridError(
                    source,
                    f"token {row[0]!r} has {count(len(row) - 1, 'value')}, but the header "
                    f"has {count(len(expressions), 'expression')}",
                    line,
                )
            if (len(rows) + 1) * len(expressions) > limits.max_cells:
                raise too_many_cells(source, limits)
            tokens.append(row[0])
            rows.append(parse_row(row[1:], source, line, 2, row[0], expressions))
    except csv.Error as error:
        raise InputError(source, f"malformed {dialect.kind}: {error}", reader.line_num) from None
    if expressions is None:
        raise GridError(source, "the file is empty; expected a header row and token rows")
    if not tokens:
        raise GridError(source, "no token rows after the header")
    return AttributionMatrix(tokens, expressions, rows, source=source)


def write_delimited(matrix: AttributionMatrix, options: WriteOptions, dialect: Dialect) -> bytes:
    """Text that ``read_delimited`` gives back exactly. There is no title."""
    buffer = io.StringIO(newline="")
    # QUOTE_NONNUMERIC quotes every label (so a bare "\r", which the writer would
    # otherwise leave unquoted with an LF terminator, survives) and writes each float
    # unquoted with repr(), which round-trips exactly.
    writer = csv.writer(
        buffer,
        delimiter=dialect.delimiter,
        lineterminator="\n",
        quoting=csv.QUOTE_NONNUMERIC,
    )
    writer.writerow([CORNER, *matrix.expressions])
    for token, row in zip(matrix.tokens, matrix.values.tolist(), strict=True):
        writer.writerow([token, *row])
    return buffer.getvalue().encode("utf-8")


FORMAT = Format(
    name="csv",
    extensions=(".csv",),
    read=lambda data, source, options: read_delimited(data, source, options, COMMA),
    write=lambda matrix, options: write_delimited(matrix, options, COMMA),
    description="wide CSV: corner cell and expressions, then one row per token",
)
