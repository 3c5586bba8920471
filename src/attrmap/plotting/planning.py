"""Pages planned, not drawn: what to draw and where, page by page, from font metrics.

Free of drawing code (no figure, no pyplot, no backend: matplotlib's font machinery and
settings only), so ``describe`` can say which tokens each page holds without loading
what draws them; ``canvas.py`` and ``text_canvas.py`` draw these plans.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import TypeVar

from ..errors import FigureWarning, LimitError
from ..fonts import fonts_for
from ..model import AttributionMatrix
from ..prepared import HeatmapData, prepare_data
from ..style import Style
from .layout import FigurePlan, plan_pages
from .rc import isolated_rc, register_fonts
from .text_flow import TextPage, plan_text_pages

T = TypeVar("T")

#: One page ready to draw: of a grid, or of running text (``layout: text``).
Page = FigurePlan | TextPage


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


def prepare(matrix: AttributionMatrix, style: Style) -> Page:
    """The plan of a one-page figure (most are); a long matrix is refused: use
    ``prepare_pages`` for it."""
    plans = prepare_pages(matrix, style)
    if len(plans) > 1:
        raise LimitError(matrix.source, f"needs {len(plans)} pages; use prepare_pages")
    return plans[0]
