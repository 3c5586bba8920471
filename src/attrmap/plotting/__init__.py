"""Drawing: an annotated heatmap with matplotlib's object API (no pyplot, Agg canvas).

The parts, each reusable by other figures (pages, comparison panels):

- ``heatmap.prepare_data`` (outside this package): labels, annotations, colours;
- ``layout``: where everything goes, in inches, measured before drawing;
- ``canvas``: one figure for a layout, which shows any matrix of that layout;
- ``rc``: the fixed matplotlib settings figures are drawn and saved under.
"""

from __future__ import annotations

import warnings

from matplotlib.figure import Figure

from ..fonts import fonts_for
from ..heatmap import prepare_data
from ..model import AttributionMatrix
from ..style import Style
from .canvas import HeatmapCanvas
from .layout import FigurePlan, Layout, check_figure_size, compute_layout
from .rc import RC, isolated_rc, register_fonts

__all__ = [
    "RC",
    "FigurePlan",
    "HeatmapCanvas",
    "Layout",
    "isolated_rc",
    "prepare",
    "render",
]


def prepare(matrix: AttributionMatrix, style: Style) -> FigurePlan:
    """What to draw and where, computed without touching a figure."""
    fonts = fonts_for(matrix, style)
    register_fonts(fonts)
    for message in fonts.missing_messages():
        warnings.warn(message, stacklevel=2)
    with isolated_rc(fonts.families):
        data = prepare_data(matrix, style)
        layout = compute_layout(data, style, fonts.families)
    check_figure_size(layout, style, matrix.source)
    return FigurePlan(data, layout)


def render(matrix: AttributionMatrix, style: Style | None = None) -> Figure:
    """Draw ``matrix`` as an annotated heatmap on a new Agg figure (no pyplot state)."""
    style = style or Style()
    plan = prepare(matrix, style)
    return HeatmapCanvas(plan.layout, style).show(plan)
