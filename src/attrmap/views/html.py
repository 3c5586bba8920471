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

#: Stops of the colour-scale gradient: enough that the browser's linear interpolation
#: between them is indistinguishable from the colormap's own 256 entries.
_GRADIENT_STOPS = 65

# The page's own colours and font; a notebook keeps its own (``_NOTEBOOK_CSS``).
_PAGE_CSS = """\
:root{color-scheme:light dark;--fg:#1b1b1b;--bg:#ffffff;--muted:#555555;--line:#1b1b1b}
@media (prefers-color-scheme:dark){:root{--fg:#ececec;--bg:#161616;--muted:#b4b4b4;\
--line:#d8d8d8}}
body{margin:1rem;background:var(--bg);color:var(--fg);\
font:16px/1.4 "DejaVu Sans",Verdana,system-ui,sans-serif}
"""
# The figure's, every selector under .attrmap: safe inside someone else's page.
_FIGURE_CSS = """\
.attrmap{margin:0;--row:2em}
.attrmap-plot{display:flex;align-items:flex-end;gap:1.25em;overflow-x:auto;\
padding:.25em 0 .5em}
.attrmap-grid{border-collapse:collapse}
.attrmap-grid caption{font-size:1.2em;padding-bottom:.4em;white-space:pre-wrap}
.attrmap-grid th{font-weight:normal;white-space:pre;padding:0 .45em}
.attrmap-grid thead th{vertical-align:bottom;text-align:center;padding-bottom:.3em}
.attrmap-grid tbody th{text-align:right}
.attrmap-grid tbody tr{height:var(--row)}
.attrmap-grid th.attrmap-group{text-align:left;font-weight:bold;padding-top:.3em}
.attrmap-grid tbody+tbody th.attrmap-group{border-top:2px solid #000}
.attrmap-grid td{min-width:4.6em;padding:0 .4em;text-align:center;\
font-size:.9em;font-variant-numeric:tabular-nums;cursor:default}
.attrmap-grid td:focus,.attrmap-grid td:hover{outline:3px solid #000;\
box-shadow:inset 0 0 0 3px #fff;outline-offset:-1px}
.attrmap-grid td:focus{position:relative;z-index:1}
.attrmap-legend{display:flex;align-items:center;gap:.4em;flex:none}
.attrmap-scale{position:relative;width:1.1em;height:min(calc(var(--rows) * var(--row)),36em);\
margin-right:3.6em;border:1px solid var(--line)}
.attrmap-bar{position:absolute;inset:0}
.attrmap-ticks{list-style:none;margin:0;padding:0}
.attrmap-ticks li{position:absolute;left:100%;padding-left:.5em;transform:translateY(50%);\
font-size:.85em;white-space:nowrap}
.attrmap-ticks li::before{content:"";position:absolute;left:0;top:50%;width:.35em;\
border-top:1px solid var(--line)}
.attrmap-arrow{position:absolute;left:-1px;width:0;height:0;\
border-left:calc(.55em + 1px) solid transparent;border-right:calc(.55em + 1px) solid transparent}
.attrmap-arrow.max{bottom:100%;border-bottom:.8em solid}
.attrmap-arrow.min{top:100%;border-top:.8em solid}
.attrmap-cblabel{writing-mode:vertical-rl;transform:rotate(180deg);white-space:pre}
.attrmap-detail{min-height:1.4em;margin:.4em 0;font-variant-numeric:tabular-nums}
.attrmap figcaption{color:var(--muted);max-width:60em}
.attrmap-vh{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);\
white-space:nowrap;padding:0}
.attrmap-title{font-size:1.25em;margin:0 0 .3em;font-weight:normal}
.attrmap-row{display:flex;align-items:flex-end;gap:1.5em;overflow-x:auto}
.attrmap-row>.attrmap-plot{flex:none;overflow:visible}
.attrmap-panels{display:flex;gap:1.25em;align-items:flex-end}
.attrmap-column .attrmap-panels{flex-direction:column;align-items:flex-start}
.attrmap-textplot{align-items:flex-start}
.attrmap-blocks{max-width:48em;flex:1 1 auto}
.attrmap-block{font-size:1.05em;margin:.8em 0 .3em;font-weight:normal}
.attrmap-flow{margin:0;line-height:1.9}
.attrmap-flow span{padding:.15em .1em;border-radius:2px;cursor:default;\
box-decoration-break:clone;-webkit-box-decoration-break:clone}
.attrmap-flow span:focus,.attrmap-flow span:hover{outline:2px solid #000;box-shadow:0 0 0 2px #fff}
.attrmap-flow small{display:block;font-size:.75em;line-height:1.1;text-align:center}
.attrmap-flow .attrmap-annotated{display:inline-block;line-height:1.2;text-align:center;\
margin:.15em 0}
"""
_CSS = _PAGE_CSS + _FIGURE_CSS
# In a notebook: the notebook's text colour and font, a box that scrolls past 32em, and
# its table styles (striped rows, borders, right-aligned cells) undone for the heatmap.
_NOTEBOOK_CSS = (
    """\
.attrmap-nb{--fg:currentColor;--muted:currentColor;--line:currentColor;max-height:32em;\
overflow:auto}
.attrmap-nb .attrmap-grid tr,.attrmap-nb .attrmap-grid th{background:transparent!important;\
border:none!important}
.attrmap-nb .attrmap-grid td{border:none!important;text-align:center;padding:0 .4em}
.attrmap-nb .attrmap-grid tbody th{text-align:right}
.attrmap-nb .attrmap-plot{align-items:flex-start;overflow:visible}
.attrmap-nb .attrmap-legend{position:sticky;top:1.5em}
.attrmap-nb .attrmap-scale{height:min(calc(var(--rows) * var(--row)),24em)}
"""
    + _FIGURE_CSS
)
#: The most cells a notebook shows of a matrix (its first tokens): ~100 bytes each.
NOTEBOOK_CELLS = 2000

# Hover or focus a cell: say what it is. Arrow keys, Home and End move a roving
# tabindex, so Tab enters the grid once and leaves it with one more Tab.
_SCRIPT = """\
(function(){
function say(td){var tr=td.parentNode,table=tr.closest("table"),fig=table.closest("figure");
var head=table.tHead.rows[table.tHead.rows.length-1].cells[td.cellIndex];
var v=td.getAttribute("data-v");
fig.querySelector(".attrmap-detail").textContent="Token \\u201c"+tr.cells[0].textContent+
"\\u201d, expression \\u201c"+head.textContent+"\\u201d: "+(v===null?"missing":v);}
function cellOf(e){var td=e.target.closest&&e.target.closest(".attrmap-grid tbody td");
return td||null;}
document.addEventListener("mouseover",function(e){var td=cellOf(e);if(td)say(td);});
document.addEventListener("focusin",function(e){var td=cellOf(e);if(td)say(td);});
document.addEventListener("keydown",function(e){var td=cellOf(e);if(!td)return;
var rows=td.parentNode.parentNode.rows,r=td.parentNode.sectionRowIndex,c=td.cellIndex,
last=rows[r].cells.length-1;
switch(e.key){case"ArrowUp":r--;break;case"ArrowDown":r++;break;
case"ArrowLeft":c--;break;case"ArrowRight":c++;break;
case"Home":c=1;break;case"End":c=last;break;default:return;}
e.preventDefault();if(r<0||r>=rows.length||c<1||c>last)return;
var next=rows[r].cells[c];td.tabIndex=-1;next.tabIndex=0;next.focus();});
})();
"""

# Text layout (``layout: text``): hover or focus a token; arrow keys move along the text.
_TEXT_SCRIPT = """\
(function(){
function spanOf(e){var s=e.target.closest&&e.target.closest(".attrmap-flow span[data-e]");
return s||null;}
function say(s){var fig=s.closest("figure");var v=s.getAttribute("data-v");
fig.querySelector(".attrmap-detail").textContent="Token \\u201c"+s.getAttribute("data-t")+
"\\u201d, expression \\u201c"+s.getAttribute("data-e")+"\\u201d: "+(v===null?"missing":v);}
document.addEventListener("mouseover",function(e){var s=spanOf(e);if(s)say(s);});
document.addEventListener("focusin",function(e){var s=spanOf(e);if(s)say(s);});
document.addEventListener("keydown",function(e){var s=spanOf(e);if(!s)return;
var all=s.parentNode.querySelectorAll("span[data-e]"),i=Array.prototype.indexOf.call(all,s);
switch(e.key){case"ArrowLeft":i--;break;case"ArrowRight":i++;break;
case"Home":i=0;break;case"End":i=all.length-1;break;default:return;}
e.preventDefault();if(i<0||i>=all.length)return;
s.tabIndex=-1;all[i].tabIndex=0;all[i].focus();});
})();
"""
_TEXT_HINT = (
    "Hover over a token, or Tab into the text and use the arrow keys, to see its "
    "expression and exact value."
)

_HINT = (
    "Hover over a cell, or Tab into the table and use the arrow keys, to see its token, "
    "expression and exact value."
)


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
    script: str = _SCRIPT,
    hint: str = _HINT,
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
        f"<title>{_text(page_title)}</title>\n<style>\n{_CSS}</style>\n</head>\n<body>\n"
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
        return document(
            body, page_title, description, record, describedby, _TEXT_SCRIPT, _TEXT_HINT
        )
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
        f"<style>\n{_NOTEBOOK_CSS}</style>\n"
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
