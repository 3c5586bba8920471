"""What runs in a worker process (local or Dask): drawing one figure with the canvases
kept between figures, and handing back its error and warnings instead of raising."""

from __future__ import annotations

import os
import signal
import threading
import warnings
from pathlib import Path
from typing import ClassVar

from ..errors import AttrmapError, FigureWarning, WorkerError
from ..model import AttributionMatrix
from ..scale import resolve_scale
from ..writers import writer_for
from .records import BatchItem, BatchOptions, Outcome, Status


class Renderer:
    """A worker's drawing state: the canvases kept between figures (``Canvases``)."""

    #: One per process and thread (a pool worker, a Dask worker thread) and style, kept
    #: between tasks so that canvases are reused; see ``for_options``.
    kept: ClassVar[dict[tuple[str, int], Renderer]] = {}

    def __init__(self, options: BatchOptions) -> None:
        from ..plotting import Canvases

        self.style = options.config.style
        self.canvases = Canvases()

    @classmethod
    def for_options(cls, options: BatchOptions) -> Renderer:
        """This process's (and thread's) renderer for the options' style."""
        key = (repr(options.config.style), threading.get_ident())
        renderer = cls.kept.get(key)
        if renderer is None:
            if len(cls.kept) >= 8:  # a long-lived Dask worker serving many styles
                cls.kept.clear()
            renderer = cls.kept[key] = cls(options)
        return renderer

    def render(self, matrix: AttributionMatrix, output: Path, key: str) -> None:
        # A shared range: resolved already.
        style = resolve_scale(self.style, [matrix.values], export=matrix.export is not None)
        writer_for(output).write(matrix, style, output, key, canvases=self.canvases)


class WorkerStopped(BaseException):
    """SIGTERM in a pool worker drawing a figure: unwinds the drawing (``atomic_write``
    removes its temporary file); ``render_in_worker`` then ends the process."""


class _Drawing:
    """Whether this worker process is inside a task (set by ``render_in_worker``)."""

    now = False


def _stop_worker(signum: int, frame: object) -> None:
    """SIGTERM: a worker exits at once, by itself. Mid-figure it first unwinds the
    drawing; idle (or handing a result back) it has nothing to undo. It never returns
    to concurrent.futures, which would send a SystemExit back as a result and wait for
    more work until the parent's grace period ran out and killed it."""
    if _Drawing.now:
        raise WorkerStopped
    os._exit(128 + signum)


def init_worker() -> None:
    """A pool worker's set-up: the parent handles Ctrl-C for everyone; SIGTERM (from the
    parent stopping the pool) ends the worker promptly (``_stop_worker``)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop_worker)


#: What drawing one figure gives back (across processes): its error or None, and the
#: warnings it raised, for the parent to sum up in one line per kind.
RenderResult = tuple[AttrmapError | None, tuple[FigureWarning, ...]]


def render_safely(
    renderer: Renderer, matrix: AttributionMatrix, output: Path, key: str
) -> RenderResult:
    """Render one figure; return the error instead of raising across processes."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", FigureWarning)
        try:
            renderer.render(matrix, output, key)
        except AttrmapError as error:
            return error, ()
        except Exception as error:  # a bug: report it against the file, keep the batch going
            return internal_error(matrix.source, error), ()
    for other in caught:  # anything else (a missing glyph) goes on as it came
        if not isinstance(other.message, FigureWarning):
            warnings.warn_explicit(other.message, other.category, other.filename, other.lineno)
    return None, tuple(w.message for w in caught if isinstance(w.message, FigureWarning))


def internal_error(source: object, error: BaseException) -> WorkerError:
    return WorkerError(f"{source}: internal error {type(error).__name__}: {error} (please report)")


def render_in_worker(
    options: BatchOptions, matrix: AttributionMatrix, output: Path, key: str
) -> RenderResult:
    """A pool task: one figure, with this process's kept renderer."""
    _Drawing.now = True
    try:
        return render_safely(Renderer.for_options(options), matrix, output, key)
    except WorkerStopped:  # unwound: the temporary file is gone
        os._exit(128 + signal.SIGTERM)
    finally:
        _Drawing.now = False


def rendered(item: BatchItem, result: RenderResult, key: str) -> Outcome:
    """The outcome of drawing ``item``'s figure, wherever it was drawn."""
    error, found = result
    return Outcome(item, Status.FAILED if error else Status.RENDERED, error, key, found)


def worker_died(item: BatchItem) -> WorkerError:
    return WorkerError(
        f"{item.source}: a worker process died (killed, or out of memory) while "
        "this or another figure was being drawn; run the batch again to retry"
    )
