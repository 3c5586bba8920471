"""The canvas: one matplotlib figure (no pyplot, Agg) that can show any matrix of its layout.

Building axes, colorbar and text artists is the slow part; ``show`` only swaps cell
colours, labels, annotation strings and text colours, which is what makes a batch fast.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast

import numpy as np
from matplotlib import colors as mcolors
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.cm import ScalarMappable
from matplotlib.collections import QuadMesh
from matplotlib.colorbar import Colorbar
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, fontManager, get_font
from matplotlib.ft2font import FT2Font, Kerning, LoadFlags
from matplotlib.path import Path
from matplotlib.text import Text
from matplotlib.ticker import FixedFormatter
from matplotlib.transforms import IdentityTransform

from ..prepared import HeatmapData
from ..scale import make_norm, resolve_cmap
from ..style import Style
from .display import NotebookFigure
from .layout import (
    LABEL_PAD_PT,
    MARKER_COLOR,
    MARKER_SCALE,
    TICK_LABEL_COLOR,
    ColorbarSpec,
    FigurePlan,
    Layout,
    Metrics,
    group_gutter,
    text_extent_in,
    text_size_in,
)
from .rc import isolated_rc

if TYPE_CHECKING:
    from matplotlib.ft2font import GlyphIndexType
    from matplotlib.typing import ColorType


@lru_cache(maxsize=2048)
def _coverage(
    text: str, font_paths: tuple[str, ...], size_px: float, hinting: LoadFlags
) -> np.ndarray:
    """The antialiased coverage of ``text`` as FreeType draws the whole string, trimmed to
    its ink (rows top down, values 0-1). Cached: cell values repeat within and across the
    files of a batch."""
    typesetter = _typesetter(font_paths, size_px, hinting)
    ink = typesetter.composed_ink(text)
    if ink is None:
        ink = _ink(typesetter.whole(text))
    return (ink.astype(np.float32) / 255)[..., None]


def _ink(bitmap: np.ndarray) -> np.ndarray:
    """``bitmap`` trimmed to its nonzero pixels (0x0 if it has none)."""
    rows, cols = np.nonzero(bitmap)
    if rows.size == 0:
        return np.zeros((0, 0), dtype=bitmap.dtype)
    return bitmap[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]


@dataclass(frozen=True)
class _Glyph:
    """One character drawn alone by FreeType, and what placing it in a string needs."""

    stamp: np.ndarray  # FreeType's bitmap of the character alone (uint8, zeros around)
    offset: tuple[int, int]  # where its glyph bitmap starts in ``stamp`` (column, row)
    ink: np.ndarray  # ``stamp`` trimmed to its ink
    ink_at: tuple[int, int]  # where ``ink`` starts in ``stamp`` (column, row)
    left: int  # the glyph bitmap's left and top, in pixels from the pen
    top: int
    cbox: tuple[int, int, int, int]  # control box at the pen (26.6 subpixels)
    advance: int  # 26.6 subpixels
    index: GlyphIndexType  # in the chain's first font


class _Typesetter:
    """Strings drawn as ``FT2Font.set_text`` and ``draw_glyphs_to_bitmap`` draw them, one
    font chain at one size.

    FreeType takes ~0.3 ms to load and hint a number's glyphs, and a figure has dozens
    of distinct numbers (65 for the reference figure, thousands for a long one). When
    every glyph of a string is in the chain's first font, no pair of them is kerned and
    each lands on a whole pixel (hinted advances: true of the fonts tried at any size,
    and digits are not kerned in them), each glyph's
    bitmap is the one drawn alone, shifted: so the string is composed from cached glyphs,
    placed, clipped and OR-ed exactly as matplotlib's ft2font does. Otherwise (a fallback
    font, a pen between pixels) FreeType draws the whole string.
    """

    def __init__(self, font_paths: tuple[str, ...], size_px: float, hinting: LoadFlags) -> None:
        self.font_paths, self.size_px, self.hinting = font_paths, size_px, hinting
        self.glyphs: dict[str, _Glyph | None] = {}
        self.kerning: dict[tuple[GlyphIndexType, GlyphIndexType], bool] = {}

    def _font(self) -> FT2Font:
        font = get_font(self.font_paths)
        font.clear()  # also forgets which chain font drew which glyph last time
        font.set_size(self.size_px * 72 / 100, 100)  # size in pixels, expressed at 100 dpi
        return font

    def whole(self, text: str) -> np.ndarray:
        """FreeType's own bitmap of ``text`` (uint8, rows top down)."""
        font = self._font()
        font.set_text(text, 0.0, flags=self.hinting)
        font.draw_glyphs_to_bitmap(antialiased=True)
        return np.asarray(font.get_image())

    def _glyph(self, char: str) -> _Glyph | None:
        if char not in self.glyphs:
            font = self._font()
            index = font.get_char_index(ord(char))
            glyph = None
            if index:
                font.set_text(char, 0.0, flags=self.hinting)
                advance = font.get_width_height()[0]
                font.draw_glyphs_to_bitmap(antialiased=True)
                stamp = np.array(font.get_image())
                x0, y0, x1, y1 = font.load_char(ord(char), flags=self.hinting).bbox
                # FreeType's bitmap spans the control box's pixels: left floor, top ceil.
                left, top = math.floor(x0 / 64), -math.floor(-y1 / 64)
                offset = (int(left - x0 / 64), int(y1 / 64 - top + 1))  # as ft2font casts
                rows, cols = np.nonzero(stamp)
                ink_at = (int(cols.min()), int(rows.min())) if rows.size else (0, 0)
                cbox = (x0, y0, x1, y1)
                glyph = _Glyph(stamp, offset, _ink(stamp), ink_at, left, top, cbox, advance, index)
            self.glyphs[char] = glyph
        return self.glyphs[char]

    def _kerned(self, left: GlyphIndexType, right: GlyphIndexType) -> bool:
        """Whether the font kerns this pair at all (in font units: ft2font scales and
        rounds kerning its own way, which is not redone here)."""
        pair = (left, right)
        if pair not in self.kerning:
            self.kerning[pair] = self._font().get_kerning(left, right, Kerning.UNSCALED) != 0
        return self.kerning[pair]

    def _placed(self, text: str) -> tuple[list[tuple[_Glyph, int, int]], int, int] | None:
        """Where each glyph's stamp goes in ``whole(text)`` (glyph, column, row) and that
        bitmap's height and width; None where composing would not be exact."""
        glyphs = [self._glyph(char) for char in text]
        if not glyphs or None in glyphs:
            return None
        pens: list[tuple[_Glyph, int]] = []
        pen, previous = 0, None
        for glyph in glyphs:
            assert glyph is not None
            if previous is not None and self._kerned(previous, glyph.index):
                return None
            if pen % 64:  # between pixels: the glyph would be rasterised differently
                return None
            pens.append((glyph, pen))
            pen += glyph.advance
            previous = glyph.index
        # The string's control box; a glyph without outline (a space) adds (0, 0, 0, 0)
        # wherever it stands, as FreeType moves no points for it.
        boxes = [
            (x0 + at, y0, x1 + at, y1) if any(g.cbox) else g.cbox
            for g, at in pens
            for x0, y0, x1, y1 in [g.cbox]
        ]
        x_min, y_min = min(b[0] for b in boxes), min(b[1] for b in boxes)
        x_max, y_max = max(b[2] for b in boxes), max(b[3] for b in boxes)
        if x_min > x_max or y_min > y_max:  # no outline at all
            x_min = x_max = y_min = y_max = 0
        placed = [
            (
                glyph,
                int(glyph.left + at // 64 - x_min / 64) - glyph.offset[0],
                int(y_max / 64 - glyph.top + 1) - glyph.offset[1],
            )
            for glyph, at in pens
        ]
        return placed, (y_max - y_min) // 64 + 2, (x_max - x_min) // 64 + 2

    def composed(self, text: str) -> np.ndarray | None:
        """``whole(text)`` from cached glyphs, or None where that would not be exact."""
        layout = self._placed(text)
        if layout is None:
            return None
        placed, height, width = layout
        bitmap = np.zeros((height, width), dtype=np.uint8)
        for glyph, x, y in placed:
            rows, cols = glyph.stamp.shape
            top, left = max(y, 0), max(x, 0)
            bottom, right = min(y + rows, height), min(x + cols, width)
            if bottom > top and right > left:
                region = bitmap[top:bottom, left:right]
                region |= glyph.stamp[top - y : bottom - y, left - x : right - x]
        return bitmap

    def composed_ink(self, text: str) -> np.ndarray | None:
        """``composed(text)`` trimmed to its ink, built directly from the glyphs' inks
        (the usual case, nothing clipped at the bitmap's edge: then the union of their
        ink boxes is the string's)."""
        layout = self._placed(text)
        if layout is None:
            return None
        placed, height, width = layout
        inks = []
        for glyph, x, y in placed:
            if glyph.ink.size:
                top, left = y + glyph.ink_at[1], x + glyph.ink_at[0]
                bottom, right = top + glyph.ink.shape[0], left + glyph.ink.shape[1]
                if top < 0 or left < 0 or bottom > height or right > width:
                    return _ink(self.composed(text))  # type: ignore[arg-type]  # not None
                inks.append((glyph.ink, top, left, bottom, right))
        if not inks:
            return np.zeros((0, 0), dtype=np.uint8)
        top = min(ink[1] for ink in inks)
        left = min(ink[2] for ink in inks)
        bitmap = np.zeros(
            (max(ink[3] for ink in inks) - top, max(ink[4] for ink in inks) - left), np.uint8
        )
        for ink, y, x, bottom, right in inks:
            region = bitmap[y - top : bottom - top, x - left : right - left]
            region |= ink
        return bitmap


@lru_cache(maxsize=64)
def _typesetter(font_paths: tuple[str, ...], size_px: float, hinting: LoadFlags) -> _Typesetter:
    return _Typesetter(font_paths, size_px, hinting)


@lru_cache(maxsize=64)
def _font_chain(prop: FontProperties) -> tuple[str, ...]:
    """The files of a text's font chain, as Agg's own text drawing finds them: a
    ``--font`` chain's first font may lack digits (a CJK fallback font, say)."""
    return tuple(fontManager._find_fonts_by_props(prop))


class CellText(Text):
    """A cell's annotation; on Agg it is blended from a cached bitmap, centred on its ink.

    Text.draw lays out and rasterises every glyph in Python (about 1 ms a number); the 65
    numbers of a figure were a third of a batch's time. Digits share one height and width,
    so centring the ink box centres every number alike. Other renderers (SVG, PDF) draw
    it as ordinary text.
    """

    def draw(self, renderer) -> None:
        draw_cell_texts(renderer, [self])


def draw_cell_texts(renderer, texts: Sequence[CellText]) -> None:
    """Draw ``texts`` in order, each as ``CellText.draw`` does: on Agg blended from its
    cached bitmap; by matplotlib on other renderers, when empty or hidden, and at the
    figure's edge (to be clipped). What the texts share is done once: drawn one by one,
    transform, hinting and colour lookups cost more than the 65 blends of a figure."""
    if type(renderer) is not RendererAgg:
        for text in texts:
            Text.draw(text, renderer)
        return
    buffer = np.asarray(renderer.buffer_rgba())
    hinting = get_hinting_flag()
    for text, (x, y) in zip(texts, _display_points(texts), strict=True):
        label = text.get_text()
        if not label or not text.get_visible():
            Text.draw(text, renderer)
            continue
        coverage = _coverage(
            label,
            _font_chain(text.get_fontproperties()),
            renderer.points_to_pixels(text.get_fontsize()),
            hinting,
        )
        height, width = coverage.shape[:2]
        top = round(buffer.shape[0] - y - height / 2)
        left = round(x - width / 2)
        if top < 0 or left < 0 or top + height > buffer.shape[0] or left + width > buffer.shape[1]:
            Text.draw(text, renderer)  # at the edge: let matplotlib clip it
            continue
        _blend(buffer, coverage, top, left, text.get_color())
        text.stale = False


def _display_points(texts: Sequence[Text]) -> np.ndarray:
    """Each text's position in display pixels; texts on one transform in one call."""
    if not texts:  # annotations left out, or drawn by an AnnotationLayer
        return np.zeros((0, 2))
    positions = np.array([text.get_unitless_position() for text in texts], dtype=float)
    transforms = [text.get_transform() for text in texts]
    if all(transform is transforms[0] for transform in transforms):
        return transforms[0].transform(positions.reshape(-1, 2))
    return np.array([t.transform(xy) for t, xy in zip(transforms, positions, strict=True)])


def _blend(buffer: np.ndarray, coverage: np.ndarray, top: int, left: int, color: ColorType) -> None:
    """Paint ``color`` through ``coverage`` into the Agg buffer at (top, left)."""
    height, width = coverage.shape[:2]
    rgb = _rgb255(color) if isinstance(color, str) else _to_rgb255(color)
    region = buffer[top : top + height, left : left + width, :3]
    region[...] = (region * (1 - coverage) + rgb * coverage + 0.5).astype(np.uint8)


def _to_rgb255(color: ColorType) -> np.ndarray:
    return np.array(mcolors.to_rgb(color), dtype=np.float32) * 255


_rgb255 = lru_cache(maxsize=64)(_to_rgb255)  # annotations come in a few named colours


#: Grids with more cells than this get their annotations as one artist, not a Text each:
#: creating and laying out thousands of Text artists took ~1-3 ms apiece.
BULK_CELLS = 1000


@lru_cache(maxsize=512)
def _glyph(fonts: tuple[str, ...], char: str, size: float) -> tuple[np.ndarray, np.ndarray, float]:
    """Outline (in points, baseline at 0) and advance of one character at ``size``."""
    font = get_font(fonts)
    font.set_size(size, 72)  # one pixel per point
    glyph = font.load_char(ord(char), flags=LoadFlags.NO_HINTING)
    vertices, codes = font.get_path()
    return np.asarray(vertices, dtype=float), np.asarray(codes), glyph.linearHoriAdvance / 65536


class AnnotationLayer(Artist):
    """Every annotation of a large grid as one artist (``HeatmapCanvas.annotations``).

    On Agg each number is blended from the same cached bitmaps as ``CellText``; in SVG
    and PDF the numbers become one filled path per colour, composed from cached glyph
    outlines (digits need no kerning) and centred on their ink. Not used for editable
    SVG text (``--svg-text text``), which keeps a ``<text>`` element per number.
    """

    def __init__(self, axes, rows: int, cols: int, fontsize: float) -> None:
        super().__init__()
        self.set_zorder(Text.zorder)  # above the cells, as the Text annotations are
        self.set_transform(axes.transData)
        self.prop = FontProperties(size=fontsize)
        self.fonts = _font_chain(self.prop)
        cols_at, rows_at = np.meshgrid(np.arange(cols), np.arange(rows))
        self.positions = np.column_stack([cols_at.ravel(), rows_at.ravel()]).astype(float)
        self.labels: list[str] = []
        self.colors: list[str] = []

    def set_annotations(self, labels: list[str], colors: list[str]) -> None:
        self.labels, self.colors = labels, colors
        self.stale = True

    def draw(self, renderer) -> None:
        if not self.get_visible():
            return
        points = self.get_transform().transform(self.positions)
        if type(renderer) is RendererAgg:
            self._draw_pixels(renderer, points)
        else:
            self._draw_paths(renderer, points)
        self.stale = False

    def _draw_pixels(self, renderer, points: np.ndarray) -> None:
        buffer = np.asarray(renderer.buffer_rgba())
        size_px = renderer.points_to_pixels(self.prop.get_size_in_points())
        hinting = get_hinting_flag()
        for (x, y), label, color in zip(points, self.labels, self.colors, strict=True):
            if not label:
                continue
            coverage = _coverage(label, self.fonts, size_px, hinting)
            height, width = coverage.shape[:2]
            top, left = round(buffer.shape[0] - y - height / 2), round(x - width / 2)
            inside = top + height <= buffer.shape[0] and left + width <= buffer.shape[1]
            if top >= 0 and left >= 0 and inside:
                _blend(buffer, coverage, top, left, color)

    def _draw_paths(self, renderer, points: np.ndarray) -> None:
        size = self.prop.get_size_in_points()
        scale = renderer.points_to_pixels(1.0)
        zero, _, _ = _glyph(self.fonts, "0", size)
        middle = (zero[:, 1].min() + zero[:, 1].max()) / 2
        by_colour: dict[str, tuple[list[np.ndarray], list[np.ndarray]]] = {}
        for (x, y), label, color in zip(points, self.labels, self.colors, strict=True):
            glyphs = [_glyph(self.fonts, char, size) for char in label]
            pen = -sum(advance for _, _, advance in glyphs) / 2
            vertices, codes = by_colour.setdefault(color, ([], []))
            for outline, kinds, advance in glyphs:
                if len(outline):
                    vertices.append((outline + np.array([pen, -middle])) * scale + (x, y))
                    codes.append(kinds)
                pen += advance
        for color, (vertices, codes) in sorted(by_colour.items()):
            if vertices:
                gc = renderer.new_gc()
                gc.set_linewidth(0)
                path = Path(np.concatenate(vertices), np.concatenate(codes))
                renderer.draw_path(gc, path, IdentityTransform(), mcolors.to_rgba(color))
                gc.restore()


#: Canvases with more rows than this draw their row labels as one artist
#: (``RowLabels``): a matplotlib tick label costs ~1-3 ms to build, lay out and draw.
BULK_ROWS = 50


class RowLabels(Artist):
    """Every row label of a long grid as one artist, in place of the y tick labels.

    Each label goes straight to the renderer's ``draw_text`` (Agg, SVG and PDF alike),
    right-aligned at matplotlib's tick label pad and centred on its row as a tick label
    (``center_baseline``), with widths from the layout's cached font metrics: no Tick or
    Text objects, no second layout per label.
    """

    def __init__(self, axes: Axes, rows: int, fontsize: float) -> None:
        super().__init__()
        self.axes_ = axes
        self.rows = rows
        self.prop = FontProperties(size=fontsize)
        self.fonts = tuple(self.prop.get_family())
        self.labels: list[str] = []

    def set_labels(self, labels: list[str]) -> None:
        self.labels = list(labels)
        self.stale = True

    def draw(self, renderer) -> None:
        if not self.get_visible() or not self.labels:
            return
        size = self.prop.get_size_in_points()
        _, height, descent = text_extent_in("lp", size, self.fonts)
        pad = renderer.points_to_pixels(LABEL_PAD_PT)
        left = self.axes_.transAxes.transform((0.0, 0.0))[0] - pad
        centres = self.axes_.transData.transform(
            np.column_stack([np.zeros(self.rows), np.arange(self.rows)])
        )[:, 1]
        to_pixels = renderer.points_to_pixels(72.0)  # inches to pixels
        lift = (height - descent) / 2 * to_pixels
        flip = renderer.flipy()
        canvas_height = renderer.get_canvas_width_height()[1]
        gc = renderer.new_gc()
        gc.set_foreground(TICK_LABEL_COLOR)
        gc.set_antialiased(True)
        for label, centre in zip(self.labels, centres, strict=True):
            if not label:
                continue
            width = text_size_in(label, size, self.fonts)[0] * to_pixels  # measured in planning
            x, y = left - width, centre - lift
            renderer.draw_text(gc, x, canvas_height - y if flip else y, label, self.prop, 0.0)
        gc.restore()
        self.stale = False


@dataclass
class Grid:
    """One heatmap's artists on its axes: the cells, the labels, the annotations."""

    axes: Axes
    cells: QuadMesh
    texts: list[CellText]  # row-major; empty when cells are not annotated
    annotations: AnnotationLayer | None = None  # instead of texts, for large grids
    row_labels: RowLabels | None = None  # instead of y tick labels, for long grids

    def show_labels(self, data: HeatmapData) -> None:
        self.axes.set_xticklabels(data.expressions)
        if self.row_labels is not None:
            self.row_labels.set_labels(data.tokens)
        else:
            self.axes.set_yticklabels(data.tokens)

    def show_values(self, data: HeatmapData) -> None:
        self.cells.set_array(data.values)
        if self.annotations is not None:
            self.annotations.set_annotations(data.annotations, data.text_colors)
        if not self.texts:  # annotations left out (--annotate, or too small to read)
            return
        for text, label, color in zip(self.texts, data.annotations, data.text_colors, strict=True):
            text.set_text(label)
            text.set_color(color)


def draw_grid(
    axes: Axes,
    shape: tuple[int, int],
    style: Style,
    scale: ColorbarSpec,
    metrics: Metrics,
    row_labels: bool = True,
    bulk_labels: bool = False,
) -> Grid:
    """A heatmap on ``axes``, without data yet: one quad per cell, column labels on top
    (rotated as ``metrics`` says), row labels on the left unless ``row_labels`` is false
    (a panel beside one that shows them), empty annotations. Used by the single figure and
    by every panel of a comparison."""
    rows, cols = shape
    # One quad per cell: vector rectangles in SVG/PDF, and in Agg far cheaper than
    # resampling an image. Edges in the cell's own colour hide the hairline seams some
    # PDF viewers show between adjacent quads.
    rows_edges, cols_edges = np.arange(rows + 1) - 0.5, np.arange(cols + 1) - 0.5
    cells = axes.pcolormesh(
        cols_edges,
        rows_edges,
        np.zeros(shape),
        cmap=resolve_cmap(style, (scale.vmin, scale.vmax)),
        norm=make_norm(scale.vmin, scale.vmax),
        edgecolors="face",
        linewidth=0.3,
    )
    axes.set_xlim(-0.5, cols - 0.5)
    axes.set_ylim(rows - 0.5, -0.5)  # first token at the top
    axes.set_xticks(range(cols))
    layer = None
    if bulk_labels and row_labels:  # one artist for the row labels (``RowLabels``)
        axes.set_yticks([])
        layer = RowLabels(axes, rows, metrics.font_size)
        axes.add_artist(layer)
    else:
        axes.set_yticks(range(rows))
    axes.tick_params(
        length=0,
        top=True,
        bottom=False,
        labeltop=True,
        labelbottom=False,
        labelleft=row_labels and layer is None,
        labelsize=metrics.font_size,
    )
    if metrics.rotation == 45:
        axes.tick_params(axis="x", labelrotation=45)
        for tick in axes.xaxis.get_major_ticks():
            tick.label2.set_horizontalalignment("left")
            tick.label2.set_rotation_mode("anchor")
    elif metrics.rotation == 90:
        axes.tick_params(axis="x", labelrotation=90)
    for spine in axes.spines.values():
        spine.set_linewidth(0.8)
    size = metrics.annotation_font_size
    annotations = None
    if size is not None and rows * cols > BULK_CELLS and style.output.svg_text == "path":
        annotations = AnnotationLayer(axes, rows, cols, size)
        axes.add_artist(annotations)
    texts: list[CellText] = []
    if size is not None and annotations is None:
        for row in range(rows):
            for col in range(cols):
                text = CellText(
                    col,
                    row,
                    "",
                    ha="center",
                    va="center",
                    fontsize=size,
                    parse_math=False,
                    transform=axes.transData,
                )
                axes.add_artist(text)
                texts.append(text)
    return Grid(axes, cells, texts, annotations, layer)


#: The rule between groups of tokens (Source | Target): a line a reader cannot miss.
GROUP_RULE_WIDTH = 2.0


def draw_groups(figure: Figure, axes: Axes, layout: Layout) -> list[Artist]:
    """Each group of tokens named in the gutter beside (or above) its labels, with a
    bracket along its rows, and a rule across the grid and its labels between groups.
    Returns the rules: they cross the cells, so they are drawn after them."""
    from matplotlib.lines import Line2D
    from matplotlib.transforms import blended_transform_factory

    if not layout.groups:
        return []
    rows, cols = layout.shape
    gutter = group_gutter(layout.metrics.font_size)
    across = layout.groups_across
    count = cols if across else rows
    starts = [start for _, start in layout.groups] + [count]
    size = layout.metrics.font_size
    left, bottom, width, _ = layout.heatmap_rect
    rules: list[Artist] = []
    name_at, outer = layout.groups_at
    if across:  # x in data (columns), y in figure fractions
        where = blended_transform_factory(axes.transData, figure.transFigure)
    else:  # x in figure fractions, y in data (rows)
        where = blended_transform_factory(figure.transFigure, axes.transData)
    bracket_at = name_at + (-1 if across else 1) * 0.42 * gutter / (
        layout.fig_height if across else layout.fig_width
    )
    for (name, start), stop in zip(layout.groups, starts[1:], strict=True):
        centre = (start + stop - 1) / 2
        figure.text(
            *((centre, name_at) if across else (name_at, centre)),
            name,
            transform=where,
            rotation=0 if across else 90,
            ha="center",
            va="center",
            fontsize=size,
            fontweight="bold",
            parse_math=False,
        )
        span = [start - 0.4, stop - 0.6]
        bracket = Line2D(
            *((span, [bracket_at] * 2) if across else ([bracket_at] * 2, span)),
            transform=where,
            color="black",
            linewidth=1.0,
        )
        figure.add_artist(bracket)
        if start > 0:
            edge = left + width if not across else bottom
            ends = [outer, edge] if not across else [edge, outer]
            rule = Line2D(
                *(([start - 0.5] * 2, ends) if across else (ends, [start - 0.5] * 2)),
                transform=where,
                color="black",
                linewidth=GROUP_RULE_WIDTH,
                solid_capstyle="butt",
            )
            figure.add_artist(rule)
            rules.append(rule)
    return rules


def draw_colorbar(
    figure: Figure,
    cax: Axes | None,
    cells: ScalarMappable,
    scale: ColorbarSpec,
    metrics: Metrics,
    horizontal: bool = False,
    **placement: Any,
) -> Colorbar:
    """The colorbar of ``cells``' colours on ``cax``, with ``scale``'s ticks and label
    (or, without ``cax``, on room ``Figure.colorbar`` takes as ``placement`` says)."""
    colorbar = figure.colorbar(
        cells,
        cax=cax,
        extend=scale.extend,
        ticks=list(scale.ticks),
        format=FixedFormatter(list(scale.tick_labels)),
        orientation="horizontal" if horizontal else "vertical",
        **placement,
    )
    colorbar.set_label(scale.label, size=metrics.font_size)
    colorbar.ax.tick_params(labelsize=metrics.font_size)
    return colorbar


class HeatmapCanvas:
    """One figure, built for a layout, that can show any matrix of that layout.

    Building the axes, colorbar and text artists is the slow part; ``show`` only swaps
    cell colours, labels, annotation strings and text colours, which is what makes a batch
    fast. Every page of a long matrix is such a canvas, with the same sizes and scale.
    """

    def __init__(self, layout: Layout, style: Style) -> None:
        self.layout = layout
        self.style = style
        self._background = None
        self._background_labels: tuple | None = None
        metrics, scale = layout.metrics, layout.colorbar
        with isolated_rc(self.layout.fonts):
            self.figure = NotebookFigure(
                figsize=(layout.fig_width, layout.fig_height), dpi=style.dpi
            )
            FigureCanvasAgg(self.figure)
            self.axes = self.figure.add_axes(layout.heatmap_rect)
            cax = self.figure.add_axes(layout.colorbar_rect)
            self.grid = draw_grid(
                self.axes,
                layout.shape,
                style,
                scale,
                metrics,
                bulk_labels=layout.shape[0] > BULK_ROWS,
            )
            self.cells, self.texts = self.grid.cells, self.grid.texts
            self.annotations = self.grid.annotations
            self.colorbar = draw_colorbar(
                self.figure, cax, self.cells, scale, metrics, layout.colorbar_horizontal
            )
            self.title = (
                self.figure.text(
                    layout.title_x,
                    layout.title_y,
                    "",
                    ha="center",
                    va="baseline",
                    fontsize=metrics.font_size * 1.2,
                    parse_math=False,
                )
                if layout.title_y is not None
                else None
            )
            self.marker = (
                self.figure.text(
                    *layout.marker_at,
                    "",
                    ha="right",
                    va="baseline",
                    fontsize=metrics.font_size * MARKER_SCALE,
                    color=MARKER_COLOR,
                    parse_math=False,
                )
                if layout.marker_at is not None
                else None
            )
            self.rules = draw_groups(self.figure, self.axes, layout)
        for text in self.figure.findobj(Text):  # Text and its subclasses (Annotation)
            text.set_parse_math(False)

    def show(self, plan: FigurePlan) -> Figure:
        """Put ``plan`` on the canvas; its layout must be this canvas's layout."""
        self._check_layout(plan)
        self._show_labels(plan.data)
        if self.marker is not None:
            self.marker.set_text(plan.marker or "")
        self._show_values(plan.data)
        return self.figure

    def _check_layout(self, plan: FigurePlan) -> None:
        if plan.layout != self.layout:
            raise ValueError("HeatmapCanvas needs data prepared for its own layout")

    def _show_labels(self, data: HeatmapData) -> None:
        self.grid.show_labels(data)
        if self.title is not None:
            self.title.set_text(data.title or "")

    def _show_values(self, data: HeatmapData) -> None:
        self.grid.show_values(data)

    def draw_pixels(self, plan: FigurePlan) -> np.ndarray:
        """Draw ``plan`` into the Agg buffer and return it (RGBA, rows top to bottom).

        Labels, colorbar and title rarely change between the files of a batch, so they
        are drawn once into a background that is restored for the next matrix with the
        same labels; only the cells, the frame and the annotations are drawn again. Nothing
        in the background overlaps those (the heatmap has no tick marks), and they are
        drawn in the same order as a full draw, so the pixels are exactly the same.
        """
        self._check_layout(plan)
        data = plan.data
        canvas = cast(FigureCanvasAgg, self.figure.canvas)  # made in __init__
        labels = (tuple(data.tokens), tuple(data.expressions), data.title, plan.marker)
        layer = [self.annotations] if self.annotations is not None else []
        changing = [self.cells, *self.axes.spines.values(), *self.rules, *self.texts, *layer]
        with isolated_rc(self.layout.fonts):
            if labels != self._background_labels:
                self._show_labels(data)
                if self.marker is not None:
                    self.marker.set_text(plan.marker or "")
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
            for artist in [self.cells, *self.axes.spines.values(), *self.rules]:
                artist.draw(renderer)
            draw_cell_texts(renderer, self.texts)  # as each one's draw, sharing the work
            for artist in layer:
                artist.draw(renderer)
        return np.asarray(canvas.buffer_rgba())
