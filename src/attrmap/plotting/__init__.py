"""Drawing: an annotated heatmap with matplotlib's object API (no pyplot, Agg canvas).

The parts, each reusable by other figures (pages, comparison panels):

- ``heatmap.prepare_data`` (outside this package): labels, annotations, colours;
- ``layout``: where everything goes, in inches, measured before drawing;
- ``canvas``: one figure for a layout, which shows any matrix of that layout;
- ``rc``: the fixed matplotlib settings figures are drawn and saved under;
- ``axes``: the heatmap drawn into an Axes of one's own (``attrmap.heatmap``);
- ``display``: figures that show themselves in Jupyter;
- ``arguments``: style settings given as keywords.
"""

from __future__ import annotations

import warnings
from typing import Any

from matplotlib.figure import Figure

from ..errors import LimitError
from ..fonts import fonts_for
from ..heatmap import prepare_data
from ..interop import require_matrix
from ..model import AttributionMatrix
from ..style import Style
from .arguments import style_from
from .axes import heatmap
from .canvas import HeatmapCanvas
from .layout import FigurePlan, Layout, plan_pages
from .rc import RC, isolated_rc, register_fonts
from .text_flow import TextPage, draw_text_page, plan_text_pages

__all__ = [
    "RC",
    "FigurePlan",
    "HeatmapCanvas",
    "Layout",
    "TextPage",
    "draw_pages",
    "draw_text_page",
    "heatmap",
    "isolated_rc",
    "prepare",
    "prepare_pages",
    "prepare_text_pages",
    "render",
    "render_pages",
    "render_text_pages",
]


def prepare_pages(
    matrix: AttributionMatrix, style: Style, figure_format: str = "png"
) -> list[FigurePlan]:
    """What to draw and where, page by page, computed without touching a figure.

    Checks the page limits of ``figure_format`` (pixels only matter for PNG) and warns
    (``FigureWarning``) about what a reader could misread, and about missing glyphs.
    """
    fonts = fonts_for(matrix, style)
    register_fonts(fonts)
    for message in fonts.missing_messages():
        warnings.warn(message, stacklevel=2)
    with isolated_rc(fonts.families):
        data = prepare_data(matrix, style)
        plans, found = plan_pages(data, style, figure_format, fonts.families)
    for warning in found:
        warnings.warn(warning, stacklevel=2)
    return plans


def prepare_text_pages(
    matrix: AttributionMatrix,
    style: Style,
    figure_format: str = "png",
    paper: tuple[float, float] | None = None,
) -> list[TextPage]:
    """``prepare_pages`` for the text-flow layout: the tokens as running text, one block
    per expression, on pages of ``paper`` size (width, height in inches) if given."""
    fonts = fonts_for(matrix, style)
    register_fonts(fonts)
    for message in fonts.missing_messages():
        warnings.warn(message, stacklevel=2)
    with isolated_rc(fonts.families):
        data = prepare_data(matrix, style)
        pages, found = plan_text_pages(data, style, figure_format, paper, fonts.families)
    for warning in found:
        warnings.warn(warning, stacklevel=2)
    return pages


def render_text_pages(
    matrix: AttributionMatrix,
    style: Style | None = None,
    figure_format: str = "png",
    paper: tuple[float, float] | None = None,
    **settings: Any,
) -> list[Figure]:
    """Draw ``matrix`` as running text, one Agg figure per page; style settings as
    keywords, as ``render`` takes them."""
    require_matrix(matrix, "attrmap.render_text_pages")
    style = style_from("attrmap.render_text_pages", style, settings)
    return [
        draw_text_page(page, style)
        for page in prepare_text_pages(matrix, style, figure_format, paper)
    ]


def prepare(matrix: AttributionMatrix, style: Style) -> FigurePlan:
    """The plan of a one-page figure (most are); a long matrix is refused: use
    ``prepare_pages`` for it."""
    plans = prepare_pages(matrix, style)
    if len(plans) > 1:
        raise LimitError(matrix.source, f"needs {len(plans)} pages; use prepare_pages")
    return plans[0]


def render_pages(
    matrix: AttributionMatrix,
    style: Style | None = None,
    figure_format: str = "png",
    **settings: Any,
) -> list[Figure]:
    """Draw ``matrix`` on one Agg figure per page (one unless it is long or paged);
    style settings as keywords, as ``render`` takes them."""
    require_matrix(matrix, "attrmap.render_pages")
    style = style_from("attrmap.render_pages", style, settings)
    return draw_pages(prepare_pages(matrix, style, figure_format), style)


def draw_pages(plans: list[FigurePlan], style: Style) -> list[Figure]:
    """One new figure per page plan (pages of one figure share sizes and scale)."""
    return [HeatmapCanvas(plan.layout, style).show(plan) for plan in plans]


def render(matrix: AttributionMatrix, style: Style | None = None, **settings: Any) -> Figure:
    """Draw ``matrix`` as an annotated heatmap on a new Agg figure (no pyplot state),
    which a notebook shows as a picture.

    Style settings are keywords with the config-file names, on top of ``style``:
    ``render(matrix, range="auto", cmap="RdBu", fmt=".2f")``. To draw into an Axes of
    your own, use ``attrmap.heatmap(matrix, ax=ax)``. A matrix that needs several pages
    is refused: use ``render_pages`` for it.
    """
    require_matrix(matrix)
    style = style_from("attrmap.render", style, settings)
    plan = prepare(matrix, style)
    return HeatmapCanvas(plan.layout, style).show(plan)
