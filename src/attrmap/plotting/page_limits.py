"""How large a page may be (200 in a side; for a raster image 32,768 pixels a side and
50 megapixels), the checks that refuse a larger one before drawing, the warning for a
tall one, pages as runs of tokens or expressions, and (``surely_one_page``) whether a
figure is sure to fit one page, told without loading a font."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from ..errors import LimitError, TallFigureWarning
from ..fonts import DEJAVU_SANS
from ..prepared import HeatmapData
from ..style import Style
from .dimensions import (
    BLOCK_GAP,
    COLORBAR_GAP,
    COLORBAR_WIDTH,
    COMPACT_CELL,
    DEFAULT_TEXT_WIDTH,
    LABEL_PAD_PT,
    LINE_GAP,
    MAX_COLORBAR_LENGTH,
    MIN_CELL_HEIGHT,
    MIN_CELL_WIDTH,
    PAD,
    TEXT_COLORBAR_GAP,
    TEXT_COLORBAR_THICKNESS,
    TEXT_MARGIN,
    TEXT_PAD_Y,
    TICK_OFFSET_PT,
)

#: Largest page side in inches: PDF viewers refuse pages past 200 in.
MAX_PAGE_INCHES = 200.0
#: A page taller than this is said (``TallFigureWarning``): hard to read on a screen or print.
TALL_PAGE_INCHES = 30.0
#: Largest PNG drawn, in pixels: 50 MP is a 200 MB RGBA buffer, and ~5,000 annotated
#: cells at 150 dpi. Past that an annotated heatmap is unreadable and Agg runs out of room.
MAX_FIGURE_PIXELS = 50_000_000
MAX_FIGURE_SIDE = 32_768


def tall_figure_warning(source: str, height: float, instead: str) -> TallFigureWarning:
    """The one line said about a page too tall to read on a screen or print."""
    return TallFigureWarning(
        source,
        f"a page is {height:.0f} in tall, hard to read on a screen or in print; try {instead}",
    )


def runs(count: int, per: int, balanced: bool) -> list[tuple[int, int]]:
    """``count`` items in runs of at most ``per``: balanced (334 + 333 + 333) when
    automatic, or as asked (N per run, the rest on the last)."""
    runs = math.ceil(count / per)
    if balanced:
        sizes = [count // runs + (run < count % runs) for run in range(runs)]
    else:
        sizes = [min(per, count - run * per) for run in range(runs)]
    starts = [sum(sizes[:run]) for run in range(runs)]
    return [(start, start + size) for start, size in zip(starts, sizes, strict=True)]


def side_limit(style: Style, raster: bool) -> float:
    """The longest page side allowed, in inches: 200, and for a raster image (PNG) 32,768 pixels."""
    limit = MAX_PAGE_INCHES
    if raster:
        limit = min(limit, (MAX_FIGURE_SIDE - 1) / style.dpi)
    return limit


def height_limit(width: float, style: Style, raster: bool) -> float:
    """The tallest page ``width`` inches wide allowed: ``side_limit``, and for PNG the
    pixel count (50 megapixels)."""
    limit = side_limit(style, raster)
    if raster:
        columns = math.ceil(width * style.dpi)
        limit = min(limit, (MAX_FIGURE_PIXELS // columns - 1) / style.dpi)
    return limit


#: What to do about a page that is too large: for a matrix, and for a comparison.
SPLIT_ADVICE = (
    "use fewer rows_per_page=... or a smaller cell_size=...",
    "split the matrix (rows_per_page=...)",
)


def check_figure_inches(
    fig_width: float,
    fig_height: float,
    style: Style,
    raster: bool,
    source: str,
    advice: tuple[str, str] = SPLIT_ADVICE,
) -> None:
    """``check_page_size`` for any figure of that size (a comparison, say); ``advice``
    says how to make the page smaller, then how to make the picture smaller."""
    if max(fig_width, fig_height) > MAX_PAGE_INCHES:
        raise LimitError(
            source,
            f"a page would be {fig_width:g}x{fig_height:g} in, over the "
            f"{MAX_PAGE_INCHES:g}-inch page limit; {advice[0]}",
        )
    if not raster:
        return
    width = math.ceil(fig_width * style.dpi)
    height = math.ceil(fig_height * style.dpi)
    if width * height > MAX_FIGURE_PIXELS or max(width, height) > MAX_FIGURE_SIDE:
        raise LimitError(
            source,
            f"the figure would be {width}x{height} pixels at {style.dpi} dpi, over the "
            f"{MAX_FIGURE_PIXELS // 1_000_000}-megapixel limit; lower dpi=... or {advice[1]}",
        )


# --------------------------------------------------------------------------- one page for sure

#: Bounds on text drawn in DejaVu Sans alone, in ems (tests/test_describe_pages.py checks
#: them against the installed file): a glyph's advance plus the largest kerning (1.87 + 0.07),
#: ink past a text's first and last advance (the font's box, 2.81 wide), a text's height
#: (the font's box, 1.70 high).
CHAR_EM = 2.0
EXTRA_EM = 3.0
LINE_EM = 1.75


def surely_one_page(data: HeatmapData, style: Style, raster: bool, fonts: Sequence[str]) -> bool:
    """Whether the figure of ``data`` is sure to be one page, from the lengths of its
    texts alone (each character as wide as DejaVu Sans's widest), without loading a font
    or laying anything out: what lets ``describe`` skip planning pages for a figure that
    cannot have several. False whenever unsure (it is then planned): with a paper size,
    ``rows_per_page`` (its pages are known without planning), other fonts than DejaVu
    Sans, or a page that could pass a limit at the largest sizes the layout could pick.
    """
    options = style.layout
    if options.page is not None or tuple(fonts) != (DEJAVU_SANS,):
        return False
    if options.layout == "text":
        return _text_height(data, style) <= height_limit(
            options.width or DEFAULT_TEXT_WIDTH, style, raster
        )
    if options.rows_per_page is not None:
        return False
    width, height = _grid_size(data, style)
    if options.transpose:  # pages split only by width (see layout._transposed_split)
        return width <= min(side_limit(style, raster), options.width or math.inf)
    return width <= side_limit(style, raster) and height <= height_limit(width, style, raster)


def _width(texts: Iterable[str], size: float) -> float:
    """The widest of ``texts`` at ``size`` can be at most this many inches wide."""
    longest = max((len(text) for text in texts), default=0)
    return (longest * CHAR_EM + EXTRA_EM) * size / 72 if longest else 0.0


def _grid_size(data: HeatmapData, style: Style) -> tuple[float, float]:
    """At most how wide and high one page of the whole grid is, at the style's fonts
    (``sizing`` only ever shrinks fonts and cells from there), as ``placement.place_page``
    adds it up with each text at its largest; tokens across the top when transposed."""
    size, annotation = style.font_size, style.annotation_font_size
    rows, columns = data.shape
    row_labels, column_labels = data.tokens, data.expressions
    if style.layout.transpose:
        rows, columns = columns, rows
        row_labels, column_labels = column_labels, row_labels
    line = LINE_EM * size / 72
    column_width = _width(column_labels, size)
    if style.layout.cell_size is not None:
        cell_width, cell_height = style.layout.cell_size
    else:
        cell_width = max(
            MIN_CELL_WIDTH,
            _width(data.annotations, annotation) + 0.2,
            column_width + 0.15,
            1.4 * line,
            COMPACT_CELL,
        )
        cell_height = max(
            MIN_CELL_HEIGHT, 1.8 * LINE_EM * annotation / 72, 1.6 * line, COMPACT_CELL
        )
    ticks = [*data.tick_labels, *(f"\u2212{tick:.2f}" for tick in data.ticks)]
    gutter = 1.6 * line if data.groups else 0.0
    column_labels_reach = column_width + line  # flat, slanted or upright; above and past
    left = PAD + _width(row_labels, size) + LABEL_PAD_PT / 72 + gutter
    colorbar = COLORBAR_GAP + COLORBAR_WIDTH + TICK_OFFSET_PT / 72 + _width(ticks, size)
    right = max(colorbar + 0.1 + line + PAD, column_labels_reach + PAD)
    title = _width([data.title or ""], 1.2 * size) + 2 * PAD
    width = max(left + columns * cell_width + right, title)
    title_height = 1.6 * LINE_EM * 1.2 * size / 72 if data.title else 0.0
    top = PAD + title_height + column_labels_reach + LABEL_PAD_PT / 72 + gutter
    height = top + max(rows * cell_height, MAX_COLORBAR_LENGTH) + PAD
    return width + 0.01, height + 0.01  # pages' sizes are rounded to 0.001 in


def _text_height(data: HeatmapData, style: Style) -> float:
    """At most how high the running text of ``data`` is on one page: every token on a
    line of its own (``text_flow`` wraps words, and cuts a token wider than a line)."""
    size = style.font_size
    scale = size / 10
    line = LINE_EM * size / 72
    box = 2 * TEXT_PAD_Y * scale + line
    if style.layout.annotate == "always":
        box += LINE_EM * style.annotation_font_size / 72 + TEXT_PAD_Y * scale
    pitch = box + LINE_GAP * scale
    block = 1.6 * LINE_EM * 1.1 * size / 72 + BLOCK_GAP
    title = 1.6 * LINE_EM * 1.2 * size / 72 if data.title else 0.0
    colorbar = TEXT_COLORBAR_GAP + TEXT_COLORBAR_THICKNESS + TICK_OFFSET_PT / 72 + 2 * line + 0.1
    tokens, expressions = data.shape
    fixed = 2 * TEXT_MARGIN + title + colorbar
    return fixed + expressions * (block + tokens * pitch) + 0.01
