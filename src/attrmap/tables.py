"""Matrices from the shapes data already has in a notebook: long (tidy) rows, pandas
DataFrames and captum results. Duck-typed: pandas, torch and captum are never imported.

``LongGrid`` also serves the long-form CSV/TSV readers, so a long file and a long
DataFrame obey exactly the same rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import GridError, LimitError

if TYPE_CHECKING:
    from .model import AttributionMatrix


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
            f"more than {self.max_cells:,} cells (raise the limit with --max-cells if you must)",
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
        from .model import AttributionMatrix

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
                "(missing cells need --allow-missing)",
            )
        tokens = [self.tokens[position][0] for position in range(size)]
        return AttributionMatrix(
            tokens, names, values, title=title, source=source, allow_missing=self.allow_missing
        )


def _is_frame(obj: Any) -> bool:
    return hasattr(obj, "columns") and hasattr(obj, "index") and hasattr(obj, "to_numpy")


def _label(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def _number(value: Any, source: str, where: str) -> float:
    if value is None:
        return float("nan")
    if isinstance(value, str):
        from .model import parse_number

        try:
            return parse_number(value, allow_missing=True)
        except ValueError as error:
            raise GridError(source, f"{where}: {error}") from None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise GridError(source, f"{where}: {value!r} is not a number") from None


def matrix_from_long(
    rows: Iterable[Mapping[str, Any]] | Any,
    token: str = "token",
    expression: str = "expression",
    value: str = "value",
    position: str | None = None,
    *,
    title: str | None = None,
    allow_missing: bool = False,
    source: str = "<long rows>",
) -> AttributionMatrix:
    """See ``AttributionMatrix.from_long``."""
    names = [token, expression, value] + ([position] if position is not None else [])
    if _is_frame(rows):
        missing = [name for name in names if name not in rows.columns]
        if missing:
            raise GridError(
                source,
                f"the frame has no column(s) {', '.join(map(repr, missing))}; its columns "
                f"are {', '.join(map(repr, map(str, rows.columns)))}",
            )
        columns = [rows[name].tolist() for name in names]
        records: Iterable[tuple] = zip(*columns, strict=True)
    else:
        records = _records(rows, names, source)
    grid = LongGrid(source, has_position=position is not None, allow_missing=allow_missing)
    for number, record in enumerate(records, start=1):
        token_value, expression_value, cell = record[0], record[1], record[2]
        token_label, expression_label = _label(token_value), _label(expression_value)
        where = f"row {number} (token {token_label!r}, expression {expression_label!r})"
        at = grid.check_position(record[3]) if position is not None else None
        grid.add(token_label, expression_label, _number(cell, source, where), at, None)
    return grid.matrix(title)


def _records(rows: Iterable[Mapping[str, Any]], names: list[str], source: str) -> Iterable[tuple]:
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, Mapping):
            raise GridError(
                source, f"row {number} is a {type(row).__name__}, not a mapping of column: value"
            )
        missing = [name for name in names if name not in row]
        if missing:
            raise GridError(source, f"row {number} has no {', '.join(map(repr, missing))}")
        yield tuple(row[name] for name in names)


_LONG_NAMES = {"token", "expression", "value"}


def matrix_from_frame(
    frame: Any, *, title: str | None = None, allow_missing: bool = False
) -> AttributionMatrix:
    """See ``AttributionMatrix.from_frame``."""
    from .model import AttributionMatrix

    source = "<DataFrame>"
    if not _is_frame(frame):
        raise TypeError(
            f"from_frame needs a pandas DataFrame (tokens as index, expressions as columns), "
            f"not {type(frame).__name__}"
        )
    lowered = {str(column).strip().lower(): column for column in frame.columns}
    if set(lowered) >= _LONG_NAMES and set(lowered) <= {*_LONG_NAMES, "position"}:
        return matrix_from_long(
            frame,
            *(lowered[name] for name in ("token", "expression", "value")),
            position=lowered.get("position"),
            title=title,
            allow_missing=allow_missing,
            source=source,
        )
    try:
        values = frame.to_numpy(dtype=np.float64, na_value=np.nan)
    except (ValueError, TypeError):
        raise GridError(source, "every column must hold numbers (tokens as index)") from None
    return AttributionMatrix(
        [_label(t) for t in frame.index],
        [_label(e) for e in frame.columns],
        values,
        title=title,
        source=source,
        allow_missing=allow_missing,
    )


def matrix_from_captum(
    result: Any, *, title: str | None = None, allow_missing: bool = False
) -> AttributionMatrix:
    """See ``AttributionMatrix.from_captum``."""
    from .model import AttributionMatrix

    source = "<captum result>"
    for name in ("input_tokens", "output_tokens", "token_attr"):
        if not hasattr(result, name):
            raise TypeError(
                f"from_captum needs a captum LLMAttributionResult (input_tokens, "
                f"output_tokens, token_attr); {type(result).__name__} has no {name}"
            )
    attributions = result.token_attr
    if attributions is None:
        raise GridError(
            source,
            "token_attr is None: captum computed no per-output-token attributions; "
            "attribute with a target of several tokens",
        )
    for step in ("detach", "cpu", "numpy"):  # a torch tensor, without importing torch
        if hasattr(attributions, step):
            attributions = getattr(attributions, step)()
    values = np.asarray(attributions, dtype=np.float64)
    if values.ndim != 2:
        raise GridError(source, f"token_attr must be 2-D (outputs x inputs), not {values.ndim}-D")
    return AttributionMatrix(
        [_label(t) for t in result.input_tokens],
        [_label(t) for t in result.output_tokens],
        values.T,  # captum: one row per output token; attrmap: one row per input token
        title=title,
        source=source,
        allow_missing=allow_missing,
    )


def suggest_constructor(obj: Any) -> str:
    """What to call to turn ``obj`` into an ``AttributionMatrix``, for error messages."""
    if _is_frame(obj):
        return "AttributionMatrix.from_frame(df)"
    if all(hasattr(obj, name) for name in ("input_tokens", "output_tokens", "token_attr")):
        return "AttributionMatrix.from_captum(result)"
    if isinstance(obj, (str, bytes)) or hasattr(obj, "__fspath__"):
        return "attrmap.load_matrix(path)"
    if hasattr(obj, "shape") and hasattr(obj, "dtype"):
        return "AttributionMatrix(tokens, expressions, values)"
    if isinstance(obj, Iterable) and not isinstance(obj, Mapping):
        return "AttributionMatrix.from_long(rows)"
    return "AttributionMatrix(tokens, expressions, values)"
