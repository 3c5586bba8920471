"""The prepared heatmap: everything every view shows, computed once from a matrix.

Kept apart from drawing (as seaborn's ``matrix.py`` keeps its data preparation apart
from its plotter): the matplotlib figure, and views that are not figures (describe,
terminal, HTML), all read the same labels, annotations, colours and scale from here. No
pyplot, no backend.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from .errors import FigureWarning
from .labels import display_axes, display_label, resolve_token_mode
from .model import AttributionMatrix
from .scale import (
    cell_colors,
    colorbar_label,
    colorbar_ticks,
    extend_for,
    normalized,
    resolve_scale,
    scale_warnings,
    text_colors_for,
    tick_labels,
)
from .style import Style


@dataclass(frozen=True)
class HeatmapData:
    """A matrix as it will be shown: display labels, annotation texts, colours, scale."""

    values: np.ndarray  # float64 (normalised if asked), NaN where a cell is missing
    tokens: list[str]
    expressions: list[str]
    annotations: list[str]  # row-major, one per cell; "" for a missing cell
    text_colors: list[str]  # row-major, one per cell
    title: str | None
    extend: str  # colorbar arrows: neither, min, max or both
    source: str = "<matrix>"
    vmin: float = -1.0  # the resolved colour range
    vmax: float = 1.0
    ticks: tuple[float, ...] = (-1.0, -0.5, 0.0, 0.5, 1.0)
    tick_labels: tuple[str, ...] = ("\u22121.0", "\u22120.5", "0.0", "0.5", "1.0")
    colorbar_label: str = "Token Attribution"  # says how values were normalised
    warnings: tuple[FigureWarning, ...] = field(default=(), compare=False)
    #: Labelled runs of tokens (``AttributionMatrix.groups``): (name, first token) pairs;
    #: ``groups_across``: the tokens run across the top (transposed).
    groups: tuple[tuple[str, int], ...] = ()
    groups_across: bool = False

    @property
    def shape(self) -> tuple[int, int]:
        return self.values.shape  # type: ignore[return-value]

    @property
    def missing(self) -> np.ndarray:
        return np.isnan(self.values)

    def colour_style(self, style: Style) -> Style:
        """``style`` with this data's resolved range: what colours cells as the figure does
        (``scale.cell_colors``), for views that paint cells themselves."""
        if style.range_is_resolved and (style.vmin, style.vmax) == (self.vmin, self.vmax):
            return style
        scale = replace(style.scale, range="fixed")
        return replace(style, vmin=self.vmin, vmax=self.vmax, scale=scale)

    def token_rows(self, start: int, stop: int) -> HeatmapData:
        """Tokens ``start:stop`` only (a page), on the same scale."""
        cols = self.shape[1]
        return replace(
            self,
            values=self.values[start:stop],
            tokens=self.tokens[start:stop],
            annotations=self.annotations[start * cols : stop * cols],
            text_colors=self.text_colors[start * cols : stop * cols],
            groups=groups_within(self.groups, start, stop),
        )

    def expression_columns(self, start: int, stop: int) -> HeatmapData:
        """Expressions ``start:stop`` only (a tile of a wide grid), on the same scale."""
        rows, cols = self.shape
        keep = [r * cols + c for r in range(rows) for c in range(start, stop)]
        return replace(
            self,
            values=self.values[:, start:stop],
            expressions=self.expressions[start:stop],
            annotations=[self.annotations[i] for i in keep],
            text_colors=[self.text_colors[i] for i in keep],
        )

    def transposed(self) -> HeatmapData:
        """Rows and columns swapped, for drawing tokens across the top: ``tokens`` then
        holds the expression labels (the rows) and ``expressions`` the tokens."""
        rows, cols = self.shape

        def swap(cells: list[str]) -> list[str]:
            return [cells[r * cols + c] for c in range(cols) for r in range(rows)]

        return replace(
            self,
            values=self.values.T,
            tokens=self.expressions,
            expressions=self.tokens,
            annotations=swap(self.annotations),
            text_colors=swap(self.text_colors),
            groups_across=not self.groups_across,
        )


def groups_within(
    groups: tuple[tuple[str, int], ...], start: int, stop: int
) -> tuple[tuple[str, int], ...]:
    """The groups of tokens ``start:stop`` (a page), counted from the page's first token."""
    if not groups:
        return ()
    ends = [first for _, first in groups[1:]] + [stop]
    return tuple(
        (name, max(first, start) - start)
        for (name, first), end in zip(groups, ends, strict=True)
        if first < stop and end > start
    )


def prepare_data(matrix: AttributionMatrix, style: Style) -> HeatmapData:
    """Labels, annotations and colours of ``matrix``; an automatic range is resolved from
    this matrix alone unless ``style`` was resolved already (``scale.resolve_scale``)."""
    style = resolve_scale(style, [matrix.values], export=matrix.export is not None)
    vmin, vmax = style.limits
    values = normalized(matrix.values, style.scale.normalize)
    # format(-0.00001, ".4f") is "-0.0000", as in the reference figure.
    annotations = [
        "" if value != value else format(value, style.fmt) for value in values.ravel().tolist()
    ]
    title = style.title_for(matrix.title)
    tokens, expressions = display_axes(
        matrix.tokens, matrix.expressions, resolve_token_mode(style.tokens, matrix.token_style)
    )
    ticks = colorbar_ticks(vmin, vmax)
    return HeatmapData(
        values=values,
        tokens=tokens,
        expressions=expressions,
        annotations=annotations,
        text_colors=text_colors_for(cell_colors(values, style)).ravel().tolist(),
        title=display_label(title) if title else None,
        extend=extend_for(values, vmin, vmax),
        source=matrix.source,
        vmin=vmin,
        vmax=vmax,
        ticks=tuple(ticks),
        tick_labels=tuple(tick_labels(ticks)),
        colorbar_label=display_label(colorbar_label(style)),
        warnings=tuple(scale_warnings(values, vmin, vmax, matrix.source)),
        groups=matrix.groups,
    )
