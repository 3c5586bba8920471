"""``attrmap batch --dask ADDRESS``: the figures drawn by a Dask cluster's workers.

Everything else stays in the run loop (``run.py``): discovery, keys, incremental
skipping, ``--check``, ``--force``, orphans and the summary happen in this process
exactly as for a local batch; only the drawing is sent out, through the same
``Executor`` protocol as local worker processes. Workers write atomically straight into
the output folder, which they must share with this process (the usual shared file
system of a cluster), and each worker keeps its canvases between tasks
(``Renderer.for_options``).

Dask is imported only here, and only when ``--dask`` is given.
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path
from typing import Any

from ..errors import BatchError
from ..interrupts import ctrl_c_kept_from_children
from ..model import AttributionMatrix
from .executors import Executor, RenderJob
from .records import BatchOptions, Outcome
from .worker import Renderer, RenderResult, internal_error, render_safely, rendered, worker_died

LOCAL_PREFIX = "local:"
SHUTDOWN_SECONDS = 20
#: On Ctrl-C or SIGTERM, how long a local worker may take to stop before it is killed
#: (its temporary file is then swept); the batch must stop within a second.
STOP_SECONDS = 0.1
#: For ``local:N``: no statistical profiler sampling each worker 100 times a second and
#: slower system monitors: about a tenth of the CPU of a 100-figure batch on 2 cores
#: (benchmarks/RESULTS.md). A cluster of your own keeps its own settings.
LOCAL_CLUSTER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.worker.memory.monitor-interval": "2s",
    "distributed.admin.system-monitor.interval": "5s",
}


def parse_address(address: str) -> str | int:
    """A scheduler address (``tcp://host:8786``, a scheduler file path), or the number of
    worker processes for ``local:N``."""
    if address.startswith(LOCAL_PREFIX):
        count = address[len(LOCAL_PREFIX) :]
        if not count.isdigit() or int(count) < 1:
            raise ValueError(f"local:N needs a number of workers N >= 1, not {address!r}")
        return int(count)
    if not address.strip():
        raise ValueError("a Dask scheduler address is needed, e.g. tcp://10.0.0.5:8786, or local:N")
    return address


def dask_executor_factory(address: str) -> Any:
    """For ``run_batch(executor_factory=...)``: connects when the first figure needs
    drawing, so an up-to-date batch or ``--check`` never starts or reaches a cluster."""
    target = parse_address(address)

    def factory(options: BatchOptions) -> Executor:
        return DaskExecutor(target, options)

    return factory


#: Figures per Dask task: a task costs the scheduler and the worker a few milliseconds
#: of bookkeeping, a tenth of a figure's drawing; four to a task make that noise. A
#: worker that dies fails the tasks it held, so at most a few chunks of figures.
FIGURES_PER_TASK = 4


def render_chunk(
    options: BatchOptions, jobs: list[tuple[AttributionMatrix, str, str]]
) -> list[RenderResult]:
    """Runs on a Dask worker: draw figures with this process's kept renderer; errors
    are returned (one per figure), not raised."""
    renderer = Renderer.for_options(options)
    return [render_safely(renderer, matrix, Path(output), key) for matrix, output, key in jobs]


class DaskExecutor:
    """Jobs as Dask tasks of a few figures each; at most two tasks per worker thread in
    flight, so that Ctrl-C has little to cancel and a dead worker fails little."""

    def __init__(self, target: str | int, options: BatchOptions) -> None:
        try:
            import dask
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise BatchError(
                "drawing on Dask needs its distributed scheduler: pip install 'attrmap[dask]'"
            ) from None
        self.options = options
        self.cluster = None
        try:
            if isinstance(target, int):
                # The workers inherit the config, and leave Ctrl-C to this process.
                with dask.config.set(LOCAL_CLUSTER_CONFIG), ctrl_c_kept_from_children():
                    self.cluster = LocalCluster(
                        n_workers=target,
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=None,
                        # attrmap reports each figure's failure itself; Dask's own
                        # logs of a cluster being torn down mid-task are noise.
                        silence_logs=logging.CRITICAL,
                    )
                self.client = Client(self.cluster)
            else:
                self.client = Client(target, timeout=30)
        except Exception as error:  # no such scheduler, or workers that would not start
            self.close_cluster()
            what = "start a local cluster" if isinstance(target, int) else "connect"
            raise BatchError(f"Dask cluster {target}: cannot {what}: {error}") from None
        except BaseException:  # Ctrl-C or SIGTERM while starting: no worker left behind
            self.close_cluster(stop=True)
            raise
        threads = sum(self.client.nthreads().values()) or 1
        self.limit = 2 * threads
        self.futures: dict[Any, list[RenderJob]] = {}
        self.buffer: list[RenderJob] = []

    def ready(self) -> bool:
        return len(self.futures) < self.limit

    def submit(self, job: RenderJob) -> None:
        self.buffer.append(job)
        if len(self.buffer) >= FIGURES_PER_TASK:
            self._flush()

    def _flush(self) -> None:
        if not self.buffer:
            return
        # Absolute: a worker's current folder is not ours; the output folder is shared.
        work = [(job.matrix, os.path.abspath(job.item.output), job.key) for job in self.buffer]
        future = self.client.submit(render_chunk, self.options, work, pure=False, retries=0)
        self.futures[future], self.buffer = self.buffer, []

    def pending(self) -> int:
        return len(self.buffer) + sum(map(len, self.futures.values()))

    def collect(self, block: bool) -> list[Outcome]:
        from dask.distributed import wait

        if block:
            self._flush()  # waiting for results: send what is buffered first
        done: set[Any] = set()
        while self.futures:
            done = {future for future in self.futures if future.done()}
            if done or not block:
                break
            # A short timeout keeps Ctrl-C responsive, as for local workers.
            with contextlib.suppress(TimeoutError):
                wait(list(self.futures), timeout=0.2, return_when="FIRST_COMPLETED")
        outcomes = []
        for future in done:
            jobs = self.futures.pop(future)
            results = self._results_of(future, jobs)
            outcomes += [
                rendered(job.item, result, job.key)
                for job, result in zip(jobs, results, strict=True)
            ]
        return sorted(outcomes, key=lambda outcome: outcome.item.relative)

    @staticmethod
    def _results_of(future: Any, jobs: list[RenderJob]) -> list[RenderResult]:
        from distributed.scheduler import KilledWorker

        if future.status == "error":
            exception = future.exception()
            if isinstance(exception, KilledWorker):
                return [(worker_died(job.item), ()) for job in jobs]
            return [(internal_error(job.item.source, exception), ()) for job in jobs]
        if future.status == "cancelled":
            return [(worker_died(job.item), ()) for job in jobs]
        return future.result()

    def shutdown(self, cancel: bool) -> list[RenderJob]:
        """Cancel what has not run. On a cluster of one's own a task already running
        finishes its (atomic) writes; ``local:N`` workers are stopped at once (within
        ``STOP_SECONDS``). Stopping must not fail: the batch is being interrupted, or is
        done."""
        uncollected = self.buffer + [job for jobs in self.futures.values() for job in jobs]
        self.buffer = []
        try:
            if cancel and self.futures:
                self.client.cancel(list(self.futures))
            self.futures = {}
            if cancel:
                self.stop_local_workers()
            self.client.close(timeout=SHUTDOWN_SECONDS)
        except Exception as error:  # the scheduler went away: nothing left to stop
            logging.getLogger(__name__).debug("closing the Dask client: %s", error)
        finally:
            self.close_cluster()
        return uncollected

    def stop_local_workers(self) -> None:
        """``local:N``: close the workers' nannies before the scheduler (else the workers
        log failed heartbeats), each worker killed after ``STOP_SECONDS``."""
        if self.cluster is None:
            return
        nannies = list(self.cluster.workers.values())

        async def close_all() -> None:
            import asyncio

            closing = (
                nanny.close(timeout=STOP_SECONDS, reason="attrmap-stop") for nanny in nannies
            )
            await asyncio.gather(*closing, return_exceptions=True)

        self.cluster.sync(close_all)

    def close_cluster(self, stop: bool = False) -> None:
        if self.cluster is not None:
            with contextlib.suppress(Exception):
                if stop:
                    self.stop_local_workers()
            cluster, self.cluster = self.cluster, None
            with contextlib.suppress(Exception):
                cluster.close(timeout=SHUTDOWN_SECONDS)
