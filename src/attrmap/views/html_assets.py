"""What every HTML page and notebook view inlines: the styles (the page's own, the
figure's, all under ``.attrmap``, and a notebook's overrides), the scripts that say what
a hovered or focused cell or token is, and the hint lines beside them."""

from __future__ import annotations

# The page's own colours and font; a notebook keeps its own (``NOTEBOOK_CSS``).
PAGE_CSS = """\
:root{color-scheme:light dark;--fg:#1b1b1b;--bg:#ffffff;--muted:#555555;--line:#1b1b1b}
@media (prefers-color-scheme:dark){:root{--fg:#ececec;--bg:#161616;--muted:#b4b4b4;\
--line:#d8d8d8}}
body{margin:1rem;background:var(--bg);color:var(--fg);\
font:16px/1.4 "DejaVu Sans",Verdana,system-ui,sans-serif}
"""
# The figure's, every selector under .attrmap: safe inside someone else's page.
FIGURE_CSS = """\
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
CSS = PAGE_CSS + FIGURE_CSS
# In a notebook: the notebook's text colour and font, a box that scrolls past 32em, and
# its table styles (striped rows, borders, right-aligned cells) undone for the heatmap.
NOTEBOOK_CSS = (
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
    + FIGURE_CSS
)

# Hover or focus a cell: say what it is. Arrow keys, Home and End move a roving
# tabindex, so Tab enters the grid once and leaves it with one more Tab.
SCRIPT = """\
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
TEXT_SCRIPT = """\
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
TEXT_HINT = (
    "Hover over a token, or Tab into the text and use the arrow keys, to see its "
    "expression and exact value."
)

HINT = (
    "Hover over a cell, or Tab into the table and use the arrow keys, to see its token, "
    "expression and exact value."
)
