"""Text artists of a grid that skip matplotlib's per-text layout: a cell's number
(``CellText``) blended from cached bitmaps, all numbers of a large grid as one
``AnnotationLayer``, all row labels of a long grid as one ``RowLabels``."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib import colors as mcolors
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import RendererAgg, get_hinting_flag
from matplotlib.font_manager import FontProperties
from matplotlib.path import Path
from matplotlib.text import Text
from matplotlib.transforms import IdentityTransform

from .glyphs import (
    blend,
    blend_centred,
    centred_at,
    draw_texts_agg,
    font_chain,
    glyph_outline,
    ink_coverage,
    typesetter_for,
)
from .measuring import text_extent_in, text_widths_in
from .placement import TICK_LABEL_COLOR
from .sizing import LABEL_PAD_PT
from .stamps import stamp_numbers


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
        coverage = ink_coverage(
            label,
            font_chain(text.get_fontproperties()),
            renderer.points_to_pixels(text.get_fontsize()),
            hinting,
        )
        at = centred_at(buffer, coverage, x, y)
        if at is None:
            Text.draw(text, renderer)  # at the edge: let matplotlib clip it
            continue
        blend(buffer, coverage, *at, text.get_color())
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


#: Grids with more cells than this get their annotations as one artist, not a Text each:
#: creating and laying out thousands of Text artists took ~1-3 ms apiece.
BULK_CELLS = 1000


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
        self.fonts = font_chain(self.prop)
        self.cols = cols
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
        typesetter = typesetter_for(self.fonts, size_px, get_hinting_flag())
        if stamp_numbers(buffer, points, self.labels, self.colors, typesetter, self._pitch(points)):
            return
        for (x, y), label, color in zip(points, self.labels, self.colors, strict=True):
            if label:
                blend_centred(buffer, typesetter, label, x, y, color)

    def _pitch(self, points: np.ndarray) -> tuple[float, float]:
        """Display pixels between neighbouring cells (x, y); infinite for one column or row."""
        across = abs(points[1, 0] - points[0, 0]) if self.cols > 1 else np.inf
        down = abs(points[self.cols, 1] - points[0, 1]) if len(points) > self.cols else np.inf
        return float(across), float(down)

    def _draw_paths(self, renderer, points: np.ndarray) -> None:
        size = self.prop.get_size_in_points()
        scale = renderer.points_to_pixels(1.0)
        zero, _, _ = glyph_outline(self.fonts, "0", size)
        middle = (zero[:, 1].min() + zero[:, 1].max()) / 2
        by_colour: dict[str, tuple[list[np.ndarray], list[np.ndarray]]] = {}
        for (x, y), label, color in zip(points, self.labels, self.colors, strict=True):
            glyphs = [glyph_outline(self.fonts, char, size) for char in label]
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
        widths = text_widths_in(self.labels, size, self.fonts)  # measured in planning
        placed = [
            (
                left - width * to_pixels,
                canvas_height - (centre - lift) if flip else centre - lift,
                label,
            )
            for label, width, centre in zip(self.labels, widths, centres, strict=True)
            if label
        ]
        if type(renderer) is RendererAgg:
            draw_texts_agg(renderer, gc, placed, self.prop)
        else:
            for x, y, label in placed:
                renderer.draw_text(gc, x, y, label, self.prop, 0.0)
        gc.restore()
        self.stale = False
