"""Saving figures: format from the extension, deterministic bytes, atomic replace."""

from __future__ import annotations

import io
import os
import re
import threading
from pathlib import Path
from typing import IO, TYPE_CHECKING
from xml.sax.saxutils import escape as xml_escape

from .atomic import atomic_write
from .errors import OutputError
from .provenance import metadata_entry, page_paths, page_provenance
from .style import OutputOptions

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    import numpy as np
    from matplotlib.figure import Figure

    from .views.alt_text import FigureText

FIGURE_FORMATS = ("png", "svg", "pdf", "html")
#: Formats matplotlib draws; HTML is written by ``views.html`` without drawing.
DRAWN_FORMATS = ("png", "svg", "pdf")
#: zlib level for PNG: 3 encodes ~40 % faster than Pillow's default 6 for ~12 % more
#: bytes (measured on the reference figure); encoding is a third of a batch's time.
PNG_PIL_KWARGS = {"compress_level": 3}
#: zlib level for a multi-page (long) PDF instead of matplotlib's 6: its thousands of
#: cells and numbers compress ~2x faster (1.6 s less for 1,000x8) for ~20 % more bytes.
PAGED_PDF_COMPRESSION = 1


def figure_format_for(path: str | os.PathLike[str]) -> str:
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FIGURE_FORMATS:
        raise OutputError(
            f"{os.fspath(path)}: unknown figure extension "
            f"{('.' + suffix) if suffix else '(none)'!r}; use .png, .svg, .pdf or .html"
        )
    return suffix


def figure_metadata(
    fmt: str, provenance: str | None = None, text: FigureText | None = None
) -> dict[str, str | None]:
    """Fixed metadata: no timestamps, so the same input gives the same bytes.

    ``text`` (title and alt text) goes into the PNG ``Title`` and ``Description`` chunks
    and the PDF ``/Title`` and ``/Subject``, after the key in PNG (which is read from
    the file's start) and before it in PDF (read from the end). SVG carries it in
    elements instead (``accessible_svg``).
    """
    import matplotlib

    from ._version import DRAWING_VERSION

    # The drawing's version, not the package's: a release that draws nothing differently
    # writes the same bytes (a paper's figures do not churn in its repository).
    creator = f"attrmap {DRAWING_VERSION} (matplotlib {matplotlib.__version__})"
    if fmt == "png":
        metadata: dict[str, str | None] = {"Software": creator}
    elif fmt == "svg":
        metadata = {"Creator": creator, "Date": None}
    else:
        metadata = {"Creator": creator, "Producer": creator, "CreationDate": None, "ModDate": None}
    if text is not None and fmt == "pdf":
        metadata.update({"Title": text.title, "Subject": text.alt_text})
    if provenance is not None:
        metadata.update(metadata_entry(fmt, provenance))
    if text is not None and fmt == "png":
        metadata.update({"Title": text.title, "Description": text.alt_text})
    return metadata


_SVG_ROOT = re.compile(rb"<svg\b[^>]*>")


def accessible_svg(svg: bytes, text: FigureText) -> bytes:
    """``<title>`` and ``<desc>`` as the root's first children; the root gets
    ``role="img"`` and ``aria-labelledby`` naming both, as screen readers expect."""
    root = _SVG_ROOT.search(svg)
    if root is None:  # not matplotlib's SVG: a bug, not a user's mistake
        raise ValueError("no <svg> element to describe")
    opening = root[0][:-1] + b' role="img" aria-labelledby="attrmap-title attrmap-desc">'
    children = (
        f'\n <title id="attrmap-title">{xml_escape(text.title)}</title>'
        f'\n <desc id="attrmap-desc">{xml_escape(text.alt_text)}</desc>'
    ).encode()
    return svg[: root.start()] + opening + children + svg[root.end() :]


def _saving_rc(options: OutputOptions | None) -> dict[str, str]:
    """rc settings a save needs beyond the fixed ones: editable SVG text, if asked."""
    if options is not None and options.svg_text == "text":
        return {"svg.fonttype": "none"}  # <text> elements; fonts named, not embedded
    return {}


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

    from .plotting.rc import isolated_rc

    fmt = figure_format_for(path)
    if fmt not in DRAWN_FORMATS:
        raise OutputError(
            f"{os.fspath(path)}: a matplotlib figure is saved as .png, .svg or .pdf; "
            "HTML is written from the matrix (attrmap render -o FILE.html)"
        )
    metadata = figure_metadata(fmt, provenance, text)

    def write(handle: IO[bytes]) -> None:
        import matplotlib

        with isolated_rc(), matplotlib.rc_context(_saving_rc(options)):
            extra = {"pil_kwargs": PNG_PIL_KWARGS} if fmt == "png" else {}
            if fmt == "svg" and text is not None:
                buffer = io.BytesIO()
                figure.savefig(buffer, format=fmt, dpi=dpi or figure.dpi, metadata=metadata)
                handle.write(accessible_svg(buffer.getvalue(), text))
                return
            figure.savefig(handle, format=fmt, dpi=dpi or figure.dpi, metadata=metadata, **extra)

    atomic_write(path, write)
    return Path(path)


def save_pages(
    figures: Sequence[Figure],
    path: str | os.PathLike[str],
    provenance: str | None = None,
    text: FigureText | None = None,
    options: OutputOptions | None = None,
) -> list[Path]:
    """Save the pages of one figure: one multi-page PDF, or ``NAME-1.png``, ``NAME-2.png``
    ... for PNG and SVG (a single page is just ``path``). Each file records the key and
    the page count. Returns the paths written."""
    if figure_format_for(path) != "pdf" or len(figures) == 1:
        return save_page_files(figures.__getitem__, len(figures), path, provenance, text, options)
    record = page_provenance(provenance, len(figures)) if provenance else None
    from matplotlib import rc_context
    from matplotlib.backends.backend_pdf import PdfPages

    from .plotting.rc import isolated_rc

    def write(handle: IO[bytes]) -> None:
        metadata = figure_metadata("pdf", record, text)
        fast_zlib = rc_context({"pdf.compression": PAGED_PDF_COMPRESSION})
        with isolated_rc(), fast_zlib, PdfPages(handle, metadata=metadata) as pdf:
            for figure in figures:
                pdf.savefig(figure)

    atomic_write(path, write)
    return [Path(path)]


def save_page_files(
    draw_page: Callable[[int], Figure],
    pages: int,
    path: str | os.PathLike[str],
    provenance: str | None = None,
    text: FigureText | None = None,
    options: OutputOptions | None = None,
    workers: int = 1,
) -> list[Path]:
    """Draw (``draw_page(index)``) and save each page of a PNG or SVG figure to its own
    file; with ``workers`` > 1 the pages are shared among forked processes (see
    ``run_shared``). Returns the paths written, in page order."""
    record = page_provenance(provenance, pages) if provenance else None
    targets = page_paths(path, pages)

    def save(index: int) -> None:
        figure = draw_page(index)
        save_figure(figure, targets[index], provenance=record, text=text, options=options)

    run_shared(save, list(range(pages)), workers)
    return targets


def run_shared(work: Callable[[int], None], items: list[int], workers: int) -> None:
    """``work(item)`` for every item, shared round-robin among ``workers`` processes.

    A long figure's pages are independent files, and drawing one is seconds of pure
    Python, so forked children draw their share while this process draws its own.
    Serial where fork is missing or another thread runs (forking then is unsafe). A
    child that fails leaves its share to this process, which redoes it and so raises
    the real error; outputs are written atomically, so nothing is half-written.
    """
    workers = min(workers, len(items))
    if workers < 2 or not hasattr(os, "fork") or threading.active_count() > 1:
        for item in items:
            work(item)
        return
    shares = [items[start::workers] for start in range(workers)]
    children: list[tuple[int, list[int]]] = []
    try:
        for share in shares[1:]:
            pid = os.fork()
            if pid == 0:  # the child: its share, then leave without cleanup or atexit
                status = 1
                try:
                    for item in share:
                        work(item)
                    status = 0
                finally:
                    os._exit(status)
            children.append((pid, share))
        for item in shares[0]:
            work(item)
    finally:
        failed = [
            share
            for pid, share in children
            if os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) != 0
        ]
    for share in failed:
        for item in share:
            work(item)


def encode_png(
    pixels: np.ndarray,
    dpi: float,
    provenance: str | None = None,
    text: FigureText | None = None,
) -> bytes:
    """PNG bytes of an RGBA buffer, exactly as ``savefig`` would write that buffer
    (with the same key, title and alt text chunks)."""
    from matplotlib.image import imsave

    buffer = io.BytesIO()
    imsave(
        buffer,
        pixels,
        format="png",
        origin="upper",
        dpi=dpi,
        metadata=figure_metadata("png", provenance, text),
        pil_kwargs=PNG_PIL_KWARGS,
    )
    return buffer.getvalue()


def save_bytes(data: bytes, path: str | os.PathLike[str]) -> Path:
    """Write already-encoded figure bytes atomically."""
    atomic_write(path, lambda handle: handle.write(data))
    return Path(path)
