"""Saving figures: format from the extension, deterministic bytes, atomic replace."""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, TYPE_CHECKING

from .atomic import atomic_write
from .errors import OutputError
from .provenance import metadata_entry

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FIGURE_FORMATS = ("png", "svg", "pdf")


def figure_format_for(path: str | os.PathLike[str]) -> str:
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FIGURE_FORMATS:
        raise OutputError(
            f"{os.fspath(path)}: unknown figure extension "
            f"{('.' + suffix) if suffix else '(none)'!r}; use .png, .svg or .pdf"
        )
    return suffix


def _metadata(fmt: str) -> dict[str, str | None]:
    """Fixed metadata: no timestamps, so the same input gives the same bytes."""
    import matplotlib

    from ._version import __version__

    creator = f"attrmap {__version__} (matplotlib {matplotlib.__version__})"
    if fmt == "png":
        return {"Software": creator}
    if fmt == "svg":
        return {"Creator": creator, "Date": None}
    return {"Creator": creator, "Producer": creator, "CreationDate": None, "ModDate": None}


def save_figure(
    figure: Figure,
    path: str | os.PathLike[str],
    dpi: float | None = None,
    provenance: str | None = None,
) -> Path:
    """Save ``figure`` to ``path`` (PNG, SVG or PDF by extension), atomically.

    The folder is created if missing; on failure nothing is left under ``path`` and an
    existing file there is kept. ``provenance`` is a figure key (see ``provenance.py``)
    recorded in the file's metadata. Returns the path written.
    """
    import matplotlib as mpl

    from .plotting import RC

    fmt = figure_format_for(path)
    metadata = _metadata(fmt)
    if provenance is not None:
        metadata.update(metadata_entry(fmt, provenance))

    def write(handle: IO[bytes]) -> None:
        with mpl.rc_context(RC):
            figure.savefig(handle, format=fmt, dpi=dpi or figure.dpi, metadata=metadata)

    atomic_write(path, write)
    return Path(path)
