"""Layout: where the grid, labels, colorbar and title go, in inches, page by page.

Measured from font metrics without a renderer, so a figure is sized before it is drawn
and nothing is ever clipped. Sizes are decided once for the whole matrix (``Metrics``:
fonts, cell size, label rotation), then each page of tokens is placed with them, so
every page shows the same cells, fonts and colour scale.
"""

from __future__ import annotations

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
from .measuring import MEASURING_FONTS, measure_labels, measuring_in, text_size
from .page_limits import (
    TALL_PAGE_INCHES,
    check_figure_inches,
    height_limit,
    runs,
    side_limit,
    tall_figure_warning,
)
from .sizing import (
    COLORBAR_GAP,
    COLORBAR_WIDTH,
    COMPACT_CELL,
    LABEL_PAD_PT,
    MAX_COLORBAR_LENGTH,
    PAD,
    TICK_OFFSET_PT,
    ColorbarSpec,
    Metrics,
    colorbar_spec,
    column_labels_extent,
    decide_metrics,
    figure_width,
    group_gutters,
    is_short,
)

TICK_LABEL_COLOR = "black"  # matplotlib's default tick label colour
#: Page markers ("tokens 1-250 of 1,500") are this fraction of the label size.
MARKER_SCALE = 0.85
MARKER_COLOR = "#444444"
_MARKER_ROOM = 0.3  # inches a marker line may take at the top of a page
_MIN_PAGE_TOKENS = 20  # automatic pages hold this many tokens before expressions tile


@dataclass(frozen=True)
class Layout:
    """Where everything goes on one page, in inches, so nothing is ever clipped."""

    shape: tuple[int, int]  # rows x columns drawn on this page
    fig_width: float
    fig_height: float
    heatmap_rect: tuple[float, float, float, float]  # left, bottom, width, height (fraction)
    colorbar_rect: tuple[float, float, float, float]
    title_y: float | None  # figure fraction of the title's baseline, None for no title
    metrics: Metrics
    colorbar: ColorbarSpec
    colorbar_horizontal: bool = False  # short grids: a colorbar below, not beside
    fonts: tuple[str, ...] = (DEJAVU_SANS,)  # font.family chain (see ``fonts``)
    #: Right end of the page marker's baseline (figure fractions); None on a single page.
    marker_at: tuple[float, float] | None = None
    title_x: float = 0.5  # the title's centre (figure fraction): off centre on paper
    #: Labelled groups of tokens (``HeatmapData.groups``) and whether they run across.
    groups: tuple[tuple[str, int], ...] = ()
    groups_across: bool = False
    #: Where group names are centred and where the rule between groups ends (figure
    #: fractions: x beside the rows, y above the columns when the groups run across).
    groups_at: tuple[float, float] = (0.0, 0.0)

    @property
    def extend(self) -> str:
        return self.colorbar.extend


def place_page(
    data: HeatmapData, metrics: Metrics, horizontal: bool, marker_width: float | None = None
) -> Layout:
    """The layout of one page: ``data`` holds just that page's rows. A page of several
    gets a marker line (``marker_width`` wide) saying which tokens it holds."""
    rows, cols = data.shape
    text = measure_labels(data, metrics.font_size)
    size = metrics.font_size
    tick_offset = TICK_OFFSET_PT / 72
    label_offset = LABEL_PAD_PT / 72
    cell_width, cell_height = metrics.cell_width, metrics.cell_height
    grid_width, grid_height = cols * cell_width, rows * cell_height
    labels_height = column_labels_extent(text, metrics)[0]
    title_height = 1.6 * text_size("Ag", size * 1.2)[1] if data.title else 0.0
    marker_height = 0.0 if marker_width is None else 1.5 * text_size("Ag", size * MARKER_SCALE)[1]

    beside, above = group_gutters(data, size)
    left = PAD + text.row_width + label_offset + beside
    top = PAD + marker_height + title_height + labels_height + label_offset + above
    fig_width = figure_width(data, metrics, horizontal)
    if marker_width is not None:
        fig_width = max(fig_width, marker_width + 2 * PAD)
    if horizontal:
        bar_length = min(MAX_COLORBAR_LENGTH, max(grid_width, text.colorbar_label[0] + 0.3))
        below = (
            0.3  # gap under the grid
            + COLORBAR_WIDTH
            + tick_offset
            + text.line_height
            + 0.1
            + text.colorbar_label[1]
        )
        fig_height = top + grid_height + below + PAD
        bar_left = left + max(0.0, (max(grid_width, bar_length) - bar_length) / 2)
        bar_left = max(bar_left, left + 0.05 * bar_length + text.tick_width / 2)
        bar_rect = (bar_left, top + grid_height + 0.3, bar_length, COLORBAR_WIDTH)
    else:
        cbar_height = min(MAX_COLORBAR_LENGTH, max(grid_height, text.colorbar_label[0] + 0.3))
        body_height = max(grid_height, cbar_height)
        fig_height = top + body_height + PAD
        bar_rect = (left + grid_width + COLORBAR_GAP, top, COLORBAR_WIDTH, cbar_height)

    def rect(x: float, y_top: float, w: float, h: float) -> tuple[float, float, float, float]:
        return (x / fig_width, 1 - (y_top + h) / fig_height, w / fig_width, h / fig_height)

    return Layout(
        shape=(rows, cols),
        fig_width=round(fig_width, 3),
        fig_height=round(fig_height, 3),
        heatmap_rect=rect(left, top, grid_width, grid_height),
        colorbar_rect=rect(*bar_rect),
        title_y=1 - (PAD + marker_height + title_height * 0.7) / fig_height if data.title else None,
        metrics=metrics,
        colorbar=colorbar_spec(data),
        colorbar_horizontal=horizontal,
        fonts=MEASURING_FONTS.get(),
        marker_at=None
        if marker_width is None
        else (1 - PAD / fig_width, 1 - (PAD + marker_height * 0.7) / fig_height),
        groups=data.groups,
        groups_across=data.groups_across,
        groups_at=(
            1 - (PAD + marker_height + title_height + 0.45 * above) / fig_height,
            1 - (PAD + marker_height + title_height) / fig_height,
        )
        if above
        else ((PAD + 0.4 * beside) / fig_width, PAD / fig_width),
    )


@dataclass(frozen=True)
class FigurePlan:
    """One page ready to draw: what to show, and where."""

    data: HeatmapData
    layout: Layout
    marker: str | None = None  # "tokens 751-1,500 of 1,500" on a page of several


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
        plans.append(FigurePlan(page, layout, marker))
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


#: Margins of a page of a paper size (``--page``): printers need room.
PAPER_MARGIN = 0.5


def _within_paper(style: Style) -> Style:
    """``style`` with ``--width`` no wider than its paper's room, if it has a paper."""
    if style.layout.page is None:
        return style
    room = style.layout.page[0] - 2 * (PAPER_MARGIN - PAD)
    width = min(room, style.layout.width or room)
    return replace(style, layout=replace(style.layout, width=width))


def on_paper(layout: Layout, paper: tuple[float, float], source: str = "<matrix>") -> Layout:
    """``layout`` set on a page of ``paper`` size, ``PAPER_MARGIN`` from its top left."""
    width, height = paper
    inset = PAPER_MARGIN - PAD
    if layout.fig_width + 2 * inset > width + 0.01 or layout.fig_height + 2 * inset > height + 0.01:
        raise LimitError(
            source,
            f"a page of {layout.fig_width + 2 * inset:.3g}x{layout.fig_height + 2 * inset:.3g} "
            f"in does not fit a {width:g}x{height:g} in page=...; use a larger page=..., "
            "rows_per_page=... or a smaller cell_size=...",
        )

    def moved(box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        left = box[0] * layout.fig_width + inset
        top = (1 - box[1] - box[3]) * layout.fig_height + inset
        w, h = box[2] * layout.fig_width, box[3] * layout.fig_height
        return (left / width, 1 - (top + h) / height, w / width, h / height)

    def y(fraction: float) -> float:
        return 1 - ((1 - fraction) * layout.fig_height + inset) / height

    marker = None
    if layout.marker_at is not None:
        marker = (1 - PAPER_MARGIN / width, y(layout.marker_at[1]))
    return replace(
        layout,
        fig_width=width,
        fig_height=height,
        heatmap_rect=moved(layout.heatmap_rect),
        colorbar_rect=moved(layout.colorbar_rect),
        title_y=None if layout.title_y is None else y(layout.title_y),
        title_x=(inset + layout.fig_width / 2) / width,
        marker_at=marker,
    )


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


def check_page_size(layout: Layout, style: Style, raster: bool, source: str) -> None:
    """Refuse, before drawing, a page no viewer opens or (a raster image) no buffer holds."""
    check_figure_inches(layout.fig_width, layout.fig_height, style, raster, source)
