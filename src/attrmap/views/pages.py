"""The pages a figure is drawn on, as ``describe`` states them: how many, and what each
holds, with the marker printed on it ("tokens 501-1,000 of 1,000").

Pages split by ``rows_per_page`` alone are known from the count; a figure sure to fit one
page (``page_limits.surely_one_page``, from the lengths of its texts) has one. Any other
is planned as ``render`` plans it (``plotting.planning``: font metrics, no drawing code,
loaded only then), so the pages said are the pages written.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

from ..errors import FigureWarning
from ..fonts import fonts_for
from ..labels import page_marker
from ..model import AttributionMatrix
from ..plotting.page_limits import runs, surely_one_page
from ..prepared import HeatmapData
from ..style import Style


@dataclass(frozen=True)
class PageSpan:
    """What one page holds: ``[start, stop)`` ranges of the whole matrix."""

    tokens: tuple[int, int]
    expressions: tuple[int, int]
    marker: str | None  # as printed on the page; None on a figure's only page


@dataclass(frozen=True)
class FigurePages:
    """How a figure is laid out on pages: as PNG (``render``'s default format), and as
    SVG or PDF where those differ (only PNG pages are limited in pixels too)."""

    layout: str  # "grid" or "text"
    paper: tuple[float, float] | None  # ``page``: width, height in inches
    shape: tuple[int, int]  # tokens and expressions of the whole figure
    pages: tuple[PageSpan, ...]
    vector_pages: tuple[PageSpan, ...] | None = None  # None: the same as ``pages``

    @property
    def tiled(self) -> bool:
        """Whether some page holds only some of the expressions."""
        every = (0, self.shape[1])
        return any(p.expressions != every for p in (*self.pages, *(self.vector_pages or ())))


def figure_pages(matrix: AttributionMatrix, data: HeatmapData, style: Style) -> FigurePages | None:
    """The pages ``render`` draws ``matrix`` (prepared as ``data``) on with ``style``;
    None for a grid on one page without a paper size (nothing to say). Warnings found
    while planning are left to ``render``; an error (a page too small for a row) is
    raised, as ``render`` raises it."""
    layout = style.layout
    tokens, expressions = data.shape
    vector = None
    if layout.layout == "grid" and layout.page is None and layout.rows_per_page is not None:
        pages = _spans(runs(tokens, layout.rows_per_page, balanced=False), data)
    elif surely_one_page(data, style, True, fonts_for(matrix, style).families):
        pages = (PageSpan((0, tokens), (0, expressions), None),)
    else:
        pages = _planned(matrix, style, raster=True)
        if len(pages) > 1 and layout.page is None:  # SVG and PDF have no pixel limit
            vector = _planned(matrix, style, raster=False)
    if len(pages) == 1 and layout.layout == "grid" and layout.page is None:
        return None
    vector = None if vector == pages else vector
    return FigurePages(layout.layout, layout.page, data.shape, pages, vector)


def _spans(token_runs: list[tuple[int, int]], data: HeatmapData) -> tuple[PageSpan, ...]:
    """Pages of these runs of tokens, each with every expression (as ``layout`` marks them)."""
    tokens, expressions = data.shape
    if len(token_runs) == 1:
        return (PageSpan(token_runs[0], (0, expressions), None),)
    return tuple(
        PageSpan(run, (0, expressions), page_marker(run, tokens, (0, expressions), expressions))
        for run in token_runs
    )


def _planned(matrix: AttributionMatrix, style: Style, raster: bool) -> tuple[PageSpan, ...]:
    from ..plotting.planning import prepare_pages  # font metrics: only for a figure that pages

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FigureWarning)  # render says them, once
        plans = prepare_pages(matrix, style, raster)
    return tuple(PageSpan(p.token_range, p.expression_range, p.marker) for p in plans)
