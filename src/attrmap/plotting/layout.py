"""Layout: where the grid, labels, colorbar and title go, in inches, page by page.

Measured from font metrics without a renderer, so a figure is sized before it is drawn
and nothing is ever clipped. Sizes are decided once for the whole matrix (``Metrics``:
fonts, cell size, label rotation), then each page of tokens is placed with them, so
every page shows the same cells, fonts and colour scale.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import NoReturn

from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

from ..errors import (
    AnnotationsDroppedWarning,
    FigureWarning,
    LimitError,
    PagesSplitWarning,
    StyleError,
    TallFigureWarning,
)
from ..fonts import DEJAVU_SANS
from ..labels import page_marker
from ..prepared import HeatmapData
from ..style import Style

_PAD = 0.15  # inches of white space around everything
LABEL_PAD_PT = 3.5  # heatmap labels: no tick marks (as seaborn), just matplotlib's pad
TICK_LABEL_COLOR = "black"  # matplotlib's default tick label colour
_TICK_OFFSET_PT = 3.5 + 3.5  # colorbar: tick length + label pad, matplotlib's defaults
_COLORBAR_GAP = 0.2
_COLORBAR_WIDTH = 0.22
_MAX_COLORBAR_LENGTH = 6.0  # extend arrows are 5 % of it: at most 0.3 in
_MIN_CELL_WIDTH = 0.9
_MAX_UNROTATED_LABEL = 1.6  # wider expression labels are drawn at 45 degrees
_MIN_CELL_HEIGHT = 0.45
_COMPACT_CELL = 0.12  # without annotations cells may be this small
_MIN_FONT = 6.0  # labels never smaller
_MIN_ANNOTATION_FONT = 5.0  # annotations never smaller; below, they are dropped
_FONT_STEP = 0.5
_DIAG = math.sqrt(0.5)

#: Largest page side in inches: PDF viewers refuse pages past 200 in.
MAX_PAGE_INCHES = 200.0
#: A page taller than this is said (``TallFigureWarning``): hard to read on a screen or print.
TALL_PAGE_INCHES = 30.0
#: Page markers ("tokens 1-250 of 1,500") are this fraction of the label size.
MARKER_SCALE = 0.85
MARKER_COLOR = "#444444"
_MARKER_ROOM = 0.3  # inches a marker line may take at the top of a page
_MIN_PAGE_TOKENS = 20  # automatic pages hold this many tokens before expressions tile
#: Largest PNG drawn, in pixels: 50 MP is a 200 MB RGBA buffer, and ~5,000 annotated
#: cells at 150 dpi. Past that an annotated heatmap is unreadable and Agg runs out of room.
MAX_FIGURE_PIXELS = 50_000_000
MAX_FIGURE_SIDE = 32_768


#: The font chain labels are measured in while a figure is laid out (``plan_pages``).
_FONTS: ContextVar[tuple[str, ...]] = ContextVar("attrmap_layout_fonts", default=(DEJAVU_SANS,))


@contextlib.contextmanager
def measuring_in(fonts: Sequence[str]) -> Iterator[None]:
    """Within this block, labels are measured in ``fonts`` (the figure's font chain)."""
    token = _FONTS.set(tuple(fonts))
    try:
        yield
    finally:
        _FONTS.reset(token)


def _text_size(text: str, size: float) -> tuple[float, float]:
    """Width and height in inches of ``text`` in the figure's fonts."""
    return text_size_in(text, size, _FONTS.get())


@lru_cache(maxsize=65536)
def text_size_in(text: str, size: float, families: tuple[str, ...]) -> tuple[float, float]:
    """Width and height in inches, from font metrics (no renderer, dpi-independent)."""
    if not text:
        return 0.0, 0.0
    prop = FontProperties(family=list(families), size=size)
    width, height, _ = _TEXT_TO_PATH.get_text_width_height_descent(text, prop, ismath=False)
    return width / 72, height / 72


def text_extent(text: str, size: float) -> tuple[float, float, float]:
    """Width, height and descent in inches of ``text`` in the figure's fonts: for placing
    text on a baseline (the text-flow layout)."""
    return text_extent_in(text, size, _FONTS.get())


@lru_cache(maxsize=65536)
def text_extent_in(text: str, size: float, families: tuple[str, ...]) -> tuple[float, float, float]:
    if not text:
        return 0.0, 0.0, 0.0
    prop = FontProperties(family=list(families), size=size)
    width, height, descent = _TEXT_TO_PATH.get_text_width_height_descent(text, prop, ismath=False)
    return width / 72, height / 72, descent / 72


_TEXT_TO_PATH = TextToPath()


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


@dataclass(frozen=True)
class Layout:
    """Where everything goes on one page, in inches, so nothing is ever clipped."""

    shape: tuple[int, int]  # rows x columns drawn on this page
    fig_width: float
    fig_height: float
    heatmap_rect: tuple[float, float, float, float]  # left, bottom, width, height (fraction)
    colorbar_rect: tuple[float, float, float, float]
    title_y: float | None  # figure fraction of the title's baseline, None for no title
    metrics: Metrics
    colorbar: ColorbarSpec
    colorbar_horizontal: bool = False  # short grids: a colorbar below, not beside
    fonts: tuple[str, ...] = (DEJAVU_SANS,)  # font.family chain (see ``fonts``)
    #: Right end of the page marker's baseline (figure fractions); None on a single page.
    marker_at: tuple[float, float] | None = None
    title_x: float = 0.5  # the title's centre (figure fraction): off centre on paper
    #: Labelled groups of tokens (``HeatmapData.groups``) and whether they run across.
    groups: tuple[tuple[str, int], ...] = ()
    groups_across: bool = False
    #: Where group names are centred and where the rule between groups ends (figure
    #: fractions: x beside the rows, y above the columns when the groups run across).
    groups_at: tuple[float, float] = (0.0, 0.0)

    @property
    def extend(self) -> str:
        return self.colorbar.extend


@dataclass(frozen=True)
class _Text:
    """Label extents of a grid at one font size."""

    row_width: float
    column_sizes: tuple[tuple[float, float], ...]
    line_height: float
    tick_width: float
    colorbar_label: tuple[float, float]
    title_width: float

    @property
    def column_width(self) -> float:
        return max(w for w, _ in self.column_sizes)


def _measure(data: HeatmapData, size: float) -> _Text:
    """Label extents at ``size``; remembered per grid, as fitting tries many sizes."""
    labels = (data.tokens, data.expressions)
    key = (*map(id, labels), data.title, data.tick_labels, data.colorbar_label, size, _FONTS.get())
    cached = _MEASURED.get(key)
    if cached is None or any(a is not b for a, b in zip(cached[0], labels, strict=True)):
        if len(_MEASURED) > 256:
            _MEASURED.clear()
        cached = _MEASURED[key] = (labels, _measure_uncached(data, size))
    return cached[1]


_MEASURED: dict[tuple, tuple[tuple[list[str], list[str]], _Text]] = {}


def _measure_uncached(data: HeatmapData, size: float) -> _Text:
    ticks = [_text_size(label, size)[0] for label in data.tick_labels]
    # 1.0's reference layout measured "-" + each tick at 2 decimals; keep that width as
    # a floor so the reference figure keeps its exact size.
    legacy = [_text_size(f"\u2212{t:.2f}", size)[0] for t in data.ticks]
    return _Text(
        row_width=max(_text_size(t, size)[0] for t in data.tokens),
        column_sizes=tuple(_text_size(e, size) for e in data.expressions),
        line_height=_text_size("Ag", size)[1],
        tick_width=max(ticks + legacy),
        colorbar_label=_text_size(data.colorbar_label, size),
        title_width=_text_size(data.title or "", size * 1.2)[0],
    )


def _annotation_width(data: HeatmapData, size: float) -> float:
    # Digits share one advance width, so "-0.1234" is as wide as "-0.0000": measuring
    # each number's shape, not each number, keeps this cheap and its cache small.
    return max(_text_size(shape, size)[0] for shape in annotation_shapes(data.annotations))


def annotation_shapes(annotations: list[str]) -> frozenset[str]:
    """The distinct shapes of the numbers (digits as 0), remembered for the list last
    asked about: fitting tries many sizes, and a 250,000-cell grid has as many numbers."""
    cached = _SHAPES.get(id(annotations))
    if cached is not None and cached[0] is annotations:
        return cached[1]
    shapes = frozenset(a.translate(_ZEROS) for a in set(annotations) if a) or frozenset({"0"})
    _SHAPES.clear()
    _SHAPES[id(annotations)] = (annotations, shapes)
    return shapes


_ZEROS = str.maketrans("123456789", "000000000")
_SHAPES: dict[int, tuple[list[str], frozenset[str]]] = {}


def _rotation_for(text: _Text, cell_width: float) -> int:
    """0 if column labels fit their cells, else 45 degrees, or 90 when cells are too
    narrow for slanted labels not to touch."""
    if text.column_width + 0.1 <= cell_width:
        return 0
    return 45 if cell_width * _DIAG >= 1.15 * text.line_height else 90


def _natural_metrics(data: HeatmapData, style: Style, annotate: bool) -> Metrics:
    """Today's sizes: roomy annotated cells (as the reference figure), or compact ones."""
    size, annot_size = style.font_size, style.annotation_font_size
    text = _measure(data, size)
    if annotate:
        cell_width = max(_MIN_CELL_WIDTH, _annotation_width(data, annot_size) + 0.2)
        if style.layout.transpose:  # tokens across the top: turned, not widening cells
            rotation = _rotation_for(text, cell_width)
            cell_height = max(
                _MIN_CELL_HEIGHT, 1.8 * _text_size("0", annot_size)[1], 1.6 * text.line_height
            )
            return Metrics(size, annot_size, cell_width, cell_height, rotation and 90)
        rotate = text.column_width + 0.1 > max(cell_width, _MAX_UNROTATED_LABEL)
        if not rotate:
            cell_width = max(cell_width, text.column_width + 0.15)
        cell_height = max(
            _MIN_CELL_HEIGHT, 1.8 * _text_size("0", annot_size)[1], 1.6 * text.line_height
        )
        return Metrics(size, annot_size, cell_width, cell_height, 45 if rotate else 0)
    cell_width = max(_COMPACT_CELL, 1.4 * text.line_height)
    if text.column_width + 0.15 <= _MAX_UNROTATED_LABEL:
        cell_width = max(cell_width, text.column_width + 0.15)
    cell_height = max(_COMPACT_CELL, 1.3 * text.line_height)
    return Metrics(size, None, cell_width, cell_height, _rotation_for(text, cell_width))


def _figure_width(data: HeatmapData, metrics: Metrics, horizontal: bool) -> float:
    text = _measure(data, metrics.font_size)
    cols = data.shape[1]
    cell_width = metrics.cell_width
    grid_width = cols * cell_width
    left = _PAD + text.row_width + LABEL_PAD_PT / 72 + _group_gutter(data, metrics.font_size)[0]
    overhang = column_labels_extent(text, metrics)[1]
    if horizontal:
        bar = min(_MAX_COLORBAR_LENGTH, max(grid_width, text.colorbar_label[0] + 0.3))
        body = max(grid_width, bar + 2 * 0.05 * bar + text.tick_width)
        right = max(overhang, 0) + _PAD
    else:
        body = grid_width
        right = max(_right_block(text), overhang + _PAD)
    return max(left + body + right, text.title_width + 2 * _PAD)


def group_gutter(size: float) -> float:
    """How wide the gutter holding group names is, in inches, for labels of ``size``."""
    return 1.6 * _text_size("Ag", size)[1]


def _group_gutter(data: HeatmapData, size: float) -> tuple[float, float]:
    """Room for group names (Source, Target) beside the token labels, or above the
    column labels when tokens run across: (left, top) in inches."""
    if not data.groups:
        return 0.0, 0.0
    gutter = group_gutter(size)
    return (0.0, gutter) if data.groups_across else (gutter, 0.0)


def column_labels_extent(text: _Text, metrics: Metrics) -> tuple[float, float]:
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


def colorbar_block(text: _Text) -> float:
    """A vertical colorbar with its tick labels and its label, in inches across."""
    return _COLORBAR_WIDTH + _TICK_OFFSET_PT / 72 + text.tick_width + 0.1 + text.colorbar_label[1]


def _right_block(text: _Text) -> float:
    return _COLORBAR_GAP + colorbar_block(text) + _PAD


def _fits(data: HeatmapData, metrics: Metrics) -> bool:
    """Labels and annotations fit their cells without touching each other."""
    text = _measure(data, metrics.font_size)
    if 1.1 * text.line_height > metrics.cell_height:
        return False
    if metrics.rotation == 90 and text.line_height > metrics.cell_width:
        return False
    if metrics.annotation_font_size is None:
        return True
    width = _annotation_width(data, metrics.annotation_font_size) + 0.06
    height = 1.25 * _text_size("0", metrics.annotation_font_size)[1]
    return width <= metrics.cell_width and height <= metrics.cell_height


def _font_steps(style: Style, annotate: bool) -> list[tuple[float, float | None]]:
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
    text = _measure(data, metrics.font_size)
    floor = 1.3 * text.line_height
    if metrics.annotation_font_size is not None:
        floor = max(floor, 1.8 * _text_size("0", metrics.annotation_font_size)[1])
    height = max(min(metrics.cell_height, metrics.cell_height * scale), floor, _COMPACT_CELL)
    return replace(
        metrics,
        cell_width=cell_width,
        cell_height=height,
        rotation=_rotation_for(text, cell_width)
        if cell_width < metrics.cell_width
        else metrics.rotation,
    )


def _candidates(data: HeatmapData, style: Style, horizontal: bool) -> Iterator[Metrics]:
    """Sizes to try, best first: today's, then narrower cells, then smaller fonts, then
    (``annotate: auto``) the same without the numbers."""
    options = style.layout
    modes = {"always": [True], "never": [False], "auto": [True, False]}[options.annotate]
    for annotate in modes:
        for size, annot in _font_steps(style, annotate):
            if options.cell_size is not None:
                width, height = options.cell_size
                rotation = _rotation_for(_measure(data, size), width)
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
                _fits(page, m)
                and (options.width is None or _figure_width(page, m, horizontal) <= options.width)
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
    if width is None or _figure_width(data, base, horizontal) <= width:
        return [base]
    text = _measure(data, base.font_size)
    floor = max(_COMPACT_CELL, text.line_height)
    if base.annotation_font_size is not None:
        floor = max(floor, _annotation_width(data, base.annotation_font_size) + 0.06)
    if floor >= base.cell_width:
        return [base]
    low, high = floor, base.cell_width  # figure width grows with cell width: bisect
    for _ in range(30):
        middle = (low + high) / 2
        trial = _sized(data, base, middle, middle / base.cell_width)
        if _figure_width(data, trial, horizontal) <= width:
            low = middle
        else:
            high = middle
    return [_sized(data, base, low, low / base.cell_width)]


def _refuse(
    data: HeatmapData, style: Style, candidates: list[Metrics], horizontal: bool
) -> NoReturn:
    options = style.layout
    if options.cell_size is not None and not any(_fits(data, m) for m in candidates):
        width, height = options.cell_size
        what = "labels (6 pt)" if options.annotate != "always" else "labels and numbers (5 pt)"
        raise StyleError(
            f"{data.source}: {what} do not fit in {width:g}x{height:g} in cells; "
            "use a larger cell_size=..."
            + (' or annotate="auto"' if options.annotate == "always" else "")
        )
    fitting = [m for m in candidates if _fits(data, m)] or candidates
    narrowest = min(_figure_width(data, m, horizontal) for m in fitting)
    raise StyleError(
        f"{data.source}: the figure cannot be made {options.width:g} in wide; the narrowest "
        f"that works is {math.ceil(narrowest * 100) / 100:g} in (width=...)"
    )


def _colorbar_spec(data: HeatmapData) -> ColorbarSpec:
    return ColorbarSpec(
        data.vmin, data.vmax, data.ticks, data.tick_labels, data.colorbar_label, data.extend
    )


def _is_short(data: HeatmapData, metrics: Metrics, rows: int) -> bool:
    """A grid lower than a vertical colorbar and its label: put the colorbar below."""
    text = _measure(data, metrics.font_size)
    return rows * metrics.cell_height < text.colorbar_label[0] + 0.3


def place_page(
    data: HeatmapData, metrics: Metrics, horizontal: bool, marker_width: float | None = None
) -> Layout:
    """The layout of one page: ``data`` holds just that page's rows. A page of several
    gets a marker line (``marker_width`` wide) saying which tokens it holds."""
    rows, cols = data.shape
    text = _measure(data, metrics.font_size)
    size = metrics.font_size
    tick_offset = _TICK_OFFSET_PT / 72
    label_offset = LABEL_PAD_PT / 72
    cell_width, cell_height = metrics.cell_width, metrics.cell_height
    grid_width, grid_height = cols * cell_width, rows * cell_height
    labels_height = column_labels_extent(text, metrics)[0]
    title_height = 1.6 * _text_size("Ag", size * 1.2)[1] if data.title else 0.0
    marker_height = 0.0 if marker_width is None else 1.5 * _text_size("Ag", size * MARKER_SCALE)[1]

    beside, above = _group_gutter(data, size)
    left = _PAD + text.row_width + label_offset + beside
    top = _PAD + marker_height + title_height + labels_height + label_offset + above
    fig_width = _figure_width(data, metrics, horizontal)
    if marker_width is not None:
        fig_width = max(fig_width, marker_width + 2 * _PAD)
    if horizontal:
        bar_length = min(_MAX_COLORBAR_LENGTH, max(grid_width, text.colorbar_label[0] + 0.3))
        below = (
            0.3  # gap under the grid
            + _COLORBAR_WIDTH
            + tick_offset
            + text.line_height
            + 0.1
            + text.colorbar_label[1]
        )
        fig_height = top + grid_height + below + _PAD
        bar_left = left + max(0.0, (max(grid_width, bar_length) - bar_length) / 2)
        bar_left = max(bar_left, left + 0.05 * bar_length + text.tick_width / 2)
        bar_rect = (bar_left, top + grid_height + 0.3, bar_length, _COLORBAR_WIDTH)
    else:
        cbar_height = min(_MAX_COLORBAR_LENGTH, max(grid_height, text.colorbar_label[0] + 0.3))
        body_height = max(grid_height, cbar_height)
        fig_height = top + body_height + _PAD
        bar_rect = (left + grid_width + _COLORBAR_GAP, top, _COLORBAR_WIDTH, cbar_height)

    def rect(x: float, y_top: float, w: float, h: float) -> tuple[float, float, float, float]:
        return (x / fig_width, 1 - (y_top + h) / fig_height, w / fig_width, h / fig_height)

    return Layout(
        shape=(rows, cols),
        fig_width=round(fig_width, 3),
        fig_height=round(fig_height, 3),
        heatmap_rect=rect(left, top, grid_width, grid_height),
        colorbar_rect=rect(*bar_rect),
        title_y=1 - (_PAD + marker_height + title_height * 0.7) / fig_height
        if data.title
        else None,
        metrics=metrics,
        colorbar=_colorbar_spec(data),
        colorbar_horizontal=horizontal,
        fonts=_FONTS.get(),
        marker_at=None
        if marker_width is None
        else (1 - _PAD / fig_width, 1 - (_PAD + marker_height * 0.7) / fig_height),
        groups=data.groups,
        groups_across=data.groups_across,
        groups_at=(
            1 - (_PAD + marker_height + title_height + 0.45 * above) / fig_height,
            1 - (_PAD + marker_height + title_height) / fig_height,
        )
        if above
        else ((_PAD + 0.4 * beside) / fig_width, _PAD / fig_width),
    )


@dataclass(frozen=True)
class FigurePlan:
    """One page ready to draw: what to show, and where."""

    data: HeatmapData
    layout: Layout
    marker: str | None = None  # "tokens 751-1,500 of 1,500" on a page of several


def plan_pages(
    data: HeatmapData,
    style: Style,
    raster: bool = True,
    fonts: tuple[str, ...] = (DEJAVU_SANS,),
) -> tuple[list[FigurePlan], list[FigureWarning]]:
    """Split ``data`` into pages of tokens (``--rows-per-page``, or automatically when a
    page would pass 200 in) and lay each out with the same sizes and colour scale, its
    labels measured in ``fonts``."""
    with measuring_in(fonts):
        return _plan_pages(data, style, raster)


def _plan_pages(
    data: HeatmapData, style: Style, raster: bool
) -> tuple[list[FigurePlan], list[FigureWarning]]:
    if style.layout.page is not None and not style.layout.transpose:
        metrics, warnings, bounds, tiles = _paper_split(data, style)
    elif style.layout.transpose:
        metrics, warnings, bounds = _transposed_split(data, _within_paper(style), raster)
        tiles = [(0, data.shape[1])]
    else:
        metrics, warnings = decide_metrics(data, style, horizontal=False)
        metrics, bounds, tiles = _token_split(data, style, metrics, raster, warnings)
    tokens, expressions = data.shape
    pieces = [(t, e) for e in tiles for t in bounds]
    marker_width = None
    markers: list[str | None] = [None] * len(pieces)
    if len(pieces) > 1:
        markers = [page_marker(t, tokens, e, expressions) for t, e in pieces]
        size = metrics.font_size * MARKER_SCALE
        marker_width = max(_text_size(marker or "", size)[0] for marker in markers)
    first = _piece(data, *pieces[0], style.layout.transpose)
    horizontal = len(pieces) == 1 and _is_short(first, metrics, first.shape[0])
    if horizontal:
        oriented = data.transposed() if style.layout.transpose else data
        metrics, warnings = decide_metrics(oriented, style, horizontal=True)
    plans = []
    for (rows, columns), marker in zip(pieces, markers, strict=True):
        page = _piece(data, rows, columns, style.layout.transpose)
        layout = place_page(page, metrics, horizontal, marker_width)
        if style.layout.page is not None:
            layout = on_paper(layout, style.layout.page, data.source)
        plans.append(FigurePlan(page, layout, marker))
    for plan in plans:
        check_page_size(plan.layout, style, raster, data.source)
    tallest = max(plan.layout.fig_height for plan in plans)
    if tallest > TALL_PAGE_INCHES:
        warnings.append(
            tall_figure_warning(data.source, tallest, 'layout="text", page="a4" or transpose=True')
        )
    return plans, [*data.warnings, *warnings]


def tall_figure_warning(source: str, height: float, instead: str) -> TallFigureWarning:
    """The one line said about a page too tall to read on a screen or print."""
    return TallFigureWarning(
        source,
        f"a page is {height:.0f} in tall, hard to read on a screen or in print; try {instead}",
    )


def _piece(
    data: HeatmapData, tokens: tuple[int, int], expressions: tuple[int, int], transpose: bool
) -> HeatmapData:
    """The tokens and expressions one page shows, oriented as drawn."""
    page = data.token_rows(*tokens)
    if expressions != (0, data.shape[1]):
        page = page.expression_columns(*expressions)
    return page.transposed() if transpose else page


def runs(count: int, per: int, balanced: bool) -> list[tuple[int, int]]:
    """``count`` items in runs of at most ``per``: balanced (334 + 333 + 333) when
    automatic, or as asked (N per run, the rest on the last)."""
    runs = math.ceil(count / per)
    if balanced:
        sizes = [count // runs + (run < count % runs) for run in range(runs)]
    else:
        sizes = [min(per, count - run * per) for run in range(runs)]
    starts = [sum(sizes[:run]) for run in range(runs)]
    return [(start, start + size) for start, size in zip(starts, sizes, strict=True)]


def side_limit(style: Style, raster: bool) -> float:
    """The longest page side allowed, in inches: 200, and for a raster image (PNG) 32,768 pixels."""
    limit = MAX_PAGE_INCHES
    if raster:
        limit = min(limit, (MAX_FIGURE_SIDE - 1) / style.dpi)
    return limit


def height_limit(width: float, style: Style, raster: bool) -> float:
    """The tallest page ``width`` inches wide allowed: ``side_limit``, and for PNG the
    pixel count (50 megapixels)."""
    limit = side_limit(style, raster)
    if raster:
        columns = math.ceil(width * style.dpi)
        limit = min(limit, (MAX_FIGURE_PIXELS // columns - 1) / style.dpi)
    return limit


def _token_split(
    data: HeatmapData,
    style: Style,
    metrics: Metrics,
    raster: bool,
    warnings: list[FigureWarning],
) -> tuple[Metrics, list[tuple[int, int]], list[tuple[int, int]]]:
    """Pages of tokens (``--rows-per-page``, or as many as keep a page within the page
    and pixel limits) and tiles of expressions (only when a page of all of them would be
    too wide, or hold too few tokens): the metrics, token runs and expression runs."""
    tokens, expressions = data.shape
    per_page = style.layout.rows_per_page
    if per_page is not None:
        return metrics, runs(tokens, per_page, balanced=False), [(0, expressions)]
    one = place_page(data, metrics, horizontal=False)
    limit = side_limit(style, raster)
    if one.fig_width <= limit and one.fig_height <= height_limit(one.fig_width, style, raster):
        return metrics, [(0, tokens)], [(0, expressions)]
    if style.layout.cell_size is None:
        # Too long for one page: rows as low as their text allows (not 0.45 in),
        # so a long sequence takes fewer, smaller pages.
        metrics = replace(metrics, cell_height=_compact_height(data, metrics))
    columns = expressions
    while True:
        tiles = runs(expressions, columns, balanced=True)
        layouts = [place_page(data.expression_columns(*tile), metrics, False) for tile in tiles]
        width = max(layout.fig_width for layout in layouts)
        fixed = max(layout.fig_height for layout in layouts) - tokens * metrics.cell_height
        room = height_limit(width + 0.01, style, raster) - fixed - _MARKER_ROOM
        per_page = max(0, min(tokens, math.floor(room / metrics.cell_height)))
        if columns == 1 or (width <= limit and per_page >= min(tokens, _MIN_PAGE_TOKENS)):
            break
        columns -= max(1, columns // 8)
    if per_page < 1:
        raise LimitError(data.source, "a single row does not fit on a page; lower dpi=...")
    bounds = runs(tokens, per_page, balanced=True)
    pages = len(bounds) * len(tiles)
    across = f" and {len(tiles)} tiles of expressions" if len(tiles) > 1 else ""
    warnings.append(
        PagesSplitWarning(
            data.source,
            f"{tokens} tokens x {expressions} expressions would make a page over the page "
            f"or pixel limit; split into {pages} pages of up to {bounds[0][1]} tokens{across} "
            "(choose with rows_per_page=... or page=...)",
        )
    )
    return metrics, bounds, tiles


#: Margins of a page of a paper size (``--page``): printers need room.
PAPER_MARGIN = 0.5


def _within_paper(style: Style) -> Style:
    """``style`` with ``--width`` no wider than its paper's room, if it has a paper."""
    if style.layout.page is None:
        return style
    room = style.layout.page[0] - 2 * (PAPER_MARGIN - _PAD)
    width = min(room, style.layout.width or room)
    return replace(style, layout=replace(style.layout, width=width))


def on_paper(layout: Layout, paper: tuple[float, float], source: str = "<matrix>") -> Layout:
    """``layout`` set on a page of ``paper`` size, ``PAPER_MARGIN`` from its top left."""
    width, height = paper
    inset = PAPER_MARGIN - _PAD
    if layout.fig_width + 2 * inset > width + 0.01 or layout.fig_height + 2 * inset > height + 0.01:
        raise LimitError(
            source,
            f"a page of {layout.fig_width + 2 * inset:.3g}x{layout.fig_height + 2 * inset:.3g} "
            f"in does not fit a {width:g}x{height:g} in page=...; use a larger page=..., "
            "rows_per_page=... or a smaller cell_size=...",
        )

    def moved(box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        left = box[0] * layout.fig_width + inset
        top = (1 - box[1] - box[3]) * layout.fig_height + inset
        w, h = box[2] * layout.fig_width, box[3] * layout.fig_height
        return (left / width, 1 - (top + h) / height, w / width, h / height)

    def y(fraction: float) -> float:
        return 1 - ((1 - fraction) * layout.fig_height + inset) / height

    marker = None
    if layout.marker_at is not None:
        marker = (1 - PAPER_MARGIN / width, y(layout.marker_at[1]))
    return replace(
        layout,
        fig_width=width,
        fig_height=height,
        heatmap_rect=moved(layout.heatmap_rect),
        colorbar_rect=moved(layout.colorbar_rect),
        title_y=None if layout.title_y is None else y(layout.title_y),
        title_x=(inset + layout.fig_width / 2) / width,
        marker_at=marker,
    )


def _paper_split(
    data: HeatmapData, style: Style
) -> tuple[Metrics, list[FigureWarning], list[tuple[int, int]], list[tuple[int, int]]]:
    """Pages of a paper size (``--page``): the grid as wide as the paper allows (cells
    shrink, then fonts, as for ``--width``), split into tiles of expressions when even
    that is too wide, and into pages of as many tokens as a page holds (at most
    ``--rows-per-page``). Pages are filled, the rest on the last."""
    assert style.layout.page is not None
    paper_height = style.layout.page[1]
    inset = PAPER_MARGIN - _PAD
    fitted = _within_paper(style)
    tokens = data.shape[0]
    metrics, warnings, tiles = _widest_tiles(data, fitted)
    pieces = [data.expression_columns(*tile) for tile in tiles]
    fixed = max(place_page(piece, metrics, False).fig_height for piece in pieces)
    fixed -= tokens * metrics.cell_height
    room_height = paper_height - 2 * inset - fixed - _MARKER_ROOM
    if tokens * metrics.cell_height > room_height and style.layout.cell_size is None:
        # Several pages: rows as low as their text allows, so fewer pages.
        metrics = replace(metrics, cell_height=_compact_height(data, metrics))
    per_page = math.floor(room_height / metrics.cell_height)
    if per_page < 1:
        raise LimitError(
            data.source, f"a {paper_height:g} in high page holds no row; use a larger page=..."
        )
    per_page = min(per_page, style.layout.rows_per_page or per_page, tokens)
    return metrics, warnings, runs(tokens, per_page, balanced=False), tiles


def _widest_tiles(
    data: HeatmapData, style: Style
) -> tuple[Metrics, list[FigureWarning], list[tuple[int, int]]]:
    """The fewest tiles of expressions whose grids fit ``--width`` (all of them, if
    they fit), with their metrics."""
    expressions = data.shape[1]
    columns = expressions
    while True:
        tiles = runs(expressions, columns, balanced=True)
        pieces = [data.expression_columns(*tile) for tile in tiles]
        try:
            metrics, warnings = decide_metrics(pieces, style, horizontal=False)
        except StyleError:
            if columns == 1:
                raise
            columns -= max(1, columns // 8)
            continue
        return metrics, warnings, tiles


def _transposed_split(
    data: HeatmapData, style: Style, raster: bool
) -> tuple[Metrics, list[FigureWarning], list[tuple[int, int]]]:
    """Tokens across the top: pages of tokens (``--rows-per-page``, or as many as fit the
    width limit, ``--width`` or the page limit), each page sized with the same metrics,
    which are decided on the pages themselves (so ``--width`` applies to a page)."""
    tokens = data.shape[0]
    asked = style.layout.rows_per_page
    automatic = asked is None
    per_page = asked or tokens
    if automatic:
        oriented = data.transposed()
        free = replace(style, layout=replace(style.layout, width=None))
        metrics, warnings = decide_metrics(oriented, free, horizontal=False)
        one = place_page(oriented, metrics, horizontal=False)
        limit = min(style.layout.width or math.inf, side_limit(style, raster))
        if one.fig_width <= limit:
            metrics, warnings = decide_metrics(oriented, style, horizontal=False)
            return metrics, warnings, [(0, tokens)]
        fixed = one.fig_width - tokens * metrics.cell_width
        per_page = max(1, math.floor((limit - fixed) / metrics.cell_width))
    while True:
        bounds = runs(tokens, per_page, balanced=automatic)
        pages = [data.token_rows(*bound).transposed() for bound in bounds]
        try:
            metrics, warnings = decide_metrics(pages, style, horizontal=False)
        except StyleError:
            if not automatic or per_page == 1:
                raise
            per_page = max(1, per_page * 3 // 4)
            continue
        break
    if automatic:
        warnings.append(
            PagesSplitWarning(
                data.source,
                f"{tokens} tokens across would make a page over the width limit; split into "
                f"{len(bounds)} pages of up to {bounds[0][1]} tokens (choose with "
                "rows_per_page=...)",
            )
        )
    return metrics, warnings, bounds


def _compact_height(data: HeatmapData, metrics: Metrics) -> float:
    """The lowest rows whose labels and numbers still keep clear of each other."""
    floor = 1.6 * _measure(data, metrics.font_size).line_height
    if metrics.annotation_font_size is not None:
        floor = max(floor, 1.8 * _text_size("0", metrics.annotation_font_size)[1])
    return min(metrics.cell_height, max(floor, _COMPACT_CELL))


def check_page_size(layout: Layout, style: Style, raster: bool, source: str) -> None:
    """Refuse, before drawing, a page no viewer opens or (a raster image) no buffer holds."""
    check_figure_inches(layout.fig_width, layout.fig_height, style, raster, source)


#: What to do about a page that is too large: for a matrix, and for a comparison.
SPLIT_ADVICE = (
    "use fewer rows_per_page=... or a smaller cell_size=...",
    "split the matrix (rows_per_page=...)",
)


def check_figure_inches(
    fig_width: float,
    fig_height: float,
    style: Style,
    raster: bool,
    source: str,
    advice: tuple[str, str] = SPLIT_ADVICE,
) -> None:
    """``check_page_size`` for any figure of that size (a comparison, say); ``advice``
    says how to make the page smaller, then how to make the picture smaller."""
    if max(fig_width, fig_height) > MAX_PAGE_INCHES:
        raise LimitError(
            source,
            f"a page would be {fig_width:g}x{fig_height:g} in, over the "
            f"{MAX_PAGE_INCHES:g}-inch page limit; {advice[0]}",
        )
    if not raster:
        return
    width = math.ceil(fig_width * style.dpi)
    height = math.ceil(fig_height * style.dpi)
    if width * height > MAX_FIGURE_PIXELS or max(width, height) > MAX_FIGURE_SIDE:
        raise LimitError(
            source,
            f"the figure would be {width}x{height} pixels at {style.dpi} dpi, over the "
            f"{MAX_FIGURE_PIXELS // 1_000_000}-megapixel limit; lower dpi=... or {advice[1]}",
        )
