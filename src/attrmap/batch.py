"""A folder of matrices to a folder of figures: incremental, parallel, checkable.

The parent process discovers inputs, reads and validates each (no matplotlib needed) and
decides from the key recorded in each figure whether it is up to date. Only stale figures
go to worker processes, each of which keeps one figure per layout and swaps the data in
(see ``plotting.HeatmapCanvas``), so the expensive parts are built once per worker.
"""

from __future__ import annotations

import contextlib
import enum
import functools
import hashlib
import multiprocessing
import os
import posixpath
import re
import signal
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from multiprocessing.connection import wait as wait_for_exit
from pathlib import Path
from typing import Protocol

from .atomic import remove_stale_temp_files
from .errors import AttrmapError, BatchError, FigureWarning, OutputError, WorkerError
from .formats import DEFAULT_INPUT, InputOptions, input_stem, input_suffixes
from .interrupts import Terminated, sigterm_raises
from .model import AttributionMatrix
from .pipeline import available_cores, figure_name, load_checked, numbered, shared_scale
from .provenance import figure_is_current, figure_key, read_figure_key
from .scale import resolve_scale
from .style import Config
from .writers import figure_suffixes, get_writer, writer_for


class Status(enum.Enum):
    RENDERED = "rendered"
    CURRENT = "up to date"
    FAILED = "failed"
    MISSING = "missing"  # --check: no figure yet
    STALE = "out of date"  # --check: figure made from other bytes, style or versions
    ORPHAN = "orphan"  # --check: a figure of attrmap's whose input is gone
    PRUNED = "pruned"  # --prune: such a figure, deleted


@dataclass(frozen=True)
class BatchItem:
    source: Path  # the input file, IN_DIR / relative
    output: Path  # the figure, OUT_DIR / relative with the figure's extension
    relative: str  # the input's path below IN_DIR, with "/" separators
    # Figures of other inputs named like this one's numbered figures (``a-0.png`` from
    # ``a-0.csv`` beside ``a.json``): a clash only if this input holds several matrices.
    numbered_clashes: tuple[str, ...] = ()

    @property
    def orphan(self) -> bool:
        """A figure without an input (found by --check or --prune) is its own source."""
        return self.source == self.output


@dataclass(frozen=True)
class Outcome:
    item: BatchItem
    status: Status
    error: AttrmapError | None = None
    key: str | None = None  # the figure's key, once the input could be read
    warnings: tuple[FigureWarning, ...] = ()  # what drawing it warned about


@dataclass
class Summary:
    check: bool = False  # a --check run: counts missing and stale, renders nothing
    prune: bool = False  # a --prune run: deletes orphans
    counts: dict[Status, int] = field(default_factory=lambda: dict.fromkeys(Status, 0))
    seconds: float = 0.0
    interrupted_by: int | None = None  # the signal number, if a signal stopped the batch
    warnings: list[FigureWarning] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        bad = (Status.FAILED, Status.MISSING, Status.STALE, Status.ORPHAN)
        return self.interrupted_by is None and not any(self.counts[s] for s in bad)

    def line(self) -> str:
        c = self.counts
        if self.check:
            parts = [
                f"{c[Status.CURRENT]} up to date",
                f"{c[Status.MISSING]} missing",
                f"{c[Status.STALE]} out of date",
                f"{c[Status.FAILED]} failed",
                f"{c[Status.ORPHAN]} orphans",
            ]
        else:
            parts = [
                f"{c[Status.RENDERED]} rendered",
                f"{c[Status.CURRENT]} up to date",
                f"{c[Status.FAILED]} failed",
            ]
            if self.prune:
                parts.append(f"{c[Status.PRUNED]} pruned")
        stopped = " (interrupted)" if self.interrupted_by is not None else ""
        return f"{', '.join(parts)} in {self.seconds:.1f} s{stopped}"

    def as_json(self) -> dict[str, object]:
        return {
            **{status.value: count for status, count in self.counts.items()},
            "seconds": round(self.seconds, 3),
            "interrupted": self.interrupted_by is not None,
            "ok": self.ok,
        }


class BatchInterrupted(Exception):
    """SIGINT or SIGTERM stopped the batch; ``summary`` says what was done."""

    def __init__(self, summary: Summary, signum: int) -> None:
        super().__init__(f"interrupted by signal {signum}")
        self.summary = summary
        self.signum = signum


@dataclass(frozen=True)
class BatchOptions:
    config: Config = field(default_factory=Config)
    figure_format: str = "png"
    jobs: int = 0  # 0: one per core
    force: bool = False
    check: bool = False
    prune: bool = False  # delete orphans (see ``find_orphans``); --check only lists them
    fail_fast: bool = False
    shard: tuple[int, int] = (1, 1)
    input_options: InputOptions = DEFAULT_INPUT


# --------------------------------------------------------------------------- planning


#: Set beside ``JOB_COMPLETION_INDEX`` in a Kubernetes Indexed Job: Kubernetes gives each
#: pod its index but not the number of completions, which a shard needs.
SHARD_COUNT_VARIABLE = "ATTRMAP_SHARD_COUNT"


def parse_shard(text: str, environ: Mapping[str, str] | None = None) -> tuple[int, int]:
    """``K/N``: this is job K of N (1-based); ``auto``: from the scheduler (see
    ``shard_from_environment``)."""
    if text.strip().lower() == "auto":
        return shard_from_environment(os.environ if environ is None else environ)
    try:
        k, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise ValueError(f"shard must be K/N, e.g. 1/4, not {text!r}") from None
    if not 1 <= k <= n:
        raise ValueError(f"shard K/N needs 1 <= K <= N, not {text!r}")
    return k, n


def shard_from_environment(environ: Mapping[str, str]) -> tuple[int, int]:
    """This task's shard in a Slurm job array or a Kubernetes Indexed Job.

    Slurm: ``SLURM_ARRAY_TASK_ID`` minus ``SLURM_ARRAY_TASK_MIN`` (divided by
    ``SLURM_ARRAY_TASK_STEP`` for ``--array=0-30:10``) of ``SLURM_ARRAY_TASK_COUNT`` tasks.
    Kubernetes: ``JOB_COMPLETION_INDEX`` (0-based) of ``ATTRMAP_SHARD_COUNT``, which the
    Job sets to its ``completions``.
    """

    def number(name: str) -> int:
        value = environ.get(name, "").strip()
        if not value.isdigit():
            raise ValueError(f"--shard auto: {name}={value!r} is not a whole number")
        return int(value)

    if "SLURM_ARRAY_TASK_ID" in environ:
        step = number("SLURM_ARRAY_TASK_STEP") if "SLURM_ARRAY_TASK_STEP" in environ else 1
        offset = number("SLURM_ARRAY_TASK_ID") - number("SLURM_ARRAY_TASK_MIN")
        count = number("SLURM_ARRAY_TASK_COUNT")
        if step < 1 or offset % step or not 0 <= offset // step < count:
            raise ValueError(
                "--shard auto: this Slurm array's task ids are not one evenly spaced range "
                "(use e.g. --array=0-9, or pass --shard K/N)"
            )
        return offset // step + 1, count
    if "JOB_COMPLETION_INDEX" in environ:
        if SHARD_COUNT_VARIABLE not in environ:
            raise ValueError(
                f"--shard auto: a Kubernetes Indexed Job also needs {SHARD_COUNT_VARIABLE} "
                "set to the Job's completions"
            )
        index, count = number("JOB_COMPLETION_INDEX"), number(SHARD_COUNT_VARIABLE)
        if not 0 <= index < count:
            raise ValueError(
                f"--shard auto: JOB_COMPLETION_INDEX={index} is not below "
                f"{SHARD_COUNT_VARIABLE}={count}"
            )
        return index + 1, count
    raise ValueError(
        "--shard auto works inside a Slurm job array (SLURM_ARRAY_TASK_ID) or a Kubernetes "
        f"Indexed Job (JOB_COMPLETION_INDEX and {SHARD_COUNT_VARIABLE}); elsewhere pass K/N"
    )


def in_shard(relative: str, shard: tuple[int, int]) -> bool:
    """A stable split by path: a file stays in its shard when others come and go."""
    k, n = shard
    digest = hashlib.sha256(relative.encode("utf-8", "surrogateescape")).digest()
    return int.from_bytes(digest[:8], "big") % n == k - 1


def discover(in_dir: Path, out_dir: Path | None = None) -> list[str]:
    """Relative paths of every matrix file below ``in_dir``, sorted.

    Hidden files and folders are skipped, symlinked folders are not entered (no loops,
    nothing outside ``in_dir``), symlinked files are read like files, and an output
    folder inside the input folder is skipped.
    """
    skip = out_dir.resolve() if out_dir is not None else None
    found: list[str] = []
    suffixes = input_suffixes()

    def unreadable(error: OSError) -> None:
        # A folder that cannot be listed would silently check nothing: refuse instead.
        raise BatchError(f"{error.filename}: cannot list folder: {error.strerror}")

    for root, dirs, files in os.walk(in_dir, onerror=unreadable, followlinks=False):
        root_path = Path(root)
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".") and (skip is None or (root_path / d).resolve() != skip)
        )
        for name in files:
            if name.startswith(".") or not name.lower().endswith(suffixes):
                continue
            found.append((root_path / name).relative_to(in_dir).as_posix())
    return sorted(found)


def plan(in_dir: Path, out_dir: Path, options: BatchOptions) -> list[BatchItem]:
    """The inputs of this shard and their figures; refuse colliding outputs up front."""
    if not in_dir.is_dir():
        raise BatchError(f"{in_dir}: not a folder")
    if out_dir.exists() and not out_dir.is_dir():
        raise BatchError(f"{out_dir}: exists and is not a folder")
    relatives = discover(in_dir, out_dir)
    if not relatives:  # a mistyped folder must not make --check pass by checking nothing
        patterns = ", ".join("*" + suffix for suffix in input_suffixes())
        raise BatchError(f"{in_dir}: no matrix files ({patterns}) found")
    by_output: dict[str, list[str]] = {}
    for relative in relatives:
        folder = Path(relative).parent
        figure = (folder / figure_name(relative, options.figure_format)).as_posix()
        by_output.setdefault(figure, []).append(relative)
    clashes = [f"{' and '.join(ins)} -> {fig}" for fig, ins in by_output.items() if len(ins) > 1]
    if clashes:
        raise BatchError(
            f"{in_dir}: inputs would write the same figure: {'; '.join(clashes)}; "
            "rename or remove one of each"
        )
    numbered_like: dict[str, list[str]] = {}  # "a.png" -> ["a-0.png", ...] of other inputs
    for figure in by_output:
        match = _NUMBERED_RE.fullmatch(figure)
        if match:
            numbered_like.setdefault(match[1] + match[2], []).append(figure)
    return [
        BatchItem(
            in_dir / relative, out_dir / figure, relative, tuple(numbered_like.get(figure, ()))
        )
        for figure, (relative,) in sorted(by_output.items(), key=lambda kv: kv[1])
        if in_shard(relative, options.shard)
    ]


_NUMBERED_RE = re.compile(r"(.*)-\d+(\.[^./]+)")


def _inside(path: Path, folder: Path) -> bool:
    # Resolving follows any symlinked folder on the way: refuse writing through one.
    return _resolved(path.parent).is_relative_to(_resolved(folder))


@functools.lru_cache(maxsize=1024)
def _resolved(folder: Path) -> Path:
    """Folders resolved once per run (thousands of figures share a few folders);
    ``run_batch`` clears this, so a run sees the links as they are when it starts."""
    return folder.resolve()


# --------------------------------------------------------------------------- orphans

_NUMBER_SUFFIX_RE = re.compile(r"-\d+$")


def _claimed_by_an_input(stem: str, input_stems: set[str]) -> bool:
    """``a``, ``a-0``, ``a-1-2`` are claimed by an input whose figure is ``a``: numbered
    figures (several matrices in one input, several pages) keep their input's name."""
    while True:
        if stem in input_stems:
            return True
        shorter = _NUMBER_SUFFIX_RE.sub("", stem)
        if shorter == stem:
            return False
        stem = shorter


def find_orphans(in_dir: Path, out_dir: Path, options: BatchOptions) -> list[Path]:
    """Figures in ``out_dir`` made by attrmap (they carry its key) whose input is gone.

    A figure is claimed by an input when its path below ``out_dir``, extension aside and
    numbered suffixes (``-0``, ``-1``) aside, is that input's figure path: so a figure
    in another format, or numbered, is never an orphan while its input exists. A file
    without attrmap's key is never an orphan, nor anything hidden, symlinked, or outside
    ``out_dir``. With ``--shard K/N`` each shard finds only the orphans whose figure path
    hashes into it, so the shards of one run share the work without overlap. Reads no
    figure fully and never imports matplotlib.
    """
    if not out_dir.is_dir():
        return []
    # Plain strings, not Paths, in these loops: they run once per input and per figure,
    # and under cProfile their Path operations were a tenth of a 10,000-input check.
    input_stems = set()
    for relative in discover(in_dir, out_dir):
        folder, name = posixpath.split(relative)
        input_stems.add(posixpath.join(folder, input_stem(name)))
    suffixes = figure_suffixes()
    orphans: list[Path] = []
    top = os.fspath(out_dir)
    for root, dirs, files in os.walk(top, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        folder = os.path.relpath(root, top).replace(os.sep, "/")
        folder = "" if folder == "." else folder
        for name in sorted(files):
            if name.startswith(".") or not name.lower().endswith(suffixes):
                continue
            relative = posixpath.join(folder, name)
            if (
                not _claimed_by_an_input(posixpath.splitext(relative)[0], input_stems)
                and in_shard(relative, options.shard)
                and _removable_figure(Path(root) / name, out_dir)
            ):
                orphans.append(Path(root) / name)
    return orphans


def _removable_figure(path: Path, out_dir: Path) -> bool:
    """A regular file of attrmap's (its key inside), really inside ``out_dir``."""
    return (
        not path.is_symlink()
        and path.is_file()
        and path.resolve().is_relative_to(out_dir.resolve())
        and read_figure_key(path) is not None
    )


def prune(orphan: Path, out_dir: Path) -> AttrmapError | None:
    """Delete one orphan (checked again just before), then any folders it leaves empty."""
    if not _removable_figure(orphan, out_dir):
        return OutputError(f"{orphan}: changed since it was found; not deleted")
    try:
        orphan.unlink()
    except OSError as error:
        return OutputError(f"{orphan}: cannot delete: {error.strerror or error}")
    folder, top = orphan.parent, out_dir.resolve()
    while folder.resolve() != top and folder.resolve().is_relative_to(top):
        try:
            folder.rmdir()  # only succeeds when empty
        except OSError:
            break
        folder = folder.parent
    return None


def _orphan_outcomes(in_dir: Path, out_dir: Path, options: BatchOptions) -> list[Outcome]:
    outcomes = []
    for orphan in find_orphans(in_dir, out_dir, options):
        item = BatchItem(orphan, orphan, orphan.relative_to(out_dir).as_posix())
        if options.check:
            outcomes.append(Outcome(item, Status.ORPHAN, key=read_figure_key(orphan)))
        else:
            error = prune(orphan, out_dir)
            outcomes.append(Outcome(item, Status.FAILED if error else Status.PRUNED, error))
    return outcomes


# --------------------------------------------------------------------------- workers


class _Renderer:
    """Per-process drawing state: the canvases kept between figures (``Canvases``)."""

    def __init__(self, options: BatchOptions) -> None:
        from .plotting import Canvases

        self.style = options.config.style
        self.canvases = Canvases()

    def render(self, matrix: AttributionMatrix, output: Path, key: str) -> None:
        style = resolve_scale(self.style, [matrix.values])  # a shared range: resolved already
        writer_for(output).write(matrix, style, output, key, canvases=self.canvases)


_renderers: dict[tuple[str, int], _Renderer] = {}


def renderer_for(options: BatchOptions) -> _Renderer:
    """This process's (and thread's) renderer for the options' style, kept between tasks
    so that canvases are reused: one per pool worker, or per Dask worker thread."""
    cache_key = (repr(options.config.style), threading.get_ident())
    renderer = _renderers.get(cache_key)
    if renderer is None:
        if len(_renderers) >= 8:  # a long-lived Dask worker serving many styles
            _renderers.clear()
        renderer = _renderers[cache_key] = _Renderer(options)
    return renderer


def _init_worker(options: BatchOptions) -> None:
    # The parent handles Ctrl-C for everyone; SIGTERM (from the parent stopping the
    # pool) unwinds through atomic_write, which removes its temporary file.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    global _pool_options
    _pool_options = options


_pool_options: BatchOptions | None = None


#: What drawing one figure gives back (across processes): its error or None, and the
#: warnings it raised, for the parent to sum up in one line per kind.
RenderResult = tuple[AttrmapError | None, tuple[FigureWarning, ...]]


def _render_safely(
    renderer: _Renderer, matrix: AttributionMatrix, output: Path, key: str
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


def _render_in_worker(matrix: AttributionMatrix, output: Path, key: str) -> RenderResult:
    assert _pool_options is not None
    return _render_safely(renderer_for(_pool_options), matrix, output, key)


# --------------------------------------------------------------------------- executors


@dataclass(frozen=True)
class RenderJob:
    """One figure to draw: ``item.output`` from ``matrix``, recording ``key``."""

    item: BatchItem
    matrix: AttributionMatrix
    key: str


class Executor(Protocol):
    """Where figures are drawn. ``run_batch`` alone decides what to draw; an executor
    draws what it is given (in this process, in a local pool, on a Dask cluster) and
    hands back one ``Outcome`` per job."""

    def ready(self) -> bool:
        """Room for another job now (else ``collect`` first)."""

    def submit(self, job: RenderJob) -> None: ...

    def pending(self) -> int:
        """Jobs submitted whose outcome has not been collected."""

    def collect(self, block: bool) -> list[Outcome]:
        """Finished jobs' outcomes; with ``block``, wait (briefly, so that Ctrl-C is
        noticed) until there is at least one, if any job is pending."""

    def shutdown(self, cancel: bool) -> None:
        """Wait for the work (or with ``cancel``, stop it now); release the workers."""


#: Makes the executor when the first figure needs drawing, from the batch's options.
ExecutorFactory = Callable[[BatchOptions], Executor]


class InProcessExecutor:
    """Draw in this process (``-j 1``, and HTML, which is text and needs no workers)."""

    def __init__(self, options: BatchOptions) -> None:
        self.renderer = _Renderer(options)
        self.done: list[Outcome] = []

    def ready(self) -> bool:
        return True

    def submit(self, job: RenderJob) -> None:
        result = _render_safely(self.renderer, job.matrix, job.item.output, job.key)
        self.done.append(rendered(job.item, result, job.key))

    def pending(self) -> int:
        return len(self.done)

    def collect(self, block: bool) -> list[Outcome]:
        done, self.done = self.done, []
        return done

    def shutdown(self, cancel: bool) -> None:
        self.done = []


class PoolExecutor:
    """Local worker processes, each keeping its canvases; at most two jobs queued per
    worker so that a dead worker fails few figures and Ctrl-C stops quickly."""

    def __init__(self, options: BatchOptions, jobs: int) -> None:
        self.options, self.jobs = options, jobs
        self.pool = _start_pool(jobs, options)
        self.futures: dict[Future, RenderJob] = {}

    def ready(self) -> bool:
        return len(self.futures) < 2 * self.jobs

    def submit(self, job: RenderJob) -> None:
        args = (job.matrix, job.item.output, job.key)
        try:
            future = self.pool.submit(_render_in_worker, *args)
        except BrokenProcessPool:  # a worker died; its futures already failed
            self.pool.shutdown(wait=False)
            self.pool = _start_pool(self.jobs, self.options)
            future = self.pool.submit(_render_in_worker, *args)
        self.futures[future] = job

    def pending(self) -> int:
        return len(self.futures)

    def collect(self, block: bool) -> list[Outcome]:
        done: set[Future] = set()
        while self.futures:
            done, _ = wait(self.futures, timeout=0.2 if block else 0, return_when=FIRST_COMPLETED)
            if done or not block:
                break
        outcomes = []
        for future in sorted(done, key=lambda f: self.futures[f].item.relative):
            job = self.futures.pop(future)
            try:
                result = future.result()
            except BrokenProcessPool:
                result = worker_died(job.item), ()
            except Exception as exc:  # e.g. a result that cannot be pickled: a bug
                result = internal_error(job.item.source, exc), ()
            outcomes.append(rendered(job.item, result, job.key))
        return outcomes

    def shutdown(self, cancel: bool) -> None:
        if cancel:
            _terminate_pool(self.pool)
        else:
            self.pool.shutdown(wait=True)
        self.futures = {}


def local_executor(options: BatchOptions) -> Executor:
    """``-j N`` worker processes (one per usable core by default); none for ``-j 1``."""
    # A format written as text (HTML) takes well under a millisecond a figure: worker
    # processes (and matplotlib's drawing machinery) would only cost start-up time.
    drawn = get_writer(options.figure_format).draws
    jobs = (options.jobs or available_cores()) if drawn else 1
    return InProcessExecutor(options) if jobs == 1 else PoolExecutor(options, jobs)


# --------------------------------------------------------------------------- running


def _examine(
    item: BatchItem,
    out_dir: Path,
    options: BatchOptions,
    loaded: dict[Path, list[AttributionMatrix]] | None = None,
) -> tuple[list[Outcome], list[tuple]]:
    """Read and validate one input; decide which of its figures need drawing.

    Returns the outcomes of figures that need no drawing and the jobs of those that do:
    one figure per matrix, numbered (``a-0.png``, ...) when the input holds several.
    """
    config = options.config
    try:
        matrices = (loaded or {}).pop(item.source, None) or load_checked(
            item.source, config, options.input_options
        )
        outputs = numbered(item.output, len(matrices))
        _refuse_numbered_clashes(item, outputs, out_dir)
        if not _inside(item.output, out_dir):
            raise OutputError(f"{item.output}: refusing to write through a symlinked folder")
    except AttrmapError as error:
        return [Outcome(item, Status.FAILED, error)], []
    outcomes: list[Outcome] = []
    jobs: list[tuple] = []
    for matrix, output in zip(matrices, outputs, strict=True):
        figure_item = item if output == item.output else replace(item, output=output)
        style = resolve_scale(config.style, [matrix.values])  # keyed with its range
        key = figure_key(matrix, style, options.figure_format)
        if not options.force and figure_is_current(output, key):
            outcomes.append(Outcome(figure_item, Status.CURRENT, key=key))
        elif options.check:
            missing = not output.exists()
            status = Status.MISSING if missing else Status.STALE
            outcomes.append(Outcome(figure_item, status, key=key))
        else:
            jobs.append((figure_item, (matrix, output, key)))
    return outcomes, jobs


def _refuse_numbered_clashes(item: BatchItem, outputs: list[Path], out_dir: Path) -> None:
    if len(outputs) == 1 or not item.numbered_clashes:
        return
    taken = {out_dir / figure for figure in item.numbered_clashes}
    for output in outputs:
        if output in taken:
            raise OutputError(
                f"{item.source}: holds {len(outputs)} matrices, and its figure {output} "
                "would overwrite another input's figure; rename one of them"
            )


def run_batch(
    in_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    options: BatchOptions | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
    items: list[BatchItem] | None = None,
    executor_factory: ExecutorFactory = local_executor,
) -> Summary:
    """Bring every figure of ``out_dir`` up to date with its input in ``in_dir``.

    ``on_outcome`` is called once per figure as it finishes (for progress and error
    lines). With ``options.check`` nothing is written. The figures to draw go to the
    executor ``executor_factory`` makes (local processes by default; see
    ``attrmap.distributed`` for Dask). SIGINT/SIGTERM raise ``BatchInterrupted`` after
    the workers are stopped and temporary files removed.
    """
    options = options or BatchOptions()
    in_path, out_path = Path(in_dir), Path(out_dir)
    if items is None:
        items = plan(in_path, out_path, options)
    options, loaded = _with_shared_range(in_path, out_path, options, items)
    summary = Summary(check=options.check, prune=options.prune)
    started = time.perf_counter()
    stop_early = False

    def record(outcomes: Iterable[Outcome]) -> None:
        nonlocal stop_early
        for outcome in outcomes:
            summary.counts[outcome.status] += 1
            summary.warnings.extend(outcome.warnings)
            if on_outcome is not None:
                on_outcome(outcome)
            if outcome.status is Status.FAILED and options.fail_fast:
                stop_early = True

    _resolved.cache_clear()
    output_folders = sorted({item.output.parent for item in items})
    if not options.check:
        remove_stale_temp_files(output_folders, out_path)  # leftovers of a killed run
    executor: Executor | None = None  # started when the first figure needs drawing
    try:
        with sigterm_raises(), _examinations(items, out_path, options, loaded) as examined:
            for outcomes, figure_jobs in examined:
                if stop_early:
                    break
                record(outcomes)
                for figure_item, (matrix, _output, key) in figure_jobs:
                    if executor is None:
                        _check_style(options)
                        executor = executor_factory(options)
                    while not executor.ready() and not stop_early:
                        record(executor.collect(block=True))
                    if stop_early:
                        break
                    executor.submit(RenderJob(figure_item, matrix, key))
                    record(executor.collect(block=False))
            while executor is not None and executor.pending() and not stop_early:
                record(executor.collect(block=True))
            if (options.check or options.prune) and not stop_early:
                record(_orphan_outcomes(in_path, out_path, options))
    except (KeyboardInterrupt, Terminated) as stop:
        if executor is not None:
            executor.shutdown(cancel=True)
            executor = None
        remove_stale_temp_files(output_folders, out_path)
        summary.seconds = time.perf_counter() - started
        signum = signal.SIGINT if isinstance(stop, KeyboardInterrupt) else signal.SIGTERM
        summary.interrupted_by = int(signum)
        raise BatchInterrupted(summary, int(signum)) from None
    finally:
        if executor is not None:
            executor.shutdown(cancel=stop_early)
            if stop_early:
                remove_stale_temp_files(output_folders, out_path)
    summary.seconds = time.perf_counter() - started
    for line in summarize_warnings(summary.warnings):
        warnings.warn(line, BatchWarning, stacklevel=2)
    return summary


#: From this many inputs on, ``--check`` reads and validates them in worker processes:
#: a check is all reading and hashing, and 10,000 inputs keep one core busy for seconds.
PARALLEL_CHECK_FROM = 512


@contextlib.contextmanager
def _examinations(
    items: list[BatchItem],
    out_dir: Path,
    options: BatchOptions,
    loaded: dict[Path, list[AttributionMatrix]],
) -> Iterator[Iterable[tuple[list[Outcome], list[tuple]]]]:
    """``_examine`` of every item, in order: here, or for a large ``--check`` (which draws
    nothing, so examining is all its work) in ``-j`` worker processes."""
    jobs = options.jobs or available_cores()
    if not options.check or loaded or jobs == 1 or len(items) < PARALLEL_CHECK_FROM:
        yield (_examine(item, out_dir, options, loaded) for item in items)
        return
    pool = _start_pool(jobs, options, initializer=_init_checker, initargs=(out_dir, options))
    try:
        yield pool.map(_examine_in_checker, items, chunksize=64)
    finally:
        _terminate_pool(pool)  # idle by now, unless stopped early or interrupted


_checker: tuple[Path, BatchOptions] | None = None


def _init_checker(out_dir: Path, options: BatchOptions) -> None:
    global _checker
    _init_worker(options)
    _checker = (out_dir, options)


def _examine_in_checker(item: BatchItem) -> tuple[list[Outcome], list[tuple]]:
    assert _checker is not None
    return _examine(item, *_checker)


class BatchWarning(UserWarning):
    """One line summing up one kind of FigureWarning over a whole batch."""


def summarize_warnings(found: list[FigureWarning], examples: int = 3) -> list[str]:
    """One line per kind of warning, not one per figure: the count, a few of the files
    concerned, and the advice. A kind raised by a single figure keeps its own line."""
    by_kind: dict[type, list[FigureWarning]] = {}
    for warning in found:
        by_kind.setdefault(type(warning), []).append(warning)
    lines = []
    for kind, group in by_kind.items():
        if len(group) == 1:
            lines.append(str(group[0]))
            continue
        named = [f"{w.source} ({w.detail})" if w.detail else w.source for w in group]
        shown = ", ".join(named[:examples]) + (", ..." if len(named) > examples else "")
        advice = f"; {kind.advice}" if kind.advice else ""
        lines.append(f"{len(group)} figures {kind.summary}: {shown}{advice}")
    return lines


def _with_shared_range(
    in_dir: Path, out_dir: Path, options: BatchOptions, items: list[BatchItem]
) -> tuple[BatchOptions, dict[Path, list[AttributionMatrix]]]:
    """For ``range: shared``, resolve one range over every valid input below ``in_dir``
    (every shard's too, so shards agree) before any figure is keyed. The inputs of this
    run are kept, so they are read once; invalid ones are reported when examined."""
    if options.config.style.scale.range != "shared":
        return options, {}
    sources = {in_dir / relative for relative in discover(in_dir, out_dir)}
    sources.update(item.source for item in items if not item.orphan)
    loaded: dict[Path, list[AttributionMatrix]] = {}
    for source in sorted(sources):
        try:
            loaded[source] = load_checked(source, options.config, options.input_options)
        except AttrmapError:
            continue
    matrices = [matrix for each in loaded.values() for matrix in each]
    config = shared_scale(options.config, matrices)
    mine = {item.source for item in items}
    return replace(options, config=config), {s: m for s, m in loaded.items() if s in mine}


def _start_pool(
    jobs: int,
    options: BatchOptions,
    initializer: Callable[..., None] = _init_worker,
    initargs: tuple[object, ...] | None = None,
) -> ProcessPoolExecutor:
    # fork is fast and safe here (the parent has no threads and no matplotlib state);
    # elsewhere (macOS) spawn, as CPython itself defaults to there.
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    return ProcessPoolExecutor(
        jobs,
        mp_context=multiprocessing.get_context(method),
        initializer=initializer,
        initargs=(options,) if initargs is None else initargs,
    )


def _check_style(options: BatchOptions) -> None:
    """Fail the whole batch once for an unknown colormap, not once per figure."""
    from .scale import resolve_cmap

    resolve_cmap(options.config.style)


def rendered(item: BatchItem, result: RenderResult, key: str) -> Outcome:
    """The outcome of drawing ``item``'s figure, wherever it was drawn."""
    error, found = result
    return Outcome(item, Status.FAILED if error else Status.RENDERED, error, key, found)


def worker_died(item: BatchItem) -> WorkerError:
    return WorkerError(
        f"{item.source}: a worker process died (killed, or out of memory) while "
        "this or another figure was being drawn; run the batch again to retry"
    )


#: How long stopped workers get to unwind (and remove their temporary files) before
#: they are killed.
WORKER_GRACE_SECONDS = 5.0


def _terminate_pool(pool: ProcessPoolExecutor, grace: float = WORKER_GRACE_SECONDS) -> None:
    """Stop the workers now; they remove their temporary files as SIGTERM unwinds them.

    A worker that has not exited after ``grace`` seconds is killed. One can block for
    ever while unwinding: concurrent.futures sends the SystemExit back as a result, and
    the result queue's lock may be held by a sibling that was stopped mid-send (seen
    under load: the whole batch then hung in shutdown). The leftover sweep removes a
    killed worker's temporary file.
    """
    processes = list((getattr(pool, "_processes", None) or {}).values())
    terminate = getattr(pool, "terminate_workers", None)  # Python >= 3.14
    if terminate is not None:
        terminate()
    else:
        for process in processes:
            process.terminate()
    deadline = time.monotonic() + grace
    alive = processes
    while alive and (remaining := deadline - time.monotonic()) > 0:
        wait_for_exit([process.sentinel for process in alive], timeout=remaining)
        alive = [process for process in alive if not wait_for_exit([process.sentinel], 0)]
    for process in alive:
        process.kill()
    pool.shutdown(wait=True, cancel_futures=True)
