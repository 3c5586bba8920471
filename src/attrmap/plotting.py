"""Drawing: an annotated heatmap with matplotlib's object API (no pyplot, Agg canvas).

Data preparation (``prepare``: label escapes, annotation texts and colours, layout in
inches) is kept apart from drawing (``HeatmapCanvas``), so that a batch can reuse one
figure for many matrices of the same geometry and only swap data and texts.
"""

from __future__ import annotations

import contextlib
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import matplotlib as mpl
import matplotlib.style
import numpy as np
from matplotlib import colors as mcolors
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont, get_font
from matplotlib.text import Text
from matplotlib.textpath import TextToPath

from .errors import LimitError, StyleError
from .model import AttributionMatrix
from .style import Style

#: Fixed rc settings: the same input gives the same file on every machine with the same
#: versions, whatever the user's matplotlibrc says.
RC = {
    "font.family": "DejaVu Sans",
    "text.parse_math": False,
    "axes.unicode_minus": True,
    "svg.hashsalt": "attrmap",
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
    "path.simplify": True,
}


def isolated_rc() -> contextlib.AbstractContextManager:
    """matplotlib's defaults plus ``RC``: a user's matplotlibrc (``text.usetex``,
    ``savefig.bbox``, colours, fonts) never changes a figure or its bytes."""
    return matplotlib.style.context(["default", RC])


_PAD = 0.15  # inches of white space around everything
_LABEL_PAD_PT = 3.5  # heatmap labels: no tick marks (as seaborn), just matplotlib's pad
_TICK_OFFSET_PT = 3.5 + 3.5  # colorbar: tick length + label pad, matplotlib's defaults
_COLORBAR_GAP = 0.2
_COLORBAR_WIDTH = 0.22
_MIN_CELL_WIDTH = 0.9
_MAX_UNROTATED_LABEL = 1.6  # wider expression labels are drawn at 45 degrees
_MIN_CELL_HEIGHT = 0.45


# --------------------------------------------------------------------------- labels


def display_label(label: str) -> str:
    """Show control and invisible format characters as escapes instead of tofu boxes."""
    if label.isprintable():
        return label
    out = []
    for char in label:
        if char.isprintable() or char == " ":
            out.append(char)
        elif char in "\n\t\r":
            out.append({"\n": "\\n", "\t": "\\t", "\r": "\\r"}[char])
        elif ord(char) < 0x100:
            out.append(f"\\x{ord(char):02x}")
        elif unicodedata.category(char) in {"Zs"}:
            out.append(char)
        else:
            out.append(f"\\u{ord(char):04x}" if ord(char) < 0x10000 else f"\\U{ord(char):08x}")
    return "".join(out)


# --------------------------------------------------------------------------- colour


def relative_luminance(rgb: np.ndarray) -> np.ndarray:
    """WCAG 2 relative luminance of sRGB colours in [0, 1] (last axis = R, G, B)."""
    rgb = np.asarray(rgb, dtype=float)[..., :3]
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def contrast_ratio(l1: np.ndarray, l2: np.ndarray) -> np.ndarray:
    lighter, darker = np.maximum(l1, l2), np.minimum(l1, l2)
    return (lighter + 0.05) / (darker + 0.05)


def text_colors_for(cells: np.ndarray) -> np.ndarray:
    """Black or white per cell, whichever contrasts more: always >= 4.58 (WCAG AA)."""
    luminance = relative_luminance(cells)
    on_black = contrast_ratio(luminance, np.zeros_like(luminance))
    on_white = contrast_ratio(luminance, np.ones_like(luminance))
    return np.where(on_black >= on_white, "#000000", "#ffffff")


def resolve_cmap(style: Style) -> mcolors.Colormap:
    try:
        cmap = mpl.colormaps[style.cmap]
    except KeyError:
        raise StyleError(
            f"unknown colormap {style.cmap!r}; try RdYlGn, RdBu, PuOr or BrBG"
        ) from None
    # Out-of-range values take the end colours; the annotation still shows the value.
    return cmap.with_extremes(under=cmap(0.0), over=cmap(1.0))


def make_norm(style: Style) -> mcolors.Normalize:
    """Centre the colormap on 0 when the range straddles it, even if asymmetric."""
    if style.vmin < 0 < style.vmax and not math.isclose(-style.vmin, style.vmax):
        return mcolors.TwoSlopeNorm(vcenter=0.0, vmin=style.vmin, vmax=style.vmax)
    return mcolors.Normalize(vmin=style.vmin, vmax=style.vmax)


def extend_for(values: np.ndarray, style: Style) -> str:
    """Colorbar arrows on the side(s) where data fall outside [vmin, vmax]."""
    below = bool((values < style.vmin).any())
    above = bool((values > style.vmax).any())
    return {(False, False): "neither", (True, False): "min", (False, True): "max"}.get(
        (below, above), "both"
    )


# --------------------------------------------------------------------------- layout


@lru_cache(maxsize=4096)
def _text_size(text: str, size: float) -> tuple[float, float]:
    """Width and height in inches, from font metrics (no renderer, dpi-independent)."""
    if not text:
        return 0.0, 0.0
    prop = FontProperties(family=RC["font.family"], size=size)
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


def compute_layout(
    shape: tuple[int, int],
    tokens: list[str],
    expressions: list[str],
    annotations: list[str],
    title: str | None,
    extend: str,
    style: Style,
) -> Layout:
    """Size the figure from the grid and the measured label lengths."""
    rows, cols = shape
    size, annot_size = style.font_size, style.annotation_font_size
    tick_offset = _TICK_OFFSET_PT / 72
    label_offset = _LABEL_PAD_PT / 72
    token_width = max(_text_size(t, size)[0] for t in tokens)
    expr_sizes = [_text_size(e, size) for e in expressions]
    expr_width = max(w for w, _ in expr_sizes)
    line_height = _text_size("Ag", size)[1]
    # Digits share one advance width, so "-0.1234" is as wide as "-0.0000": measuring
    # each number's shape, not each number, keeps this cheap and its cache small.
    shapes = {_DIGIT_RE.sub("0", a) for a in annotations}
    annot_width = max(_text_size(shape, annot_size)[0] for shape in shapes)

    cell_width = max(_MIN_CELL_WIDTH, annot_width + 0.2)
    rotate = expr_width + 0.1 > max(cell_width, _MAX_UNROTATED_LABEL)
    if not rotate:
        cell_width = max(cell_width, expr_width + 0.15)
    cell_height = max(_MIN_CELL_HEIGHT, 1.8 * _text_size("0", annot_size)[1], 1.6 * line_height)
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
    title_height = 1.6 * _text_size("Ag", size * 1.2)[1] if title else 0.0

    left = _PAD + token_width + label_offset
    top = _PAD + title_height + labels_height + label_offset
    cbar_tick_width = max(_text_size(f"\u2212{t:.2f}", size)[0] for t in style.colorbar_ticks)
    cbar_label_width, cbar_label_height = _text_size(display_label(style.colorbar_label), size)
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
        _text_size(title or "", size * 1.2)[0] + 2 * _PAD,
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


# --------------------------------------------------------------------------- prepare


@dataclass(frozen=True)
class HeatmapData:
    """Everything the drawing needs, computed without touching a figure."""

    values: np.ndarray
    tokens: list[str]
    expressions: list[str]
    annotations: list[str]  # row-major, one per cell
    text_colors: list[str]  # row-major, one per cell
    title: str | None
    layout: Layout


def prepare(matrix: AttributionMatrix, style: Style) -> HeatmapData:
    with isolated_rc():
        return _prepare(matrix, style)


def _prepare(matrix: AttributionMatrix, style: Style) -> HeatmapData:
    cmap, norm = resolve_cmap(style), make_norm(style)
    values = matrix.values
    annotations = [format(v, style.fmt) for v in values.ravel().tolist()]  # -0.00001: -0.0000
    cells = cmap(norm(values))
    tokens = [display_label(t) for t in matrix.tokens]
    expressions = [display_label(e) for e in matrix.expressions]
    title = style.title if style.title is not None else matrix.title
    title = display_label(title) if title else None
    extend = extend_for(values, style)
    layout = compute_layout(matrix.shape, tokens, expressions, annotations, title, extend, style)
    check_figure_size(layout, style, matrix.source)
    return HeatmapData(
        values=values,
        tokens=tokens,
        expressions=expressions,
        annotations=annotations,
        text_colors=text_colors_for(cells).ravel().tolist(),
        title=title,
        layout=layout,
    )


# --------------------------------------------------------------------------- draw


@lru_cache(maxsize=2048)
def _coverage(text: str, font_path: str, size_px: float, hinting: object) -> np.ndarray:
    """The antialiased coverage bitmap of ``text``, trimmed to its ink (rows top down).

    Rendered by FreeType in one call for the whole string, and cached: cell values repeat
    within and across the files of a batch.
    """
    font = get_font(font_path)
    font.clear()
    font.set_size(size_px * 72 / 100, 100)  # size in pixels, expressed at 100 dpi
    font.set_text(text, 0.0, flags=hinting)
    font.draw_glyphs_to_bitmap(antialiased=True)
    image = np.asarray(font.get_image())
    rows, cols = np.nonzero(image)
    if rows.size == 0:
        return np.zeros((0, 0), dtype=np.float32)
    ink = image[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    return (ink.astype(np.float32) / 255)[..., None]


class CellText(Text):
    """A cell's annotation; on Agg it is blended from a cached bitmap, centred on its ink.

    Text.draw lays out and rasterises every glyph in Python (about 1 ms a number); the 65
    numbers of a figure were a third of a batch's time. Digits share one height and width,
    so centring the ink box centres every number alike. Other renderers (SVG, PDF) draw
    it as ordinary text.
    """

    def draw(self, renderer) -> None:
        text = self.get_text()
        if type(renderer) is not RendererAgg or not text or not self.get_visible():
            return super().draw(renderer)
        coverage = _coverage(
            text,
            findfont(self.get_fontproperties()),
            renderer.points_to_pixels(self.get_fontsize()),
            get_hinting_flag(),
        )
        buffer = np.asarray(renderer.buffer_rgba())
        x, y = self.get_transform().transform(self.get_unitless_position())
        height, width = coverage.shape[:2]
        top = round(buffer.shape[0] - y - height / 2)
        left = round(x - width / 2)
        if top < 0 or left < 0 or top + height > buffer.shape[0] or left + width > buffer.shape[1]:
            return super().draw(renderer)  # at the edge: let matplotlib clip it
        color = np.array(mcolors.to_rgb(self.get_color()), dtype=np.float32) * 255
        region = buffer[top : top + height, left : left + width, :3]
        region[...] = (region * (1 - coverage) + color * coverage + 0.5).astype(np.uint8)
        self.stale = False


class HeatmapCanvas:
    """One figure, built for a layout, that can show any matrix of that layout.

    Building the axes, colorbar and text artists is the slow part; ``show`` only swaps
    cell colours, labels, annotation strings and text colours, which is what makes a batch fast.
    """

    def __init__(self, layout: Layout, style: Style) -> None:
        self.layout = layout
        self.style = style
        self._background = None
        self._background_labels: tuple | None = None
        rows, cols = layout.shape
        with isolated_rc():
            self.figure = Figure(figsize=(layout.fig_width, layout.fig_height), dpi=style.dpi)
            FigureCanvasAgg(self.figure)
            self.axes = self.figure.add_axes(layout.heatmap_rect)
            cax = self.figure.add_axes(layout.colorbar_rect)
            # One quad per cell: vector rectangles in SVG/PDF, and in Agg far cheaper
            # than resampling an image. Edges in the cell's own colour hide the hairline
            # seams some PDF viewers show between adjacent quads.
            rows_edges, cols_edges = np.arange(rows + 1) - 0.5, np.arange(cols + 1) - 0.5
            self.cells = self.axes.pcolormesh(
                cols_edges,
                rows_edges,
                np.zeros(layout.shape),
                cmap=resolve_cmap(style),
                norm=make_norm(style),
                edgecolors="face",
                linewidth=0.3,
            )
            self.axes.set_xlim(-0.5, cols - 0.5)
            self.axes.set_ylim(rows - 0.5, -0.5)  # first token at the top
            self.colorbar = self.figure.colorbar(
                self.cells, cax=cax, extend=layout.extend, ticks=style.colorbar_ticks
            )
            self.colorbar.set_label(display_label(style.colorbar_label), size=style.font_size)
            self.colorbar.ax.tick_params(labelsize=style.font_size)
            self._build_axes(rows, cols)
            self.texts = [
                self.axes.add_artist(
                    CellText(
                        col,
                        row,
                        "",
                        ha="center",
                        va="center",
                        fontsize=style.annotation_font_size,
                        parse_math=False,
                        transform=self.axes.transData,
                    )
                )
                for row in range(rows)
                for col in range(cols)
            ]
            self.title = (
                self.figure.text(
                    0.5,
                    layout.title_y,
                    "",
                    ha="center",
                    va="baseline",
                    fontsize=style.font_size * 1.2,
                    parse_math=False,
                )
                if layout.title_y is not None
                else None
            )
        for text in self.figure.findobj(lambda a: hasattr(a, "set_parse_math")):
            text.set_parse_math(False)

    def _build_axes(self, rows: int, cols: int) -> None:
        ax = self.axes
        ax.set_xticks(range(cols))
        ax.set_yticks(range(rows))
        ax.tick_params(
            length=0,
            top=True,
            bottom=False,
            labeltop=True,
            labelbottom=False,
            labelsize=self.style.font_size,
        )
        if self.layout.rotate_expressions:
            ax.tick_params(axis="x", labelrotation=45)
            for tick in ax.xaxis.get_major_ticks():
                tick.label2.set_horizontalalignment("left")
                tick.label2.set_rotation_mode("anchor")
        for spine in ax.spines.values():
            spine.set_linewidth(0.8)

    def show(self, data: HeatmapData) -> Figure:
        """Put ``data`` on the canvas; its layout must be this canvas's layout."""
        self._show_labels(data)
        self._show_values(data)
        return self.figure

    def _show_labels(self, data: HeatmapData) -> None:
        if data.layout != self.layout:
            raise ValueError("HeatmapCanvas needs data prepared for its own layout")
        self.axes.set_xticklabels(data.expressions)
        self.axes.set_yticklabels(data.tokens)
        if self.title is not None:
            self.title.set_text(data.title or "")

    def _show_values(self, data: HeatmapData) -> None:
        self.cells.set_array(data.values)
        for text, label, color in zip(self.texts, data.annotations, data.text_colors, strict=True):
            text.set_text(label)
            text.set_color(color)

    def draw_pixels(self, data: HeatmapData) -> np.ndarray:
        """Draw ``data`` into the Agg buffer and return it (RGBA, rows top to bottom).

        Labels, colorbar and title rarely change between the files of a batch, so they
        are drawn once into a background that is restored for the next matrix with the
        same labels; only the cells, the frame and the annotations are drawn again. Nothing
        in the background overlaps those (the heatmap has no tick marks), and they are
        drawn in the same order as a full draw, so the pixels are exactly the same.
        """
        canvas = self.figure.canvas
        labels = (tuple(data.tokens), tuple(data.expressions), data.title)
        changing = [self.cells, *self.axes.spines.values(), *self.texts]
        with isolated_rc():
            if labels != self._background_labels:
                self._show_labels(data)
                for artist in changing:
                    artist.set_visible(False)
                canvas.draw()
                for artist in changing:
                    artist.set_visible(True)
                self._background = canvas.copy_from_bbox(self.figure.bbox)
                self._background_labels = labels
            else:
                canvas.restore_region(self._background)
            self._show_values(data)
            renderer = canvas.get_renderer()
            for artist in changing:
                artist.draw(renderer)
        return np.asarray(canvas.buffer_rgba())


def render(matrix: AttributionMatrix, style: Style | None = None) -> Figure:
    """Draw ``matrix`` as an annotated heatmap on a new Agg figure (no pyplot state)."""
    style = style or Style()
    data = prepare(matrix, style)
    return HeatmapCanvas(data.layout, style).show(data)
