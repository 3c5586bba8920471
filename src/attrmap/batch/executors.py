"""Where figures are drawn: in this process, or in a pool of local worker processes
(``dask_executor`` adds a Dask cluster). ``run_batch`` decides what to draw; an executor
only draws what it is given."""

from __future__ import annotations

import multiprocessing
import sys
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing.connection import wait as wait_for_exit
from typing import Protocol

from ..model import AttributionMatrix
from ..pipeline import available_cores
from ..writers import get_writer
from .records import BatchItem, BatchOptions, Outcome
from .worker import (
    Renderer,
    init_worker,
    internal_error,
    render_in_worker,
    render_safely,
    rendered,
    worker_died,
)


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

    def shutdown(self, cancel: bool) -> list[RenderJob]:
        """Wait for the work (or with ``cancel``, stop it now); release the workers.

        Returns the jobs whose outcome was never collected: with ``cancel``, some of
        them may have been drawn before the stop (``run_batch`` looks)."""


#: Makes the executor when the first figure needs drawing, from the batch's options.
ExecutorFactory = Callable[[BatchOptions], Executor]


class InProcessExecutor:
    """Draw in this process (``-j 1``, and HTML, which is text and needs no workers)."""

    def __init__(self, options: BatchOptions) -> None:
        self.renderer = Renderer(options)
        self.done: list[Outcome] = []

    def ready(self) -> bool:
        return True

    def submit(self, job: RenderJob) -> None:
        result = render_safely(self.renderer, job.matrix, job.item.output, job.key)
        self.done.append(rendered(job.item, result, job.key))

    def pending(self) -> int:
        return len(self.done)

    def collect(self, block: bool) -> list[Outcome]:
        done, self.done = self.done, []
        return done

    def shutdown(self, cancel: bool) -> list[RenderJob]:
        self.done = []
        return []


class PoolExecutor:
    """Local worker processes, each keeping its canvases; at most two jobs queued per
    worker so that a dead worker fails few figures and Ctrl-C stops quickly."""

    def __init__(self, options: BatchOptions, jobs: int) -> None:
        self.options, self.jobs = options, jobs
        self.pool = start_pool(jobs)
        self.futures: dict[Future, RenderJob] = {}

    def ready(self) -> bool:
        return len(self.futures) < 2 * self.jobs

    def submit(self, job: RenderJob) -> None:
        args = (self.options, job.matrix, job.item.output, job.key)
        try:
            future = self.pool.submit(render_in_worker, *args)
        except BrokenProcessPool:  # a worker died; its futures already failed
            self.pool.shutdown(wait=False)
            self.pool = start_pool(self.jobs)
            future = self.pool.submit(render_in_worker, *args)
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

    def shutdown(self, cancel: bool) -> list[RenderJob]:
        if cancel:
            terminate_pool(self.pool)
        else:
            self.pool.shutdown(wait=True)
        uncollected, self.futures = list(self.futures.values()), {}
        return uncollected


def local_executor(options: BatchOptions) -> Executor:
    """``-j N`` worker processes (one per usable core by default); none for ``-j 1``."""
    # A format written as text (HTML) takes well under a millisecond a figure: worker
    # processes (and matplotlib's drawing machinery) would only cost start-up time.
    drawn = get_writer(options.figure_format).draws
    jobs = (options.jobs or available_cores()) if drawn else 1
    return InProcessExecutor(options) if jobs == 1 else PoolExecutor(options, jobs)


def start_pool(jobs: int) -> ProcessPoolExecutor:
    """``jobs`` worker processes that leave Ctrl-C to the parent (``init_worker``)."""
    # fork is fast and safe here (the parent has no threads and no matplotlib state);
    # elsewhere (macOS) spawn, as CPython itself defaults to there.
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    return ProcessPoolExecutor(
        jobs, mp_context=multiprocessing.get_context(method), initializer=init_worker
    )


#: How long stopped workers get to unwind (and remove their temporary files) before
#: they are killed. They exit by themselves in milliseconds (``worker._stop_worker``);
#: this is only for one stuck in C code.
WORKER_GRACE_SECONDS = 5.0


def terminate_pool(pool: ProcessPoolExecutor, grace: float = WORKER_GRACE_SECONDS) -> None:
    """Stop the workers now: SIGTERM makes each exit by itself at once, unwinding the
    figure it was drawing (which removes its temporary file) without going back to
    concurrent.futures (``worker._stop_worker``).

    A worker that has not exited after ``grace`` seconds is killed (one stuck in a long
    C call, say); the leftover sweep removes a killed worker's temporary file.
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
