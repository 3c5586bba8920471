"""The canvas: one matplotlib figure (no pyplot, Agg) that can show any matrix of its layout.

Building axes, colorbar and text artists is the slow part; ``show`` only swaps cell
colours, labels, annotation strings and text colours, which is what makes a batch fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cm import ScalarMappable
from matplotlib.collections import QuadMesh
from matplotlib.colorbar import Colorbar
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import FixedFormatter

from ..prepared import HeatmapData
from ..scale import make_norm, resolve_cmap
from ..style import Style
from .display import NotebookFigure
from .layout import FigurePlan
from .placement import MARKER_COLOR, MARKER_SCALE, Layout
from .rc import isolated_rc
from .sizing import ColorbarSpec, Metrics, group_gutter
from .text_artists import (
    BULK_CELLS,
    BULK_ROWS,
    AnnotationLayer,
    CellText,
    RowLabels,
    draw_cell_texts,
)


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

    def __init__(self, layout: Layout, style: Style, keep_background: bool = True) -> None:
        self.layout = layout
        self.style = style
        # A batch's canvas keeps its drawn labels to restore for the next matrix with the
        # same labels; one drawing a single figure or its pages (each page has labels of
        # its own) skips the copy: 0.05 s for a 500-row page.
        self.keep_background = keep_background
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

    def _covered_patch(self) -> list[Artist]:
        """The heatmap axes' background, when painting it changes no pixel: opaque and
        the figure's own colour (white on white; the cells cover the rest). Filling it
        took ~10 ms on a 500-row page."""
        patch, figure = self.axes.patch, self.figure.patch
        same = to_rgba(patch.get_facecolor()) == to_rgba(figure.get_facecolor())
        opaque = to_rgba(figure.get_facecolor())[3] == 1 and patch.get_alpha() in (None, 1)
        plain = patch.get_linewidth() == 0 or to_rgba(patch.get_edgecolor())[3] == 0
        return [patch] if same and opaque and plain and patch.get_visible() else []

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
                hidden = [*changing, *self._covered_patch()]
                for artist in hidden:
                    artist.set_visible(False)
                canvas.draw()
                for artist in hidden:
                    artist.set_visible(True)
                if self.keep_background:
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
