"""CSV, wide: a header row (corner cell, then one cell per expression), then one row per
token: the token, then its values. RFC 4180 quoting, UTF-8 with or without BOM.

The reading and writing here serve every delimited format (TSV is the same with tabs).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from ..errors import GridError, InputError
from ..model import AttributionMatrix
from .base import (
    Format,
    InputOptions,
    WriteOptions,
    count,
    decode_text,
    parse_cell,
    parse_row,
    rows_for_writing,
    too_many_cells,
)

CORNER = "token"


@dataclass(frozen=True)
class Dialect:
    """What differs between the delimited formats: the delimiter and how messages name it."""

    delimiter: str
    kind: str  # "CSV", "TSV"
    name_of_delimiter: str  # "commas", "tabs"


COMMA = Dialect(",", "CSV", "commas")
_QUOTED_RE = re.compile(r'"[^"]*"')


def read_delimited(data: bytes, source: str, options: InputOptions, dialect: Dialect) -> list:
    """Wide or long (by the header) delimited text: one matrix."""
    text = decode_text(data, source)
    limits = options.limits
    # csv builds a whole row before we can count it (a 64 MB line of commas is 64 million
    # fields, over 1 GB). A grid within the cell limit has at most 3 * max_cells + 3
    # delimiters outside quotes (long form with positions, header included), so more
    # than that is refused up front.
    bound = 3 * limits.max_cells + 3
    if text.count(dialect.delimiter) > bound and (
        _QUOTED_RE.sub("", text).count(dialect.delimiter) > bound
    ):
        raise too_many_cells(source, limits)
    previous_limit = csv.field_size_limit(limits.max_label_chars)  # process-wide: restore
    reader = csv.reader(io.StringIO(text, newline=""), strict=True, delimiter=dialect.delimiter)
    rows = ((reader.line_num, row) for row in reader if row)  # blank lines skipped
    try:
        for header_line, header in rows:
            columns = long_columns(header)
            if columns is not None:
                return [_read_long(rows, len(header), columns, source, options)]
            try:
                return [_read_wide(rows, header, header_line, source, options, dialect)]
            except GridError as error:
                if not _looks_long(header):
                    raise
                raise GridError(
                    error.source,
                    f"{error.problem} (read as a wide grid: a long-form header has only "
                    "token, expression, value and optionally position; pandas: "
                    "to_csv(index=False))",
                    error.line,
                    error.column,
                ) from None
        raise GridError(source, "the file is empty; expected a header row and token rows")
    except csv.Error as error:
        raise InputError(source, f"malformed {dialect.kind}: {error}", reader.line_num) from None
    finally:
        csv.field_size_limit(previous_limit)


Rows = Iterator[tuple[int, list[str]]]  # (line, cells) of each non-blank row


def _read_wide(
    rows: Rows,
    header: list[str],
    header_line: int,
    source: str,
    options: InputOptions,
    dialect: Dialect,
) -> AttributionMatrix:
    limits = options.limits
    if len(header) < 2:
        raise GridError(
            source,
            "the header needs a corner cell, then one cell per expression"
            + _one_cell_hint(header[0], dialect),
            header_line,
        )
    expressions = header[1:]
    tokens: list[str] = []
    values: list[list[float]] = []
    for line, row in rows:
        if len(row) != len(expressions) + 1:
            hint = ""
            if len(row) > len(expressions) + 1 and all(_INTEGER_RE.fullmatch(c) for c in row[1:]):
                hint = " (decimal commas? write 0.5, not 0,5)"
            raise GridError(
                source,
                f"token {row[0]!r} has {count(len(row) - 1, 'value')}, but the header "
                f"has {count(len(expressions), 'expression')}{hint}",
                line,
            )
        if (len(values) + 1) * len(expressions) > limits.max_cells:
            raise too_many_cells(source, limits)
        tokens.append(row[0])
        values.append(
            parse_row(row[1:], source, line, 2, row[0], expressions, options.allow_missing)
        )
    if not tokens:
        raise GridError(source, "no token rows after the header")
    return AttributionMatrix(
        tokens, expressions, values, source=source, allow_missing=options.allow_missing
    )


_INTEGER_RE = re.compile(r"\s*[+-\u2212]?\d*\s*")


def _one_cell_hint(cell: str, dialect: Dialect) -> str:
    """A header of one cell usually means another delimiter: say which, and what to do."""
    if ";" in cell:
        return (
            f"; this looks semicolon-separated (a spreadsheet export with decimal commas?): "
            f"save it as {dialect.kind} with {dialect.name_of_delimiter} and decimal points"
        )
    if dialect.delimiter != "," and "," in cell:
        return "; this looks comma-separated: name it .csv (or pass --input-format csv)"
    if dialect.delimiter != "\t" and "\t" in cell:
        return "; this looks tab-separated: name it .tsv (or pass --input-format tsv)"
    return ""


# --------------------------------------------------------------------------- long form

LONG_COLUMNS = ("token", "expression", "value")
POSITION = "position"


def long_columns(header: list[str]) -> dict[str, int] | None:
    """The long form is recognised by its header: exactly ``token``, ``expression`` and
    ``value`` (any order, any case) and optionally ``position``. Returns each one's index,
    or None for a wide header."""
    names = [cell.strip().lower() for cell in header]
    if len(set(names)) != len(names) or not (
        set(names) == set(LONG_COLUMNS) or set(names) == {*LONG_COLUMNS, POSITION}
    ):
        return None
    return {name: index for index, name in enumerate(names)}


def _looks_long(header: list[str]) -> bool:
    return set(LONG_COLUMNS) <= {cell.strip().lower() for cell in header}


def _read_long(
    rows: Rows, width: int, columns: dict[str, int], source: str, options: InputOptions
) -> AttributionMatrix:
    """One (token, expression, value) row per cell; see ``LongGrid`` for the rules."""
    grid = LongGrid(source, options, has_position=POSITION in columns)
    token_at, expression_at, value_at = (columns[name] for name in LONG_COLUMNS)
    position_at = columns.get(POSITION)
    for line, row in rows:
        if len(row) != width:
            raise GridError(
                source,
                f"long form: this row has {count(len(row), 'cell')}, but the header has "
                f"{count(width, 'column')}",
                line,
            )
        position = None
        if position_at is not None:
            position = grid.position(row[position_at], line, position_at + 1)
        grid.add(row[token_at], row[expression_at], row[value_at], position, line, value_at + 1)
    return grid.matrix()


class LongGrid:
    """Cells arriving one per row, checked as they come (also for ``from_long``).

    Without positions each expression lists its tokens in order and every expression must
    list the same sequence; the first difference is an error naming its line. With
    positions rows may come in any order. A repeated (expression, position) is an error;
    a missing one too, unless missing cells are allowed. Expressions keep first-seen order.
    """

    def __init__(self, source: str, options: InputOptions, has_position: bool) -> None:
        self.source = source
        self.options = options
        self.has_position = has_position
        self.expressions: dict[str, int] = {}
        self.tokens: dict[int, tuple[str, int | None, str]] = {}  # position: token, line, expr
        self.cells: dict[tuple[int, int], tuple[float, int | None]] = {}
        self.listed: list[int] = []  # per expression: how many tokens it listed so far
        self.last_line: list[int | None] = []

    def position(self, text: str, line: int | None, column: int | None) -> int:
        stripped = text.strip()
        if not stripped.isdigit() or not stripped.isascii():
            raise GridError(
                self.source, f"position {text!r} is not a whole number (0, 1, 2, ...)", line, column
            )
        position = int(stripped)
        if position >= self.options.limits.max_cells:
            raise too_many_cells(self.source, self.options.limits)
        return position

    def add(
        self,
        token: str,
        expression: str,
        text: str | float,
        position: int | None,
        line: int | None,
        column: int | None = None,
    ) -> None:
        limits = self.options.limits
        if len(self.cells) >= limits.max_cells:
            raise too_many_cells(self.source, limits)
        index = self.expressions.setdefault(expression, len(self.expressions))
        if index == len(self.listed):
            self.listed.append(0)
            self.last_line.append(None)
        if position is None:
            position = self.listed[index]
        self.listed[index] += 1
        self.last_line[index] = line
        known = self.tokens.get(position)
        if known is None:
            self.tokens[position] = (token, line, expression)
        elif known[0] != token:
            where = f" (line {known[1]})" if known[1] is not None else ""
            raise GridError(
                self.source,
                f"expression {expression!r} has token {token!r} at position {position}, but "
                f"expression {known[2]!r} has {known[0]!r} there{where}; every expression "
                "must list the same tokens",
                line,
            )
        key = (index, position)
        if key in self.cells:
            first = self.cells[key][1]
            again = f" (first at line {first})" if first is not None else ""
            raise GridError(
                self.source,
                f"expression {expression!r} has a second value for position {position} "
                f"(token {token!r}){again}",
                line,
            )
        if isinstance(text, str):
            value = parse_cell(
                text, self.source, line, column, token, expression, self.options.allow_missing
            )
        else:
            value = float(text)
        self.cells[key] = (value, line)

    def matrix(self) -> AttributionMatrix:
        source, limits = self.source, self.options.limits
        if not self.cells:
            raise GridError(source, "no rows after the header")
        size = max(self.tokens) + 1
        gaps = [position for position in range(size) if position not in self.tokens]
        if gaps:
            raise GridError(
                source,
                f"no row has position {gaps[0]}; positions must run from 0 to {size - 1} "
                "without gaps",
            )
        names = list(self.expressions)
        if size * len(names) > limits.max_cells:
            raise too_many_cells(source, limits)
        if not self.has_position:
            for index, listed in enumerate(self.listed):
                if listed != size:
                    raise GridError(
                        source,
                        f"expression {names[index]!r} lists {count(listed, 'token')}, but "
                        f"another lists {size}; every expression must list the same tokens "
                        "(add a position column to leave cells out)",
                        self.last_line[index],
                    )
        values = np.full((size, len(names)), np.nan)
        present = np.zeros(values.shape, dtype=bool)
        for (index, position), (value, _) in self.cells.items():
            values[position, index] = value
            present[position, index] = True
        if not present.all() and not self.options.allow_missing:
            position, index = (int(i) for i in np.argwhere(~present)[0])
            raise GridError(
                source,
                f"no value for expression {names[index]!r} at position {position} "
                f"(token {self.tokens[position][0]!r}); every expression needs every token "
                "(missing cells need --allow-missing)",
            )
        tokens = [self.tokens[position][0] for position in range(size)]
        return AttributionMatrix(
            tokens, names, values, source=source, allow_missing=self.options.allow_missing
        )


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
    if options.long:
        writer.writerow(LONG_COLUMNS)
        rows = rows_for_writing(matrix)
        for index, expression in enumerate(matrix.expressions):
            for token, row in zip(matrix.tokens, rows, strict=True):
                writer.writerow([token, expression, _empty_if_none(row[index])])
        return buffer.getvalue().encode("utf-8")
    # A wide header that reads as a long one (expressions "expression" and "value")
    # gets an empty corner instead, so it is read back as the wide grid it is.
    corner = "" if long_columns([CORNER, *matrix.expressions]) else CORNER
    writer.writerow([corner, *matrix.expressions])
    for token, row in zip(matrix.tokens, rows_for_writing(matrix), strict=True):
        writer.writerow([token, *map(_empty_if_none, row)])
    return buffer.getvalue().encode("utf-8")


def _empty_if_none(value: float | None) -> float | str:
    return "" if value is None else value


FORMAT = Format(
    name="csv",
    extensions=(".csv",),
    read=lambda data, source, options: read_delimited(data, source, options, COMMA),
    write=lambda matrix, options: write_delimited(matrix, options, COMMA),
    writes_long=True,
    description="wide CSV (corner cell, expressions; one row per token) or long CSV "
    "(token, expression, value and optionally position)",
)
