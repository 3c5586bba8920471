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

from ..errors import GridError, InputError, OutputError
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
from .long import LongGrid

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
            columns = (
                named_columns(header, options.columns, source, header_line)
                if options.columns is not None
                else long_columns(header)
            )
            if columns is not None:
                return [_read_long(rows, len(header), columns, source, options)]
            try:
                return [_read_wide(rows, header, header_line, source, options, dialect)]
            except GridError as error:
                if _names_columns(header) and "is not a number" in error.problem:
                    raise GridError(
                        error.source,
                        f"{error.problem} (read as a wide grid; if it is a long table, one "
                        "row per cell, say which of its columns "
                        f"({', '.join(cell.strip() for cell in header[:8])}) holds what: "
                        'columns="token=COL,expression=COL,value=COL")',
                        error.line,
                        error.column,
                    ) from None
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
        return '; this looks comma-separated: name it .csv (or pass input_format="csv")'
    if dialect.delimiter != "\t" and "\t" in cell:
        return '; this looks tab-separated: name it .tsv (or pass input_format="tsv")'
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


def named_columns(
    header: list[str], columns: tuple[tuple[str, str], ...], source: str, line: int
) -> dict[str, int]:
    """Each role's index in ``header`` by the names ``columns`` gives (other columns are
    ignored); a name the header lacks is an error listing the header's names."""
    names = [cell.strip() for cell in header]
    found = {}
    for role, name in columns:
        if name not in names:
            listed = ", ".join(repr(n) for n in names[:12])
            raise GridError(
                source, f"columns: no column {name!r} for {role}; the header has {listed}", line
            )
        found[role] = names.index(name)
    return found


_COLUMN_NAME = re.compile(r"[A-Za-z_][\w .-]{0,39}")


def _names_columns(header: list[str]) -> bool:
    """A header of 3 to 12 column names (``position,token,method,score``), not a wide
    grid's expressions: a long table whose names ``columns=...`` can give."""
    return (
        3 <= len(header) <= 12
        and all(_COLUMN_NAME.fullmatch(cell.strip()) for cell in header)
        and not _looks_long(header)
    )


def _looks_long(header: list[str]) -> bool:
    return set(LONG_COLUMNS) <= {cell.strip().lower() for cell in header}


def _read_long(
    rows: Rows, width: int, columns: dict[str, int], source: str, options: InputOptions
) -> AttributionMatrix:
    """One (token, expression, value) row per cell; ``LongGrid`` checks the rules."""
    grid = LongGrid(
        source,
        has_position=POSITION in columns,
        allow_missing=options.allow_missing,
        max_cells=options.limits.max_cells,
    )
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
        token, expression = row[token_at], row[expression_at]
        position = None
        if position_at is not None:
            text = row[position_at].strip()
            if not (text.isascii() and text.isdigit()):
                raise GridError(
                    source,
                    f"position {row[position_at]!r} is not a whole number (0, 1, 2, ...)",
                    line,
                    position_at + 1,
                )
            position = grid.check_position(int(text), line)
        value = parse_cell(
            row[value_at], source, line, value_at + 1, token, expression, options.allow_missing
        )
        grid.add(token, expression, value, position, line)
    return grid.matrix()


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
        repeated = next((e for e in matrix.expressions if matrix.expressions.count(e) > 1), None)
        if repeated is not None:  # the long form names cells by expression
            raise OutputError(
                f"expression {repeated!r} appears twice; the long form needs distinct "
                "expressions (write the wide form)"
            )
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
