"""Colour and scale: which colour a value gets, and which colour its annotation needs.

Shared by every view of a matrix (the matplotlib figure, and text views such as HTML or
the terminal), so they all show the same colours. The range and tick logic is plain
numpy, so ``batch`` can resolve a shared range and key figures without importing
matplotlib; colormaps come from ``matplotlib.colors`` (never pyplot or a backend),
imported only when colours are needed.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from .errors import FaintRangeWarning, FigureWarning, SaturationWarning, StyleError
from .model import is_default
from .settings import Auto
from .style import Style

if TYPE_CHECKING:
    from matplotlib import colors as mcolors

#: Colour of a missing cell: a neutral grey that none of the diverging colormaps uses.
MISSING_COLOR = "#bdbdbd"
#: Mantissas of "nice" numbers: ranges and tick steps are these times a power of ten.
NICE_MANTISSAS = (1.0, 2.0, 2.5, 5.0, 10.0)
MAX_TICKS = 6
FAINT_FRACTION = 0.1  # data within a tenth of the colour range look flat
SATURATED_FRACTION = 0.05  # more than 5 % of cells in the end colours hides differences
P99 = 99.0

NORMALIZE_LABELS = {
    "max-abs": "normalised by the largest |value|",
    "row": "normalised per row",
    "column": "normalised per column",
}


# --------------------------------------------------------------------------- range


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 x 10^k at least ``value`` (> 0): 0.04 -> 0.05."""
    exponent = math.floor(math.log10(value))
    for mantissa in NICE_MANTISSAS:
        nice = float(f"{mantissa}e{exponent}")  # exact decimal, no 0.30000000000000004
        if nice >= value * (1 - 1e-12):
            return nice
    return float(f"1e{exponent + 1}")


def normalized(values: np.ndarray, mode: str) -> np.ndarray:
    """Values divided by the largest |value| of the matrix, of each row or of each column.

    Missing cells (NaN) stay missing and never count; an all-zero row stays zero.
    """
    if mode == "none":
        return values
    magnitude = np.abs(values)
    axis = {"max-abs": None, "row": 1, "column": 0}[mode]
    with np.errstate(all="ignore"):
        if np.isnan(magnitude).all():
            return values
        largest = np.nanmax(np.where(np.isnan(magnitude), -np.inf, magnitude), axis=axis)
        largest = np.where(np.isfinite(largest) & (largest > 0), largest, 1.0)
        if axis is not None:
            largest = np.expand_dims(largest, axis)
        return values / largest


def auto_limit(values: Iterable[np.ndarray], percentile: float | None = None) -> float:
    """Nice-rounded largest |value| (or its percentile) over arrays; missing cells ignored."""
    magnitudes = [np.abs(v[~np.isnan(v)]).ravel() for v in values]
    pooled = np.concatenate(magnitudes) if magnitudes else np.zeros(0)
    if pooled.size == 0:
        return 1.0
    limit = float(np.percentile(pooled, percentile)) if percentile else float(pooled.max())
    if limit <= 0:  # mostly zeros: fall back on the largest value, then on 1
        limit = float(pooled.max()) or 1.0
    return nice_ceiling(limit)


def range_is_unset(style: Style) -> bool:
    """True when neither range nor vmin/vmax were set: the declared defaults."""
    return all(is_default(value) for value in (style.scale.range, style.vmin, style.vmax))


def resolve_scale(style: Style, values: Iterable[np.ndarray], export: bool = False) -> Style:
    """``style`` with vmin/vmax as numbers and range ``fixed``: what is keyed and drawn.

    ``values`` are the raw values of the matrix (or, for ``range: shared``, of every
    matrix of the call); normalisation is applied here before measuring. ``export``
    (the matrix is an attribution library's export): with no range set, ``auto``.
    """
    if export and range_is_unset(style):
        style = dataclasses.replace(style, scale=dataclasses.replace(style.scale, range="auto"))
    if style.range_is_resolved:
        return style
    mode = style.scale.range
    arrays = [normalized(v, style.scale.normalize) for v in values]
    limit = auto_limit(arrays, P99 if mode == "p99" else None)
    if mode == "fixed":  # only the ends given as "auto" come from the data
        vmin = -limit if isinstance(style.vmin, Auto) else float(style.vmin)
        vmax = limit if isinstance(style.vmax, Auto) else float(style.vmax)
        if not vmin < vmax:
            raise StyleError(
                f"the automatic end ({limit:g}) leaves no range with vmin {style.vmin} "
                f"and vmax {style.vmax}"
            )
    else:
        vmin, vmax = {1: (0.0, limit), -1: (-limit, 0.0)}.get(sign_of(arrays), (-limit, limit))
    return dataclasses.replace(
        style, vmin=vmin, vmax=vmax, scale=dataclasses.replace(style.scale, range="fixed")
    )


def sign_of(arrays: list[np.ndarray]) -> int:
    """1 when no value is negative, -1 when none is positive (and some are not 0),
    else 0: an automatic range then spans one side of 0 only."""
    present = [a[~np.isnan(a)] for a in arrays]
    if not any((a != 0).any() for a in present):
        return 0
    if all((a >= 0).all() for a in present):
        return 1
    if all((a <= 0).all() for a in present):
        return -1
    return 0


def colorbar_ticks(vmin: float, vmax: float) -> list[float]:
    """Round ticks (steps of 1, 2, 2.5 or 5 x 10^k), at most six; on both ends when four
    or more fit there: -1.0 ... 1.0 by 0.5, -0.05 ... 0.05 by 0.025."""
    exponent = math.floor(math.log10(vmax - vmin)) - 2
    candidates: list[list[float]] = []
    while not candidates or len(candidates[-1]) > 2:
        for mantissa in NICE_MANTISSAS[:-1]:
            step = float(f"{mantissa}e{exponent}")
            first, last = math.ceil(vmin / step - 1e-9), math.floor(vmax / step + 1e-9)
            if last - first + 1 <= MAX_TICKS:
                candidates.append([_clean(i * step) for i in range(first, last + 1)])
        exponent += 1
    on_ends = [
        ticks
        for ticks in candidates
        if len(ticks) >= 4 and math.isclose(ticks[0], vmin) and math.isclose(ticks[-1], vmax)
    ]
    return (on_ends or candidates)[0]


def _clean(value: float) -> float:
    return float(f"{value:.12g}") + 0.0  # 1.5000000000000002 -> 1.5, -0.0 -> 0.0


def tick_labels(ticks: list[float]) -> list[str]:
    """The same number of decimals on every tick, and a true minus sign."""
    decimals = next(
        (d for d in range(11) if all(abs(t * 10**d - round(t * 10**d)) < 1e-6 for t in ticks)),
        10,
    )
    return [format(t, f".{decimals}f").replace("-", "\u2212") for t in ticks]


def colorbar_label(style: Style) -> str:
    """The colorbar label, saying how values were normalised, if they were."""
    note = NORMALIZE_LABELS.get(style.scale.normalize)
    return f"{style.colorbar_label} ({note})" if note else style.colorbar_label


def scale_warnings(
    values: np.ndarray, vmin: float, vmax: float, source: str
) -> list[FigureWarning]:
    """What a reader would misread: data too faint for the range, or mostly saturated."""
    present = values[~np.isnan(values)]
    if present.size == 0:
        return []
    found: list[FigureWarning] = []
    largest = float(np.abs(present).max())
    if 0 < largest < FAINT_FRACTION * max(abs(vmin), abs(vmax)):
        found.append(
            FaintRangeWarning(
                source,
                f"the values (|value| <= {largest:.3g}) use less than a tenth of the colour "
                f'range {vmin:g}..{vmax:g} and look flat; try range="auto"',
            )
        )
    saturated = int(((present < vmin) | (present > vmax)).sum())
    if saturated > SATURATED_FRACTION * present.size:
        found.append(
            SaturationWarning(
                source,
                f"{saturated} of {present.size} cells lie outside the colour range "
                f'{vmin:g}..{vmax:g} and take the end colours; try range="auto"',
                detail=f"{saturated} cells",
            )
        )
    return found


# --------------------------------------------------------------------------- colour


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


def resolve_cmap(style: Style, limits: tuple[float, float] | None = None) -> mcolors.Colormap:
    """The style's colormap with its end colours for out-of-range values and grey for
    missing ones: a copy of one made once per name (making it builds two colour tables,
    ~1 ms; a batch figure needed it twice)."""
    import matplotlib as mpl

    # The registered object too: a colormap registered again under the name is new.
    registered = getattr(mpl.colormaps, "_cmaps", {}).get(style.cmap)
    if limits is None and style.range_is_resolved:
        limits = style.limits
    half = half_of(style.cmap, *limits) if limits is not None else 0
    return _extended_cmap(style.cmap, id(registered), half).copy()


#: Matplotlib's diverging colormaps: their middle colour is neutral, so it stays at 0.
DIVERGING = frozenset(
    {
        *("PiYG", "PRGn", "BrBG", "PuOr", "RdGy", "RdBu", "RdYlBu", "RdYlGn", "Spectral"),
        *("coolwarm", "bwr", "seismic", "berlin", "managua", "vanimo"),
    }
)


def half_of(cmap: str, vmin: float, vmax: float) -> int:
    """Which half of a diverging colormap a one-sided range draws with: 1 (upper) for
    0..max, -1 (lower) for -max..0, 0 for the whole colormap. So 0 keeps the neutral
    middle colour and the colorbar has no empty half."""
    if cmap.removesuffix("_r") not in DIVERGING:
        return 0
    if vmin == 0 < vmax:
        return 1
    if vmin < vmax == 0:
        return -1
    return 0


@functools.lru_cache(maxsize=32)
def _extended_cmap(name: str, registered: int, half: int = 0) -> mcolors.Colormap:
    import matplotlib as mpl
    from matplotlib import colors as mcolors

    try:
        cmap = mpl.colormaps[name]
    except KeyError:
        raise StyleError(f"unknown colormap {name!r}; try RdYlGn, RdBu, PuOr or BrBG") from None
    ends = {"under": cmap(0.0), "over": cmap(1.0)}
    if half:
        start = 0.5 if half > 0 else 0.0
        cmap = mcolors.ListedColormap(
            cmap(np.linspace(start, start + 0.5, cmap.N // 2)), name=f"{name} (half)"
        )
    # Out-of-range values take the end colours; the annotation still shows the value.
    # Missing cells (NaN) are grey, which is not on the colormap.
    return cmap.with_extremes(**ends, bad=MISSING_COLOR)


def make_norm(vmin: float, vmax: float) -> mcolors.Normalize:
    """Centre the colormap on 0 when the range straddles it, even if asymmetric."""
    from matplotlib import colors as mcolors

    if vmin < 0 < vmax and not math.isclose(-vmin, vmax):
        return mcolors.TwoSlopeNorm(vcenter=0.0, vmin=vmin, vmax=vmax)
    return mcolors.Normalize(vmin=vmin, vmax=vmax)


def extend_for(values: np.ndarray, vmin: float, vmax: float) -> str:
    """Colorbar arrows on the side(s) where data fall outside [vmin, vmax] (NaN never)."""
    below = bool((values < vmin).any())
    above = bool((values > vmax).any())
    return {(False, False): "neither", (True, False): "min", (False, True): "max"}.get(
        (below, above), "both"
    )


def cell_colors(values: np.ndarray, style: Style) -> np.ndarray:
    """RGBA in [0, 1] for every cell, exactly as the figure paints it (resolved style)."""
    return resolve_cmap(style)(make_norm(*style.limits)(values))
