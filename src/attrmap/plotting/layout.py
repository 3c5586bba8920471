"""Layout: where the grid, labels, colorbar and title go, in inches.

Measured from font metrics without a renderer, so a figure is sized before it is drawn
and nothing is ever clipped.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

from ..errors import LimitError
from ..fonts import DEJAVU_SANS
from ..heatmap import HeatmapData
from ..labels import display_label
from ..style import Style

_PAD = 0.15  # inches of white space around everything
_LABEL_PAD_PT = 3.5  # heatmap labels: no tick marks (as seaborn), just matplotlib's pad
_TICK_OFFSET_PT = 3.5 + 3.5  # colorbar: tick length + label pad, matplotlib's defaults
_COLORBAR_GAP = 0.2
_COLORBAR_WIDTH = 0.22
_MIN_CELL_WIDTH = 0.9
_MAX_UNROTATED_LABEL = 1.6  # wider expression labels are drawn at 45 degrees
_MIN_CELL_HEIGHT = 0.45


@lru_cache(maxsize=4096)
def _text_size(text: str, size: float, families: tuple[str, ...]) -> tuple[float, float]:
    """Width and height in inches, from font metrics (no renderer, dpi-independent)."""
    if not text:
        return 0.0, 0.0
    prop = FontProperties(family=list(families), size=size)
    width, height, _ = _TEXT_TO_PATH.get_text_width_height_descent(text, prop, ismath=False)
    return width / 72, height / 72


_TEXT_TO_PATH = TextToPath()
_DIGIT_RE = re.compile(r"\d")


@dataclass(frozen=True)
class Layout:
    """Where everything goes, in inches, so nothing is ever clipped."""

    shape: tuple[int, int]
    fig_width: float
    fig_height: float
    heatmap_rect: tuple[float, float, float, float]  # left, bottom, width, height (fraction)
    colorbar_rect: tuple[float, float, float, float]
    rotate_expressions: bool
    title_y: float | None  # figure fraction of the title's baseline, None for no title
    extend: str
    fonts: tuple[str, ...] = (DEJAVU_SANS,)  # font.family chain (see ``fonts``)


def compute_layout(
    data: HeatmapData, style: Style, fonts: tuple[str, ...] = (DEJAVU_SANS,)
) -> Layout:
    """Size the figure from the grid and the measured label lengths, in ``fonts``."""

    def measure(text: str, size: float) -> tuple[float, float]:
        return _text_size(text, size, fonts)

    shape, tokens, expressions = data.shape, data.tokens, data.expressions
    title, extend = data.title, data.extend
    annotations = [a for a in data.annotations if a] or ["0"]
    rows, cols = shape
    size, annot_size = style.font_size, style.annotation_font_size
    tick_offset = _TICK_OFFSET_PT / 72
    label_offset = _LABEL_PAD_PT / 72
    token_width = max(measure(t, size)[0] for t in tokens)
    expr_sizes = [measure(e, size) for e in expressions]
    expr_width = max(w for w, _ in expr_sizes)
    line_height = measure("Ag", size)[1]
    # Digits share one advance width, so "-0.1234" is as wide as "-0.0000": measuring
    # each number's shape, not each number, keeps this cheap and its cache small.
    shapes = {_DIGIT_RE.sub("0", a) for a in annotations}
    annot_width = max(measure(shape, annot_size)[0] for shape in shapes)

    cell_width = max(_MIN_CELL_WIDTH, annot_width + 0.2)
    rotate = expr_width + 0.1 > max(cell_width, _MAX_UNROTATED_LABEL)
    if not rotate:
        cell_width = max(cell_width, expr_width + 0.15)
    cell_height = max(_MIN_CELL_HEIGHT, 1.8 * measure("0", annot_size)[1], 1.6 * line_height)
    grid_width, grid_height = cols * cell_width, rows * cell_height

    diag = math.sqrt(0.5)
    if rotate:
        labels_height = max(w * diag + h * diag for w, h in expr_sizes)
        # The last labels lean right, past the grid: how far past its right edge.
        overhang = max(
            (i + 0.5) * cell_width + w * diag + h * diag - grid_width
            for i, (w, h) in enumerate(expr_sizes)
        )
    else:
        labels_height = line_height
        overhang = max(
            (i + 0.5) * cell_width + w / 2 - grid_width for i, (w, _) in enumerate(expr_sizes)
        )
    title_height = 1.6 * measure("Ag", size * 1.2)[1] if title else 0.0

    left = _PAD + token_width + label_offset
    top = _PAD + title_height + labels_height + label_offset
    cbar_tick_width = max(measure(f"\u2212{t:.2f}", size)[0] for t in style.colorbar_ticks)
    cbar_label_width, cbar_label_height = measure(display_label(style.colorbar_label), size)
    right_block = (
        _COLORBAR_GAP
        + _COLORBAR_WIDTH
        + tick_offset
        + cbar_tick_width
        + 0.1
        + cbar_label_height
        + _PAD
    )
    cbar_height = max(grid_height, cbar_label_width + 0.3)
    body_height = max(grid_height, cbar_height)
    fig_width = max(
        left + grid_width + max(right_block, overhang + _PAD),
        measure(title or "", size * 1.2)[0] + 2 * _PAD,
    )
    fig_height = top + body_height + _PAD

    def rect(x: float, y_top: float, w: float, h: float) -> tuple[float, float, float, float]:
        return (x / fig_width, 1 - (y_top + h) / fig_height, w / fig_width, h / fig_height)

    grid_top = top
    return Layout(
        shape=shape,
        fig_width=round(fig_width, 3),
        fig_height=round(fig_height, 3),
        heatmap_rect=rect(left, grid_top, grid_width, grid_height),
        colorbar_rect=rect(
            left + grid_width + _COLORBAR_GAP, grid_top, _COLORBAR_WIDTH, cbar_height
        ),
        rotate_expressions=rotate,
        title_y=1 - (_PAD + title_height * 0.7) / fig_height if title else None,
        extend=extend,
        fonts=fonts,
    )


#: Largest figure drawn, in pixels: 50 MP is a 200 MB RGBA buffer, and ~5,000 annotated
#: cells at 150 dpi. Past that an annotated heatmap is unreadable and Agg runs out of room.
MAX_FIGURE_PIXELS = 50_000_000
MAX_FIGURE_SIDE = 32_768


def check_figure_size(layout: Layout, style: Style, source: str) -> None:
    width = math.ceil(layout.fig_width * style.dpi)
    height = math.ceil(layout.fig_height * style.dpi)
    if width * height > MAX_FIGURE_PIXELS or max(width, height) > MAX_FIGURE_SIDE:
        raise LimitError(
            source,
            f"the figure would be {width}x{height} pixels at {style.dpi} dpi, over the "
            f"{MAX_FIGURE_PIXELS // 1_000_000}-megapixel limit; lower --dpi or split the matrix",
        )


@dataclass(frozen=True)
class FigurePlan:
    """A matrix ready to draw: what to show, and where."""

    data: HeatmapData
    layout: Layout
