"""Colour and scale: which colour a value gets, and which colour its annotation needs.

Shared by every view of a matrix (the matplotlib figure, and text views such as HTML or
the terminal), so they all show the same colours. Uses ``matplotlib.colors`` for the
colormaps, never pyplot or a backend.
"""

from __future__ import annotations

import math

import matplotlib as mpl
import numpy as np
from matplotlib import colors as mcolors

from .errors import StyleError
from .style import Style

#: Colour of a missing cell: a neutral grey that none of the diverging colormaps uses.
MISSING_COLOR = "#bdbdbd"


def relative_luminance(rgb: np.ndarray) -> np.ndarray:
    """WCAG 2 relative luminance of sRGB colours in [0, 1] (last axis = R, G, B)."""
    rgb = np.asarray(rgb, dtype=float)[..., :3]
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def contrast_ratio(l1: np.ndarray, l2: np.ndarray) -> np.ndarray:
    lighter, darker = np.maximum(l1, l2), np.minimum(l1, l2)
    return (lighter + 0.05) / (darker + 0.05)


def text_colors_for(cells: np.ndarray) -> np.ndarray:
    """Black or white per cell, whichever contrasts more: always >= 4.58 (WCAG AA)."""
    luminance = relative_luminance(cells)
    on_black = contrast_ratio(luminance, np.zeros_like(luminance))
    on_white = contrast_ratio(luminance, np.ones_like(luminance))
    return np.where(on_black >= on_white, "#000000", "#ffffff")


def resolve_cmap(style: Style) -> mcolors.Colormap:
    try:
        cmap = mpl.colormaps[style.cmap]
    except KeyError:
        raise StyleError(
            f"unknown colormap {style.cmap!r}; try RdYlGn, RdBu, PuOr or BrBG"
        ) from None
    # Out-of-range values take the end colours; the annotation still shows the value.
    # Missing cells (NaN) are grey, which is not on the colormap.
    return cmap.with_extremes(under=cmap(0.0), over=cmap(1.0), bad=MISSING_COLOR)


def make_norm(style: Style) -> mcolors.Normalize:
    """Centre the colormap on 0 when the range straddles it, even if asymmetric."""
    if style.vmin < 0 < style.vmax and not math.isclose(-style.vmin, style.vmax):
        return mcolors.TwoSlopeNorm(vcenter=0.0, vmin=style.vmin, vmax=style.vmax)
    return mcolors.Normalize(vmin=style.vmin, vmax=style.vmax)


def extend_for(values: np.ndarray, style: Style) -> str:
    """Colorbar arrows on the side(s) where data fall outside [vmin, vmax] (NaN never)."""
    below = bool((values < style.vmin).any())
    above = bool((values > style.vmax).any())
    return {(False, False): "neither", (True, False): "min", (False, True): "max"}.get(
        (below, above), "both"
    )


def cell_colors(values: np.ndarray, style: Style) -> np.ndarray:
    """RGBA in [0, 1] for every cell, exactly as the figure paints it."""
    return resolve_cmap(style)(make_norm(style)(values))
