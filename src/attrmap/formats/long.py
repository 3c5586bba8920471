"""Long (tidy) tables: one (token, expression, value) record per cell, assembled into a grid.

``LongGrid`` serves the long-form CSV/TSV readers and ``AttributionMatrix.from_long``
(``attrmap.interop``), so a long file and a long DataFrame obey exactly the same rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..errors import GridError, LimitError
from ..model import AttributionMatrix
from .cells import parse_number


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun if number == 1 else noun + 's'}"


class LongGrid:
    """Cells arriving one per row, checked as they come.

    Without positions each expression lists its tokens in order and every expression must
    list the same sequence; the first difference is an error naming its line. With
    positions rows may come in any order. A repeated (expression, position) is an error;
    a missing one too, unless missing cells are allowed (then it is NaN). Expressions
    keep first-seen order. ``line`` is the row's line in a file, or None.
    """

    def __init__(
        self,
        source: str,
        has_position: bool,
        allow_missing: bool = False,
        max_cells: int | None = None,
    ) -> None:
        self.source = source
        self.has_position = has_position
        self.allow_missing = allow_missing
        self.max_cells = max_cells
        self.expressions: dict[str, int] = {}
        self.tokens: dict[int, tuple[str, int | None, str]] = {}  # position: token, line, expr
        self.cells: dict[tuple[int, int], tuple[float, int | None]] = {}
        self.listed: list[int] = []  # per expression: how many tokens it listed so far
        self.last_line: list[int | None] = []

    def _too_many(self) -> LimitError:
        return LimitError(
            self.source,
            f"more than {self.max_cells:,} cells (raise the limit with max_cells=... if you must)",
        )

    def check_position(self, position: int, line: int | None = None) -> int:
        if isinstance(position, bool) or not isinstance(position, (int, np.integer)):
            raise GridError(
                self.source, f"position {position!r} is not a whole number (0, 1, 2, ...)", line
            )
        if position < 0:
            raise GridError(self.source, f"position {position} is negative", line)
        if self.max_cells is not None and position >= self.max_cells:
            raise self._too_many()
        return int(position)

    def add(
        self, token: str, expression: str, value: float, position: int | None, line: int | None
    ) -> None:
        if self.max_cells is not None and len(self.cells) >= self.max_cells:
            raise self._too_many()
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
        self.cells[key] = (value, line)

    def matrix(self, title: str | None = None) -> AttributionMatrix:
        source = self.source
        if not self.cells:
            raise GridError(source, "no rows: a long table needs one row per cell")
        size = max(self.tokens) + 1
        gaps = [position for position in range(size) if position not in self.tokens]
        if gaps:
            raise GridError(
                source,
                f"no row has position {gaps[0]}; positions must run from 0 to {size - 1} "
                "without gaps",
            )
        names = list(self.expressions)
        if self.max_cells is not None and size * len(names) > self.max_cells:
            raise self._too_many()
        if not self.has_position:
            for index, listed in enumerate(self.listed):
                if listed != size:
                    raise GridError(
                        source,
                        f"expression {names[index]!r} lists {_count(listed, 'token')}, but "
                        f"another lists {size}; every expression must list the same tokens "
                        "(add a position column to leave cells out)",
                        self.last_line[index],
                    )
        values = np.full((size, len(names)), np.nan)
        present = np.zeros(values.shape, dtype=bool)
        for (index, position), (value, _) in self.cells.items():
            values[position, index] = value
            present[position, index] = True
        if not present.all() and not self.allow_missing:
            position, index = (int(i) for i in np.argwhere(~present)[0])
            raise GridError(
                source,
                f"no value for expression {names[index]!r} at position {position} "
                f"(token {self.tokens[position][0]!r}); every expression needs every token "
                "(missing cells need allow_missing=True)",
            )
        tokens = [self.tokens[position][0] for position in range(size)]
        return AttributionMatrix(
            tokens, names, values, title=title, source=source, allow_missing=self.allow_missing
        )


def record_label(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def record_number(value: Any, source: str, where: str) -> float:
    """A long record's value: a number, numeric text, or None (missing)."""
    if value is None:
        return float("nan")
    if isinstance(value, str):
        try:
            return parse_number(value, allow_missing=True)
        except ValueError as error:
            raise GridError(source, f"{where}: {error}") from None
    if isinstance(value, bool):
        raise GridError(source, f"{where}: {value!r} is not a number")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise GridError(source, f"{where}: {value!r} is not a number") from None


def matrix_from_records(
    records: Iterable[tuple[Any, ...]],
    source: str,
    has_position: bool,
    allow_missing: bool = False,
    title: str | None = None,
    max_cells: int | None = None,
) -> AttributionMatrix:
    """``(token, expression, value[, position])`` records (a long DataFrame's, or a
    pandas JSON file's) as a matrix, by ``LongGrid``'s rules."""
    grid = LongGrid(source, has_position, allow_missing=allow_missing, max_cells=max_cells)
    for number, record in enumerate(records, start=1):
        token, expression = record_label(record[0]), record_label(record[1])
        where = f"row {number} (token {token!r}, expression {expression!r})"
        at = grid.check_position(record[3]) if has_position else None
        grid.add(token, expression, record_number(record[2], source, where), at, None)
    return grid.matrix(title)
