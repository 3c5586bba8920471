"""What the formats matplotlib draws (PNG, SVG, PDF) share: deterministic metadata, an
atomic ``savefig``, and the one page loop every figure goes through.

``render``, ``batch`` and ``compare`` all write through ``DrawnWriter.write``; a batch
worker passes its ``Canvases`` to reuse figures between inputs, nothing else differs.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ..atomic import atomic_write
from .base import Writer, page_provenance

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..comparison import Comparison
    from ..model import AttributionMatrix
    from ..plotting import Canvases, Page
    from ..style import OutputOptions, Style
    from ..views.alt_text import FigureText

#: Metadata values: None removes a field matplotlib would fill in (a date, say).
Metadata = dict[str, str | None]


def creator() -> str:
    """Who wrote the file: the drawing's version, not the package's, so a release that
    draws nothing differently writes the same bytes (a paper's figures do not churn)."""
    import matplotlib

    from .._version import DRAWING_VERSION

    return f"attrmap {DRAWING_VERSION} (matplotlib {matplotlib.__version__})"


class DrawnWriter(Writer):
    """A format matplotlib's ``savefig`` writes; subclasses give its metadata fields."""

    draws = True
    carries_text = True

    def metadata(self, key: str | None, text: FigureText | None) -> Metadata:
        """Fixed metadata carrying the key and the title and alt text: no timestamps,
        so the same input gives the same bytes."""
        raise NotImplementedError

    def savefig(
        self,
        figure: Figure,
        handle: IO[bytes],
        dpi: float,
        metadata: Metadata,
        text: FigureText | None,
    ) -> None:
        figure.savefig(handle, format=self.name, dpi=dpi, metadata=metadata)

    def save_figure(
        self,
        figure: Figure,
        path: str | os.PathLike[str],
        dpi: float | None = None,
        provenance: str | None = None,
        text: FigureText | None = None,
        options: OutputOptions | None = None,
    ) -> Path:
        """Save ``figure`` atomically (see ``attrmap.save_figure``)."""
        metadata = self.metadata(provenance, text)

        def write(handle: IO[bytes]) -> None:
            import matplotlib

            from ..plotting.rc import isolated_rc

            with isolated_rc(), matplotlib.rc_context(saving_rc(options)):
                self.savefig(figure, handle, dpi or figure.dpi, metadata, text)

        atomic_write(path, write)
        return Path(path)

    def save_page(
        self,
        plan: Page,
        style: Style,
        path: Path,
        record: str,
        text: FigureText,
        canvases: Canvases | None,
    ) -> None:
        """Draw one page on a canvas (kept in ``canvases``, or new) and save it."""
        from ..plotting import canvas_for

        figure = canvas_for(plan, style, canvases).show(plan)
        self.save_figure(figure, path, provenance=record, text=text, options=style.output)

    def write(
        self,
        matrix: AttributionMatrix,
        style: Style,
        target: Path,
        key: str,
        canvases: Canvases | None = None,
        workers: int = 1,
    ) -> list[Path]:
        from ..plotting import prepare_pages
        from ..views.alt_text import figure_text, figure_text_from_data

        plans = prepare_pages(matrix, style, self.raster)
        if len(plans) == 1 and not style.layout.transpose:  # the data described as drawn
            text = figure_text_from_data(plans[0].data, style)
        else:  # pages (or a transposed grid) are described as the whole matrix
            text = figure_text(matrix, style)
        return self.write_pages(plans, style, target, key, text, canvases, workers)

    def write_pages(
        self,
        plans: list[Page],
        style: Style,
        target: Path,
        key: str,
        text: FigureText,
        canvases: Canvases | None,
        workers: int,
    ) -> list[Path]:
        """Each page to its own file, shared among ``workers`` processes; each page's
        alt text says which tokens it holds."""
        from ..plotting import Canvases
        from ..views.alt_text import page_text

        record = page_provenance(key, len(plans))
        paths = self.page_paths(target, len(plans))
        if canvases is None and len(plans) > 1:  # the pages share one layout and canvas
            canvases = Canvases(limit=1, keep_background=False)

        def save(index: int) -> None:
            plan = plans[index]
            self.save_page(
                plan, style, paths[index], record, page_text(text, plan.marker), canvases
            )

        run_shared(save, list(range(len(plans))), workers)
        return paths

    def write_comparison(self, comparison: Comparison, target: Path, key: str) -> Path:
        from ..plotting.compare import draw_comparison
        from ..views.alt_text import comparison_text

        text = comparison_text(comparison)
        figure = draw_comparison(comparison, self.raster)
        output = comparison.style.output
        return self.save_figure(figure, target, provenance=key, text=text, options=output)


def saving_rc(options: OutputOptions | None) -> Any:  # matplotlib types rc keys as Literals
    """rc settings a save needs beyond the fixed ones: editable SVG text, if asked."""
    if options is not None and options.svg_text == "text":
        return {"svg.fonttype": "none"}  # <text> elements; fonts named, not embedded
    return {}


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
