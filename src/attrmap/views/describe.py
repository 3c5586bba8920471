"""A written description of a heatmap, in the reference description's order: overview,
components and axes, the full table of values, key observations.

Every sentence states a computed fact (see ``facts.py``); there is deliberately no
"interpretation". The same matrix and style give byte-identical text. Markdown escapes
labels so that ``|``, ``*``, ``_``, backticks or ``$`` in a token cannot break the table;
JSON gives the same facts as data.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from typing import Any

from ..model import AttributionMatrix
from ..style import Style
from . import DESCRIPTION_FORMATS
from .alt_text import chosen_alt_text
from .facts import (
    NEAR_ZERO_SHARE,
    Cell,
    ExpressionExtremes,
    Facts,
    compute_facts,
)
from .text_width import counted, display_width

_LIST_LIMIT = 5  # cells named per sentence before "and N more"
_STANDOUT_LIMIT = 5  # standout tokens described before "and N more"
_MARKDOWN_SPECIAL = set("\\`*_[]<>|$~&")


class _Writer:
    """How one output format quotes labels, and lays out headings, lists and tables."""

    def __init__(self, markdown: bool) -> None:
        self.markdown = markdown
        self.lines: list[str] = []

    def escape(self, text: str) -> str:
        if not self.markdown:
            return text
        escaped = "".join("\\" + c if c in _MARKDOWN_SPECIAL else c for c in text)
        # Table cells and list items are trimmed: keep a label's outer spaces visible.
        stripped = escaped.strip(" ")
        if stripped != escaped:
            lead = len(escaped) - len(escaped.lstrip(" "))
            trail = len(escaped) - len(escaped.rstrip(" "))
            escaped = "&#32;" * lead + stripped + "&#32;" * trail
        return escaped

    def quote(self, label: str) -> str:
        return f'"{self.escape(label)}"'

    def heading(self, text: str, level: int) -> None:
        if self.lines and self.lines[-1]:
            self.lines.append("")
        if self.markdown:
            self.lines.append(f"{'#' * level} {text}")
        else:
            self.lines += [text, ("=" if level == 2 else "-") * display_width(text)]
        self.lines.append("")

    def paragraph(self, text: str) -> None:
        self.lines.append(text)

    def bullet(self, text: str, depth: int = 0) -> None:
        marker = "*" if self.markdown else "-"
        self.lines.append(f"{'  ' * depth}{marker} {text}")

    def bold(self, text: str) -> str:
        return f"**{text}**" if self.markdown else text

    def table(self, header: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
        rows = list(rows)
        if self.markdown:
            cells = [[self.escape(c) for c in row] for row in [header, *rows]]
            self.lines.append("| " + " | ".join(cells[0]) + " |")
            self.lines.append("|" + "---|" * len(header))
            self.lines += ["| " + " | ".join(row) + " |" for row in cells[1:]]
            return
        widths = [max(display_width(row[i]) for row in [header, *rows]) for i in range(len(header))]

        def line(row: Sequence[str]) -> str:
            padded = [
                text + " " * (width - display_width(text))
                if i == 0
                # numbers right-aligned, so their decimal points line up
                else " " * (width - display_width(text)) + text
                for i, (text, width) in enumerate(zip(row, widths, strict=True))
            ]
            return "  ".join(padded).rstrip()

        self.lines.append(line(header))
        self.lines.append("  ".join("-" * w for w in widths))
        self.lines += [line(row) for row in rows]

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def describe(facts: Facts, fmt: str = "markdown") -> str:
    """The description of one heatmap as Markdown, plain text or JSON."""
    if fmt == "json":
        return json.dumps(facts_as_data(facts), ensure_ascii=False, indent=2) + "\n"
    if fmt not in DESCRIPTION_FORMATS:
        raise ValueError(f"unknown description format {fmt!r}")
    w = _Writer(markdown=fmt == "markdown")
    w.heading(f"Heatmap: {w.escape(facts.title or facts.scale.label)}", 2)
    w.heading("Overview", 3)
    w.paragraph(_overview(facts, w))
    w.heading("Components/Axes", 3)
    for name, text in _components(facts, w):
        w.bullet(f"{w.bold(name)}: {text}")
    w.heading("Detailed Analysis", 3)
    w.paragraph(_table_intro(facts, w))
    w.paragraph("")
    grouped = ["Group"] if facts.groups else []
    w.table(
        [*grouped, "Token", *facts.expressions],
        (
            [*([facts.group_of(r)] if grouped else []), token, *(_cell_text(t) for t in row)]
            for r, (token, row) in enumerate(zip(facts.tokens, facts.annotations, strict=True))
        ),
    )
    w.heading("Key Observations", 3)
    for text, children in _observations(facts, w):
        w.bullet(text)
        for child in children:
            w.bullet(child, depth=1)
    return w.text()


def describe_matrix(
    matrix: AttributionMatrix, style: Style, fmt: str = "markdown", name_source: bool = False
) -> str:
    """The description of ``matrix`` as drawn with ``style``; ``fmt`` ``alt`` gives the
    alt text alone (prefixed with the file name when ``name_source``)."""
    facts = compute_facts(matrix, style)
    if fmt == "alt":
        return (f"{facts.source}: " if name_source else "") + chosen_alt_text(facts, style) + "\n"
    return describe(facts, fmt)


def join_descriptions(texts: Sequence[str], fmt: str, several: bool) -> str:
    """Several inputs' descriptions as one document: JSON becomes a list."""
    if fmt == "json" and several:
        items = [json.loads(text) for text in texts]
        return json.dumps(items, ensure_ascii=False, indent=2) + "\n"
    return ("\n" if fmt in ("markdown", "text") else "").join(texts)


# --------------------------------------------------------------------------- sentences


def _overview(facts: Facts, w: _Writer) -> str:
    rows, cols = facts.shape
    scale = facts.scale
    text = (
        f"A heatmap of {w.escape(scale.label.lower() or 'values')}: {counted(rows, 'token')} "
        f"({_side(facts, 'token')}) by {counted(cols, 'expression')} "
        f"({_side(facts, 'expression')}), "
        f"{counted(rows * cols, 'cell')}, "
        + ("each annotated with its value. " if facts.annotated else "without annotations. ")
        + f"Colour shows the value, {_colour_range(facts)}."
    )
    if facts.title:
        text += f" Title: {w.quote(facts.title)}."
    if facts.missing_cells:
        text += f" {counted(facts.missing_cells, 'cell')} missing, drawn grey without a value."
    return text + f" Data: {w.escape(facts.source)}."


def _colour_range(facts: Facts) -> str:
    scale = facts.scale
    low, high = scale.low_label, scale.high_label
    if scale.centre is None:
        return f"from {scale.low_colour} at {low} to {scale.high_colour} at {high}"
    return (
        f"from {scale.low_colour} (negative, {low}) through {scale.centre_colour} "
        f"({scale.centre_label}) to {scale.high_colour} (positive, {high})"
    )


def _components(facts: Facts, w: _Writer) -> list[tuple[str, str]]:
    scale = facts.scale
    rows, cols = facts.shape
    centred = (
        f", centred on {scale.centre_label} ({scale.centre_colour})"
        if scale.centre is not None
        else ""
    )
    low, high = scale.low_label, scale.high_label
    axes = [
        (_axis(facts, "expression"), counted(cols, "expression"), facts.expressions),
        (_axis(facts, "token"), counted(rows, "token"), facts.tokens),
    ]
    if facts.transposed:  # tokens across the top: list the top axis first, as ever
        axes.reverse()
    return [
        *((axis, f"{count}: {_labels(labels, w)}") for axis, count, labels in axes),
        (
            "Colorbar (right)",
            f"{w.quote(scale.label)} from {low} ({scale.low_colour}) to {high} "
            f"({scale.high_colour}){centred}, colormap {w.escape(scale.cmap)}; "
            f"ticks at {', '.join(scale.tick_labels)}.",
        ),
        (
            "Cells",
            (
                f"each annotated with its value (format {w.escape(facts.fmt)}) in black or "
                "white, whichever contrasts more with the cell"
                if facts.annotated
                else "coloured by value only, without annotations"
            )
            + ("; missing cells are grey and unannotated." if facts.missing_cells else "."),
        ),
        *([("Groups", _groups(facts, w))] if facts.groups else []),
        *([("Pages", w.escape(facts.pages))] if facts.pages else []),
    ]


def _groups(facts: Facts, w: _Writer) -> str:
    """The labelled groups of tokens (inseq's source and target) and where they are."""
    ends = [start for _, start in facts.groups[1:]] + [facts.shape[0]]
    spans = [
        f"{w.escape(name)}, tokens {start + 1}\u2013{end}"
        if end - start > 1
        else f"{w.escape(name)}, token {start + 1}"
        for (name, start), end in zip(facts.groups, ends, strict=True)
    ]
    return "; ".join(spans) + ", each named beside its tokens, a rule between them."


def _side(facts: Facts, kind: str) -> str:
    """Where the tokens or the expressions are drawn (``--transpose`` swaps them)."""
    on_top = (kind == "expression") != facts.transposed
    return "columns, across the top" if on_top else "rows, down the left"


def _axis(facts: Facts, kind: str) -> str:
    on_top = (kind == "expression") != facts.transposed
    return "X-axis (top)" if on_top else "Y-axis (left)"


def _table_intro(facts: Facts, w: _Writer) -> str:
    rows, cols = facts.shape
    signed_zero = any(_is_signed_zero(text) for row in facts.annotations for text in row)
    as_drawn = ", as drawn" if facts.annotated else ""
    return (
        f"The heatmap is a {rows}x{cols} grid; each cell's colour corresponds to its "
        f"{w.quote(facts.scale.label)} value. The values, "
        + ("as annotated in the cells " if facts.annotated else "not drawn in the cells ")
        + f"(format {w.escape(facts.fmt)}"
        + (
            f"; a negative value that rounds to zero keeps its sign{as_drawn}"
            if signed_zero
            else ""
        )
        + "):"
    )


def _observations(facts: Facts, w: _Writer) -> list[tuple[str, list[str]]]:
    out: list[tuple[str, list[str]]] = []
    if facts.largest is None or facts.smallest is None:
        return [("Every cell is missing: there are no values to compare.", [])]
    out.append((f"Largest value: {_cell_ref(facts, facts.largest, w)}.", []))
    smallest_name = "Most negative value" if facts.smallest.value < 0 else "Smallest value"
    out.append((f"{smallest_name}: {_cell_ref(facts, facts.smallest, w)}.", []))
    out.append(
        (
            "Strongest positive and strongest negative token for each expression:",
            [_expression_extremes(facts, e, w) for e in facts.per_expression],
        )
    )
    out.append(_standouts(facts, w))
    out.append((_near_zero(facts, w), []))
    out.append((_outside_range(facts, w), []))
    if facts.missing_cells:
        out.append(
            (
                f"Missing: {counted(facts.missing_cells, 'cell')} of {facts.values.size}, "
                "drawn grey without an annotation and left out of every count above.",
                [],
            )
        )
    return out


def _expression_extremes(facts: Facts, extremes: ExpressionExtremes, w: _Writer) -> str:
    name = _expression(facts, extremes.column, w)

    def token(cell: Cell | None, sign: str) -> str:
        if cell is None:
            return f"no {sign} value"
        return f"{sign} {_token(facts, cell.row, w)} ({cell.text})"

    positive = token(extremes.strongest_positive, "positive")
    negative = token(extremes.strongest_negative, "negative")
    return f"{name}: {positive}; {negative}."


def _standouts(facts: Facts, w: _Writer) -> tuple[str, list[str]]:
    cols = facts.shape[1]
    if not facts.standouts:
        return ("No token stands out: every value is near zero.", [])
    lines = []
    for standout in facts.standouts[:_STANDOUT_LIMIT]:
        where = standout.strongest_in
        if len(where) == cols:
            strongest = f"in all {cols} expressions" if cols > 1 else "in the one expression"
        else:
            strongest = f"in {len(where)} of {cols} expressions ({_expressions(facts, where, w)})"
        text = f"{_token(facts, standout.row, w)} has the largest magnitude {strongest}; it is "
        parts = []
        for cells, sign in ((standout.positive, "positive"), (standout.negative, "negative")):
            if len(cells) == 1 and cols > 1:
                parts.append(f"{sign} for {_cell_list(facts, cells, w, parenthesised=True)}")
            elif cells:
                listed = _cell_list(facts, cells, w)
                parts.append(f"{sign} for {_share(len(cells), cols)} ({listed})")
        if standout.zero:
            parts.append(f"exactly zero for {_share(len(standout.zero), cols)}")
        lines.append(text + _and(parts) + ".")
    more = len(facts.standouts) - _STANDOUT_LIMIT
    if more > 0:
        lines.append(f"and {counted(more, 'more token')}.")
    return ("Tokens that stand out (the largest magnitude of at least one expression):", lines)


def _near_zero(facts: Facts, w: _Writer) -> str:
    rows = facts.shape[0]
    quiet = len(facts.quiet_tokens)
    return (
        f"Near zero (|value| < {_number(facts.near_zero_threshold)}, "
        f"{_number(NEAR_ZERO_SHARE * 100)} % of the colour range): "
        f"{facts.near_zero_cells} of {counted(facts.present_cells, 'cell')}; "
        f"{quiet} of {counted(rows, 'token')} {'has' if quiet == 1 else 'have'} every value "
        "near zero."
    )


def _outside_range(facts: Facts, w: _Writer) -> str:
    scale = facts.scale
    low, high = scale.low_label, scale.high_label
    if not facts.above_range and not facts.below_range:
        return f"Every value lies within the colour range {low} to {high}."
    parts = []
    for cells, side, limit, colour, end in (
        (facts.above_range, "above", high, scale.high_colour, "top"),
        (facts.below_range, "below", low, scale.low_colour, "bottom"),
    ):
        if cells:
            listed = _limited([_cell_ref(facts, c, w) for c in cells], separator="; ")
            parts.append(
                f"{counted(len(cells), 'value')} {side} {limit} ({listed}), drawn in the end "
                f"colour ({colour}) with the colorbar's arrow at the {end}"
            )
    count = len(facts.above_range) + len(facts.below_range)
    shows = (
        "Its annotation shows the true value" if count == 1 else "Annotations show the true values"
    )
    return "Outside the colour range: " + "; ".join(parts) + f". {shows}."


# --------------------------------------------------------------------------- pieces


def _token(facts: Facts, row: int, w: _Writer) -> str:
    repeated = f" (row {row + 1})" if facts.token_is_repeated(row) else ""
    return w.quote(facts.tokens[row]) + repeated


def _expression(facts: Facts, column: int, w: _Writer) -> str:
    repeated = f" (column {column + 1})" if facts.expression_is_repeated(column) else ""
    return w.quote(facts.expressions[column]) + repeated


def _expressions(facts: Facts, columns: Sequence[int], w: _Writer) -> str:
    return _limited([_expression(facts, c, w) for c in columns])


def _cell_ref(facts: Facts, cell: Cell, w: _Writer) -> str:
    return (
        f"{cell.text}, token {_token(facts, cell.row, w)} for {_expression(facts, cell.column, w)}"
    )


def _cell_list(facts: Facts, cells: Sequence[Cell], w: _Writer, parenthesised: bool = False) -> str:
    """Expressions with the values of one token: ``"3 x 4 = 12" 0.6865, ...``."""
    value = "({})" if parenthesised else "{}"
    return _limited([f"{_expression(facts, c.column, w)} {value.format(c.text)}" for c in cells])


def _and(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _limited(items: list[str], separator: str = ", ") -> str:
    if len(items) <= _LIST_LIMIT:
        return separator.join(items)
    return separator.join(items[:_LIST_LIMIT]) + f" and {len(items) - _LIST_LIMIT} more"


def _labels(labels: Sequence[str], w: _Writer) -> str:
    return ", ".join(w.quote(label) for label in labels)


def _share(n: int, total: int) -> str:
    return f"{n} of {total} expressions" if total > 1 else "the expression"


def _number(value: float) -> str:
    return f"{value:.6g}"


def _cell_text(text: str) -> str:
    return text if text else "missing"


def _is_signed_zero(text: str) -> bool:
    try:
        return text.startswith("-") and float(text) == 0
    except ValueError:
        return False


# --------------------------------------------------------------------------- JSON


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
