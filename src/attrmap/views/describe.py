"""A written description of a heatmap, in the reference description's order: overview,
components and axes, the full table of values, key observations.

Every sentence states a computed fact (see ``facts.py``); there is deliberately no
"interpretation". The same matrix and style give byte-identical text. Markdown escapes
labels so that ``|``, ``*``, ``_``, backticks or ``$`` in a token cannot break the table;
JSON gives the same facts as data.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from ..labels import display_label
from ..model import AttributionMatrix
from ..settings import format_page
from ..style import Style
from . import DESCRIPTION_FORMATS
from .alt_text import chosen_alt_text
from .description_json import facts_as_data
from .description_writer import DescriptionWriter
from .facts import (
    NEAR_ZERO_SHARE,
    Cell,
    ExpressionExtremes,
    Facts,
    compute_facts,
)
from .pages import FigurePages
from .text_width import counted

_LIST_LIMIT = 5  # cells named per sentence before "and N more"
_STANDOUT_LIMIT = 5  # standout tokens described before "and N more"


def describe(facts: Facts, fmt: str = "markdown") -> str:
    """The description of one heatmap as Markdown, plain text or JSON."""
    if fmt == "json":
        return json.dumps(facts_as_data(facts), ensure_ascii=False, indent=2) + "\n"
    if fmt not in DESCRIPTION_FORMATS:
        raise ValueError(f"unknown description format {fmt!r}")
    w = DescriptionWriter(markdown=fmt == "markdown")
    w.heading(f"Heatmap: {w.escape(facts.title or facts.scale.label)}", 2)
    w.heading("Overview", 3)
    w.paragraph(_overview(facts, w))
    w.heading("Components/Axes", 3)
    for name, text in _components(facts, w):
        w.bullet(f"{w.bold(name)}: {text}")
    if facts.pages is not None:
        text, children = _pages(facts.pages)
        w.bullet(f"{w.bold('Pages')}: {w.escape(text)}")
        for child in children:
            w.bullet(w.escape(child), depth=1)
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
        named = f"{display_label(facts.source)}: " if name_source else ""
        return named + chosen_alt_text(facts, style) + "\n"
    return describe(facts, fmt)


def join_descriptions(texts: Sequence[str], fmt: str, several: bool) -> str:
    """Several inputs' descriptions as one document: JSON becomes a list."""
    if fmt == "json" and several:
        items = [json.loads(text) for text in texts]
        return json.dumps(items, ensure_ascii=False, indent=2) + "\n"
    return ("\n" if fmt in ("markdown", "text") else "").join(texts)


# --------------------------------------------------------------------------- sentences


def _overview(facts: Facts, w: DescriptionWriter) -> str:
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
    return text + f" Data: {w.escape(display_label(facts.source))}."  # a name can hold ESC


def _colour_range(facts: Facts) -> str:
    scale = facts.scale
    low, high = scale.low_label, scale.high_label
    if scale.centre is None:
        return f"from {scale.low_colour} at {low} to {scale.high_colour} at {high}"
    return (
        f"from {scale.low_colour} (negative, {low}) through {scale.centre_colour} "
        f"({scale.centre_label}) to {scale.high_colour} (positive, {high})"
    )


def _components(facts: Facts, w: DescriptionWriter) -> list[tuple[str, str]]:
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
    ]


def _groups(facts: Facts, w: DescriptionWriter) -> str:
    """The labelled groups of tokens (inseq's source and target) and where they are."""
    ends = [start for _, start in facts.groups[1:]] + [facts.shape[0]]
    spans = [
        f"{w.escape(name)}, tokens {start + 1}\u2013{end}"
        if end - start > 1
        else f"{w.escape(name)}, token {start + 1}"
        for (name, start), end in zip(facts.groups, ends, strict=True)
    ]
    return "; ".join(spans) + ", each named beside its tokens, a rule between them."


def _pages(pages: FigurePages) -> tuple[str, list[str]]:
    """How the figure is laid out on pages, and what each page holds (its marker)."""
    parts = []
    if pages.layout == "text":
        parts.append(
            "the tokens as running text, one block per expression headed by it, each "
            "token on a box of its value's colour"
        )
    count = _page_count(len(pages.pages))
    if pages.paper is not None:
        name, inches = _paper_name(pages.paper), f"{pages.paper[0]:g} x {pages.paper[1]:g} in"
        count = (
            count.replace("page", f"{name} page") + f" ({inches})"
            if name
            else f"{count} of {inches}"
        )
    if pages.vector_pages is not None:
        count += (
            f" as PNG (as SVG or PDF, which have no pixel limit: "
            f"{_page_count(len(pages.vector_pages))})"
        )
    if len(pages.pages) > 1 or pages.vector_pages is not None:
        held = "tokens and expressions" if pages.tiled else "tokens"
        count += f", each marked with the {held} it holds"
    parts.append(count)
    text = "; ".join(parts)
    children = [f"page {n}: {page.marker}" for n, page in enumerate(pages.pages, 1) if page.marker]
    if pages.vector_pages is not None:
        children += [
            f"SVG or PDF page {n}: {page.marker}"
            for n, page in enumerate(pages.vector_pages, 1)
            if page.marker
        ]
    return text[0].upper() + text[1:] + (":" if children else "."), children


def _page_count(count: int) -> str:
    return "one page" if count == 1 else f"{count:,} pages"


def _paper_name(paper: tuple[float, float]) -> str | None:
    """A paper size's name as people write it (A4, Letter); None for another size."""
    name = format_page(paper) or ""
    return name.upper() if name[:1] == "a" else name.capitalize() if name.isalpha() else None


def _side(facts: Facts, kind: str) -> str:
    """Where the tokens or the expressions are drawn (``--transpose`` swaps them)."""
    on_top = (kind == "expression") != facts.transposed
    return "columns, across the top" if on_top else "rows, down the left"


def _axis(facts: Facts, kind: str) -> str:
    on_top = (kind == "expression") != facts.transposed
    return "X-axis (top)" if on_top else "Y-axis (left)"


def _table_intro(facts: Facts, w: DescriptionWriter) -> str:
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


def _observations(facts: Facts, w: DescriptionWriter) -> list[tuple[str, list[str]]]:
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


def _expression_extremes(facts: Facts, extremes: ExpressionExtremes, w: DescriptionWriter) -> str:
    name = _expression(facts, extremes.column, w)

    def token(cell: Cell | None, sign: str) -> str:
        if cell is None:
            return f"no {sign} value"
        return f"{sign} {_token(facts, cell.row, w)} ({cell.text})"

    positive = token(extremes.strongest_positive, "positive")
    negative = token(extremes.strongest_negative, "negative")
    return f"{name}: {positive}; {negative}."


def _standouts(facts: Facts, w: DescriptionWriter) -> tuple[str, list[str]]:
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


def _near_zero(facts: Facts, w: DescriptionWriter) -> str:
    rows = facts.shape[0]
    quiet = len(facts.quiet_tokens)
    return (
        f"Near zero (|value| < {_number(facts.near_zero_threshold)}, "
        f"{_number(NEAR_ZERO_SHARE * 100)} % of the colour range): "
        f"{facts.near_zero_cells} of {counted(facts.present_cells, 'cell')}; "
        f"{quiet} of {counted(rows, 'token')} {'has' if quiet == 1 else 'have'} every value "
        "near zero."
    )


def _outside_range(facts: Facts, w: DescriptionWriter) -> str:
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


def _token(facts: Facts, row: int, w: DescriptionWriter) -> str:
    repeated = f" (row {row + 1})" if facts.token_is_repeated(row) else ""
    return w.quote(facts.tokens[row]) + repeated


def _expression(facts: Facts, column: int, w: DescriptionWriter) -> str:
    repeated = f" (column {column + 1})" if facts.expression_is_repeated(column) else ""
    return w.quote(facts.expressions[column]) + repeated


def _expressions(facts: Facts, columns: Sequence[int], w: DescriptionWriter) -> str:
    return _limited([_expression(facts, c, w) for c in columns])


def _cell_ref(facts: Facts, cell: Cell, w: DescriptionWriter) -> str:
    return (
        f"{cell.text}, token {_token(facts, cell.row, w)} for {_expression(facts, cell.column, w)}"
    )


def _cell_list(
    facts: Facts, cells: Sequence[Cell], w: DescriptionWriter, parenthesised: bool = False
) -> str:
    """Expressions with the values of one token: ``"3 x 4 = 12" 0.6865, ...``."""
    value = "({})" if parenthesised else "{}"
    return _limited([f"{_expression(facts, c.column, w)} {value.format(c.text)}" for c in cells])


def _and(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _limited(items: list[str], separator: str = ", ") -> str:
    if len(items) <= _LIST_LIMIT:
        return separator.join(items)
    return separator.join(items[:_LIST_LIMIT]) + f" and {len(items) - _LIST_LIMIT} more"


def _labels(labels: Sequence[str], w: DescriptionWriter) -> str:
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
