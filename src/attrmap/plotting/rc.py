"""The fixed matplotlib settings every attrmap figure is drawn and saved under."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Sequence

import matplotlib.style
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font

from ..errors import StyleError
from ..fonts import DEJAVU_SANS, FontChoice

#: Fixed rc settings: the same input gives the same file on every machine with the same
#: versions, whatever the user's matplotlibrc says.
RC = {
    "font.family": DEJAVU_SANS,
    "text.parse_math": False,
    "axes.unicode_minus": True,
    "svg.hashsalt": "attrmap",
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
    "path.simplify": True,
}


def isolated_rc(families: Sequence[str] = (DEJAVU_SANS,)) -> contextlib.AbstractContextManager:
    """matplotlib's defaults plus ``RC``: a user's matplotlibrc (``text.usetex``,
    ``savefig.bbox``, colours, fonts) never changes a figure or its bytes. ``families``
    is the font chain (see ``register_fonts``)."""
    rc = RC if tuple(families) == (DEJAVU_SANS,) else {**RC, "font.family": list(families)}
    return matplotlib.style.context(["default", rc])


_registered: set[str] = set()


def register_fonts(choice: FontChoice) -> None:
    """Make each chosen file known to matplotlib under its own alias family name.

    Registered by path, not looked up by family name in matplotlib's font cache: a font
    installed after the cache was built is found, and the file drawn is exactly the file
    the figure key names, whatever other files share its family name.
    """
    manager = font_manager.fontManager
    for path, alias in zip(choice.chain, choice.families, strict=True):
        if path == DEJAVU_SANS or alias in _registered:
            continue
        try:
            entry = font_manager.ttfFontProperty(FT2Font(path))
        except (RuntimeError, OSError, ValueError, NotImplementedError) as error:
            # A file whose tables look whole to fonts.py but FreeType refuses.
            raise StyleError(f"{path}: cannot draw with this font file ({error})") from None
        manager.ttflist.append(dataclasses.replace(entry, name=alias))
        manager._findfont_cached.cache_clear()  # type: ignore[attr-defined]  # private, no stub
        _registered.add(alias)
