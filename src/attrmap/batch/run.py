"""The run loop: examine every input (read, validate, key), skip what is current, send
the rest to an executor, then list or prune orphans; one ``Summary`` at the end."""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from ..atomic import remove_stale_temp_files, special_file_kind
from ..errors import AttrmapError, OutputError
from ..interrupts import Terminated, sigterm_raises
from ..model import AttributionMatrix
from ..pipeline import available_cores, load_checked, numbered, shared_scale
from ..provenance import figure_is_current, figure_key
from ..scale import resolve_scale
from .executors import (
    Executor,
    ExecutorFactory,
    RenderJob,
    local_executor,
    start_pool,
    terminate_pool,
)
from .orphans import orphan_outcomes
from .planning import discover, forget_resolved_folders, inside, plan
from .records import (
    BatchInterrupted,
    BatchItem,
    BatchOptions,
    BatchWarning,
    Outcome,
    Status,
    Summary,
    summarize_warnings,
)


def examine(
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
        refuse_numbered_clashes(item, outputs, out_dir)
        if not inside(item.output, out_dir):
            raise OutputError(f"{item.output}: refusing to write through a symlinked folder")
        for output in outputs:  # stat only: opening a FIFO to read its key would hang
            if kind := special_file_kind(output):
                raise OutputError(f"{output}: {kind}, not a figure; refusing to replace it")
    except AttrmapError as error:
        return [Outcome(item, Status.FAILED, error)], []
    outcomes: list[Outcome] = []
    jobs: list[tuple] = []
    for matrix, output in zip(matrices, outputs, strict=True):
        figure_item = item if output == item.output else replace(item, output=output)
        # Keyed with its range.
        style = resolve_scale(config.style, [matrix.values], export=matrix.export is not None)
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


def refuse_numbered_clashes(item: BatchItem, outputs: list[Path], out_dir: Path) -> None:
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
    options, loaded = with_shared_range(in_path, out_path, options, items)
    summary = Summary(check=options.check, prune=options.prune)
    started, started_at = time.perf_counter(), time.time()
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

    forget_resolved_folders()
    output_folders = sorted({item.output.parent for item in items})
    if not options.check:
        remove_stale_temp_files(output_folders, out_path)  # leftovers of a killed run
    executor: Executor | None = None  # started when the first figure needs drawing
    try:
        with sigterm_raises(), examinations(items, out_path, options, loaded) as examined:
            for outcomes, figure_jobs in examined:
                if stop_early:
                    break
                record(outcomes)
                for figure_item, (matrix, _output, key) in figure_jobs:
                    if executor is None:
                        check_style(options)
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
                record(orphan_outcomes(in_path, out_path, options))
    except (KeyboardInterrupt, Terminated) as stop:
        if executor is not None:
            uncollected = executor.shutdown(cancel=True)
            executor = None
            record(drawn_before_the_stop(uncollected, started_at))
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


def drawn_before_the_stop(jobs: Iterable[RenderJob], since: float) -> Iterator[Outcome]:
    """The stopped jobs whose figure was written all the same (the worker finished it
    but had not handed the result back): the summary counts the figures on disk. A
    figure from before ``since`` (kept by a stopped ``--force``) is not counted; file
    times lag the clock by a tick, hence the margin."""
    since -= 0.1
    for job in jobs:
        output = job.item.output
        try:
            written = output.stat().st_mtime >= since and figure_is_current(output, job.key)
        except OSError:
            written = False
        if written:
            yield Outcome(job.item, Status.RENDERED, key=job.key)


#: From this many inputs on, ``--check`` reads and validates them in worker processes:
#: a check is all reading and hashing, and 10,000 inputs keep one core busy for seconds.
PARALLEL_CHECK_FROM = 512


@contextlib.contextmanager
def examinations(
    items: list[BatchItem],
    out_dir: Path,
    options: BatchOptions,
    loaded: dict[Path, list[AttributionMatrix]],
) -> Iterator[Iterable[tuple[list[Outcome], list[tuple]]]]:
    """``examine`` of every item, in order: here, or for a large ``--check`` (which draws
    nothing, so examining is all its work) in ``-j`` worker processes."""
    jobs = options.jobs or available_cores()
    if not options.check or loaded or jobs == 1 or len(items) < PARALLEL_CHECK_FROM:
        yield (examine(item, out_dir, options, loaded) for item in items)
        return
    pool = start_pool(jobs)
    try:
        check = functools.partial(examine, out_dir=out_dir, options=options)
        yield pool.map(check, items, chunksize=64)
    finally:
        terminate_pool(pool)  # idle by now, unless stopped early or interrupted


def with_shared_range(
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


def check_style(options: BatchOptions) -> None:
    """Fail the whole batch once for an unknown colormap, not once per figure."""
    from ..scale import resolve_cmap

    resolve_cmap(options.config.style)
