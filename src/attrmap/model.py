"""The attribution matrix and its validation, independent of any file format or drawing."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from .errors import GridError, Hint, ShapeError
from .labels import TOKEN_MODES


class _DefaultStr(str):
    __slots__ = ()


class _DefaultFloat(float):
    __slots__ = ()


class _DefaultTuple(tuple):  # type: ignore[type-arg]
    __slots__ = ()


_MARKED = {str: _DefaultStr, float: _DefaultFloat, tuple: _DefaultTuple}


def declared_default(value: object) -> object:
    """``value`` marked as a setting's declared default: equal to it in every way, but
    told apart from the same value set on purpose (``is_default``). Exports are drawn at
    their own shape and range only where shape and range were not set."""
    return _MARKED[type(value)](value)  # type: ignore[call-arg]


def is_default(value: object) -> bool:
    """True for a value that is a setting's declared default, not one set explicitly."""
    return isinstance(value, (_DefaultStr, _DefaultFloat, _DefaultTuple))


def plain(value: object) -> object:
    """A declared default as its ordinary value (for YAML dumping and messages)."""
    for base, marked in _MARKED.items():
        if type(value) is marked:
            return base(value)  # type: ignore[call-arg]
    return value


#: The reference figure's grid: 13 tokens down the left, 5 expressions across the top.
#: Marked as the default: an export (``AttributionMatrix.export``) is then drawn at its
#: own shape, while a shape set explicitly (even 13x5) applies to it too.
DEFAULT_SHAPE: tuple[int, int] = declared_default((13, 5))  # type: ignore[assignment]

Shape = tuple[int, int] | None  # None accepts any shape

_SHAPE_RE = re.compile(r"\s*(\d+)\s*[xX\u00d7]\s*(\d+)\s*")
#: How a message about a missing cell ends: what would let it through.
MISSING_HINT = "missing cells need allow_missing=True"


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
    #: The attribution library that wrote it (``inseq``, ``captum``, ``pandas``), or None
    #: for a grid a person wrote: an export is drawn at its own shape and, unless a range
    #: is set, on a range that fits its values.
    export: str | None = None
    #: Named runs of tokens drawn as labelled groups with a rule between them: inseq's
    #: source and target (``part="both"``), as ``(name, first token index)`` pairs.
    groups: tuple[tuple[str, int], ...] = ()
    # From a DataFrame, long records, a captum result: read by ``attrmap.interop``, which
    # installs these (it builds on the file readers' rules, so it sits above the model).
    from_frame: ClassVar[Callable[..., AttributionMatrix]]
    from_long: ClassVar[Callable[..., AttributionMatrix]]
    from_captum: ClassVar[Callable[..., AttributionMatrix]]
    # In a notebook: its heatmap, as the HTML view draws it (``views.notebook`` installs it).
    _repr_html_: ClassVar[Callable[[AttributionMatrix], str]]

    def __init__(
        self,
        tokens: Iterable[str],
        expressions: Iterable[str],
        values: Sequence[Sequence[float]] | np.ndarray,
        title: str | None = None,
        source: str = "<matrix>",
        token_style: str | None = None,
        allow_missing: bool = False,
        export: str | None = None,
        groups: Sequence[tuple[str, int]] = (),
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
            hint = "" if allow_missing or not missing[row, col] else f" ({MISSING_HINT})"
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
        object.__setattr__(self, "export", export)
        groups = tuple((str(name), int(start)) for name, start in groups)
        starts = [start for _, start in groups]
        if groups and (
            starts[0] != 0 or starts != sorted(set(starts)) or starts[-1] >= len(tokens)
        ):
            raise ValueError(f"groups must start at token 0 and rise within the tokens: {groups}")
        object.__setattr__(self, "groups", groups)

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

    def __repr__(self) -> str:
        return (
            f"AttributionMatrix({self.shape[0]} tokens x {self.shape[1]} expressions, "
            f"source={self.source!r})"
        )


def check_shape(matrix: AttributionMatrix, expected: Shape) -> None:
    """Refuse a matrix whose grid is not the one the user said to expect (an export
    keeps its own shape unless a shape was set explicitly)."""
    if expected is None or matrix.shape == tuple(expected):
        return
    if matrix.export is not None and is_default(expected):
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
        '`shape="any"` (or the grid you expect, e.g. `shape="20x8"`)',
    )
