"""The description's facts as data: what ``describe --format json`` writes (missing
values are null)."""

from __future__ import annotations

import math
from typing import Any

from ..settings import format_page
from .facts import NEAR_ZERO_SHARE, Cell, Facts
from .pages import FigurePages, PageSpan


def facts_as_data(facts: Facts) -> dict[str, Any]:
    """The description's facts as plain data (JSON-ready; missing values are null)."""

    def value(v: float) -> float | None:
        return None if math.isnan(v) else v

    def cell(c: Cell | None) -> dict[str, Any] | None:
        if c is None:
            return None
        return {
            "token": facts.tokens[c.row],
            "row": c.row + 1,
            "expression": facts.expressions[c.column],
            "column": c.column + 1,
            "value": c.value,
            "text": c.text,
        }

    scale = facts.scale
    rows, cols = facts.shape
    return {
        "overview": {
            "kind": "heatmap",
            "source": facts.source,
            "title": facts.title,
            "tokens": rows,
            "expressions": cols,
            "cells": rows * cols,
            "missing_cells": facts.missing_cells,
        },
        "axes": {
            "x_top": {"name": "expressions", "labels": list(facts.expressions)},
            "y_left": {"name": "tokens", "labels": list(facts.tokens)},
            "groups": [{"name": name, "first_token": start} for name, start in facts.groups],
            "colorbar": {
                "label": scale.label,
                "cmap": scale.cmap,
                "vmin": scale.vmin,
                "vmax": scale.vmax,
                "ticks": list(scale.ticks),
                "tick_labels": list(scale.tick_labels),
                "low_colour": scale.low_colour,
                "high_colour": scale.high_colour,
                "centre": scale.centre,
                "centre_colour": scale.centre_colour,
            },
            "annotation_format": facts.fmt,
        },
        "pages": None if facts.pages is None else _pages(facts.pages),
        "table": {
            "values": [[value(v) for v in row] for row in facts.values.tolist()],
            "annotations": [[t or None for t in row] for row in facts.annotations],
        },
        "observations": {
            "largest": cell(facts.largest),
            "smallest": cell(facts.smallest),
            "per_expression": [
                {
                    "expression": facts.expressions[e.column],
                    "column": e.column + 1,
                    "strongest_positive": cell(e.strongest_positive),
                    "strongest_negative": cell(e.strongest_negative),
                }
                for e in facts.per_expression
            ],
            "standout_tokens": [
                {
                    "token": facts.tokens[s.row],
                    "row": s.row + 1,
                    "strongest_in": [facts.expressions[c] for c in s.strongest_in],
                    "positive": [cell(c) for c in s.positive],
                    "negative": [cell(c) for c in s.negative],
                    "zero": [cell(c) for c in s.zero],
                }
                for s in facts.standouts
            ],
            "near_zero": {
                "threshold": facts.near_zero_threshold,
                "share_of_range": NEAR_ZERO_SHARE,
                "cells": facts.near_zero_cells,
                "of_cells": facts.present_cells,
                "tokens_all_near_zero": [facts.tokens[r] for r in facts.quiet_tokens],
                "token_rows_all_near_zero": [r + 1 for r in facts.quiet_tokens],
            },
            "outside_range": {
                "above": [cell(c) for c in facts.above_range],
                "below": [cell(c) for c in facts.below_range],
                "drawn_as": "the end colour of the colormap, with a colorbar arrow on that side; "
                "the annotation shows the true value",
            },
        },
    }


def _pages(pages: FigurePages) -> dict[str, Any]:
    """The pages as PNG (and as SVG or PDF when they differ): what each holds, 1-based
    and inclusive, and its marker as printed."""

    def listed(spans: tuple[PageSpan, ...]) -> list[dict[str, Any]]:
        return [
            {
                "tokens": [page.tokens[0] + 1, page.tokens[1]],
                "expressions": [page.expressions[0] + 1, page.expressions[1]],
                "marker": page.marker,
            }
            for page in spans
        ]

    paper = pages.paper
    return {
        "layout": pages.layout,
        "paper": None
        if paper is None
        else {"name": format_page(paper), "width_in": paper[0], "height_in": paper[1]},
        "count": len(pages.pages),
        "pages": listed(pages.pages),
        "svg_pdf_pages": None if pages.vector_pages is None else listed(pages.vector_pages),
    }
