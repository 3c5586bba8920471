"""Drawing: an annotated heatmap with matplotlib's object API (no pyplot, Agg canvas).

The parts, each reusable by other figures (pages, comparison panels):

- ``prepared.prepare_data`` (outside this package): labels, annotations, colours;
- ``layout``: where everything goes, in inches, measured before drawing;
- ``canvas``: one figure for a layout, which shows any matrix of that layout;
- ``rc``: the fixed matplotlib settings figures are drawn and saved under;
- ``axes``: the heatmap drawn into an Axes of one's own (``attrmap.heatmap``);
- ``display``: figures that show themselves in Jupyter;
- ``arguments``: style settings given as keywords.
"""

from __future__ import annotations

import warnings
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

import numpy as np
from matplotlib.figure import Figure

from ..errors import FigureWarning, LimitError
from ..fonts import fonts_for
from ..interop import require_matrix
from ..model import AttributionMatrix
from ..prepared import HeatmapData, prepare_data
from ..style import Style
from .arguments import style_from
from .axes import heatmap
from .canvas import HeatmapCanvas
from .layout import FigurePlan, plan_pages
from .placement import Layout
from .rc import RC, isolated_rc, register_fonts
from .text_canvas import TextCanvas, draw_text_page
from .text_flow import TextPage, plan_text_pages

__all__ = [
    "RC",
    "Canvases",
    "FigurePlan",
    "HeatmapCanvas",
    "Layout",
    "Page",
    "TextCanvas",
    "TextPage",
    "canvas_for",
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


T = TypeVar("T")

#: One page ready to draw: of a grid, or of running text (``layout: text``).
Page = FigurePlan | TextPage


class Canvas(Protocol):
    """What shows a page: ``HeatmapCanvas`` (a grid's) or ``TextCanvas``."""

    def show(self, plan: Any) -> Figure: ...

    def draw_pixels(self, plan: Any) -> np.ndarray: ...


def prepare_pages(matrix: AttributionMatrix, style: Style, raster: bool = True) -> list[Page]:
    """What to draw and where, page by page, computed without touching a figure.

    Checks the page limits (in pixels too for a ``raster`` image) and warns
    (``FigureWarning``) about what a reader could misread, and about missing glyphs.
    """
    if style.layout.layout == "text":
        return list(prepare_text_pages(matrix, style, raster, style.layout.page))
    plans: list[FigurePlan] = _planned(
        matrix, style, lambda data, fonts: plan_pages(data, style, raster, fonts)
    )
    return list(plans)


def _planned(
    matrix: AttributionMatrix,
    style: Style,
    plan: Callable[[HeatmapData, tuple[str, ...]], tuple[list[T], list[FigureWarning]]],
) -> list[T]:
    """``plan(data, fonts)`` of ``matrix``'s prepared data, in its font chain (registered,
    missing glyphs warned about), its warnings raised at the caller's caller."""
    fonts = fonts_for(matrix, style)
    register_fonts(fonts)
    for message in fonts.missing_messages(matrix.source):
        warnings.warn(message, stacklevel=3)
    with isolated_rc(fonts.families):
        data = prepare_data(matrix, style)
        pages, found = plan(data, fonts.families)
    for warning in found:
        warnings.warn(warning, stacklevel=3)
    return pages


def prepare_text_pages(
    matrix: AttributionMatrix,
    style: Style,
    raster: bool = True,
    paper: tuple[float, float] | None = None,
) -> list[TextPage]:
    """``prepare_pages`` for the text-flow layout: the tokens as running text, one block
    per expression, on pages of ``paper`` size (width, height in inches) if given."""
    return _planned(
        matrix, style, lambda data, fonts: plan_text_pages(data, style, raster, paper, fonts)
    )


def render_text_pages(
    matrix: AttributionMatrix,
    style: Style | None = None,
    raster: bool = True,
    paper: tuple[float, float] | None = None,
    **settings: Any,
) -> list[Figure]:
    """Draw ``matrix`` as running text, one Agg figure per page; style settings as
    keywords, as ``render`` takes them."""
    require_matrix(matrix, "attrmap.render_text_pages")
    style = style_from("attrmap.render_text_pages", style, settings)
    return [
        draw_text_page(page, style) for page in prepare_text_pages(matrix, style, raster, paper)
    ]


def prepare(matrix: AttributionMatrix, style: Style) -> Page:
    """The plan of a one-page figure (most are); a long matrix is refused: use
    ``prepare_pages`` for it."""
    plans = prepare_pages(matrix, style)
    if len(plans) > 1:
        raise LimitError(matrix.source, f"needs {len(plans)} pages; use prepare_pages")
    return plans[0]


def render_pages(
    matrix: AttributionMatrix,
    style: Style | None = None,
    raster: bool = True,
    **settings: Any,
) -> list[Figure]:
    """Draw ``matrix`` on one Agg figure per page (one unless it is long or paged);
    style settings as keywords, as ``render`` takes them."""
    require_matrix(matrix, "attrmap.render_pages")
    style = style_from("attrmap.render_pages", style, settings)
    return draw_pages(prepare_pages(matrix, style, raster), style)


def draw_pages(plans: Sequence[Page], style: Style) -> list[Figure]:
    """One new figure per page plan (pages of one figure share sizes and scale)."""
    return [canvas_for(plan, style).show(plan) for plan in plans]


class Canvases:
    """Canvases kept between figures, one per layout (the least recently used dropped):
    what makes a batch fast, since building a canvas is the slow part of drawing."""

    def __init__(self, limit: int = 4, keep_background: bool = True) -> None:
        self.limit = limit
        self.keep_background = keep_background  # see HeatmapCanvas
        self.kept: OrderedDict[Layout, HeatmapCanvas] = OrderedDict()

    def get(self, layout: Layout, style: Style) -> HeatmapCanvas:
        canvas = self.kept.pop(layout, None) or HeatmapCanvas(layout, style, self.keep_background)
        self.kept[layout] = canvas
        if len(self.kept) > self.limit:
            self.kept.popitem(last=False)
        return canvas


def canvas_for(plan: Page, style: Style, canvases: Canvases | None = None) -> Canvas:
    """A canvas for ``plan``'s layout: a kept one if ``canvases`` holds it, else new (a
    text page's is always new: text pages share no layout to reuse)."""
    if isinstance(plan, TextPage):
        return TextCanvas(plan, style)
    if canvases is None:
        return HeatmapCanvas(plan.layout, style, keep_background=False)
    return canvases.get(plan.layout, style)


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
    return draw_pages([prepare(matrix, style)], style)[0]
