"""Sizes decided once for a whole figure (``Metrics``: fonts, cell size, label
rotation): the largest that fit the labels and numbers, within ``width``/``cell_size``,
smaller fonts only when cells cannot shrink; and the extents they give (column labels,
colorbar, figure width) that placing a page starts from."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import NoReturn

from ..errors import AnnotationsDroppedWarning, FigureWarning, StyleError
from ..prepared import HeatmapData
from ..style import Style
from .dimensions import (
    COLORBAR_GAP,
    COLORBAR_WIDTH,
    COMPACT_CELL,
    LABEL_PAD_PT,
    MAX_COLORBAR_LENGTH,
    MIN_CELL_HEIGHT,
    MIN_CELL_WIDTH,
    PAD,
    TICK_OFFSET_PT,
)
from .measuring import LabelExtents, annotation_width, measure_labels, text_size

_MAX_UNROTATED_LABEL = 1.6  # wider expression labels are drawn at 45 degrees
_MIN_FONT = 6.0  # labels never smaller
_MIN_ANNOTATION_FONT = 5.0  # annotations never smaller; below, they are dropped
_FONT_STEP = 0.5
_DIAG = math.sqrt(0.5)


@dataclass(frozen=True)
class ColorbarSpec:
    """The colour scale a page shows: the same on every page of a figure."""

    vmin: float
    vmax: float
    ticks: tuple[float, ...]
    tick_labels: tuple[str, ...]
    label: str
    extend: str


@dataclass(frozen=True)
class Metrics:
    """Sizes decided once for a whole figure (all its pages)."""

    font_size: float
    annotation_font_size: float | None  # None: cells are not annotated
    cell_width: float
    cell_height: float
    rotation: int  # column labels: 0, 45 or 90 degrees


def rotation_for(text: LabelExtents, cell_width: float) -> int:
    """0 if column labels fit their cells, else 45 degrees, or 90 when cells are too
    narrow for slanted labels not to touch."""
    if text.column_width + 0.1 <= cell_width:
        return 0
    return 45 if cell_width * _DIAG >= 1.15 * text.line_height else 90


def _natural_metrics(data: HeatmapData, style: Style, annotate: bool) -> Metrics:
    """Today's sizes: roomy annotated cells (as the reference figure), or compact ones."""
    size, annot_size = style.font_size, style.annotation_font_size
    text = measure_labels(data, size)
    if annotate:
        cell_width = max(MIN_CELL_WIDTH, annotation_width(data, annot_size) + 0.2)
        if style.layout.transpose:  # tokens across the top: turned, not widening cells
            rotation = rotation_for(text, cell_width)
            cell_height = max(
                MIN_CELL_HEIGHT, 1.8 * text_size("0", annot_size)[1], 1.6 * text.line_height
            )
            return Metrics(size, annot_size, cell_width, cell_height, rotation and 90)
        rotate = text.column_width + 0.1 > max(cell_width, _MAX_UNROTATED_LABEL)
        if not rotate:
            cell_width = max(cell_width, text.column_width + 0.15)
        cell_height = max(
            MIN_CELL_HEIGHT, 1.8 * text_size("0", annot_size)[1], 1.6 * text.line_height
        )
        return Metrics(size, annot_size, cell_width, cell_height, 45 if rotate else 0)
    cell_width = max(COMPACT_CELL, 1.4 * text.line_height)
    if text.column_width + 0.15 <= _MAX_UNROTATED_LABEL:
        cell_width = max(cell_width, text.column_width + 0.15)
    cell_height = max(COMPACT_CELL, 1.3 * text.line_height)
    return Metrics(size, None, cell_width, cell_height, rotation_for(text, cell_width))


def figure_width(data: HeatmapData, metrics: Metrics, horizontal: bool) -> float:
    text = measure_labels(data, metrics.font_size)
    cols = data.shape[1]
    cell_width = metrics.cell_width
    grid_width = cols * cell_width
    left = PAD + text.row_width + LABEL_PAD_PT / 72 + group_gutters(data, metrics.font_size)[0]
    overhang = column_labels_extent(text, metrics)[1]
    if horizontal:
        bar = min(MAX_COLORBAR_LENGTH, max(grid_width, text.colorbar_label[0] + 0.3))
        body = max(grid_width, bar + 2 * 0.05 * bar + text.tick_width)
        right = max(overhang, 0) + PAD
    else:
        body = grid_width
        right = max(_right_block(text), overhang + PAD)
    return max(left + body + right, text.title_width + 2 * PAD)


def group_gutter(size: float) -> float:
    """How wide the gutter holding group names is, in inches, for labels of ``size``."""
    return 1.6 * text_size("Ag", size)[1]


def group_gutters(data: HeatmapData, size: float) -> tuple[float, float]:
    """Room for group names (Source, Target) beside the token labels, or above the
    column labels when tokens run across: (left, top) in inches."""
    if not data.groups:
        return 0.0, 0.0
    gutter = group_gutter(size)
    return (0.0, gutter) if data.groups_across else (gutter, 0.0)


def column_labels_extent(text: LabelExtents, metrics: Metrics) -> tuple[float, float]:
    """How high the column labels rise above the grid, and how far the last ones reach
    past its right edge (negative: they stay inside), flat, slanted or upright."""
    cell_width = metrics.cell_width
    grid_width = len(text.column_sizes) * cell_width
    if metrics.rotation == 45:
        height = max(w * _DIAG + h * _DIAG for w, h in text.column_sizes)
        # The last labels lean right, past the grid: how far past its right edge.
        overhang = max(
            (i + 0.5) * cell_width + w * _DIAG + h * _DIAG - grid_width
            for i, (w, h) in enumerate(text.column_sizes)
        )
    elif metrics.rotation == 90:
        height = text.column_width
        overhang = max(h / 2 - 0.5 * cell_width for _, h in text.column_sizes)
    else:
        height = text.line_height
        overhang = max(
            (i + 0.5) * cell_width + w / 2 - grid_width
            for i, (w, _) in enumerate(text.column_sizes)
        )
    return height, overhang


def colorbar_block(text: LabelExtents) -> float:
    """A vertical colorbar with its tick labels and its label, in inches across."""
    return COLORBAR_WIDTH + TICK_OFFSET_PT / 72 + text.tick_width + 0.1 + text.colorbar_label[1]


def _right_block(text: LabelExtents) -> float:
    return COLORBAR_GAP + colorbar_block(text) + PAD


def fits(data: HeatmapData, metrics: Metrics) -> bool:
    """Labels and annotations fit their cells without touching each other."""
    text = measure_labels(data, metrics.font_size)
    if 1.1 * text.line_height > metrics.cell_height:
        return False
    if metrics.rotation == 90 and text.line_height > metrics.cell_width:
        return False
    if metrics.annotation_font_size is None:
        return True
    width = annotation_width(data, metrics.annotation_font_size) + 0.06
    height = 1.25 * text_size("0", metrics.annotation_font_size)[1]
    return width <= metrics.cell_width and height <= metrics.cell_height


def font_steps(style: Style, annotate: bool) -> list[tuple[float, float | None]]:
    """Font sizes to try, largest first: labels down to 6 pt, annotations to 5 pt."""
    steps = []
    size, annot = style.font_size, style.annotation_font_size
    while True:
        steps.append((size, annot if annotate else None))
        if size <= _MIN_FONT and (not annotate or annot <= _MIN_ANNOTATION_FONT):
            return steps
        size = max(min(size, _MIN_FONT), size - _FONT_STEP)
        annot = max(min(annot, _MIN_ANNOTATION_FONT), annot - _FONT_STEP)


def _sized(data: HeatmapData, metrics: Metrics, cell_width: float, scale: float) -> Metrics:
    """``metrics`` with narrower cells (and proportionally lower, as text allows)."""
    text = measure_labels(data, metrics.font_size)
    floor = 1.3 * text.line_height
    if metrics.annotation_font_size is not None:
        floor = max(floor, 1.8 * text_size("0", metrics.annotation_font_size)[1])
    height = max(min(metrics.cell_height, metrics.cell_height * scale), floor, COMPACT_CELL)
    return replace(
        metrics,
        cell_width=cell_width,
        cell_height=height,
        rotation=rotation_for(text, cell_width)
        if cell_width < metrics.cell_width
        else metrics.rotation,
    )


def _candidates(data: HeatmapData, style: Style, horizontal: bool) -> Iterator[Metrics]:
    """Sizes to try, best first: today's, then narrower cells, then smaller fonts, then
    (``annotate: auto``) the same without the numbers."""
    options = style.layout
    modes = {"always": [True], "never": [False], "auto": [True, False]}[options.annotate]
    for annotate in modes:
        for size, annot in font_steps(style, annotate):
            if options.cell_size is not None:
                width, height = options.cell_size
                rotation = rotation_for(measure_labels(data, size), width)
                yield Metrics(size, annot, width, height, rotation)
                continue
            fonts = replace(style, font_size=size, annotation_font_size=annot or 1.0)
            yield from _narrowed(
                data, _natural_metrics(data, fonts, annotate), options.width, horizontal
            )


def decide_metrics(
    data: HeatmapData | list[HeatmapData], style: Style, horizontal: bool
) -> tuple[Metrics, list[FigureWarning]]:
    """Fonts, cell size and label rotation for the whole figure, honouring --width,
    --cell-size and --annotate: cells shrink first, then fonts (never below 6 pt; numbers
    5 pt); with ``annotate: auto`` the numbers are dropped, with a warning, last. Given
    several pages, the first sizes that fit every page (``--width`` is a page's)."""
    pages = data if isinstance(data, list) else [data]
    data = pages[0]
    options = style.layout
    chosen = next(
        (
            m
            for m in _candidates(data, style, horizontal)
            if all(
                fits(page, m)
                and (options.width is None or figure_width(page, m, horizontal) <= options.width)
                for page in pages
            )
        ),
        None,
    )
    if chosen is None:
        _refuse(data, style, list(_candidates(data, style, horizontal)), horizontal)
    warnings: list[FigureWarning] = []
    if chosen.annotation_font_size is None and options.annotate == "auto":
        warnings.append(
            AnnotationsDroppedWarning(
                data.source,
                "the cell annotations do not fit at 5 pt or more and are left out; "
                'widen with width=... or cell_size=..., or pass annotate="never"',
            )
        )
    return chosen, warnings


def _narrowed(
    data: HeatmapData, base: Metrics, width: float | None, horizontal: bool
) -> list[Metrics]:
    """``base``, then (for a width limit) the widest narrower cells that meet it."""
    if width is None or figure_width(data, base, horizontal) <= width:
        return [base]
    text = measure_labels(data, base.font_size)
    floor = max(COMPACT_CELL, text.line_height)
    if base.annotation_font_size is not None:
        floor = max(floor, annotation_width(data, base.annotation_font_size) + 0.06)
    if floor >= base.cell_width:
        return [base]
    low, high = floor, base.cell_width  # figure width grows with cell width: bisect
    for _ in range(30):
        middle = (low + high) / 2
        trial = _sized(data, base, middle, middle / base.cell_width)
        if figure_width(data, trial, horizontal) <= width:
            low = middle
        else:
            high = middle
    return [_sized(data, base, low, low / base.cell_width)]


def _refuse(
    data: HeatmapData, style: Style, candidates: list[Metrics], horizontal: bool
) -> NoReturn:
    options = style.layout
    if options.cell_size is not None and not any(fits(data, m) for m in candidates):
        width, height = options.cell_size
        what = "labels (6 pt)" if options.annotate != "always" else "labels and numbers (5 pt)"
        raise StyleError(
            f"{data.source}: {what} do not fit in {width:g}x{height:g} in cells; "
            "use a larger cell_size=..."
            + (' or annotate="auto"' if options.annotate == "always" else "")
        )
    fitting = [m for m in candidates if fits(data, m)] or candidates
    narrowest = min(figure_width(data, m, horizontal) for m in fitting)
    raise StyleError(
        f"{data.source}: the figure cannot be made {options.width:g} in wide; the narrowest "
        f"that works is {math.ceil(narrowest * 100) / 100:g} in (width=...)"
    )


def colorbar_spec(data: HeatmapData) -> ColorbarSpec:
    return ColorbarSpec(
        data.vmin, data.vmax, data.ticks, data.tick_labels, data.colorbar_label, data.extend
    )


def is_short(data: HeatmapData, metrics: Metrics, rows: int) -> bool:
    """A grid lower than a vertical colorbar and its label: put the colorbar below."""
    text = measure_labels(data, metrics.font_size)
    return rows * metrics.cell_height < text.colorbar_label[0] + 0.3
