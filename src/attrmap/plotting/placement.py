"""One page placed: where its grid, labels, colorbar, title, page marker and group names
go, in figure fractions, from the figure's ``Metrics`` (``place_page``); and that page set
on a sheet of paper (``on_paper``)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..errors import LimitError
from ..fonts import DEJAVU_SANS
from ..prepared import HeatmapData
from ..style import Style
from .measuring import MEASURING_FONTS, measure_labels, text_size
from .page_limits import check_figure_inches
from .sizing import (
    COLORBAR_GAP,
    COLORBAR_WIDTH,
    LABEL_PAD_PT,
    MAX_COLORBAR_LENGTH,
    PAD,
    TICK_OFFSET_PT,
    ColorbarSpec,
    Metrics,
    colorbar_spec,
    column_labels_extent,
    figure_width,
    group_gutters,
)

TICK_LABEL_COLOR = "black"  # matplotlib's default tick label colour
#: Page markers ("tokens 1-250 of 1,500") are this fraction of the label size.
MARKER_SCALE = 0.85
MARKER_COLOR = "#444444"
#: Margins of a page of a paper size (``--page``): printers need room.
PAPER_MARGIN = 0.5


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


def check_page_size(layout: Layout, style: Style, raster: bool, source: str) -> None:
    """Refuse, before drawing, a page no viewer opens or (a raster image) no buffer holds."""
    check_figure_inches(layout.fig_width, layout.fig_height, style, raster, source)
