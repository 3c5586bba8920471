"""``attrmap.heatmap``: the annotated heatmap drawn into an Axes of your own, seaborn-style,
for a figure with other plots beside it.

Built from the single figure's parts (``prepared.prepare_data``, the canvas's
``draw_grid`` and ``draw_colorbar``, the layout's font fitting and the fixed rc
settings), so it looks as ``render`` draws it: only the size comes from the Axes rather
than from the data. Without an Axes it makes a figure of ``render``'s size.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..comparison import Comparison, comparison_fonts, merged_extend, prepare_panel
from ..errors import FigureWarning, GridError, LimitError
from ..fonts import FontChoice, fonts_for
from ..interop import require_matrix
from ..model import MISSING_HINT, AttributionMatrix
from ..prepared import HeatmapData, prepare_data
from ..style import Style
from .arguments import style_from
from .axes_drawing import ColorbarPlacement, draw_on_axes, figure_of, fit_cells, literal_dollars
from .canvas import draw_colorbar
from .display import FigureAxes, NotebookFigure
from .layout import plan_pages
from .measuring import measuring_in
from .rc import isolated_rc, register_fonts
from .sizing import Metrics, colorbar_spec

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
    placement = ColorbarPlacement.beside([ax], cbar and cbar_ax is None)
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
            placement = ColorbarPlacement.beside(axes[start:stop] or axes[:1], cbar)
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
            colorbar_spec(group[0]), extend=merged_extend([data.extend for data in group])
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
            literal_dollars(colorbar.ax)
    for warning in found:
        warnings.warn(warning, stacklevel=3)
