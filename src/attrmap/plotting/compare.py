"""Several heatmaps in one figure: panels side by side or stacked, on one colour scale.

Built from the single figure's parts: the layout's sizes (``decide_metrics``) and label
measurements, the canvas's ``draw_grid`` and ``draw_colorbar``, the scale's colours and
the fixed rc settings. Everything is measured before drawing, so nothing is clipped.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from ..comparison import (
    CompareOptions,
    Comparison,
    Panel,
    comparison_fonts,
    make_comparison,
    merged_extend,
    prepare_panel,
)
from ..errors import FigureWarning, StyleError
from ..labels import display_label
from ..model import AttributionMatrix
from ..prepared import HeatmapData
from ..style import Style
from .arguments import style_from
from .axes import compare_into, figure_of
from .canvas import draw_colorbar, draw_grid
from .display import NotebookFigure
from .measuring import LabelExtents, measure_labels, measuring_in, text_size
from .page_limits import check_figure_inches
from .rc import isolated_rc, register_fonts
from .sizing import (
    COLORBAR_GAP,
    COLORBAR_WIDTH,
    LABEL_PAD_PT,
    MAX_COLORBAR_LENGTH,
    PAD,
    ColorbarSpec,
    Metrics,
    colorbar_block,
    column_labels_extent,
    decide_metrics,
)

_PANEL_GAP = 0.3  # inches between neighbouring panels (more where labels need it)
_TITLE_SCALE = 1.2  # panel titles, as the single figure's title
_FIGURE_TITLE_SCALE = 1.4  # --title, above the panels' titles


@dataclass(eq=False)  # identity: two panels of one input have equal fields
class _Box:
    """One panel, measured, then placed (inches from the figure's top left)."""

    panel: Panel
    data: HeatmapData
    metrics: Metrics
    text: LabelExtents
    x: float = 0.0
    grid_top: float = 0.0
    title_y: float = 0.0  # the panel title's baseline

    @property
    def width(self) -> float:
        return self.data.shape[1] * self.metrics.cell_width

    @property
    def height(self) -> float:
        return self.data.shape[0] * self.metrics.cell_height

    @property
    def labels_height(self) -> float:
        return column_labels_extent(self.text, self.metrics)[0]

    @property
    def overhang(self) -> float:
        """How far the column labels reach past the grid's right edge."""
        return max(0.0, column_labels_extent(self.text, self.metrics)[1])

    @property
    def title_spill(self) -> float:
        """How far the centred title reaches past either side of the grid."""
        return max(0.0, (self.text.title_width - self.width) / 2)


@dataclass
class _Bar:
    """A colorbar, placed beside the panels it serves."""

    boxes: list[_Box]
    spec: ColorbarSpec
    x: float = 0.0
    top: float = 0.0
    height: float = 0.0

    @property
    def text(self) -> LabelExtents:
        return self.boxes[0].text

    @property
    def width(self) -> float:
        return colorbar_block(self.text)

    def fit_height(self, span: float) -> None:
        """As long as ``span``, but long enough for its label and at most 6 in."""
        self.height = max(min(span, MAX_COLORBAR_LENGTH), self.text.colorbar_label[0] + 0.3)


@dataclass(frozen=True)
class _Plan:
    width: float
    height: float
    boxes: list[_Box]
    bars: list[_Bar]
    title_y: float | None  # the figure title's baseline, inches from the top
    token_boxes: list[_Box]  # panels that show the token labels
    font_size: float
    warnings: list[FigureWarning]


def _measure_panels(
    panels: Sequence[Panel], panel_width: float | None
) -> tuple[list[_Box], list[FigureWarning]]:
    """Each panel's sizes as if it were drawn alone, at most ``panel_width`` wide
    (``--cell-size``, ``--annotate`` and the font sizes apply to each), then one font
    size, one annotation size and one row height for all, so the panels read alike and
    their rows line up."""
    prepared = [prepare_panel(panel) for panel in panels]
    chosen: list[Metrics] = []
    found: list[FigureWarning] = []
    for panel, data in zip(panels, prepared, strict=True):
        layout = dataclasses.replace(panel.style.layout, width=panel_width)
        style = dataclasses.replace(panel.style, layout=layout)
        metrics, warned = decide_metrics(data, style, horizontal=False)
        found += [w for w in warned if str(w) not in map(str, found)]
        chosen.append(metrics)
    font_size = min(m.font_size for m in chosen)
    annotated = [m.annotation_font_size for m in chosen if m.annotation_font_size is not None]
    annotation_size = min(annotated) if len(annotated) == len(chosen) else None
    cell_height = max(m.cell_height for m in chosen)
    boxes = []
    for panel, data, metrics in zip(panels, prepared, chosen, strict=True):
        metrics = dataclasses.replace(
            metrics,
            font_size=font_size,
            annotation_font_size=annotation_size,
            cell_height=cell_height,
        )
        boxes.append(_Box(panel, data, metrics, measure_labels(data, metrics.font_size)))
    return boxes, found


def _fitted_plan(comparison: Comparison) -> _Plan:
    """The plan, at most ``--width`` wide when one is given: each panel is given a share
    of the width and narrowed (cells, then fonts, as ``render`` narrows one heatmap)
    until the whole figure fits."""
    total = comparison.style.layout.width
    if total is None:
        return _plan(comparison, None)
    count = len(comparison.panels) + (comparison.difference is not None)
    panel_width = total
    for _ in range(16):
        try:
            plan = _plan(comparison, panel_width)
        except StyleError:  # a panel cannot be made that narrow
            break
        if plan.width <= total:
            return plan
        panel_width -= max((plan.width - total) / count, 0.01)
    raise StyleError(
        f"the comparison cannot be made {total:g} in wide (width=...); give it more width, "
        'compare fewer matrices, or use layout="column"'
    )


def _plan(comparison: Comparison, panel_width: float | None) -> _Plan:
    """Measure every panel, then place panels and colorbars in a row or a column."""
    panels, difference = comparison.panels, comparison.difference
    boxes, found = _measure_panels([*panels, *([difference] if difference else [])], panel_width)
    inputs, diff_boxes = boxes[: len(panels)], boxes[len(panels) :]
    bars = []
    for group in (inputs, diff_boxes):
        if group:
            data = group[0].data
            extend = merged_extend([box.data.extend for box in group])
            spec = ColorbarSpec(
                data.vmin, data.vmax, data.ticks, data.tick_labels, data.colorbar_label, extend
            )
            bars.append(_Bar(group, spec))
    size = boxes[0].metrics.font_size
    label_offset = LABEL_PAD_PT / 72
    row_layout = comparison.options.layout == "row"
    token_boxes = boxes[:1] if row_layout else boxes
    left = PAD + boxes[0].text.row_width + label_offset
    left = max(left, PAD + max(box.title_spill for box in token_boxes))
    figure_title = display_label(comparison.style.title) if comparison.style.title else None
    title_line = text_size("Ag", size * _FIGURE_TITLE_SCALE)[1]
    title_band = 1.6 * title_line + 0.1 if figure_title else 0.0
    panel_title_band = 1.8 * text_size("Ag", size * _TITLE_SCALE)[1]
    top = PAD + title_band
    if row_layout:
        labels = max(box.labels_height for box in boxes)
        grid_top = top + panel_title_band + labels + label_offset
        cursor, right, title_right = left, 0.0, 0.0
        for bar in bars:
            for box in bar.boxes:
                # Centred titles wider than their grids must not meet the neighbour's.
                box.x = max(cursor, title_right + 0.1 + box.title_spill)
                box.grid_top = grid_top
                box.title_y = grid_top - labels - label_offset - 0.45 * panel_title_band
                cursor = box.x + box.width + _PANEL_GAP
                right = max(right, box.x + box.width + box.overhang)
                title_right = box.x + box.width + box.title_spill
            last = bar.boxes[-1]
            bar.x, bar.top = last.x + last.width + COLORBAR_GAP, grid_top
            bar.fit_height(max(box.height for box in bar.boxes))
            # The next panel starts past this colorbar and past the slanted labels that
            # reach over it (they would cross its extend arrow).
            cursor = max(bar.x + bar.width + _PANEL_GAP, right + 0.15)
            right = max(right, bar.x + bar.width, title_right)
        bottom = grid_top + max(max(b.height for b in boxes), max(b.height for b in bars))
    else:
        y, right = top, 0.0
        for bar in bars:
            for box in bar.boxes:
                box.title_y = y + 0.55 * panel_title_band
                y += panel_title_band + box.labels_height + label_offset
                box.x, box.grid_top = left, y
                y += box.height + _PANEL_GAP
                right = max(right, box.x + box.width + max(box.overhang, box.title_spill))
            # Beside the stack, clear of the labels of every panel but the first (those
            # stand above the colorbar).
            reach = max(b.width + (b.overhang if b is not bar.boxes[0] else 0) for b in bar.boxes)
            span = bar.boxes[-1].grid_top + bar.boxes[-1].height - bar.boxes[0].grid_top
            bar.x, bar.top = left + reach + COLORBAR_GAP, bar.boxes[0].grid_top
            bar.fit_height(span)
            bar.top += max(0.0, (span - bar.height) / 2)  # centred beside the stack
            right = max(right, bar.x + bar.width)
        bottom = max(y - _PANEL_GAP, *(bar.top + bar.height for bar in bars))
    width = right + PAD
    if figure_title:
        width = max(width, text_size(figure_title, size * _FIGURE_TITLE_SCALE)[0] + 2 * PAD)
    title_y = PAD + title_line * 1.1 if figure_title else None
    return _Plan(
        round(width, 3), round(bottom + PAD, 3), boxes, bars, title_y, token_boxes, size, found
    )


def draw_comparison(comparison: Comparison, raster: bool = True) -> Figure:
    """The comparison on a new Agg figure (no pyplot state)."""
    fonts = comparison_fonts(comparison)
    register_fonts(fonts)
    for message in fonts.missing_messages(comparison.source):
        warnings.warn(message, stacklevel=2)
    with isolated_rc(fonts.families), measuring_in(fonts.families):
        plan = _fitted_plan(comparison)
    for warning in plan.warnings:
        warnings.warn(warning, stacklevel=2)
    style = comparison.style
    width, height = plan.width, plan.height
    source = ", ".join(matrix.source for matrix in comparison.matrices)
    advice = ("compare fewer or shorter matrices, or use a smaller cell_size=...", "fewer panels")
    check_figure_inches(width, height, style, raster, source, advice)

    def rect(x: float, top: float, w: float, h: float) -> tuple[float, float, float, float]:
        return (x / width, 1 - (top + h) / height, w / width, h / height)

    def title(x: float, baseline: float, text: str, scale: float) -> None:
        figure.text(
            x / width,
            1 - baseline / height,
            text,
            ha="center",
            va="baseline",
            fontsize=plan.font_size * scale,
            parse_math=False,
        )

    with isolated_rc(fonts.families):
        figure = NotebookFigure(figsize=(width, height), dpi=style.dpi)
        FigureCanvasAgg(figure)
        cells = {}
        for box in plan.boxes:
            axes = figure.add_axes(rect(box.x, box.grid_top, box.width, box.height))
            spec = next(bar.spec for bar in plan.bars if box in bar.boxes)
            grid = draw_grid(
                axes, box.data.shape, box.panel.style, spec, box.metrics, box in plan.token_boxes
            )
            grid.show_labels(box.data)
            grid.show_values(box.data)
            cells[id(box)] = grid.cells
            title(box.x + box.width / 2, box.title_y, box.data.title or "", _TITLE_SCALE)
        for bar in plan.bars:
            cax = figure.add_axes(rect(bar.x, bar.top, COLORBAR_WIDTH, bar.height))
            draw_colorbar(figure, cax, cells[id(bar.boxes[0])], bar.spec, bar.boxes[0].metrics)
        if plan.title_y is not None:
            title(width / 2, plan.title_y, display_label(style.title or ""), _FIGURE_TITLE_SCALE)
    for text in figure.findobj(Text):  # Text and its subclasses (Annotation)
        text.set_parse_math(False)
    return figure


def compare(
    matrices: Sequence[AttributionMatrix],
    style: Style | None = None,
    titles: Sequence[str] | None = None,
    diff: bool | str = False,
    layout: str = "row",
    diff_cmap: str = "PuOr",
    *,
    axes: Sequence[Axes] | None = None,
    cbar: bool = True,
    **settings: Any,
) -> Figure:
    """Draw ``matrices`` (same tokens) as panels of one figure on one colour scale.

    ``diff=True`` adds a panel of B - A (two matrices) on its own scale; ``diff="only"``
    shows just that panel. ``titles`` default to each matrix's title or file stem. Style
    settings are keywords with the config-file names (``cmap="RdBu"``), on top of
    ``style``. With ``axes`` (one Axes per panel, the difference last) the panels are
    drawn into them, each colour scale's colorbar taken from its panels' right side
    (none with ``cbar=False``), and their figure is returned.
    """
    style = style_from("attrmap.compare", style, settings, first="matrices")
    options = CompareOptions(
        layout=layout,
        titles=tuple(titles) if titles is not None else None,
        diff="only" if diff == "only" else "extra" if diff else "none",
        diff_cmap=diff_cmap,
    )
    comparison = make_comparison(list(matrices), style, options)
    if axes is None:
        return draw_comparison(comparison)
    axes = list(axes)
    compare_into(comparison, axes, cbar)
    return figure_of(axes[0])
