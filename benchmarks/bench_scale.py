"""Scale-out benchmarks: ``batch --dask local:2`` against local ``-j 2``, and ``--check``
over a large folder of up-to-date figures.

Whole processes, timed with ``time.perf_counter`` around each subprocess (interpreter
start-up, imports and, for Dask, starting the local cluster included); contenders
interleaved; medians and ratios from this one run. Usage::

    python benchmarks/bench_scale.py [--files 500] [--repeats 3]
                                     [--check-files 10000] [--check-repeats 5]

The Markdown report goes to stdout, progress to stderr.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from attrmap.batch import PARALLEL_CHECK_FROM
from attrmap.pipeline import available_cores
from bench_batch import PY, child_env, count_pngs, dist_version, fresh_dir, log, tail
from make_inputs import make_inputs


def attrmap(*args: str) -> list[str]:
    return [PY, "-m", "attrmap", "batch", *args]


def run_cpu(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds, and CPU seconds (user + system) of the process and every process
    it waited for (workers, Dask's nannies): on a shared, loaded machine the CPU time
    says more about the work done than the wall clock."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        command,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    stderr = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"{command} exited {proc.returncode}:\n{tail(stderr.decode())}")
    return wall, usage.ru_utime + usage.ru_stime


def timed_runs(
    commands: dict[str, list[str]], outs: dict[str, Path], repeats: int, env: dict[str, str]
) -> dict[str, list[tuple[float, float]]]:
    """Each command ``repeats`` times, interleaved, rotating who goes first."""
    names = list(commands)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
    for r in range(repeats):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            fresh_dir(outs[name])
            wall, cpu = run_cpu(commands[name], env)
            times[name].append((wall, cpu))
            log(f"  {name} repeat {r + 1}: {wall:.2f} s wall, {cpu:.2f} s CPU")
    return times


def bench_dask(tmp: Path, files: int, repeats: int, env: dict[str, str]) -> list[str]:
    in_dir = tmp / "in"
    make_inputs(in_dir, files)
    outs = {"local -j 2": tmp / "out-local", "dask local:2": tmp / "out-dask"}
    commands = {
        "local -j 2": attrmap(str(in_dir), "-o", str(outs["local -j 2"]), "-j", "2"),
        "dask local:2": attrmap(str(in_dir), "-o", str(outs["dask local:2"]), "--dask", "local:2"),
    }
    log(f"dask vs local: {files} inputs, {repeats} repeats")
    times = timed_runs(commands, outs, repeats, env)
    for name, out in outs.items():
        if count_pngs(out) != files:
            sys.exit(f"{name}: {count_pngs(out)} figures, expected {files}")
    same = all(
        (outs["local -j 2"] / p.name).read_bytes() == p.read_bytes()
        for p in outs["dask local:2"].glob("*.png")
    )
    base_wall = statistics.median(wall for wall, _ in times["local -j 2"])
    base_cpu = statistics.median(cpu for _, cpu in times["local -j 2"])
    lines = [
        f"## `batch --dask local:2` vs `batch -j 2`: {files} inputs, {repeats} repeats",
        "",
        "| contender | runs | median wall s | min-max wall s | wall ratio | median CPU s "
        "| CPU ratio |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, values in times.items():
        walls, cpus = [w for w, _ in values], [c for _, c in values]
        wall, cpu = statistics.median(walls), statistics.median(cpus)
        lines.append(
            f"| {name} | {len(values)} | {wall:.2f} | {min(walls):.2f}-{max(walls):.2f} "
            f"| {wall / base_wall:.2f}x | {cpu:.2f} | {cpu / base_cpu:.2f}x |"
        )
    lines += ["", f"Figures byte-identical between the two: {'yes' if same else 'NO'}.", ""]
    return lines


def bench_check(tmp: Path, files: int, repeats: int, env: dict[str, str]) -> list[str]:
    """``--check`` over ``files`` inputs whose figures are all up to date.

    The figures are made once, untimed, as HTML: attrmap writes HTML in-process in well
    under a millisecond a figure, so setting up 10,000 up-to-date figures takes seconds,
    not the ten minutes PNGs would. ``--check`` does the same work for every format:
    read and validate each input, compute its key, read the key from the figure's first
    and last 8 KiB.
    """
    in_dir, out = tmp / "check-in", tmp / "check-out"
    make_inputs(in_dir, files)
    log(f"check: rendering {files} HTML figures (untimed)")
    started = time.perf_counter()
    subprocess.run(attrmap(str(in_dir), "-o", str(out), "--format", "html"), env=env, check=True)
    log(f"  took {time.perf_counter() - started:.1f} s")
    command = attrmap(str(in_dir), "-o", str(out), "--format", "html", "--check")
    times, cpus = [], []
    for r in range(repeats):
        wall, cpu = run_cpu(command, env)
        times.append(wall)
        cpus.append(cpu)
        log(f"  --check repeat {r + 1}: {wall:.2f} s wall, {cpu:.2f} s CPU")
    probe = (
        "import sys\nfrom attrmap.cli import cli\n"
        f"try:\n    cli({command[3:]!r})\nexcept SystemExit as e:\n    assert not e.code\n"
        "print('matplotlib imported' if 'matplotlib' in sys.modules else 'no matplotlib')\n"
    )
    imported = subprocess.run(
        [PY, "-c", probe], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    median = statistics.median(times)
    return [
        f"## `batch --check`: {files} up-to-date inputs, {repeats} runs",
        "",
        "| runs | median wall s | min-max wall s | median CPU s | median us/input | matplotlib |",
        "|---:|---:|---:|---:|---:|---|",
        f"| {len(times)} | {median:.2f} | {min(times):.2f}-{max(times):.2f} "
        f"| {statistics.median(cpus):.2f} | {1e6 * median / files:.0f} | {imported} |",
        "",
        f"With {PARALLEL_CHECK_FROM} inputs or more `--check` reads and validates them in "
        f"`-j` worker processes (default one per usable core, here {available_cores()}).",
        "",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--check-files", type=int, default=10_000)
    parser.add_argument("--check-repeats", type=int, default=5)
    parser.add_argument("--only", choices=("dask", "check"))
    args = parser.parse_args()
    env = child_env()
    started = time.perf_counter()
    report = [
        "# attrmap scale-out benchmark",
        "",
        f"- python {sys.version.split()[0]}, matplotlib {dist_version('matplotlib')}, "
        f"dask {dist_version('dask')}, distributed {dist_version('distributed')}",
        "- whole-process wall clock; medians from this one run",
        "",
    ]
    with tempfile.TemporaryDirectory(prefix="attrmap-bench-scale-") as name:
        tmp = Path(name)
        if args.only in (None, "dask"):
            report += bench_dask(tmp, args.files, args.repeats, env)
        if args.only in (None, "check"):
            report += bench_check(tmp, args.check_files, args.check_repeats, env)
    report.append(f"_Benchmark wall time: {time.perf_counter() - started:.0f} s._")
    print("\n".join(report))


if __name__ == "__main__":
    main()
