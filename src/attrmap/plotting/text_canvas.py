"""A text-flow page drawn: boxes coloured by value through the grid's colormap and norm,
the tokens on them, headings, title, page marker and one colorbar, where
``text_flow.plan_text_pages`` placed them; ``TextCanvas`` is to a text page what
``HeatmapCanvas`` is to a grid."""

from __future__ import annotations

from typing import cast

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.text import Text

from ..scale import make_norm, resolve_cmap
from ..style import Style
from .canvas import draw_colorbar
from .display import NotebookFigure
from .placement import MARKER_COLOR, MARKER_SCALE
from .rc import isolated_rc
from .sizing import Metrics
from .text_flow import TextPage

_BOX_EDGE = "white"  # a thin seam shows where a word's pieces meet


def draw_text_page(page: TextPage, style: Style) -> Figure:
    """A new Agg figure (no pyplot) of one text page: boxes coloured by value through
    the grid's colormap and norm (missing cells grey), the tokens on them in black or
    white, headings, title, page marker and one colorbar."""
    metrics = page.metrics
    data = page.data
    tokens, blocks = data.shape
    with isolated_rc(page.fonts):
        figure = NotebookFigure(figsize=(page.width, page.height), dpi=style.dpi)
        FigureCanvasAgg(figure)
        axes = figure.add_axes((0, 0, 1, 1))
        axes.set_axis_off()
        axes.set_xlim(0, page.width)
        axes.set_ylim(page.height, 0)  # inches from the top, as laid out
        x = np.array(page.x)
        widths = np.array(page.box_widths)
        tops = np.array(
            [[page.box_top(block, token) for token in range(tokens)] for block in range(blocks)]
        )
        corners = np.empty((blocks, tokens, 4, 2))
        corners[..., 0] = np.stack([x, x + widths, x + widths, x], axis=-1)
        bottoms = tops + metrics.box_height
        corners[..., 1] = np.stack([tops, tops, bottoms, bottoms], axis=-1)
        boxes = PolyCollection(
            list(corners.reshape(-1, 4, 2)),
            array=data.values.T.ravel(),  # block by block
            cmap=resolve_cmap(style, (page.colorbar.vmin, page.colorbar.vmax)),
            norm=make_norm(page.colorbar.vmin, page.colorbar.vmax),
            edgecolors=_BOX_EDGE,
            linewidths=0.4,
        )
        axes.add_collection(boxes)
        for block in range(blocks):
            axes.text(
                page.margin,
                page.block_tops[block] + metrics.heading_baseline,
                page.headings[block],
                fontsize=metrics.font_size * 1.1,
                va="baseline",
                label="heading",
            )
            for token in range(tokens):
                cell = token * blocks + block
                centre = x[token] + widths[token] / 2
                top, colour = tops[block, token], data.text_colors[cell]
                parts = [(page.texts[token], metrics.baseline, metrics.font_size, "token")]
                if metrics.annotation_font_size is not None and data.annotations[cell]:
                    parts.append(
                        (
                            data.annotations[cell],
                            metrics.annotation_baseline,
                            metrics.annotation_font_size,
                            "annotation",
                        )
                    )
                for content, baseline, size, kind in parts:  # the token, then its value below
                    axes.text(
                        centre,
                        top + baseline,
                        content,
                        fontsize=size,
                        ha="center",
                        va="baseline",
                        color=colour,
                        label=kind,
                    )
        if page.title_y is not None:
            axes.text(
                page.width / 2,
                page.title_y,
                data.title or "",
                fontsize=metrics.font_size * 1.2,
                ha="center",
                va="baseline",
                label="title",
            )
        if page.marker is not None:
            axes.text(
                page.width - page.margin,
                page.marker_y,
                page.marker,
                fontsize=metrics.font_size * MARKER_SCALE,
                ha="right",
                va="baseline",
                color=MARKER_COLOR,
                label="marker",
            )
        left, top, length, thickness = page.colorbar_rect
        cax = figure.add_axes(
            (
                left / page.width,
                1 - (top + thickness) / page.height,
                length / page.width,
                thickness / page.height,
            )
        )
        draw_colorbar(
            figure, cax, boxes, page.colorbar, Metrics(metrics.font_size, None, 0, 0, 0), True
        )
    for text in figure.findobj(Text):  # tick labels made outside the rc context too
        text.set_parse_math(False)
    return figure


class TextCanvas:
    """A text page's figure, as ``HeatmapCanvas`` is a grid's (``show``, ``draw_pixels``);
    built for one page: text pages share no layout to reuse."""

    def __init__(self, page: TextPage, style: Style) -> None:
        self.page = page
        self.style = style
        self.figure = draw_text_page(page, style)

    def show(self, page: TextPage) -> Figure:
        if page is not self.page:
            raise ValueError("a TextCanvas shows the page it was built for")
        return self.figure

    def draw_pixels(self, page: TextPage) -> np.ndarray:
        """The page drawn into the Agg buffer (RGBA, rows top to bottom)."""
        figure = self.show(page)
        canvas = cast(FigureCanvasAgg, figure.canvas)
        with isolated_rc(page.fonts):
            canvas.draw()
        return np.asarray(canvas.buffer_rgba())
