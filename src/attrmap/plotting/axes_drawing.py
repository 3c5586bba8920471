"""Drawing into Axes the caller sized: the colorbar's room taken from them, font sizes
fitted to their cells, labels thinned where they are too many, as ``render`` draws them.

Shared by ``attrmap.heatmap`` and ``compare(axes=...)`` (``axes.py``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from matplotlib.axes import Axes
from matplotlib.colorbar import Colorbar
from matplotlib.figure import Figure
from matplotlib.text import Text

from ..errors import AnnotationsDroppedWarning, FigureWarning
from ..fonts import FontChoice
from ..prepared import HeatmapData
from ..style import Style
from .canvas import Grid, draw_colorbar, draw_grid
from .measuring import measure_labels, measuring_in
from .rc import isolated_rc
from .sizing import (
    COLORBAR_GAP,
    COLORBAR_WIDTH,
    ColorbarSpec,
    Metrics,
    colorbar_spec,
    fits,
    font_steps,
    rotation_for,
)


@dataclass(frozen=True)
class ColorbarPlacement:
    """Where the grids and the colorbar go in given Axes: the colorbar (0.22 in wide,
    0.2 in from the grid, as ``render`` draws it) taken from the right side of the
    Axes (of all of them, for a comparison's panels: each gives the same share)."""

    axes: tuple[Axes, ...]
    width: float  # the Axes' extent together, in inches
    height: float
    steal: bool  # take the colorbar's room from the Axes

    @classmethod
    def beside(cls, axes: Sequence[Axes], steal: bool) -> ColorbarPlacement:
        boxes = [a.get_position() for a in axes]
        fig_width, fig_height = figure_of(axes[0]).get_size_inches()
        width = (max(b.x1 for b in boxes) - min(b.x0 for b in boxes)) * fig_width
        height = (max(b.y1 for b in boxes) - min(b.y0 for b in boxes)) * fig_height
        return cls(tuple(axes), width, height, steal)

    @property
    def fraction(self) -> float:
        return min(0.15, COLORBAR_WIDTH / self.width)

    @property
    def pad(self) -> float:
        return min(0.1, COLORBAR_GAP / self.width)

    def grid_size(self, axes: Axes) -> tuple[float, float]:
        """The size in inches ``axes`` keeps for its grid."""
        box = axes.get_position()
        fig_width, fig_height = figure_of(axes).get_size_inches()
        keep = 1 - self.fraction - self.pad if self.steal else 1.0
        return box.width * fig_width * keep, box.height * fig_height

    def options(self) -> dict[str, Any]:
        """``Figure.colorbar`` keywords that take the colorbar from the Axes."""
        aspect = self.height / (self.fraction * self.width)
        parent = self.axes[0] if len(self.axes) == 1 else list(self.axes)
        return {"ax": parent, "fraction": self.fraction, "pad": self.pad, "aspect": aspect}


def fit_cells(
    data: HeatmapData, style: Style, cell_width: float, cell_height: float
) -> tuple[Metrics, list[FigureWarning]]:
    """Font sizes for cells of a given size, largest first as ``render`` tries them (down
    to 6 pt labels, 5 pt numbers); numbers that do not fit are left out (``annotate``
    auto, with a warning) or drawn anyway (always)."""
    annotate = style.layout.annotate
    modes = {"always": [True], "never": [False], "auto": [True, False]}[annotate]
    found: list[FigureWarning] = []
    size = (cell_width, cell_height)
    for annotating in modes:
        for font, numbers in font_steps(style, annotating):
            metrics = Metrics(
                font, numbers, *size, rotation_for(measure_labels(data, font), cell_width)
            )
            if fits(data, metrics):
                if annotate == "auto" and not annotating:
                    found.append(_dropped(data, size))
                return metrics, found
    font, numbers = font_steps(style, annotate == "always")[-1]
    if annotate == "auto":
        found.append(_dropped(data, size))
    metrics = Metrics(font, numbers, *size, rotation_for(measure_labels(data, font), cell_width))
    return metrics, found


def _dropped(data: HeatmapData, size: tuple[float, float]) -> AnnotationsDroppedWarning:
    return AnnotationsDroppedWarning(
        data.source,
        f"the cell annotations do not fit the Axes' {size[0]:.2g}x{size[1]:.2g} in cells at "
        "5 pt or more and are left out; give the heatmap a larger Axes, or pass "
        'annotate="never"',
    )


def draw_on_axes(
    axes: Axes,
    data: HeatmapData,
    style: Style,
    fonts: FontChoice,
    metrics: Metrics,
    cbar_ax: Axes | None,
    placement: ColorbarPlacement | None = None,
    spec: ColorbarSpec | None = None,
) -> tuple[Grid, Colorbar | None, list[FigureWarning]]:
    """``data`` (oriented as drawn) on ``axes`` at ``metrics``, titled, with a colorbar
    on ``cbar_ax`` or taken from ``placement``'s Axes (when it says so), or none; and
    what a reader should be warned of (labels left out)."""
    figure = figure_of(axes)
    spec = spec or colorbar_spec(data)
    with isolated_rc(fonts.families), measuring_in(fonts.families):
        axes.xaxis.reset_ticks()  # ticks made now take the figure's fonts and rc
        axes.yaxis.reset_ticks()
        grid = draw_grid(axes, data.shape, style, spec, metrics)
        grid.show_labels(data)
        grid.show_values(data)
        thinned = _thin_labels(axes, data, metrics)
        if data.title:
            axes.set_title(
                data.title, fontsize=metrics.font_size * 1.2, fontfamily=list(fonts.families)
            )
        colorbar = None
        if cbar_ax is not None:
            cbar_ax.xaxis.reset_ticks()
            cbar_ax.yaxis.reset_ticks()
            box = cbar_ax.get_position()
            horizontal = box.width * figure.get_figwidth() > box.height * figure.get_figheight()
            colorbar = draw_colorbar(figure, cbar_ax, grid.cells, spec, metrics, horizontal)
        elif placement is not None and placement.steal:
            colorbar = draw_colorbar(figure, None, grid.cells, spec, metrics, **placement.options())
    literal_dollars(axes)
    if colorbar is not None:
        literal_dollars(colorbar.ax)
    return grid, colorbar, thinned


def figure_of(axes: Axes) -> Figure:
    """The figure ``axes`` is drawn in (a subfigure's too)."""
    figure = axes.get_figure(root=True)
    if not isinstance(figure, Figure):
        raise TypeError("attrmap draws into Axes that belong to a figure")
    return figure


def literal_dollars(axes: Axes) -> None:
    """A ``$`` in a label stays a ``$`` (no mathtext), whatever the user's rc says."""
    for text in axes.findobj(Text):
        text.set_parse_math(False)


def _thin_labels(axes: Axes, data: HeatmapData, metrics: Metrics) -> list[FigureWarning]:
    """Show every k-th label where the labels are too many for the Axes to show all, and
    say so (seaborn skips them without a word)."""
    found = []
    line = measure_labels(data, metrics.font_size).line_height
    rows, cols = data.shape
    for axis, count, room, labels, what in (
        (axes.yaxis, rows, metrics.cell_height, data.tokens, "token"),
        (axes.xaxis, cols, metrics.cell_width, data.expressions, "expression"),
    ):
        if axis is axes.xaxis and metrics.rotation != 90:
            continue  # flat or slanted labels were chosen because they fit
        step = math.ceil(1.1 * line / room)
        if step <= 1:
            continue
        shown = range(0, count, step)
        axis.set_ticks(list(shown), labels=[labels[i] for i in shown])
        found.append(
            FigureWarning(
                data.source,
                f"{count} {what} labels do not fit the Axes at {metrics.font_size:g} pt; "
                f"one in {step} is shown (give the heatmap a larger Axes)",
            )
        )
    return found
