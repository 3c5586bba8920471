"""Figures drawn from page plans (``planning.py``): a canvas per layout, kept between
figures in a batch, and ``render``/``render_pages``, which plan and draw in one call."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
from matplotlib.figure import Figure

from ..interop import require_matrix
from ..model import AttributionMatrix
from ..style import Style
from .arguments import style_from
from .canvas import HeatmapCanvas
from .placement import Layout
from .planning import Page, prepare, prepare_pages, prepare_text_pages
from .text_canvas import TextCanvas, draw_text_page
from .text_flow import TextPage


class Canvas(Protocol):
    """What shows a page: ``HeatmapCanvas`` (a grid's) or ``TextCanvas``."""

    def show(self, plan: Any) -> Figure: ...

    def draw_pixels(self, plan: Any) -> np.ndarray: ...


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
