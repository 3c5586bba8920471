"""Writing figures, one module per output format, plus a registry.

Each format module defines a ``WRITER`` (see ``base.Writer``): its name, extensions, how
it pages, how it carries the figure key and the alt text, and ``write``. Everything else
(``render``, ``batch``, ``compare``, the CLI's ``--format`` choices, orphan scans, the
figure key) asks this registry, so a new output format is one module and one line below.
Importing this package imports no matplotlib.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import OutputError
from . import html, pdf, png, svg
from .base import KEY_PREFIX, Pages, Writer, page_provenance, paged_key, save_bytes
from .drawn import DrawnWriter

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..style import OutputOptions
    from ..views.alt_text import FigureText

__all__ = [
    "KEY_PREFIX",
    "DrawnWriter",
    "Pages",
    "Writer",
    "figure_suffixes",
    "get_writer",
    "page_paths",
    "page_provenance",
    "paged_key",
    "register",
    "save_bytes",
    "save_figure",
    "writer_for",
    "writer_names",
]

_REGISTRY: dict[str, Writer] = {}


def register(writer: Writer) -> Writer:
    if writer.name in _REGISTRY:
        raise ValueError(f"a figure writer named {writer.name!r} is already registered")
    _REGISTRY[writer.name] = writer
    return writer


# The built-in writers. A new output format: its module with a WRITER, and one line here.
register(png.WRITER)
register(svg.WRITER)
register(pdf.WRITER)
register(html.WRITER)


def writer_names() -> tuple[str, ...]:
    """Every output format, for ``--format``."""
    return tuple(_REGISTRY)


def get_writer(name: str) -> Writer:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise OutputError(
            f"unknown figure format {name!r}; use one of {', '.join(writer_names())}"
        ) from None


def figure_suffixes() -> tuple[str, ...]:
    """Every figure extension (lower-case), for finding figures in a folder."""
    return tuple(ext for writer in _REGISTRY.values() for ext in writer.extensions)


def _by_suffix(path: str | os.PathLike[str]) -> Writer | None:
    suffix = Path(path).suffix.lower()
    return next((w for w in _REGISTRY.values() if suffix in w.extensions), None)


def writer_for(path: str | os.PathLike[str]) -> Writer:
    """The writer of a figure path, by its extension; an unknown one is refused."""
    writer = _by_suffix(path)
    if writer is None:
        suffix = Path(path).suffix.lower()
        known = figure_suffixes()
        raise OutputError(
            f"{os.fspath(path)}: unknown figure extension "
            f"{suffix if suffix else '(none)'!r}; "
            f"use {', '.join(known[:-1])} or {known[-1]}"
        )
    return writer


def is_figure_path(path: str | os.PathLike[str]) -> bool:
    return _by_suffix(path) is not None


def page_paths(target: str | os.PathLike[str], pages: int) -> list[Path]:
    """The files of a figure: ``NAME.pdf`` holds every page; PNG and SVG pages are
    ``NAME-1.png``, ``NAME-2.png``, ... (a single page keeps ``NAME.png``). A target
    already numbered per sequence (``NAME-0.png``) gets ``NAME-0-1.png``, ...."""
    return (_by_suffix(target) or png.WRITER).page_paths(target, pages)


def save_figure(
    figure: Figure,
    path: str | os.PathLike[str],
    dpi: float | None = None,
    provenance: str | None = None,
    text: FigureText | None = None,
    options: OutputOptions | None = None,
) -> Path:
    """Save ``figure`` to ``path`` (PNG, SVG or PDF by extension), atomically.

    The folder is created if missing; on failure nothing is left under ``path`` and an
    existing file there is kept. ``provenance`` is a figure key (see ``provenance.py``)
    recorded in the file's metadata; ``text`` its title and alt text
    (``attrmap.figure_text``). Returns the path written.
    """
    writer = writer_for(path)
    if not isinstance(writer, DrawnWriter):
        drawn = [ext for w in _REGISTRY.values() if w.draws for ext in w.extensions]
        raise OutputError(
            f"{os.fspath(path)}: a matplotlib figure is saved as {', '.join(drawn[:-1])} "
            f"or {drawn[-1]}; {writer.name.upper()} is written from the matrix "
            f"(attrmap render -o FILE{writer.extensions[0]})"
        )
    return writer.save_figure(figure, path, dpi, provenance, text, options)
