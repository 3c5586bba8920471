"""What can be said about a heatmap, computed from its data: never guessed or invented.

``describe`` and the alt text both state these facts; computing them once here keeps the
two consistent. Every choice between equal candidates goes to the first in row-major
order (numpy's ``argmax`` rule), so the same matrix always gives the same facts.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..model import AttributionMatrix
from ..prepared import HeatmapData, prepare_data
from ..scale import make_norm, resolve_cmap
from ..style import Style
from .colour_names import colour_name
from .pages import FigurePages, figure_pages

#: A cell is "near zero" when its magnitude is below this share of the colour range.
NEAR_ZERO_SHARE = 0.05


@dataclass(frozen=True)
class Cell:
    """One cell of the grid: where it is, what it holds and how it is annotated."""

    row: int
    column: int
    value: float
    text: str  # the annotation as drawn, e.g. "-0.0000"


@dataclass(frozen=True)
class ColourScale:
    """The colorbar: its label, range, ticks and the colours at its ends (and centre)."""

    label: str
    cmap: str
    vmin: float
    vmax: float
    ticks: tuple[float, ...]
    tick_labels: tuple[str, ...]
    low_colour: str
    high_colour: str
    centre: float | None  # 0 when the range straddles it: the colormap is centred there
    centre_colour: str | None

    @property
    def centre_label(self) -> str:
        """0 written as the colorbar writes its ticks (0.0 beside -1.0 and 1.0)."""
        return self._label(0.0)

    @property
    def low_label(self) -> str:
        """vmin as the colorbar writes it when it is a tick (the range's ends need not be)."""
        return self._label(self.vmin)

    @property
    def high_label(self) -> str:
        return self._label(self.vmax)

    def _label(self, value: float) -> str:
        labels = dict(zip(self.ticks, self.tick_labels, strict=True))
        return labels.get(value, f"{value:.6g}")


@dataclass(frozen=True)
class ExpressionExtremes:
    column: int
    strongest_positive: Cell | None
    strongest_negative: Cell | None


@dataclass(frozen=True)
class StandoutToken:
    """A token holding the largest magnitude of at least one expression."""

    row: int
    strongest_in: tuple[int, ...]  # columns where this token has the largest |value|
    positive: tuple[Cell, ...]
    negative: tuple[Cell, ...]
    zero: tuple[Cell, ...]


@dataclass(frozen=True)
class Facts:
    """Everything ``describe`` and the alt text say about one heatmap."""

    source: str
    title: str | None
    tokens: tuple[str, ...]  # as displayed (control characters escaped)
    expressions: tuple[str, ...]
    values: np.ndarray  # NaN where a cell is missing
    annotations: tuple[tuple[str, ...], ...]  # per row, as drawn; "" for a missing cell
    fmt: str
    scale: ColourScale
    largest: Cell | None  # None only when every cell is missing
    smallest: Cell | None
    per_expression: tuple[ExpressionExtremes, ...]
    standouts: tuple[StandoutToken, ...]  # most expressions first, then by row
    near_zero_threshold: float
    near_zero_cells: int
    quiet_tokens: tuple[int, ...]  # rows whose every present value is near zero
    above_range: tuple[Cell, ...]
    below_range: tuple[Cell, ...]
    missing_cells: int
    annotated: bool = True  # False with --annotate never: the cells show colour only
    transposed: bool = False  # --transpose: tokens across the top, expressions down the side
    pages: FigurePages | None = None  # its pages, if paged or on paper (``figure_pages``)
    groups: tuple[tuple[str, int], ...] = ()  # labelled runs of tokens: (name, first row)

    def group_of(self, row: int) -> str:
        """The name of the group token ``row`` is in ("" without groups)."""
        return next((name for name, start in reversed(self.groups) if start <= row), "")

    @property
    def shape(self) -> tuple[int, int]:
        return self.values.shape  # type: ignore[return-value]

    @property
    def present_cells(self) -> int:
        return self.values.size - self.missing_cells

    def token_is_repeated(self, row: int) -> bool:
        """Whether the label alone is ambiguous (``0`` appears four times, say)."""
        return self.tokens.count(self.tokens[row]) > 1

    def expression_is_repeated(self, column: int) -> bool:
        return self.expressions.count(self.expressions[column]) > 1


def compute_facts(matrix: AttributionMatrix, style: Style | None = None) -> Facts:
    """The facts of ``matrix`` drawn with ``style`` (defaults: the reference figure's),
    its pages included."""
    style = style or Style()
    data = prepare_data(matrix, style)
    return replace(facts_from_data(data, style), pages=figure_pages(matrix, data, style))


def facts_from_data(data: HeatmapData, style: Style) -> Facts:
    values = np.asarray(data.values, dtype=np.float64)
    rows, cols = values.shape
    annotations = tuple(
        tuple(data.annotations[row * cols : (row + 1) * cols]) for row in range(rows)
    )

    def cell(row: int, column: int) -> Cell:
        return Cell(int(row), int(column), float(values[row, column]), annotations[row][column])

    scale = colour_scale(data, style)
    present = ~np.isnan(values)
    threshold = NEAR_ZERO_SHARE * (scale.vmax - scale.vmin)
    near_zero = present & (np.abs(np.where(present, values, 0.0)) < threshold)
    quiet = tuple(
        row
        for row in range(rows)
        if present[row].any() and bool(near_zero[row][present[row]].all())
    )
    largest = _first_extreme(values, present, np.argmax, -np.inf)
    smallest = _first_extreme(values, present, np.argmin, np.inf)
    return Facts(
        groups=data.groups,
        source=data.source,
        title=data.title,
        tokens=tuple(data.tokens),
        expressions=tuple(data.expressions),
        values=values,
        annotations=annotations,
        fmt=style.fmt,
        scale=scale,
        largest=cell(*largest) if largest else None,
        smallest=cell(*smallest) if smallest else None,
        per_expression=tuple(
            ExpressionExtremes(
                column,
                _signed_extreme(values[:, column], 1, lambda row, c=column: cell(row, c)),
                _signed_extreme(values[:, column], -1, lambda row, c=column: cell(row, c)),
            )
            for column in range(cols)
        ),
        standouts=_standouts(values, present, threshold, cell),
        near_zero_threshold=threshold,
        near_zero_cells=int(near_zero.sum()),
        quiet_tokens=quiet,
        above_range=tuple(
            cell(r, c) for r, c in zip(*np.nonzero(values > scale.vmax), strict=True)
        ),
        below_range=tuple(
            cell(r, c) for r, c in zip(*np.nonzero(values < scale.vmin), strict=True)
        ),
        missing_cells=int((~present).sum()),
        annotated=style.layout.annotate == "always"
        if style.layout.layout == "text"
        else style.layout.annotate != "never",
        transposed=style.layout.transpose,
    )


def colour_scale(data: HeatmapData, style: Style) -> ColourScale:
    """The colorbar as drawn: range, ticks and the names of its colours (the scale
    resolved into ``data``: an automatic range, normalisation)."""
    cmap = resolve_cmap(style, (data.vmin, data.vmax))
    vmin, vmax = data.vmin, data.vmax
    ticks = tuple(float(t) for t in data.ticks)
    centre = 0.0 if vmin < 0 < vmax else None
    centre_colour = None
    if centre is not None:
        centre_colour = colour_name(cmap(float(make_norm(vmin, vmax)(centre))))
    return ColourScale(
        label=data.colorbar_label,
        cmap=style.cmap,
        vmin=vmin,
        vmax=vmax,
        ticks=ticks,
        # as the colorbar writes them, with an ASCII minus for plain text
        tick_labels=tuple(label.replace("\u2212", "-") for label in data.tick_labels),
        low_colour=colour_name(cmap(0.0)),
        high_colour=colour_name(cmap(1.0)),
        centre=centre,
        centre_colour=centre_colour,
    )


def _first_extreme(values, present, pick, fill) -> tuple[int, int] | None:
    if not present.any():
        return None
    index = int(pick(np.where(present, values, fill)))  # the first in row-major order
    return divmod(index, values.shape[1])


def _signed_extreme(column: np.ndarray, sign: int, cell) -> Cell | None:
    """The row with the largest value of ``sign`` in a column (None if there is none)."""
    signed = np.where(np.isnan(column), 0.0, column) * sign
    if not (signed > 0).any():
        return None
    return cell(int(np.argmax(signed)))


def _standouts(values, present, threshold, cell) -> tuple[StandoutToken, ...]:
    magnitude = np.abs(np.where(present, values, 0.0))
    strongest: dict[int, list[int]] = {}
    for column in range(values.shape[1]):
        row = int(np.argmax(magnitude[:, column]))
        if present[row, column] and magnitude[row, column] >= threshold:
            strongest.setdefault(row, []).append(column)
    tokens = []
    for row, columns in strongest.items():
        cells = [cell(row, c) for c in range(values.shape[1]) if present[row, c]]
        tokens.append(
            StandoutToken(
                row=row,
                strongest_in=tuple(columns),
                positive=tuple(c for c in cells if c.value > 0),
                negative=tuple(c for c in cells if c.value < 0),
                zero=tuple(c for c in cells if c.value == 0),
            )
        )
    return tuple(sorted(tokens, key=lambda t: (-len(t.strongest_in), t.row)))
