"""The attribution matrix and its validation, independent of any file format or drawing."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import GridError, Hint, ShapeError
from .labels import TOKEN_MODES

#: The reference figure's grid: 13 tokens down the left, 5 expressions across the top.
DEFAULT_SHAPE: tuple[int, int] = (13, 5)

Shape = tuple[int, int] | None  # None accepts any shape

_SHAPE_RE = re.compile(r"\s*(\d+)\s*[xX\u00d7]\s*(\d+)\s*")
# What a user means by a number: 1, -1, .5, +0.5, 1e-3, 1.0E+05. Deliberately not
# float()'s grammar, which also takes "nan", "inf", "1_000" and surrounding junk.
_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_NON_FINITE_RE = re.compile(r"[+-]?\.?(?:nan|inf|infinity)", re.IGNORECASE)
#: What a missing cell may be written as (with ``allow_missing``): nothing, NaN, null.
_MISSING_RE = re.compile(r"|[+-]?\.?nan|null|none|~", re.IGNORECASE)
_DECIMAL_COMMA_RE = re.compile(r"[+-]?\d*,\d+")
_MISSING_HINT = "missing cells need --allow-missing"
MINUS_SIGN = "\u2212"  # typographic minus, as papers and some tools write it


def parse_shape(text: str) -> Shape:
    """Parse ``ROWSxCOLS`` (tokens x expressions) or ``any``."""
    if text.strip().lower() == "any":
        return None
    match = _SHAPE_RE.fullmatch(text)
    if not match or int(match[1]) < 1 or int(match[2]) < 1:
        raise ValueError(f"shape must be ROWSxCOLS (e.g. 13x5) or 'any', not {text!r}")
    return int(match[1]), int(match[2])


def format_shape(shape: Shape) -> str:
    return "any" if shape is None else f"{shape[0]}x{shape[1]}"


def parse_number(text: str, allow_missing: bool = False) -> float:
    """Turn a cell's text into a finite float, or raise ``ValueError`` saying why not.

    The minus sign U+2212 counts as ``-``. With ``allow_missing`` an empty cell, ``nan`` or
    ``null`` is a missing cell (NaN); otherwise those are errors, as is infinity always.
    """
    stripped = text.strip().replace(MINUS_SIGN, "-")
    if allow_missing and _MISSING_RE.fullmatch(stripped):
        return math.nan
    if not stripped:
        raise ValueError(f"empty cell; every cell needs a number ({_MISSING_HINT})")
    if _NON_FINITE_RE.fullmatch(stripped):
        hint = "" if "inf" in stripped.lower() else f" ({_MISSING_HINT})"
        raise ValueError(f"{stripped!r} is not finite; NaN and infinity are not allowed{hint}")
    if not _NUMBER_RE.fullmatch(stripped):
        hint = f" ({_MISSING_HINT})" if _MISSING_RE.fullmatch(stripped) else ""
        if _DECIMAL_COMMA_RE.fullmatch(stripped):
            hint = f" (a decimal comma? write {stripped.replace(',', '.')})"
        raise ValueError(f"{_clip(stripped)!r} is not a number{hint}")
    value = float(stripped)
    if not np.isfinite(value):
        raise ValueError(f"{_clip(stripped)!r} overflows a 64-bit float")
    return value


_ROW_OF_NUMBERS_RE = re.compile(rf"\s*{_NUMBER_RE.pattern}\s*(?:\x00\s*{_NUMBER_RE.pattern}\s*)*")


def parse_plain_numbers(texts: Sequence[str]) -> list[float] | None:
    """Many cells at once when every one is a plain finite number, as nearly all are:
    one regular expression over the row instead of two per cell (``batch --check`` reads
    thousands of files). None if any cell is not: ``parse_number`` then says which."""
    if not texts or not _ROW_OF_NUMBERS_RE.fullmatch("\x00".join(texts)):
        return None
    try:
        values = [float(text) for text in texts]
    except ValueError:  # a cell holding the separator itself
        return None
    return values if all(map(math.isfinite, values)) else None


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def is_utf8(text: str) -> bool:
    """False for strings holding lone surrogates (undecodable bytes in argv, say)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_label(kind: str, label: object, index: int, source: str) -> str:
    if not isinstance(label, str):
        raise GridError(source, f"{kind} {index + 1} is {type(label).__name__}, not a string")
    if not is_utf8(label):
        raise GridError(source, f"{kind} {index + 1} ({label!r}) cannot be encoded as UTF-8")
    return label


@dataclass(frozen=True, eq=False)
class AttributionMatrix:
    """Attribution scores: ``values[i, j]`` is token ``i``'s score for expression ``j``.

    Labels are kept exactly as given, in order, duplicates allowed: token order is the
    prompt's order. ``values`` is a read-only float64 array, so a matrix can be shared.
    With ``allow_missing=True`` a cell may be NaN: missing (drawn grey, no annotation);
    otherwise every value must be finite. Infinity is never allowed.
    """

    tokens: tuple[str, ...]
    expressions: tuple[str, ...]
    values: np.ndarray
    title: str | None = None
    source: str = "<matrix>"
    #: How its labels are best shown when ``--tokens`` is not given: ``clean`` for raw
    #: tokenizer pieces (inseq files), None for labels written to be read (``raw``).
    token_style: str | None = None

    def __init__(
        self,
        tokens: Iterable[str],
        expressions: Iterable[str],
        values: Sequence[Sequence[float]] | np.ndarray,
        title: str | None = None,
        source: str = "<matrix>",
        token_style: str | None = None,
        allow_missing: bool = False,
    ) -> None:
        tokens = tuple(_check_label("token", t, i, source) for i, t in enumerate(tokens))
        expressions = tuple(
            _check_label("expression", e, i, source) for i, e in enumerate(expressions)
        )
        if title is not None:
            title = _check_label("title", title, 0, source)
        if token_style is not None and token_style not in TOKEN_MODES:
            raise ValueError(f"token_style must be one of {TOKEN_MODES}, not {token_style!r}")
        if not tokens or not expressions:
            raise GridError(source, "the matrix needs at least one token and one expression")
        try:
            array = np.array(values, dtype=np.float64)
        except (TypeError, ValueError):
            raise GridError(
                source, "values must be a rectangular grid of numbers (one row per token)"
            ) from None
        expected = (len(tokens), len(expressions))
        if array.shape != expected:
            raise GridError(
                source,
                f"values have shape {array.shape}, but {len(tokens)} tokens x "
                f"{len(expressions)} expressions need {expected}",
            )
        missing = np.isnan(array)
        bad = np.argwhere(~np.isfinite(array) & ~missing if allow_missing else ~np.isfinite(array))
        if bad.size:
            row, col = (int(i) for i in bad[0])
            hint = "" if allow_missing or not missing[row, col] else f" ({_MISSING_HINT})"
            raise GridError(
                source,
                f"value for token {row + 1} ({tokens[row]!r}) and expression "
                f"{expressions[col]!r} is {array[row, col]}; values must be finite{hint}",
            )
        if missing.all():
            raise GridError(source, "every cell is missing; there is nothing to show")
        array[missing] = np.nan  # one NaN bit pattern, so equal matrices have equal keys
        array.setflags(write=False)
        object.__setattr__(self, "tokens", tokens)
        object.__setattr__(self, "expressions", expressions)
        object.__setattr__(self, "values", array)
        object.__setattr__(self, "title", title)
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "token_style", token_style)

    @property
    def missing(self) -> np.ndarray:
        """Where cells are missing (NaN): a boolean array of the matrix's shape."""
        return np.isnan(self.values)

    @property
    def shape(self) -> tuple[int, int]:
        return self.values.shape  # type: ignore[return-value]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AttributionMatrix):
            return NotImplemented
        return (
            self.tokens == other.tokens
            and self.expressions == other.expressions
            and self.title == other.title
            and np.array_equal(self.values, other.values, equal_nan=True)
        )

    __hash__ = None  # type: ignore[assignment]

    @classmethod
    def from_frame(
        cls, frame: Any, *, title: str | None = None, allow_missing: bool = False
    ) -> AttributionMatrix:
        """A pandas DataFrame: tokens as its index, expressions as its columns, in order.

        A long frame (columns token, expression, value, optionally position, any case)
        goes through ``from_long``. NaN cells need ``allow_missing=True``.
        """
        from .tables import matrix_from_frame

        return matrix_from_frame(frame, title=title, allow_missing=allow_missing)

    @classmethod
    def from_long(
        cls,
        rows: Iterable[Mapping[str, Any]] | Any,
        token: str = "token",
        expression: str = "expression",
        value: str = "value",
        position: str | None = None,
        *,
        title: str | None = None,
        allow_missing: bool = False,
    ) -> AttributionMatrix:
        """One (token, expression, value) record per cell: mappings or a long DataFrame.

        Without ``position`` each expression lists its tokens in order, the same sequence
        for every expression; with it (the name of a 0-based position column) rows may
        come in any order. A missing or repeated cell is an error unless missing cells
        are allowed. Expressions keep first-seen order.
        """
        from .tables import matrix_from_long

        return matrix_from_long(
            rows,
            token,
            expression,
            value,
            position,
            title=title,
            allow_missing=allow_missing,
        )

    @classmethod
    def from_captum(
        cls, result: Any, *, title: str | None = None, allow_missing: bool = False
    ) -> AttributionMatrix:
        """captum's ``LLMAttributionResult``: ``token_attr`` (outputs x inputs) transposed,
        so the input tokens are the rows and the output tokens the columns."""
        from .tables import matrix_from_captum

        return matrix_from_captum(result, title=title, allow_missing=allow_missing)

    def __repr__(self) -> str:
        return (
            f"AttributionMatrix({self.shape[0]} tokens x {self.shape[1]} expressions, "
            f"source={self.source!r})"
        )


def require_matrix(obj: object, where: str = "attrmap.render") -> AttributionMatrix:
    """``obj`` if it is a matrix; else a ``TypeError`` naming the constructor to use."""
    if isinstance(obj, AttributionMatrix):
        return obj
    from .tables import suggest_constructor

    raise TypeError(
        f"{where} needs an AttributionMatrix, not {type(obj).__name__}; "
        f"make one with {suggest_constructor(obj)}"
    )


def check_shape(matrix: AttributionMatrix, expected: Shape) -> None:
    """Refuse a matrix whose grid is not the one the user said to expect."""
    if expected is None or matrix.shape == tuple(expected):
        return
    wanted, found = format_shape(expected), format_shape(matrix.shape)
    raise ShapeError(
        matrix.source,
        f"expected a {wanted} grid (tokens x expressions), found {found}",
        hint=shape_hint(wanted),
    )


def shape_hint(wanted: str) -> Hint:
    """The advice for every input that is not of the expected shape: given once."""
    return Hint(
        key=f"shape {wanted}",
        one=f"input is not {wanted}",
        many=f"inputs are not {wanted}",
        advice='set `shape = "any"` under `[tool.attrmap]` in pyproject.toml, or pass '
        "`--shape any` (or the grid you expect, e.g. `--shape 20x8`)",
    )
