"""Alt text: the short description embedded in every figure attrmap writes.

At most ``ALT_TEXT_LIMIT`` characters (what screen readers and journals expect of alt
text): the kind of figure, its grid, its colour scale, and its strongest positive and
negative cells. Labels are shortened with … when needed to stay within the limit.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..heatmap import HeatmapData, prepare_data
from ..labels import display_label
from ..model import AttributionMatrix
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
