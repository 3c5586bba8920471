"""What every figure writer shares: the record, and how a figure's pages are stored.

Kept free of matplotlib and of any one format, so that ``provenance`` and ``batch
--check`` can ask which files a figure has without drawing anything.
"""

from __future__ import annotations

import enum
import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from .._version import PAGED_DRAWING_VERSION
from ..atomic import atomic_write

if TYPE_CHECKING:
    from ..comparison import Comparison
    from ..model import AttributionMatrix
    from ..plotting import Canvases
    from ..style import Style

#: What starts the figure key in every file (``provenance`` finds it by this prefix).
KEY_PREFIX = "attrmap:"


class Pages(enum.Enum):
    """How a figure too long for one page is stored."""

    FILES = "one file per page"  # NAME-1.png, NAME-2.png, ...
    ONE_FILE = "one multi-page file"  # NAME.pdf holds every page
    NONE = "never paged"  # one page whatever the length (an HTML page scrolls)


class Writer:
    """One output format: its name, its extensions, how it pages, whether matplotlib
    draws it, and ``write``. Subclasses say how the key and the alt text go into the
    file; the registry (``writers/__init__.py``) is the only place that knows them all."""

    name: ClassVar[str]
    extensions: ClassVar[tuple[str, ...]]
    pages: ClassVar[Pages]
    #: Drawn by matplotlib (seconds of work: worth worker processes); else written as text.
    draws: ClassVar[bool]
    #: Its size limit counts pixels too (a raster image), not only inches.
    raster: ClassVar[bool] = False
    #: Holds the title and alt text (``views.alt_text``), so their version is in its key.
    carries_text: ClassVar[bool]

    def write(
        self,
        matrix: AttributionMatrix,
        style: Style,
        target: Path,
        key: str,
        canvases: Canvases | None = None,
        workers: int = 1,
    ) -> list[Path]:
        """Write the figure of ``matrix`` (scale already resolved) to ``target`` with its
        ``key``; return the files written. ``canvases`` keeps drawing canvases between
        figures (a batch worker's); ``workers`` processes may share a long figure's pages."""
        raise NotImplementedError

    def write_comparison(self, comparison: Comparison, target: Path, key: str) -> Path:
        """Write a comparison's panels as one figure."""
        raise NotImplementedError

    def page_paths(self, target: str | os.PathLike[str], pages: int) -> list[Path]:
        """The files of a figure of ``pages`` pages (see ``page_paths``)."""
        path = Path(target)
        if pages == 1 or self.pages is Pages.ONE_FILE:
            return [path]
        return [path.with_name(f"{path.stem}-{page}{path.suffix}") for page in range(1, pages + 1)]


def page_provenance(key: str, pages: int) -> str:
    """What each file of a figure records: its key, and the page count when paged, so
    checking a paged figure needs neither matplotlib nor its layout. A paged figure's
    key is bound to the paged drawing's version (``paged_key``)."""
    return key if pages == 1 else f"{paged_key(key)};pages={pages}"


def paged_key(key: str) -> str:
    """The key a figure of several pages records: pages are drawn by code that changes
    apart from the one-page figure's (``PAGED_DRAWING_VERSION``); the page count itself
    comes from the layout, so it cannot be part of ``figure_key``, known before it."""
    bound = f"{key};paged-drawing={PAGED_DRAWING_VERSION}"
    return hashlib.sha256(bound.encode()).hexdigest()


def save_bytes(data: bytes, path: str | os.PathLike[str]) -> Path:
    """Write already-encoded figure bytes atomically."""
    atomic_write(path, lambda handle: handle.write(data))
    return Path(path)
