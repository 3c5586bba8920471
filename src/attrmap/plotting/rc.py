"""The fixed matplotlib settings every attrmap figure is drawn and saved under."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
from collections.abc import Iterator, Sequence

import matplotlib.style
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font

from ..errors import StyleError
from ..font_files import split_face
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
    settings = _settings(tuple(families))
    if settings is None:  # a matplotlib without the private names used below
        return matplotlib.style.context(["default", _rc(tuple(families))])
    return _applied(settings)


def _rc(families: tuple[str, ...]) -> dict[str, object]:
    return RC if families == (DEJAVU_SANS,) else {**RC, "font.family": list(families)}


@functools.lru_cache(maxsize=16)
def _settings(families: tuple[str, ...]) -> dict[str, object] | None:
    """What ``matplotlib.style.context(["default", rc])`` sets, validated once.

    The style context validates and sets some 300 settings on every entry (~2 ms; a
    batch figure entered it four times); these are the values it sets, and ``_applied``
    sets them as ``matplotlib.rc_context`` restores its own, without validating again.
    """
    ignored = getattr(matplotlib.style, "_STYLE_BLACKLIST", None)  # what styles never set
    if ignored is None or not hasattr(matplotlib.rcParams, "_update_raw"):
        return None
    with matplotlib.style.context(["default", _rc(families)]):
        params = matplotlib.rcParams
        return {key: params[key] for key in matplotlib.rcParamsDefault if key not in ignored}


@contextlib.contextmanager
def _applied(settings: dict[str, object]) -> Iterator[None]:
    params = matplotlib.rcParams
    # The raw values, as matplotlib.rc_context restores them, read from the dict itself:
    # copying through RcParams' own lookup would resolve an unset backend, which imports
    # pyplot in every render or describe run without MPLBACKEND (15 ms of a one-file render).
    saved = dict(dict.items(params))
    del saved["backend"]
    # Fresh lists: code that edits a setting in place must not edit the cached one.
    params._update_raw(  # type: ignore[attr-defined]  # private, no stub
        {key: list(value) if isinstance(value, list) else value for key, value in settings.items()}
    )
    try:
        yield
    finally:
        params._update_raw(saved)  # type: ignore[attr-defined]


_registered: set[str] = set()


def register_fonts(choice: FontChoice) -> None:
    """Make each chosen file known to matplotlib under its own alias family name.

    Registered by path, not looked up by family name in matplotlib's font cache: a font
    installed after the cache was built is found, and the file drawn is exactly the file
    the figure key names, whatever other files share its family name.
    """
    manager = font_manager.fontManager
    for chosen, alias in zip(choice.chain, choice.families, strict=True):
        if chosen == DEJAVU_SANS or alias in _registered:
            continue
        path, index = split_face(chosen)  # a collection's face: drawn from that face
        try:
            # face_index is newer than matplotlib 3.8: a first face is opened as before.
            font = FT2Font(path, face_index=index) if index else FT2Font(path)
            entry = font_manager.ttfFontProperty(font)
        except (RuntimeError, OSError, ValueError, NotImplementedError) as error:
            # A file whose tables look whole to fonts.py but FreeType refuses.
            raise StyleError(f"{path}: cannot draw with this font file ({error})") from None
        manager.ttflist.append(dataclasses.replace(entry, name=alias))
        manager._findfont_cached.cache_clear()  # type: ignore[attr-defined]  # private, no stub
        _registered.add(alias)
