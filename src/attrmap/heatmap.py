"""The prepared heatmap: everything every view shows, computed once from a matrix.

Kept apart from drawing (as seaborn's ``matrix.py`` keeps its data preparation apart
from its plotter): the matplotlib figure, and views that are not figures (describe,
terminal, HTML), all read the same labels, annotations and colours from here. No
pyplot, no backend.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .labels import display_axes, display_label, resolve_token_mode
from .model import AttributionMatrix
from .scale import cell_colors, extend_for, text_colors_for
from .style import Style


@dataclass(frozen=True)
class HeatmapData:
    """A matrix as it will be shown: display labels, annotation texts and colours."""

    values: np.ndarray  # float64, NaN where a cell is missing
    tokens: list[str]
    expressions: list[str]
    annotations: list[str]  # row-major, one per cell; "" for a missing cell
    text_colors: list[str]  # row-major, one per cell
    title: str | None
    extend: str  # colorbar arrows: neither, min, max or both
    source: str = "<matrix>"

    @property
    def shape(self) -> tuple[int, int]:
        return self.values.shape  # type: ignore[return-value]

    @property
    def missing(self) -> np.ndarray:
        return np.isnan(self.values)


def prepare_data(matrix: AttributionMatrix, style: Style) -> HeatmapData:
    values = matrix.values
    # format(-0.00001, ".4f") is "-0.0000", as in the reference figure.
    annotations = [
        "" if value != value else format(value, style.fmt) for value in values.ravel().tolist()
    ]
    title = style.title_for(matrix.title)
    tokens, expressions = display_axes(
        matrix.tokens, matrix.expressions, resolve_token_mode(style.tokens, matrix.token_style)
    )
    return HeatmapData(
        values=values,
        tokens=tokens,
        expressions=expressions,
        annotations=annotations,
        text_colors=text_colors_for(cell_colors(values, style)).ravel().tolist(),
        title=display_label(title) if title else None,
        extend=extend_for(values, style),
        source=matrix.source,
    )
