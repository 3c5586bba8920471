"""A folder of matrices to a folder of figures: incremental, parallel, checkable.

The parent process discovers inputs, reads and validates each (no matplotlib needed) and
decides from the key recorded in each figure whether it is up to date. Only stale figures
go to worker processes, each of which keeps one figure per layout and swaps the data in
(see ``plotting.Canvases``), so the expensive parts are built once per worker.

- ``records``: options, planned items, outcomes, the summary;
- ``planning``: discovery, shards, colliding outputs;
- ``orphans``: figures whose input is gone (``--check``, ``--prune``);
- ``worker``: drawing one figure in a worker process;
- ``executors``: in this process or a local process pool; ``dask_executor``: a Dask
  cluster (Dask imported only there);
- ``run``: the run loop.
"""

from __future__ import annotations

from .executors import Executor, ExecutorFactory, RenderJob, local_executor
from .orphans import find_orphans, prune
from .planning import SHARD_COUNT_VARIABLE, discover, in_shard, parse_shard, plan
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
from .run import PARALLEL_CHECK_FROM, run_batch

__all__ = [
    "PARALLEL_CHECK_FROM",
    "SHARD_COUNT_VARIABLE",
    "BatchInterrupted",
    "BatchItem",
    "BatchOptions",
    "BatchWarning",
    "Executor",
    "ExecutorFactory",
    "Outcome",
    "RenderJob",
    "Status",
    "Summary",
    "discover",
    "find_orphans",
    "in_shard",
    "local_executor",
    "parse_shard",
    "plan",
    "prune",
    "run_batch",
    "summarize_warnings",
]
