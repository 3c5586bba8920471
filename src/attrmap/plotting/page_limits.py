"""How large a page may be (200 in a side; for a raster image 32,768 pixels a side and
50 megapixels), the checks that refuse a larger one before drawing, the warning for a
tall one, and pages as runs of tokens or expressions."""

from __future__ import annotations

import math

from ..errors import LimitError, TallFigureWarning
from ..style import Style

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
