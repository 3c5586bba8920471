"""Alt text: the short description embedded in every figure attrmap writes.

At most ``ALT_TEXT_LIMIT`` characters (what screen readers and journals expect of alt
text): the kind of figure, its grid, its colour scale, and its strongest positive and
negative cells. Labels are shortened with … when needed to stay within the limit.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..comparison import Comparison, prepare_panel
from ..labels import display_label
from ..model import AttributionMatrix
from ..prepared import HeatmapData, prepare_data
from ..style import Style
from .facts import Cell, Facts, facts_from_data
from .text_width import counted, shorten

ALT_TEXT_LIMIT = 250
TITLE_LIMIT = 200  # a document title is a name: long figure titles are shortened


@dataclass(frozen=True)
class FigureText:
    """The text a figure file carries for readers who cannot see it."""

    title: str  # PNG Title, SVG <title>, PDF /Title
    alt_text: str  # PNG Description, SVG <desc>, PDF /Subject


def alt_text(facts: Facts) -> str:
    """The alt text of a heatmap, at most ``ALT_TEXT_LIMIT`` characters."""
    for label_limit in (40, 30, 24, 18, 12, 8, 4):
        text = _alt_text(facts, label_limit)
        if len(text) <= ALT_TEXT_LIMIT:
            return text
    return shorten(text, ALT_TEXT_LIMIT)


def _alt_text(facts: Facts, label_limit: int) -> str:
    def label(text: str) -> str:
        return f'"{shorten(text, label_limit)}"'

    def cell(c: Cell) -> str:
        return f"{label(facts.tokens[c.row])} for {label(facts.expressions[c.column])} ({c.text})"

    rows, cols = facts.shape
    scale = facts.scale
    low, high = scale.low_label, scale.high_label
    kind = f"Heatmap {label(facts.title)}" if facts.title else "Heatmap"
    colours = f"{scale.low_colour} at {low}"
    if scale.centre is not None:
        colours += f", {scale.centre_colour} at {scale.centre_label}"
    colours += f", {scale.high_colour} at {high}"
    parts = [
        f"{kind} of {shorten(scale.label.lower(), max(label_limit, 60)) or 'values'}, "
        f"{counted(rows, 'token')} by {counted(cols, 'expression')}; colour: {colours}."
    ]
    if facts.missing_cells:
        parts.append(f"{facts.missing_cells} missing.")
    largest, smallest = facts.largest, facts.smallest
    if largest is None or smallest is None:
        parts.append("No values.")
    else:
        parts.append(
            f"Strongest positive: {cell(largest)}." if largest.value > 0 else "No positive values."
        )
        parts.append(
            f"Strongest negative: {cell(smallest)}."
            if smallest.value < 0
            else "No negative values."
        )
    return " ".join(parts)


def page_text(text: FigureText, marker: str | None) -> FigureText:
    """``text`` for one page of several: it says which tokens the page holds."""
    if marker is None:
        return text
    return FigureText(f"{text.title} ({marker})", f"{text.alt_text} This page: {marker}.")


def figure_text_from_data(data: HeatmapData, style: Style) -> FigureText:
    """Title and alt text for a figure; ``style.alt_text`` replaces the generated one."""
    facts = facts_from_data(data, style)
    title = shorten(f"Heatmap: {facts.title or facts.scale.label}", TITLE_LIMIT)
    return FigureText(title=title, alt_text=chosen_alt_text(facts, style))


def chosen_alt_text(facts: Facts, style: Style) -> str:
    """The user's ``alt_text`` if given (control characters as escapes: XML and PNG text
    cannot hold them all), else the generated one."""
    if style.alt_text is not None:
        return display_label(style.alt_text)
    return alt_text(facts)


def figure_text(matrix: AttributionMatrix, style: Style | None = None) -> FigureText:
    """Title and alt text for the figure of ``matrix`` drawn with ``style``."""
    style = style or Style()
    return figure_text_from_data(prepare_data(matrix, style), style)


def comparison_text(comparison: Comparison) -> FigureText:
    """Title and alt text of a comparison figure (``style.alt_text`` replaces the text):
    the panels, the shared scale, the difference, the strongest cells over all panels."""
    style = comparison.style
    title = shorten(f"Comparison: {', '.join(comparison.titles)}", TITLE_LIMIT)
    if style.alt_text is not None:
        return FigureText(title=title, alt_text=display_label(style.alt_text))
    panels = [(p.title, facts_from_data(prepare_panel(p), p.style)) for p in comparison.panels]
    difference = comparison.difference
    diff_facts = (
        facts_from_data(prepare_panel(difference), difference.style) if difference else None
    )
    for label_limit in (24, 18, 14, 10, 6):
        text = _comparison_alt_text(comparison, panels, diff_facts, label_limit)
        if len(text) <= ALT_TEXT_LIMIT:
            return FigureText(title=title, alt_text=text)
    return FigureText(title=title, alt_text=shorten(text, ALT_TEXT_LIMIT))


def _comparison_alt_text(
    comparison: Comparison,
    panels: list[tuple[str, Facts]],
    diff_facts: Facts | None,
    label_limit: int,
) -> str:
    def quoted(text: str) -> str:
        return f'"{shorten(text, label_limit)}"'

    def where(facts: Facts, cell: Cell, panel: str) -> str:
        return (
            f"{quoted(facts.tokens[cell.row])} for {quoted(facts.expressions[cell.column])}"
            f" in {quoted(panel)}, {cell.text}"
        )

    rows = comparison.matrices[0].shape[0]
    arranged = "side by side" if comparison.options.layout == "row" else "stacked"
    parts = []
    if panels:
        low, *_, high = panels[0][1].scale.tick_labels
        names = ", ".join(quoted(name) for name, _ in panels)
        parts.append(
            f"{len(panels)} heatmaps {arranged} ({names}), {rows} tokens, scale {low} to {high}."
        )
    if comparison.difference is not None and diff_facts is not None:
        low, *_, high = diff_facts.scale.tick_labels
        parts.append(f"Difference B \u2212 A on its own scale, {low} to {high}.")
    largest = [(f.largest, f, n) for n, f in panels if f.largest and f.largest.value > 0]
    smallest = [(f.smallest, f, n) for n, f in panels if f.smallest and f.smallest.value < 0]
    if largest:
        cell, facts, name = max(largest, key=lambda c: c[0].value)
        parts.append(f"Highest: {where(facts, cell, name)}.")
    if smallest:
        cell, facts, name = min(smallest, key=lambda c: c[0].value)
        parts.append(f"Lowest: {where(facts, cell, name)}.")
    return " ".join(parts)
