"""Which inputs a batch draws and where their figures go: discovery below the input
folder, this job's shard (``--shard K/N`` or from Slurm/Kubernetes), collisions."""

from __future__ import annotations

import functools
import hashlib
import os
import re
from collections.abc import Mapping
from pathlib import Path

from ..errors import BatchError
from ..formats import input_suffixes
from ..pipeline import figure_name
from .records import BatchItem, BatchOptions

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
            raise ValueError(f'shard="auto": {name}={value!r} is not a whole number')
        return int(value)

    if "SLURM_ARRAY_TASK_ID" in environ:
        step = number("SLURM_ARRAY_TASK_STEP") if "SLURM_ARRAY_TASK_STEP" in environ else 1
        offset = number("SLURM_ARRAY_TASK_ID") - number("SLURM_ARRAY_TASK_MIN")
        count = number("SLURM_ARRAY_TASK_COUNT")
        if step < 1 or offset % step or not 0 <= offset // step < count:
            raise ValueError(
                'shard="auto": this Slurm array\'s task ids are not one evenly spaced range '
                '(use e.g. --array=0-9, or pass shard="K/N")'
            )
        return offset // step + 1, count
    if "JOB_COMPLETION_INDEX" in environ:
        if SHARD_COUNT_VARIABLE not in environ:
            raise ValueError(
                f'shard="auto": a Kubernetes Indexed Job also needs {SHARD_COUNT_VARIABLE} '
                "set to the Job's completions"
            )
        index, count = number("JOB_COMPLETION_INDEX"), number(SHARD_COUNT_VARIABLE)
        if not 0 <= index < count:
            raise ValueError(
                f'shard="auto": JOB_COMPLETION_INDEX={index} is not below '
                f"{SHARD_COUNT_VARIABLE}={count}"
            )
        return index + 1, count
    raise ValueError(
        'shard="auto" works inside a Slurm job array (SLURM_ARRAY_TASK_ID) or a Kubernetes '
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


def inside(path: Path, folder: Path) -> bool:
    """``path``'s folder is ``folder`` or below it, symlinks resolved."""
    # Resolving follows any symlinked folder on the way: refuse writing through one.
    return resolved_folder(path.parent).is_relative_to(resolved_folder(folder))


@functools.lru_cache(maxsize=1024)
def resolved_folder(folder: Path) -> Path:
    """Folders resolved once per run (thousands of figures share a few folders);
    ``run_batch`` clears this, so a run sees the links as they are when it starts."""
    return folder.resolve()


def forget_resolved_folders() -> None:
    """Start a run seeing the links as they are now."""
    resolved_folder.cache_clear()
