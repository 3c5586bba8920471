"""``attrmap.heatmap``: the annotated heatmap drawn into an Axes of your own, seaborn-style,
for a figure with other plots beside it.

Built from the single figure's parts (``prepared.prepare_data``, the canvas's
``draw_grid`` and ``draw_colorbar``, the layout's font fitting and the fixed rc
settings), so it looks as ``render`` draws it: only the size comes from the Axes rather
than from the data. Without an Axes it makes a figure of ``render``'s size.
"""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colorbar import Colorbar
from matplotlib.figure import Figure
from matplotlib.text import Text

from ..comparison import Comparison, comparison_fonts, merged_extend, prepare_panel
from ..errors import AnnotationsDroppedWarning, FigureWarning, GridError, LimitError
from ..fonts import FontChoice, fonts_for
from ..interop import require_matrix
from ..model import MISSING_HINT, AttributionMatrix
from ..prepared import HeatmapData, prepare_data
from ..style import Style
from .arguments import style_from
from .canvas import Grid, draw_colorbar, draw_grid
from .display import FigureAxes, NotebookFigure
from .layout import (
    _COLORBAR_GAP,
    _COLORBAR_WIDTH,
    ColorbarSpec,
    Metrics,
    _colorbar_spec,
    _fits,
    _font_steps,
    _measure,
    _rotation_for,
    measuring_in,
    plan_pages,
)
from .rc import isolated_rc, register_fonts

#: Settings that size a figure: an Axes has its size already.
_FIGURE_SIZE_SETTINGS = ("width", "cell_size", "rows_per_page", "dpi")


def heatmap(
    data: Any,
    *,
    ax: Axes | None = None,
    cbar: bool = True,
    cbar_ax: Axes | None = None,
    tokens: Sequence[str] | str | None = None,
    expressions: Sequence[str] | None = None,
    allow_missing: bool = False,
    style: Style | None = None,
    **settings: Any,
) -> Axes:
    """Draw ``data`` as an annotated heatmap into the matplotlib Axes ``ax``, as
    ``seaborn.heatmap`` does, and return the Axes: a heatmap beside other plots.

    ``data`` is an ``AttributionMatrix``, a pandas DataFrame (tokens as its index,
    expressions as its columns) or a 2-D array with ``tokens=`` and ``expressions=``
    (default: their numbers). NaN cells need ``allow_missing=True``. Style settings are
    keywords with the config-file names (``cmap="RdBu"``, ``range="auto"``), on top of
    ``style``; ``tokens="clean"`` is the label setting, ``tokens=[...]`` the labels.

    The heatmap looks as ``render`` draws it (labels, numbers, colours, colorbar, fonts)
    and fills ``ax``, less a colorbar taken from its right side unless ``cbar_ax`` is
    given or ``cbar=False``. Fonts shrink to fit the cells, down to 6 pt for labels and
    5 pt for the numbers, which are then left out with a warning (``annotate="always"``
    keeps them). Without ``ax``: a new figure of ``render``'s size (no pyplot), which a
    notebook shows when the Axes is a cell's value.
    """
    token_mode = tokens if isinstance(tokens, str) else None
    if token_mode is not None:
        settings["tokens"] = token_mode
    style = style_from("attrmap.heatmap", style, settings, first="data")
    matrix = as_matrix(
        data, None if token_mode else tokens, expressions, allow_missing, "attrmap.heatmap"
    )
    fonts = fonts_for(matrix, style)
    register_fonts(fonts)
    for message in fonts.missing_messages(matrix.source):
        warnings.warn(message, stacklevel=2)
    sizing = [name for name in _FIGURE_SIZE_SETTINGS if name in settings]
    if ax is not None and sizing:
        raise TypeError(
            f"attrmap.heatmap draws at the size of the Axes it is given, so {sizing[0]} "
            "does not apply: size the Axes (plt.subplots(figsize=...)), or leave out ax= "
            "for a figure of its own"
        )
    with isolated_rc(fonts.families), measuring_in(fonts.families):
        prepared = prepare_data(matrix, style)
    if ax is None:
        ax, found = _on_new_figure(prepared, style, fonts, cbar)
    else:
        found = _into(ax, prepared, style, fonts, cbar_ax if cbar else None, cbar)
    for warning in found:  # at the caller of attrmap.heatmap
        warnings.warn(warning, stacklevel=2)
    return ax


def _into(
    ax: Axes,
    prepared: HeatmapData,
    style: Style,
    fonts: FontChoice,
    cbar_ax: Axes | None,
    cbar: bool,
) -> list[FigureWarning]:
    """``prepared`` drawn into ``ax`` at its size; what to warn of."""
    oriented = prepared.transposed() if style.layout.transpose else prepared
    placement = _ColorbarPlacement.beside([ax], cbar and cbar_ax is None)
    width, height = placement.grid_size(ax)
    rows, cols = oriented.shape
    with measuring_in(fonts.families):
        metrics, found = fit_cells(oriented, style, width / cols, height / rows)
    thinned = draw_on_axes(ax, oriented, style, fonts, metrics, cbar_ax, placement)[2]
    return [*prepared.warnings, *found, *thinned]


def as_matrix(
    data: Any,
    tokens: Sequence[str] | None,
    expressions: Sequence[str] | None,
    allow_missing: bool,
    call: str,
) -> AttributionMatrix:
    """A matrix from what a notebook holds: a matrix, a DataFrame or an array."""
    if isinstance(data, AttributionMatrix):
        if tokens is not None or expressions is not None:
            raise TypeError(f"{call}: an AttributionMatrix has its own tokens and expressions")
        return data
    if hasattr(data, "columns") and hasattr(data, "index") and hasattr(data, "to_numpy"):
        if tokens is not None or expressions is not None:
            raise TypeError(
                f"{call}: a DataFrame's index is its tokens, its columns its expressions"
            )
        with _missing_cells_by_keyword(call):
            return AttributionMatrix.from_frame(data, allow_missing=allow_missing)
    if (hasattr(data, "shape") and hasattr(data, "dtype")) or isinstance(data, list):
        values = np.asarray(data, dtype=float)
        if values.ndim != 2:
            raise TypeError(f"{call} needs a 2-D array (tokens x expressions), not {values.ndim}-D")
        rows, cols = values.shape
        with _missing_cells_by_keyword(call):
            return AttributionMatrix(
                [str(i) for i in range(rows)] if tokens is None else list(tokens),
                [str(j) for j in range(cols)] if expressions is None else list(expressions),
                values,
                source="<array>",
                allow_missing=allow_missing,
            )
    return require_matrix(data, call)


@contextlib.contextmanager
def _missing_cells_by_keyword(call: str) -> Iterator[None]:
    """A NaN the caller did not allow: name the keyword of ``call`` that allows it."""
    try:
        yield
    except GridError as error:
        if MISSING_HINT not in error.problem:
            raise
        problem = error.problem.replace(MISSING_HINT, f"pass {call}(..., allow_missing=True)")
        raise GridError(error.source, problem, error.line, error.column) from None


@dataclass(frozen=True)
class _ColorbarPlacement:
    """Where the grids and the colorbar go in given Axes: the colorbar (0.22 in wide,
    0.2 in from the grid, as ``render`` draws it) taken from the right side of the
    Axes (of all of them, for a comparison's panels: each gives the same share)."""

    axes: tuple[Axes, ...]
    width: float  # the Axes' extent together, in inches
    height: float
    steal: bool  # take the colorbar's room from the Axes

    @classmethod
    def beside(cls, axes: Sequence[Axes], steal: bool) -> _ColorbarPlacement:
        boxes = [a.get_position() for a in axes]
        fig_width, fig_height = figure_of(axes[0]).get_size_inches()
        width = (max(b.x1 for b in boxes) - min(b.x0 for b in boxes)) * fig_width
        height = (max(b.y1 for b in boxes) - min(b.y0 for b in boxes)) * fig_height
        return cls(tuple(axes), width, height, steal)

    @property
    def fraction(self) -> float:
        return min(0.15, _COLORBAR_WIDTH / self.width)

    @property
    def pad(self) -> float:
        return min(0.1, _COLORBAR_GAP / self.width)

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
        for font, numbers in _font_steps(style, annotating):
            metrics = Metrics(font, numbers, *size, _rotation_for(_measure(data, font), cell_width))
            if _fits(data, metrics):
                if annotate == "auto" and not annotating:
                    found.append(_dropped(data, size))
                return metrics, found
    font, numbers = _font_steps(style, annotate == "always")[-1]
    if annotate == "auto":
        found.append(_dropped(data, size))
    metrics = Metrics(font, numbers, *size, _rotation_for(_measure(data, font), cell_width))
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
    placement: _ColorbarPlacement | None = None,
    spec: ColorbarSpec | None = None,
) -> tuple[Grid, Colorbar | None, list[FigureWarning]]:
    """``data`` (oriented as drawn) on ``axes`` at ``metrics``, titled, with a colorbar
    on ``cbar_ax`` or taken from ``placement``'s Axes (when it says so), or none; and
    what a reader should be warned of (labels left out)."""
    figure = figure_of(axes)
    spec = spec or _colorbar_spec(data)
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
    _literal_dollars(axes)
    if colorbar is not None:
        _literal_dollars(colorbar.ax)
    return grid, colorbar, thinned


def figure_of(axes: Axes) -> Figure:
    """The figure ``axes`` is drawn in (a subfigure's too)."""
    figure = axes.get_figure(root=True)
    if not isinstance(figure, Figure):
        raise TypeError("attrmap draws into Axes that belong to a figure")
    return figure


def _literal_dollars(axes: Axes) -> None:
    """A ``$`` in a label stays a ``$`` (no mathtext), whatever the user's rc says."""
    for text in axes.findobj(Text):
        text.set_parse_math(False)


def _thin_labels(axes: Axes, data: HeatmapData, metrics: Metrics) -> list[FigureWarning]:
    """Show every k-th label where the labels are too many for the Axes to show all, and
    say so (seaborn skips them without a word)."""
    found = []
    line = _measure(data, metrics.font_size).line_height
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


def _on_new_figure(
    prepared: HeatmapData, style: Style, fonts: FontChoice, cbar: bool
) -> tuple[Axes, list[FigureWarning]]:
    """A figure of ``render``'s size and layout, drawn through ``draw_on_axes``."""
    with isolated_rc(fonts.families):
        plans, found = plan_pages(prepared, style, True, fonts.families)  # raster, as render
    if len(plans) > 1:
        raise LimitError(
            prepared.source,
            f"needs {len(plans)} pages: draw them with attrmap.render_pages, or draw it "
            "into an Axes of your size with attrmap.heatmap(data, ax=ax)",
        )
    plan = plans[0]
    layout = plan.layout
    with isolated_rc(fonts.families):
        size = (layout.fig_width, layout.fig_height)
        figure: Figure = NotebookFigure(figsize=size, dpi=style.dpi)
        FigureCanvasAgg(figure)
        axes = figure.add_axes(layout.heatmap_rect, axes_class=FigureAxes)
        cax = figure.add_axes(layout.colorbar_rect) if cbar else None
    draw_on_axes(axes, plan.data, style, fonts, layout.metrics, cax)  # fits: nothing thinned
    return axes, found


def compare_into(comparison: Comparison, axes: Sequence[Axes], cbar: bool = True) -> None:
    """The panels of ``comparison`` (inputs, then the difference) into ``axes``, one
    each, with one font size; a colorbar per scale taken from its panels' right side."""
    panels = [*comparison.panels, *([comparison.difference] if comparison.difference else [])]
    if len(axes) != len(panels):
        raise TypeError(
            f"attrmap.compare draws {len(panels)} panel(s) here; give axes= {len(panels)} Axes"
        )
    if comparison.style.title:
        raise TypeError(
            "attrmap.compare(..., axes=...) draws panels only: title the figure yourself "
            "(fig.suptitle), or leave out title"
        )
    fonts = comparison_fonts(comparison)
    register_fonts(fonts)
    for message in fonts.missing_messages(comparison.source):
        warnings.warn(message, stacklevel=3)
    inputs = len(comparison.panels)
    groups = [(0, inputs), (inputs, len(panels))]
    found: list[FigureWarning] = []
    with isolated_rc(fonts.families), measuring_in(fonts.families):
        prepared = [prepare_panel(panel) for panel in panels]
        placements = {}
        fitted = []
        for start, stop in groups:
            placement = _ColorbarPlacement.beside(axes[start:stop] or axes[:1], cbar)
            for index in range(start, stop):
                width, height = placement.grid_size(axes[index])
                rows, cols = prepared[index].shape
                style = panels[index].style
                metrics, warned = fit_cells(prepared[index], style, width / cols, height / rows)
                found += [w for w in warned if str(w) not in map(str, found)]
                fitted.append(metrics)
                placements[index] = placement
    font_size = min(m.font_size for m in fitted)
    numbers = [m.annotation_font_size for m in fitted]
    numbers_size = None if None in numbers else min(n for n in numbers if n is not None)

    def common(metrics: Metrics) -> Metrics:
        return replace(metrics, font_size=font_size, annotation_font_size=numbers_size)

    for start, stop in groups:
        if start == stop:
            continue
        group = prepared[start:stop]
        spec = replace(
            _colorbar_spec(group[0]), extend=merged_extend([data.extend for data in group])
        )
        grids = []
        for index in range(start, stop):
            grid, _, thinned = draw_on_axes(
                axes[index],
                prepared[index],
                panels[index].style,
                fonts,
                common(fitted[index]),
                None,
                spec=spec,
            )
            grids.append(grid)
            found += [w for w in thinned if str(w) not in map(str, found)]
        if cbar:
            placement = placements[start]
            with isolated_rc(fonts.families):
                colorbar = draw_colorbar(
                    figure_of(axes[start]),
                    None,
                    grids[0].cells,
                    spec,
                    common(fitted[start]),
                    **placement.options(),
                )
            _literal_dollars(colorbar.ax)
    for warning in found:
        warnings.warn(warning, stacklevel=3)
