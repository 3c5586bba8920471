"""The heatmap as one self-contained HTML file: a real ``<table>``, no network, no pyplot.

Cell backgrounds are the figure's colours to the byte (``scale.cell_colors`` rounded as
Agg rounds them), so a PNG and its HTML agree pixel for pixel on the cells. The table has
``<th scope>`` headers for screen readers; a few lines of inline script let a mouse or the
keyboard (Tab into the grid, arrow keys move, roving tabindex) show each cell's token,
expression and exact value in a visible, ``aria-live`` detail line. Everything, styles
and script included, is inline, so the file works offline from ``file://``; its bytes
depend only on the data and the style, and its figure key sits in a ``<meta>`` near the
start, where ``provenance.read_figure_key`` looks.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
from dataclasses import dataclass

import numpy as np

from .._version import DRAWING_VERSION
from ..comparison import Comparison, merged_extend, prepare_panel
from ..labels import display_label, shown_text, word_starts
from ..prepared import HeatmapData
from ..scale import cell_colors
from ..style import Style
from .alt_text import comparison_text, figure_text_from_data
from .html_assets import CSS, HINT, NOTEBOOK_CSS, SCRIPT, TEXT_HINT, TEXT_SCRIPT

#: Stops of the colour-scale gradient: enough that the browser's linear interpolation
#: between them is indistinguishable from the colormap's own 256 entries.
_GRADIENT_STOPS = 65

#: The most cells a notebook shows of a matrix (its first tokens): ~100 bytes each.
NOTEBOOK_CELLS = 2000


def hex_colors(rgba: np.ndarray) -> list[str]:
    """``#rrggbb`` per colour, rounded as Agg rounds (``floor(v * 255 + 0.5)``), so an
    HTML cell has exactly the RGB of the PNG's cell."""
    rgb = np.floor(np.asarray(rgba)[..., :3].reshape(-1, 3) * 255 + 0.5).astype(int)
    return [f"#{r:02x}{g:02x}{b:02x}" for r, g, b in rgb.tolist()]


def _text(label: str) -> str:
    return html.escape(label, quote=True)


def _percent(fraction: float) -> str:
    return f"{100 * fraction:.4g}%"


@dataclass(frozen=True)
class ColorScale:
    """One colour scale as the figure's colorbar shows it: colours, range, ticks, label."""

    style: Style  # the colormap, with vmin and vmax the resolved range
    ticks: tuple[float, ...]
    tick_labels: tuple[str, ...]
    label: str
    extend: str  # arrows: neither, min, max or both

    @classmethod
    def of(cls, data: HeatmapData, style: Style) -> ColorScale:
        """The scale ``data`` was prepared with: the one place that reads it."""
        resolved = data.colour_style(style)
        return cls(resolved, data.ticks, data.tick_labels, data.colorbar_label, data.extend)

    @property
    def vmin(self) -> float:
        return self.style.limits[0]

    @property
    def vmax(self) -> float:
        return self.style.limits[1]

    def colors(self, values: np.ndarray) -> list[str]:
        return hex_colors(cell_colors(values, self.style))


def grid_table(
    data: HeatmapData,
    scale: ColorScale,
    caption: str | None,
    describedby: str,
    show_tokens: bool = True,
) -> str:
    """The heatmap as a ``<table>``; cells carry their colours inline, so the table alone
    (copied into a report) keeps them. ``show_tokens=False`` hides the token headers
    from sight only (a panel beside one that shows them); screen readers still read them."""
    cols = data.shape[1]
    hidden = "" if show_tokens else ' class="attrmap-vh"'

    backgrounds = scale.colors(data.values)
    exact = [repr(v) for v in data.values.ravel().tolist()]
    parts = [f'<table class="attrmap-grid" aria-describedby="{describedby}">']
    if caption:
        parts.append(f"<caption>{_text(caption)}</caption>")
    parts.append(f"<thead><tr><td{hidden}></td>")
    parts += [f'<th scope="col">{_text(e)}</th>' for e in data.expressions]
    parts.append("</tr></thead>\n<tbody>\n")
    # Labelled groups (inseq's Source and Target): a <tbody> each, named in its first row.
    starts = {} if data.groups_across else dict((s, n) for n, s in data.groups)
    for row, token in enumerate(data.tokens):
        if row in starts:
            if row:
                parts.append("</tbody>\n<tbody>\n")
            parts.append(
                f'<tr><th scope="rowgroup" colspan="{cols + 1}" class="attrmap-group">'
                f"{_text(starts[row])}</th></tr>\n"
            )
        parts.append(f'<tr><th scope="row"{hidden}>{_text(token)}</th>')
        for col in range(cols):
            i = row * cols + col
            focus = "0" if i == 0 else "-1"
            value = "" if data.missing[row, col] else f' data-v="{exact[i]}"'
            parts.append(
                f'<td tabindex="{focus}" style="background:{backgrounds[i]};'
                f'color:{data.text_colors[i]}"{value}>{_text(data.annotations[i])}</td>'
            )
        parts.append("</tr>\n")
    parts.append("</tbody></table>")
    return "".join(parts)


def legend(scale: ColorScale, rows: int) -> str:
    """A vertical colour bar with the figure's ticks and label (and extend arrows)."""
    span = scale.vmax - scale.vmin
    samples = np.linspace(scale.vmin, scale.vmax, _GRADIENT_STOPS)
    stops = ",".join(
        f"{color} {_percent(i / (_GRADIENT_STOPS - 1))}"
        for i, color in enumerate(scale.colors(samples))
    )
    ticks = "".join(
        f'<li style="bottom:{_percent((tick - scale.vmin) / span)}">{_text(text)}</li>'
        for tick, text in zip(scale.ticks, scale.tick_labels, strict=True)
    )
    ends = scale.colors(np.array([scale.vmin, scale.vmax]))
    arrows = ""
    if scale.extend in ("max", "both"):
        arrows += f'<div class="attrmap-arrow max" style="color:{ends[1]}"></div>'
    if scale.extend in ("min", "both"):
        arrows += f'<div class="attrmap-arrow min" style="color:{ends[0]}"></div>'
    labels = scale.tick_labels
    summary = (
        f"Colour scale {scale.label}: from {labels[0]} to {labels[-1]}, ticks {', '.join(labels)}"
    )
    return (
        f'<div class="attrmap-legend" role="img" aria-label="{_text(summary)}">'
        f'<div class="attrmap-scale" style="--rows:{rows}">'
        f'<div class="attrmap-bar" style="background:linear-gradient(to top,{stops})"></div>'
        f'{arrows}<ul class="attrmap-ticks">{ticks}</ul></div>'
        f'<div class="attrmap-cblabel">{_text(scale.label)}</div></div>'
    )


def description_of(data: HeatmapData, style: Style) -> str:
    """The figure's alt text (the same words every other format carries)."""
    return figure_text_from_data(data, style).alt_text


def document(
    body: str,
    page_title: str,
    description: str,
    record: str | None,
    describedby: str,
    script: str = SCRIPT,
    hint: str = HINT,
) -> bytes:
    """A whole page around ``body``: the figure key first (within the first 8 kB, where
    ``provenance.read_figure_key`` looks), then styles and script."""
    key_meta = f'<meta name="attrmap-key" content="{_text(record)}">\n' if record else ""
    generator = f"attrmap {DRAWING_VERSION}"  # as figures do (output.figure_metadata)
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"{key_meta}"
        f'<meta name="generator" content="{_text(generator)}">\n'
        '<meta name="viewport" content="width=device-width,initial-scale=1">\n'
        f"<title>{_text(page_title)}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n"
        f'<figure class="attrmap">\n{body}\n'
        f'<p class="attrmap-detail" aria-live="polite">{hint}</p>\n'
        f'<figcaption id="{describedby}">{_text(description)}</figcaption>\n'
        f"</figure>\n<script>\n{script}</script>\n</body>\n</html>\n"
    )
    return page.encode("utf-8")


def _description_id(record: str | None) -> str:
    """Unique enough for two figures pasted into one report, and deterministic."""
    return f"attrmap-desc-{record[-8:]}" if record else "attrmap-desc"


def heatmap_html(
    data: HeatmapData,
    style: Style,
    record: str | None = None,
    description: str | None = None,
) -> bytes:
    """The page for one heatmap; ``record`` is its figure key as recorded (``attrmap:…``)
    and ``description`` defaults to the alt text."""
    describedby = _description_id(record)
    scale = ColorScale.of(data, style)
    page_title = data.title or scale.label
    description = description or description_of(data, style)
    if style.layout.layout == "text":
        body = text_flow(data, scale, describedby, style.layout.annotate == "always")
        return document(body, page_title, description, record, describedby, TEXT_SCRIPT, TEXT_HINT)
    table = grid_table(data, scale, data.title, describedby)
    body = f'<div class="attrmap-plot">{table}\n{legend(scale, data.shape[0])}</div>'
    return document(body, page_title, description, record, describedby)


def text_flow(data: HeatmapData, scale: ColorScale, describedby: str, annotate: bool) -> str:
    """The text layout as HTML: one block per expression, its tokens as running text the
    reader can select and search (a space between words, none between the pieces of
    one word), each on its value's colour; the legend beside."""
    rows, cols = data.shape
    backgrounds = scale.colors(data.values)
    exact = [repr(v) for v in data.values.ravel().tolist()]
    starts = word_starts(data.tokens)
    shown = [shown_text(t, s) for t, s in zip(data.tokens, starts, strict=True)]
    parts = ['<div class="attrmap-blocks">']
    if data.title:
        parts.append(f'<p class="attrmap-title">{_text(data.title)}</p>')
    for col, expression in enumerate(data.expressions):
        parts.append(f'<h2 class="attrmap-block">{_text(expression)}</h2>')
        parts.append(f'<p class="attrmap-flow" aria-describedby="{describedby}">')
        for row in range(rows):
            i = row * cols + col
            value = "" if data.missing[row, col] else f' data-v="{exact[i]}"'
            text = _text(shown[row])
            if annotate:
                text += f"<small>{_text(data.annotations[i])}</small>"
            kind = ' class="attrmap-annotated"' if annotate else ""
            gap = " " if row and starts[row] else ""
            parts.append(
                f'{gap}<span{kind} tabindex="{"0" if row == 0 else "-1"}" '
                f'style="background:{backgrounds[i]};color:{data.text_colors[i]}" '
                f'data-t="{_text(data.tokens[row])}" data-e="{_text(expression)}"{value}>'
                f"{text}</span>"
            )
        parts.append("</p>\n")
    parts.append("</div>")
    return f'<div class="attrmap-plot attrmap-textplot">{"".join(parts)}\n{legend(scale, 12)}</div>'


def notebook_html(data: HeatmapData, style: Style) -> str:
    """The heatmap as a notebook shows an ``AttributionMatrix``: the page's figure
    without the page (no script, styles scoped to it), at most ``NOTEBOOK_CELLS`` cells
    (the first tokens, on the whole matrix's scale, saying so first) in a box that
    scrolls, its colour scale staying in sight."""
    rows, cols = data.shape
    shown = max(1, min(rows, NOTEBOOK_CELLS // cols))
    part = data.token_rows(0, shown)
    describedby = "attrmap-desc-" + hashlib.sha256(data.values.tobytes()).hexdigest()[:8]
    scale = ColorScale.of(data, style)
    table = grid_table(part, scale, data.title, describedby)
    cut = (
        f'<p class="attrmap-detail">The first {shown:,} of {rows:,} tokens: '
        "attrmap.render_pages(matrix) draws them all.</p>\n"
        if shown < rows
        else ""
    )
    return (
        f"<style>\n{NOTEBOOK_CSS}</style>\n"
        f'<figure class="attrmap attrmap-nb">\n'
        f'{cut}<div class="attrmap-plot">{table}\n{legend(scale, shown)}</div>\n'
        f'<figcaption id="{describedby}">{_text(description_of(data, style))}</figcaption>\n'
        "</figure>\n"
    )


def comparison_html(
    comparison: Comparison, record: str | None = None, description: str | None = None
) -> bytes:
    """The page for a comparison: panels on one shared scale (side by side or stacked),
    then the difference on its own scale, each panel a ``<table>``."""
    describedby = _description_id(record)
    row_layout = comparison.options.layout == "row"
    blocks = []
    panels = comparison.panels
    if panels:
        prepared = [prepare_panel(panel) for panel in panels]
        scale = dataclasses.replace(
            ColorScale.of(prepared[0], comparison.style),
            extend=merged_extend([data.extend for data in prepared]),
        )
        tables = "\n".join(
            grid_table(data, scale, data.title, describedby, index == 0 or not row_layout)
            for index, data in enumerate(prepared)
        )
        blocks.append(
            f'<div class="attrmap-panels">{tables}</div>\n{legend(scale, prepared[0].shape[0])}'
        )
    difference = comparison.difference
    if difference is not None:
        data = prepare_panel(difference)
        scale = ColorScale.of(data, difference.style)
        show_tokens = not panels or not row_layout
        table = grid_table(data, scale, data.title, describedby, show_tokens)
        blocks.append(f"{table}\n{legend(scale, data.shape[0])}")
    body = "\n".join(f'<div class="attrmap-plot">{block}</div>' for block in blocks)
    body = f'<div class="attrmap-{comparison.options.layout}">{body}</div>'
    title = comparison.style.title
    if title:
        body = f'<h1 class="attrmap-title">{_text(display_label(title))}</h1>\n{body}'
    page_title = display_label(title) if title else " | ".join(comparison.titles)
    description = description or comparison_text(comparison).alt_text
    return document(body, page_title, description, record, describedby)
