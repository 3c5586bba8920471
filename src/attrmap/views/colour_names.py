"""Plain colour names ("red", "green") for colours of a colormap.

A description must say which end of the scale is which colour; a reader needs a word, not
an RGB triple. Colours are named by hue family (with greys by lightness), which names the
ends of the diverging colormaps as people do: RdYlGn red/green, RdBu red/blue, PuOr
brown/purple, BrBG brown/teal, viridis purple/yellow.
"""

from __future__ import annotations

import colorsys
from collections.abc import Sequence

#: Upper hue bound (degrees) of each hue family, in order around the colour wheel.
_HUES: tuple[tuple[float, str], ...] = (
    (15, "red"),
    (45, "orange"),
    (70, "yellow"),
    (160, "green"),
    (185, "teal"),
    (200, "cyan"),
    (255, "blue"),
    (290, "purple"),
    (335, "magenta"),
    (360, "red"),
)
_GREY_CHROMA = 0.08  # max(RGB) - min(RGB) below this is a grey


def colour_name(rgb: Sequence[float]) -> str:
    """The everyday name of an sRGB colour with components in [0, 1]."""
    red, green, blue = (float(c) for c in rgb[:3])
    chroma = max(red, green, blue) - min(red, green, blue)
    hue, lightness, _ = colorsys.rgb_to_hls(red, green, blue)
    if chroma < _GREY_CHROMA:
        if lightness > 0.9:
            return "white"
        if lightness < 0.12:
            return "black"
        return "light grey" if lightness > 0.65 else "grey"
    degrees = hue * 360
    name = next(name for bound, name in _HUES if degrees < bound or bound == 360)
    if name == "orange" and lightness < 0.35:
        return "brown"
    if name == "magenta" and lightness > 0.7:
        return "pink"
    return name
