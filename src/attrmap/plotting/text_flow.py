"""The text-flow layout: tokens as running text, each on a box coloured by its value.

For long inputs (a document, a long prompt) a grid is a tall strip of rows; read as text,
the same values show where attribution falls. One block per expression, headed by it,
the tokens wrapped into lines within the page width, on the grid's colour scale (same
colormap, range, normalisation, missing grey) with one colorbar. Every block wraps the
same way, so a token sits at the same place in each. Laid out from font metrics
(``plan_text_pages``) apart from drawing (``text_canvas.draw_text_page``), as the grid is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..errors import FigureWarning, LimitError, PagesSplitWarning
from ..fonts import DEJAVU_SANS
from ..labels import page_marker, shown_text, word_starts
from ..prepared import HeatmapData
from ..style import Style
from .dimensions import (
    BLOCK_GAP,
    DEFAULT_TEXT_WIDTH,
    LINE_GAP,
    TEXT_COLORBAR_GAP,
    TEXT_COLORBAR_THICKNESS,
    TEXT_MARGIN,
    TEXT_PAD_X,
    TEXT_PAD_Y,
)
from .measuring import annotation_shapes, measuring_in, text_extent
from .page_limits import TALL_PAGE_INCHES, height_limit, runs, tall_figure_warning
from .placement import MARKER_SCALE
from .sizing import MAX_COLORBAR_LENGTH, TICK_OFFSET_PT, ColorbarSpec

_PAPER_MARGIN = 0.5  # on paper: printers need room
_WORD_GAP = 0.09  # between words, per 10 pt (pieces of one word touch)
_MIN_ROOM = 3.5  # a short text's line is at least this wide: room for the colorbar
_MIN_LINES = 2  # fewer lines per block than this: pages split by expressions instead


@dataclass(frozen=True)
class TextMetrics:
    """Sizes shared by every page of a text layout, in inches (``scale`` is per 10 pt)."""

    font_size: float
    annotation_font_size: float | None  # None: no value under each token
    box_height: float
    pitch: float  # from one line's top to the next
    baseline: float  # a token's baseline below its box's top
    annotation_baseline: float  # the value's baseline below the box's top
    heading_height: float  # a block's heading line, gap below included
    heading_baseline: float
    scale: float  # font size / 10 pt: paddings and gaps grow with the text


@dataclass(frozen=True)
class TextPage:
    """One page of a text layout, ready to draw: what to show, and where (inches, from
    the page's top left)."""

    data: HeatmapData  # this page's tokens (rows) and expressions (blocks)
    token_range: tuple[int, int]  # [start, stop) in the whole matrix
    expression_range: tuple[int, int]
    total: tuple[int, int]  # tokens and expressions of the whole matrix
    width: float
    height: float
    margin: float
    metrics: TextMetrics
    texts: tuple[str, ...]  # what each token's box shows
    x: tuple[float, ...]  # each token's box: left edge
    box_widths: tuple[float, ...]
    lines: tuple[int, ...]  # each token's line within its block
    block_tops: tuple[float, ...]  # each block's heading top
    headings: tuple[str, ...]
    title_y: float | None  # baseline; None for no title
    marker: str | None  # "tokens 751-1,500 of 1,500" on a page of several
    marker_y: float
    colorbar_rect: tuple[float, float, float, float]  # left, top, width, height
    colorbar: ColorbarSpec
    fonts: tuple[str, ...] = (DEJAVU_SANS,)

    def box_top(self, block: int, token: int) -> float:
        """The top of ``token``'s box (an index into this page) in ``block``."""
        return (
            self.block_tops[block]
            + self.metrics.heading_height
            + self.lines[token] * self.metrics.pitch
        )


def _fitted(text: str, size: float, room: float) -> str:
    """``text``, cut with an ellipsis if it is wider than ``room`` (a token or heading
    wider than the whole line)."""
    if text_extent(text, size)[0] <= room:
        return text
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if text_extent(text[:middle] + "\u2026", size)[0] <= room:
            low = middle
        else:
            high = middle - 1
    return text[:low] + "\u2026"


def _text_metrics(data: HeatmapData, style: Style, annotate: bool) -> TextMetrics:
    size = style.font_size
    scale = size / 10
    _, height, descent = text_extent("Ag", size)
    annot = style.annotation_font_size if annotate else None
    pad = TEXT_PAD_Y * scale
    baseline = pad + height - descent
    box = pad + height + pad
    annotation_baseline = box
    if annot is not None:
        _, a_height, a_descent = text_extent("0", annot)
        annotation_baseline = box + a_height - a_descent
        box += a_height + pad
    _, h_height, h_descent = text_extent("Ag", size * 1.1)
    return TextMetrics(
        font_size=size,
        annotation_font_size=annot,
        box_height=box,
        pitch=box + LINE_GAP * scale,
        baseline=baseline,
        annotation_baseline=annotation_baseline,
        heading_height=h_height * 1.6,
        heading_baseline=h_height - h_descent,
        scale=scale,
    )


def _box_widths(
    data: HeatmapData, texts: list[str], metrics: TextMetrics, room: float
) -> tuple[list[str], list[float]]:
    """Each token's box width (its text's, or its widest value's), and its text cut to
    fit a line."""
    pad = 2 * TEXT_PAD_X * metrics.scale
    floor = 0.0
    if metrics.annotation_font_size is not None:
        shapes = annotation_shapes(data.annotations)
        floor = max((text_extent(s, metrics.annotation_font_size)[0] for s in shapes), default=0)
    fitted = [_fitted(text, metrics.font_size, room - pad) for text in texts]
    widths = [max(text_extent(text, metrics.font_size)[0], floor) + pad for text in fitted]
    return fitted, widths


def wrap(
    widths: list[float], starts: list[bool], room: float, gap: float
) -> tuple[list[float], list[int]]:
    """Left edges and line numbers of boxes set as words (runs that start at ``starts``)
    in lines ``room`` wide: a word goes whole to the next line when it does not fit; a
    word wider than a line breaks between its pieces."""
    xs: list[float] = []
    lines: list[int] = []
    x, line = 0.0, 0
    word_ends = [i for i in range(1, len(widths)) if starts[i]] + [len(widths)]
    begin = 0
    for end in word_ends:
        word = sum(widths[begin:end])
        if x > 0 and x + gap + word > room + 1e-9:
            x, line = 0.0, line + 1
        elif x > 0:
            x += gap
        for index in range(begin, end):
            if x > 0 and x + widths[index] > room + 1e-9:  # only a word wider than a line
                x, line = 0.0, line + 1
            xs.append(x)
            lines.append(line)
            x += widths[index]
        begin = end
    return xs, lines


def plan_text_pages(
    data: HeatmapData,
    style: Style,
    raster: bool = True,
    paper: tuple[float, float] | None = None,
    fonts: tuple[str, ...] = (DEJAVU_SANS,),
) -> tuple[list[TextPage], list[FigureWarning]]:
    """Lay ``data`` out as running text, page by page: pages of ``paper`` size (width,
    height in inches, margins included), or without it ``--width`` (else 8 in) wide and
    as tall as the text, split when a page would pass 200 in or (PNG) the pixel limit.

    A page holds a run of lines of every block; when even a few lines of every block do
    not fit, pages split by expressions too (tiles). Values are annotated under each
    token only with ``annotate: always``.
    """
    with measuring_in(fonts):
        return _plan(data, style, raster, paper, fonts)


def _plan(
    data: HeatmapData,
    style: Style,
    raster: bool,
    paper: tuple[float, float] | None,
    fonts: tuple[str, ...],
) -> tuple[list[TextPage], list[FigureWarning]]:
    tokens, expressions = data.shape
    margin = _PAPER_MARGIN if paper else TEXT_MARGIN
    width = paper[0] if paper else (style.layout.width or DEFAULT_TEXT_WIDTH)
    room = width - 2 * margin
    metrics = _text_metrics(data, style, style.layout.annotate == "always")
    if room < 1.0:
        raise LimitError(data.source, f"a {width:g} in wide page leaves no room for text")
    starts = word_starts(data.tokens)
    texts, widths = _box_widths(
        data, [shown_text(t, s) for t, s in zip(data.tokens, starts, strict=True)], metrics, room
    )
    xs, lines = wrap(widths, starts, room, _WORD_GAP * metrics.scale)
    line_count = lines[-1] + 1
    if paper is None and style.layout.width is None and line_count == 1:
        # A short text: as wide as its line (and the headings), not the default width.
        used = max(x + w for x, w in zip(xs, widths, strict=True))
        headings = max(text_extent(e, metrics.font_size * 1.1)[0] for e in data.expressions)
        room = min(room, max(used, headings, _MIN_ROOM))
        width = room + 2 * margin

    size = metrics.font_size
    line = text_extent("Ag", size)[1]
    title_height = 1.6 * text_extent("Ag", size * 1.2)[1] if data.title else 0.0
    marker_height = 1.5 * text_extent("Ag", size * MARKER_SCALE)[1]
    label_height = text_extent(data.colorbar_label, size)[1] if data.colorbar_label else 0.0
    colorbar_block = (
        TEXT_COLORBAR_GAP
        + TEXT_COLORBAR_THICKNESS
        + TICK_OFFSET_PT / 72
        + line
        + 0.1
        + label_height
    )
    per_block = metrics.heading_height + BLOCK_GAP
    limit = paper[1] if paper else height_limit(width, style, raster)

    def fixed(marked: bool) -> float:
        return 2 * margin + title_height + (marker_height if marked else 0.0) + colorbar_block

    def height(blocks: int, lines_each: int, marked: bool) -> float:
        return fixed(marked) + blocks * per_block + blocks * lines_each * metrics.pitch

    warnings: list[FigureWarning] = []
    if height(expressions, line_count, False) <= limit:
        line_groups, expression_groups = [(0, line_count)], [(0, expressions)]
    else:
        blocks = expressions
        fit = math.floor((limit - height(blocks, 0, True)) / (blocks * metrics.pitch))
        if fit < min(line_count, _MIN_LINES):  # tile: fewer blocks, more lines each
            least = min(line_count, _MIN_LINES)
            blocks = max(1, math.floor((limit - fixed(True)) / (per_block + least * metrics.pitch)))
            blocks = min(blocks, expressions)
            fit = math.floor((limit - height(blocks, 0, True)) / (blocks * metrics.pitch))
        if fit < 1:
            raise LimitError(
                data.source,
                f"a {width:g}x{limit:g} in page is too small for one line of text "
                "(a larger page=..., or a smaller font_size=...)",
            )
        balanced = paper is None
        line_groups = runs(line_count, min(fit, line_count), balanced)
        expression_groups = runs(expressions, blocks, balanced)
        if paper is None:
            count = len(line_groups) * len(expression_groups)
            warnings.append(
                PagesSplitWarning(
                    data.source,
                    f"{tokens} tokens as text would make a page over {limit:.4g} in; split "
                    f"into {count} pages (choose a paper size with page=...)",
                )
            )

    first_token = [lines.index(n) for n in range(line_count)] + [tokens]
    paged = len(line_groups) * len(expression_groups) > 1
    pages: list[TextPage] = []
    for e_start, e_stop in expression_groups:
        for l_start, l_stop in line_groups:
            t_start, t_stop = first_token[l_start], first_token[l_stop]
            page_data = data.token_rows(t_start, t_stop).expression_columns(e_start, e_stop)
            blocks = e_stop - e_start
            page_height = paper[1] if paper else height(blocks, l_stop - l_start, paged)
            top = margin + title_height
            marker = None
            if paged:
                marker = page_marker((t_start, t_stop), tokens, (e_start, e_stop), expressions)
            marker_y = top + marker_height * 0.7
            top += marker_height if paged else 0.0
            block_tops = tuple(
                top + b * (per_block + (l_stop - l_start) * metrics.pitch) for b in range(blocks)
            )
            body_end = top + blocks * (per_block + (l_stop - l_start) * metrics.pitch) - BLOCK_GAP
            pages.append(
                TextPage(
                    data=page_data,
                    token_range=(t_start, t_stop),
                    expression_range=(e_start, e_stop),
                    total=(tokens, expressions),
                    width=round(width, 3),
                    height=round(page_height, 3),
                    margin=margin,
                    metrics=metrics,
                    texts=tuple(texts[t_start:t_stop]),
                    x=tuple(margin + x for x in xs[t_start:t_stop]),
                    box_widths=tuple(widths[t_start:t_stop]),
                    lines=tuple(n - l_start for n in lines[t_start:t_stop]),
                    block_tops=block_tops,
                    headings=tuple(_fitted(e, size * 1.1, room) for e in page_data.expressions),
                    title_y=margin + title_height * 0.7 if data.title else None,
                    marker=marker,
                    marker_y=marker_y,
                    colorbar_rect=_colorbar_rect(data, body_end, margin, room, size),
                    colorbar=ColorbarSpec(
                        data.vmin,
                        data.vmax,
                        data.ticks,
                        data.tick_labels,
                        data.colorbar_label,
                        data.extend,
                    ),
                    fonts=fonts,
                )
            )
    tallest = max(page.height for page in pages)
    if tallest > TALL_PAGE_INCHES:
        warnings.append(
            tall_figure_warning(data.source, tallest, 'page="a4" (pages of a paper size)')
        )
    return pages, [*data.warnings, *warnings]


def _colorbar_rect(
    data: HeatmapData, body_end: float, margin: float, room: float, size: float
) -> tuple[float, float, float, float]:
    """A horizontal colorbar under the text, its extend arrows and end labels inside."""
    tick = max(text_extent(label, size)[0] for label in data.tick_labels)
    label = text_extent(data.colorbar_label, size)[0]
    length = min(MAX_COLORBAR_LENGTH, 0.6 * room, max(3.0, label + 0.3))
    left = margin + 0.05 * length + tick / 2
    return (left, body_end + TEXT_COLORBAR_GAP, length, TEXT_COLORBAR_THICKNESS)
