"""The heatmap in a terminal: one coloured cell per value, labels, and a colour scale.

Cells take the figure's colours (same colormap, range and centring) and the value is
printed in the figure's contrast colour (black or white). Truecolor when the terminal
says it supports it (``COLORTERM``), otherwise the 256-colour palette, or no colour at all.
Columns that do not fit the terminal's width are printed in blocks, each with the token
labels; long labels are shortened with …, measured by display width.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..prepared import HeatmapData
from ..scale import cell_colors, make_norm, resolve_cmap
from ..style import Style
from .facts import colour_scale
from .text_width import display_width, fit

MISSING_TEXT = "missing"
_LABEL_COLUMNS = 18  # a cell widens up to this for its expression label, no further
_MIN_TOKEN_COLUMNS = 4
_SCALE_COLUMNS = 40
_RESET = "\x1b[0m"


class ColorMode(enum.Enum):
    NONE = "none"
    PALETTE_256 = "256"
    TRUECOLOR = "truecolor"


@dataclass(frozen=True)
class TerminalOptions:
    width: int = 80  # columns available
    color: ColorMode = ColorMode.NONE


def color_mode(choice: str, env: Mapping[str, str], is_tty: bool) -> ColorMode:
    """``--color auto|always|never`` with ``NO_COLOR``, ``FORCE_COLOR`` and ``COLORTERM``.

    An explicit ``always`` or ``never`` wins over the environment; with ``auto``,
    ``NO_COLOR`` (non-empty) turns colour off, ``FORCE_COLOR`` (non-empty, not ``0``)
    turns it on without a terminal, and otherwise colour needs a terminal that is not
    ``TERM=dumb``.
    """
    if choice == "never":
        return ColorMode.NONE
    forced = env.get("FORCE_COLOR", "")
    if choice == "auto":
        if env.get("NO_COLOR"):
            return ColorMode.NONE
        if forced in ("", "0", "false") and (not is_tty or env.get("TERM") == "dumb"):
            return ColorMode.NONE
    truecolor = env.get("COLORTERM", "").lower() in ("truecolor", "24bit") or forced == "3"
    return ColorMode.TRUECOLOR if truecolor else ColorMode.PALETTE_256


def show(data: HeatmapData, style: Style, options: TerminalOptions | None = None) -> str:
    """The terminal drawing of a prepared heatmap, ending with a newline."""
    options = options or TerminalOptions()
    painter = _Painter(options.color)
    rows, cols = data.shape
    colours = _rgb255(cell_colors(data.values, data.colour_style(style))).reshape(rows, cols, 3)
    texts = [
        [data.annotations[r * cols + c] or MISSING_TEXT for c in range(cols)] for r in range(rows)
    ]
    text_colours = np.array(data.text_colors).reshape(rows, cols)
    missing = data.missing

    token_width = min(max(display_width(t) for t in data.tokens), max(8, options.width // 3))
    value_widths = [max(display_width(texts[r][c]) for r in range(rows)) + 2 for c in range(cols)]
    widths = [
        max(v, min(display_width(e) + 2, max(v, _LABEL_COLUMNS)))
        for v, e in zip(value_widths, data.expressions, strict=True)
    ]
    if token_width + 1 + sum(widths) > options.width:
        widths = value_widths  # labels shortened before columns are split into blocks
    token_width = min(token_width, max(_MIN_TOKEN_COLUMNS, options.width - 1 - max(widths)))
    # Values right-aligned within their column, so decimal points line up.
    value_columns = [w - 2 for w in value_widths]

    lines: list[str] = []
    if data.title:
        lines.append(fit(data.title, options.width).rstrip())
    for block in _blocks(widths, options.width - token_width - 1):
        if lines:
            lines.append("")
        header = " " * (token_width + 1) + "".join(
            fit(data.expressions[c], widths[c] - 1, "center") + " " for c in block
        )
        lines.append(header.rstrip())
        starts = {} if data.groups_across else dict((s, n) for n, s in data.groups)
        for r in range(rows):
            if r in starts:  # a labelled group (Source, Target) under a rule
                rule = token_width + 1 + sum(widths[c] for c in block)
                lines.append(("\u2500\u2500 " + starts[r] + " ").ljust(rule, "\u2500"))
            cells = []
            for c in block:
                text = "" if missing[r, c] and painter.colored else texts[r][c]
                text = fit(fit(text, value_columns[c], "right"), widths[c], "center")
                cells.append(painter.paint(text, colours[r, c], text_colours[r, c]))
            row = fit(data.tokens[r], token_width, "right") + " " + "".join(cells)
            lines.append(row + _RESET if painter.colored else row.rstrip())
    lines.append("")
    lines.append(_scale_line(data, style, painter, options.width))
    return "\n".join(lines) + "\n"


def _blocks(widths: Sequence[int], available: int) -> list[list[int]]:
    """Consecutive columns grouped so each group fits ``available`` (one at least)."""
    blocks: list[list[int]] = [[]]
    used = 0
    for column, width in enumerate(widths):
        if blocks[-1] and used + width > available:
            blocks.append([])
            used = 0
        blocks[-1].append(column)
        used += width
    return blocks


def _scale_line(data: HeatmapData, style: Style, painter: _Painter, width: int) -> str:
    scale = colour_scale(data, style)
    low, high = scale.low_label, scale.high_label
    if not painter.colored:
        centre = (
            f", centred on {scale.centre_label} ({scale.centre_colour})"
            if scale.centre is not None
            else ""
        )
        return fit(
            f"{scale.label}: {low} ({scale.low_colour}) to {high} ({scale.high_colour}){centre}",
            width,
        ).rstrip()
    room = width - len(low) - len(high) - 4  # the limits, and the spaces around the bar
    # The bar gives way to the label down to 8 cells, and to the width down to 1.
    steps = max(1, min(_SCALE_COLUMNS, max(min(8, room), room - display_width(scale.label))))
    samples = np.linspace(scale.vmin, scale.vmax, steps)
    colours = _rgb255(
        resolve_cmap(style, (scale.vmin, scale.vmax))(make_norm(scale.vmin, scale.vmax)(samples))
    )
    bar = "".join(painter.paint(" ", colour, None) for colour in colours) + _RESET
    label = fit(scale.label, max(0, room - steps)).rstrip()
    return f"{low} {bar} {high}  {label}".rstrip()


def _rgb255(rgba: np.ndarray) -> np.ndarray:
    return np.rint(np.asarray(rgba)[..., :3] * 255).astype(int)


class _Painter:
    """ANSI SGR colour sequences for the chosen colour depth (or none)."""

    _CUBE = np.array([0, 95, 135, 175, 215, 255])

    def __init__(self, mode: ColorMode) -> None:
        self.mode = mode
        self.colored = mode is not ColorMode.NONE

    def paint(self, text: str, background: np.ndarray, foreground: str | None) -> str:
        if not self.colored:
            return text
        sgr = self._sgr(48, background)
        if foreground is not None:
            sgr += self._sgr(38, _hex_rgb(foreground))
        return sgr + text

    def _sgr(self, layer: int, rgb: Sequence[int] | np.ndarray) -> str:
        red, green, blue = (int(c) for c in rgb)
        if self.mode is ColorMode.TRUECOLOR:
            return f"\x1b[{layer};2;{red};{green};{blue}m"
        return f"\x1b[{layer};5;{xterm_256(red, green, blue)}m"


def xterm_256(red: int, green: int, blue: int) -> int:
    """The nearest colour of the xterm 256-colour palette (6x6x6 cube or grey ramp)."""
    cube = _Painter._CUBE
    levels = [int(np.argmin(np.abs(cube - c))) for c in (red, green, blue)]
    cube_rgb = cube[levels]
    grey_index = min(23, max(0, round((red + green + blue) / 3 - 8) // 10))
    grey = 8 + 10 * grey_index
    target = np.array([red, green, blue])
    if np.sum((target - grey) ** 2) < np.sum((target - cube_rgb) ** 2):
        return 232 + grey_index
    return 16 + 36 * levels[0] + 6 * levels[1] + levels[2]


def _hex_rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)
