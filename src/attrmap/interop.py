"""Matrices from the shapes data already has in a notebook: long (tidy) rows, pandas
DataFrames and captum results. Duck-typed: pandas, torch and captum are never imported.

These read objects, not files, yet obey the file readers' rules (``formats.cells`` for a
cell's text, ``formats.long`` for long tables), so they sit above both and above the
model. That is also why they reach the model as ``AttributionMatrix.from_frame``,
``from_long`` and ``from_captum`` by being installed on it here (see the end of this
module) rather than by the model importing them: nothing imports upward.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeGuard

import numpy as np

from .errors import GridError
from .formats.long import matrix_from_records, record_label
from .labels import spelled_text, title_line
from .model import AttributionMatrix


def _is_frame(obj: object) -> TypeGuard[Any]:  # a DataFrame, duck-typed
    return hasattr(obj, "columns") and hasattr(obj, "index") and hasattr(obj, "to_numpy")


_label = record_label


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
    """One (token, expression, value) record per cell: mappings or a long DataFrame.

    Without ``position`` each expression lists its tokens in order, the same sequence
    for every expression; with it (the name of a 0-based position column) rows may
    come in any order. A missing or repeated cell is an error unless missing cells
    are allowed. Expressions keep first-seen order.
    """
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
    return matrix_from_records(
        records, source, position is not None, allow_missing=allow_missing, title=title
    )


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
    """A pandas DataFrame: tokens as its index, expressions as its columns, in order.

    A long frame (columns token, expression, value, optionally position, any case)
    goes through ``from_long``. NaN cells need ``allow_missing=True``.
    """
    source = "<DataFrame>"
    if not _is_frame(frame):
        raise TypeError(
            f"from_frame needs a pandas DataFrame (tokens as index, expressions as columns), "
            f"not {type(frame).__name__}"
        )
    lowered = {str(column).strip().lower(): column for column in frame.columns}
    if set(lowered) >= _LONG_NAMES and set(lowered) <= {*_LONG_NAMES, "position"}:
        long = matrix_from_long(
            frame,
            lowered["token"],
            lowered["expression"],
            lowered["value"],
            position=lowered.get("position"),
            title=title,
            allow_missing=allow_missing,
            source=source,
        )
        return AttributionMatrix(
            long.tokens,
            long.expressions,
            long.values,
            title=long.title,
            source=source,
            allow_missing=True,  # checked already
            export="pandas",
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
        export="pandas",
    )


def matrix_from_captum(
    result: Any, *, title: str | None = None, allow_missing: bool = False
) -> AttributionMatrix:
    """captum's ``LLMAttributionResult``: ``token_attr`` (outputs x inputs) transposed,
    so the input tokens are the rows and the output tokens the columns.

    The input tokens are the tokenizer's raw pieces (``ĠB``, ``rÃ¼``): shown as the text
    they stand for unless ``tokens="raw"``. Without ``title`` the figure is titled with
    the text they spell."""
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
    tokens = [_label(t) for t in result.input_tokens]
    if title is None:
        title = title_line(spelled_text(tokens)) or None
    return AttributionMatrix(
        tokens,
        [_label(t) for t in result.output_tokens],
        values.T,  # captum: one row per output token; attrmap: one row per input token
        title=title,
        source=source,
        token_style="clean",
        allow_missing=allow_missing,
        export="captum",
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


def require_matrix(obj: object, where: str = "attrmap.render") -> AttributionMatrix:
    """``obj`` if it is a matrix; else a ``TypeError`` naming the constructor to use."""
    if isinstance(obj, AttributionMatrix):
        return obj
    raise TypeError(
        f"{where} needs an AttributionMatrix, not {type(obj).__name__}; "
        f"make one with {suggest_constructor(obj)}"
    )


# The notebook constructors, as the model declares them (``AttributionMatrix.from_frame(df)``).
AttributionMatrix.from_frame = staticmethod(matrix_from_frame)
AttributionMatrix.from_long = staticmethod(matrix_from_long)
AttributionMatrix.from_captum = staticmethod(matrix_from_captum)
