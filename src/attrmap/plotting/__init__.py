"""Drawing: an annotated heatmap with matplotlib's object API (no pyplot, Agg canvas).

The parts, each reusable by other figures (pages, comparison panels):

- ``prepared.prepare_data`` (outside this package): labels, annotations, colours;
- ``layout``: where everything goes, in inches, measured before drawing;
- ``planning``: a matrix planned as pages (``prepare_pages``), free of drawing code;
- ``canvas``: one figure for a layout, which shows any matrix of that layout;
- ``figures``: canvases kept between figures, ``render`` and ``render_pages``;
- ``rc``: the fixed matplotlib settings figures are drawn and saved under;
- ``axes``: the heatmap drawn into an Axes of one's own (``attrmap.heatmap``);
- ``display``: figures that show themselves in Jupyter;
- ``arguments``: style settings given as keywords.

Names are imported from their modules when first asked for (PEP 562), so planning pages
(``describe`` does) never loads the drawing modules and their matplotlib backend.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .axes import heatmap
    from .canvas import HeatmapCanvas
    from .figures import (
        Canvases,
        canvas_for,
        draw_pages,
        render,
        render_pages,
        render_text_pages,
    )
    from .layout import FigurePlan
    from .placement import Layout
    from .planning import Page, prepare, prepare_pages, prepare_text_pages
    from .rc import RC, isolated_rc
    from .text_canvas import TextCanvas, draw_text_page
    from .text_flow import TextPage

__all__ = [
    "RC",
    "Canvases",
    "FigurePlan",
    "HeatmapCanvas",
    "Layout",
    "Page",
    "TextCanvas",
    "TextPage",
    "canvas_for",
    "draw_pages",
    "draw_text_page",
    "heatmap",
    "isolated_rc",
    "prepare",
    "prepare_pages",
    "prepare_text_pages",
    "render",
    "render_pages",
    "render_text_pages",
]

#: Where each name of the package lives (``Canvas`` and ``register_fonts`` too, though
#: not public).
_HOMES = {
    "heatmap": "axes",
    "HeatmapCanvas": "canvas",
    **dict.fromkeys(
        (
            "Canvas",
            "Canvases",
            "canvas_for",
            "draw_pages",
            "render",
            "render_pages",
            "render_text_pages",
        ),
        "figures",
    ),
    "FigurePlan": "layout",
    "Layout": "placement",
    **dict.fromkeys(("Page", "prepare", "prepare_pages", "prepare_text_pages"), "planning"),
    **dict.fromkeys(("RC", "isolated_rc", "register_fonts"), "rc"),
    **dict.fromkeys(("TextCanvas", "draw_text_page"), "text_canvas"),
    "TextPage": "text_flow",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})
