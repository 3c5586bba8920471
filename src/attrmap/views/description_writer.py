"""How a description is laid out as Markdown or plain text: labels quoted (escaped in
Markdown, so a ``|`` or ``*`` in a token cannot break the table), headings, bullets and
tables (plain-text columns padded by display width)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .text_width import display_width

_MARKDOWN_SPECIAL = set("\\`*_[]<>|$~&")


class DescriptionWriter:
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
