"""Layout: a matrix planned as pages, in inches, before anything is drawn.

Sizes are decided once for the whole matrix (``sizing.py``: fonts, cell size, label
rotation, from the text extents of ``measuring.py``), then the matrix is split into pages
of tokens (and tiles of expressions, or pages of a paper size) and each page is placed
with those sizes (``placement.py``), so every page shows the same cells, fonts and colour
scale and nothing is ever clipped.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, replace

from ..errors import (
    FigureWarning,
    LimitError,
    PagesSplitWarning,
    StyleError,
)
from ..fonts import DEJAVU_SANS
from ..labels import page_marker
from ..prepared import HeatmapData
from ..style import Style
from .measuring import measure_labels, measuring_in, text_size
from .page_limits import (
    TALL_PAGE_INCHES,
    height_limit,
    runs,
    side_limit,
    tall_figure_warning,
)
from .placement import MARKER_SCALE, PAPER_MARGIN, Layout, check_page_size, on_paper, place_page
from .sizing import (
    COMPACT_CELL,
    PAD,
    Metrics,
    decide_metrics,
    is_short,
)

_MARKER_ROOM = 0.3  # inches a marker line may take at the top of a page
_MIN_PAGE_TOKENS = 20  # automatic pages hold this many tokens before expressions tile


@dataclass(frozen=True)
class FigurePlan:
    """One page ready to draw: what to show, and where."""

    data: HeatmapData
    layout: Layout
    marker: str | None = None  # "tokens 751-1,500 of 1,500" on a page of several
    token_range: tuple[int, int] = (0, 0)  # [start, stop) in the whole matrix
    expression_range: tuple[int, int] = (0, 0)


def plan_pages(
    data: HeatmapData,
    style: Style,
    raster: bool = True,
    fonts: tuple[str, ...] = (DEJAVU_SANS,),
) -> tuple[list[FigurePlan], list[FigureWarning]]:
    """Split ``data`` into pages of tokens (``--rows-per-page``, or automatically when a
    page would pass 200 in) and lay each out with the same sizes and colour scale, its
    labels measured in ``fonts``."""
    with measuring_in(fonts):
        return _plan_pages(data, style, raster)


def _plan_pages(
    data: HeatmapData, style: Style, raster: bool
) -> tuple[list[FigurePlan], list[FigureWarning]]:
    if style.layout.page is not None and not style.layout.transpose:
        metrics, warnings, bounds, tiles = _paper_split(data, style)
    elif style.layout.transpose:
        metrics, warnings, bounds = _transposed_split(data, _within_paper(style), raster)
        tiles = [(0, data.shape[1])]
    else:
        metrics, warnings = decide_metrics(data, style, horizontal=False)
        metrics, bounds, tiles = _token_split(data, style, metrics, raster, warnings)
    tokens, expressions = data.shape
    pieces = [(t, e) for e in tiles for t in bounds]
    marker_width = None
    markers: list[str | None] = [None] * len(pieces)
    if len(pieces) > 1:
        markers = [page_marker(t, tokens, e, expressions) for t, e in pieces]
        size = metrics.font_size * MARKER_SCALE
        marker_width = max(text_size(marker or "", size)[0] for marker in markers)
    first = _piece(data, *pieces[0], style.layout.transpose)
    horizontal = len(pieces) == 1 and is_short(first, metrics, first.shape[0])
    if horizontal:
        oriented = data.transposed() if style.layout.transpose else data
        metrics, warnings = decide_metrics(oriented, style, horizontal=True)
    plans = []
    for (rows, columns), marker in zip(pieces, markers, strict=True):
        page = _piece(data, rows, columns, style.layout.transpose)
        layout = place_page(page, metrics, horizontal, marker_width)
        if style.layout.page is not None:
            layout = on_paper(layout, style.layout.page, data.source)
        plans.append(FigurePlan(page, layout, marker, rows, columns))
    for plan in plans:
        check_page_size(plan.layout, style, raster, data.source)
    tallest = max(plan.layout.fig_height for plan in plans)
    if tallest > TALL_PAGE_INCHES:
        warnings.append(
            tall_figure_warning(data.source, tallest, 'layout="text", page="a4" or transpose=True')
        )
    return plans, [*data.warnings, *warnings]


def _piece(
    data: HeatmapData, tokens: tuple[int, int], expressions: tuple[int, int], transpose: bool
) -> HeatmapData:
    """The tokens and expressions one page shows, oriented as drawn."""
    page = data.token_rows(*tokens)
    if expressions != (0, data.shape[1]):
        page = page.expression_columns(*expressions)
    return page.transposed() if transpose else page


def _token_split(
    data: HeatmapData,
    style: Style,
    metrics: Metrics,
    raster: bool,
    warnings: list[FigureWarning],
) -> tuple[Metrics, list[tuple[int, int]], list[tuple[int, int]]]:
    """Pages of tokens (``--rows-per-page``, or as many as keep a page within the page
    and pixel limits) and tiles of expressions (only when a page of all of them would be
    too wide, or hold too few tokens): the metrics, token runs and expression runs."""
    tokens, expressions = data.shape
    per_page = style.layout.rows_per_page
    if per_page is not None:
        return metrics, runs(tokens, per_page, balanced=False), [(0, expressions)]
    one = place_page(data, metrics, horizontal=False)
    limit = side_limit(style, raster)
    if one.fig_width <= limit and one.fig_height <= height_limit(one.fig_width, style, raster):
        return metrics, [(0, tokens)], [(0, expressions)]
    if style.layout.cell_size is None:
        # Too long for one page: rows as low as their text allows (not 0.45 in),
        # so a long sequence takes fewer, smaller pages.
        metrics = replace(metrics, cell_height=_compact_height(data, metrics))
    columns = expressions
    while True:
        tiles = runs(expressions, columns, balanced=True)
        layouts = [place_page(data.expression_columns(*tile), metrics, False) for tile in tiles]
        width = max(layout.fig_width for layout in layouts)
        fixed = max(layout.fig_height for layout in layouts) - tokens * metrics.cell_height
        room = height_limit(width + 0.01, style, raster) - fixed - _MARKER_ROOM
        per_page = max(0, min(tokens, math.floor(room / metrics.cell_height)))
        if columns == 1 or (width <= limit and per_page >= min(tokens, _MIN_PAGE_TOKENS)):
            break
        columns -= max(1, columns // 8)
    if per_page < 1:
        raise LimitError(data.source, "a single row does not fit on a page; lower dpi=...")
    bounds = runs(tokens, per_page, balanced=True)
    pages = len(bounds) * len(tiles)
    if pages == 1:  # the compact rows fit one page: nothing was split
        return metrics, bounds, tiles
    across = f" and {len(tiles)} tiles of expressions" if len(tiles) > 1 else ""
    warnings.append(
        PagesSplitWarning(
            data.source,
            f"{tokens} tokens x {expressions} expressions would make a page over the page "
            f"or pixel limit; split into {pages} pages of up to {bounds[0][1]} tokens{across} "
            "(choose with rows_per_page=... or page=...)",
        )
    )
    return metrics, bounds, tiles


def _within_paper(style: Style) -> Style:
    """``style`` with ``--width`` no wider than its paper's room, if it has a paper."""
    if style.layout.page is None:
        return style
    room = style.layout.page[0] - 2 * (PAPER_MARGIN - PAD)
    width = min(room, style.layout.width or room)
    return replace(style, layout=replace(style.layout, width=width))


def _paper_split(
    data: HeatmapData, style: Style
) -> tuple[Metrics, list[FigureWarning], list[tuple[int, int]], list[tuple[int, int]]]:
    """Pages of a paper size (``--page``): the grid as wide as the paper allows (cells
    shrink, then fonts, as for ``--width``), split into tiles of expressions when even
    that is too wide, and into pages of as many tokens as a page holds (at most
    ``--rows-per-page``). Pages are filled, the rest on the last."""
    assert style.layout.page is not None
    paper_height = style.layout.page[1]
    inset = PAPER_MARGIN - PAD
    fitted = _within_paper(style)
    tokens = data.shape[0]
    metrics, warnings, tiles = _widest_tiles(data, fitted)
    pieces = [data.expression_columns(*tile) for tile in tiles]
    fixed = max(place_page(piece, metrics, False).fig_height for piece in pieces)
    fixed -= tokens * metrics.cell_height
    room_height = paper_height - 2 * inset - fixed - _MARKER_ROOM
    if tokens * metrics.cell_height > room_height and style.layout.cell_size is None:
        # Several pages: rows as low as their text allows, so fewer pages.
        metrics = replace(metrics, cell_height=_compact_height(data, metrics))
    per_page = math.floor(room_height / metrics.cell_height)
    if per_page < 1:
        raise LimitError(
            data.source, f"a {paper_height:g} in high page holds no row; use a larger page=..."
        )
    per_page = min(per_page, style.layout.rows_per_page or per_page, tokens)
    return metrics, warnings, runs(tokens, per_page, balanced=False), tiles


def _widest_tiles(
    data: HeatmapData, style: Style
) -> tuple[Metrics, list[FigureWarning], list[tuple[int, int]]]:
    """The fewest tiles of expressions whose grids fit ``--width`` (all of them, if
    they fit), with their metrics."""
    expressions = data.shape[1]
    columns = expressions
    while True:
        tiles = runs(expressions, columns, balanced=True)
        pieces = [data.expression_columns(*tile) for tile in tiles]
        try:
            metrics, warnings = decide_metrics(pieces, style, horizontal=False)
        except StyleError:
            if columns == 1:
                raise
            columns -= max(1, columns // 8)
            continue
        return metrics, warnings, tiles


def _transposed_split(
    data: HeatmapData, style: Style, raster: bool
) -> tuple[Metrics, list[FigureWarning], list[tuple[int, int]]]:
    """Tokens across the top: pages of tokens (``--rows-per-page``, or as many as fit the
    width limit, ``--width`` or the page limit), each page sized with the same metrics,
    which are decided on the pages themselves (so ``--width`` applies to a page)."""
    tokens = data.shape[0]
    asked = style.layout.rows_per_page
    automatic = asked is None
    per_page = asked or tokens
    if automatic:
        oriented = data.transposed()
        # Cells narrow and fonts shrink before tokens are split over pages (--width).
        with contextlib.suppress(StyleError):
            metrics, warnings = decide_metrics(oriented, style, horizontal=False)
            one = place_page(oriented, metrics, horizontal=False)
            if one.fig_width <= side_limit(style, raster):
                return metrics, warnings, [(0, tokens)]
        free = replace(style, layout=replace(style.layout, width=None))
        metrics, warnings = decide_metrics(oriented, free, horizontal=False)
        one = place_page(oriented, metrics, horizontal=False)
        limit = min(style.layout.width or math.inf, side_limit(style, raster))
        if one.fig_width <= limit:
            metrics, warnings = decide_metrics(oriented, style, horizontal=False)
            return metrics, warnings, [(0, tokens)]
        fixed = one.fig_width - tokens * metrics.cell_width
        per_page = max(1, math.floor((limit - fixed) / metrics.cell_width))
    while True:
        bounds = runs(tokens, per_page, balanced=automatic)
        pages = [data.token_rows(*bound).transposed() for bound in bounds]
        try:
            metrics, warnings = decide_metrics(pages, style, horizontal=False)
        except StyleError:
            if not automatic or per_page == 1:
                raise
            per_page = max(1, per_page * 3 // 4)
            continue
        break
    if automatic:
        warnings.append(
            PagesSplitWarning(
                data.source,
                f"{tokens} tokens across would make a page over the width limit; split into "
                f"{len(bounds)} pages of up to {bounds[0][1]} tokens (choose with "
                "rows_per_page=...)",
            )
        )
    return metrics, warnings, bounds


def _compact_height(data: HeatmapData, metrics: Metrics) -> float:
    """The lowest rows whose labels and numbers still keep clear of each other."""
    floor = 1.6 * measure_labels(data, metrics.font_size).line_height
    if metrics.annotation_font_size is not None:
        floor = max(floor, 1.8 * text_size("0", metrics.annotation_font_size)[1])
    return min(metrics.cell_height, max(floor, COMPACT_CELL))
