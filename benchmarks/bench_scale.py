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
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_batch import PY, child_env, count_pngs, dist_version, fresh_dir, log, run_timed, tail
from make_inputs import make_inputs


def attrmap(*args: str) -> list[str]:
    return [PY, "-m", "attrmap", "batch", *args]


def timed_runs(
    commands: dict[str, list[str]], outs: dict[str, Path], repeats: int, env: dict[str, str]
) -> dict[str, list[float]]:
    """Each command ``repeats`` times, interleaved, rotating who goes first."""
    names = list(commands)
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(repeats):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            fresh_dir(outs[name])
            run = run_timed(commands[name], env)
            if run.returncode != 0:
                sys.exit(f"{name} exited {run.returncode}:\n{tail(run.stderr)}")
            times[name].append(run.seconds)
            log(f"  {name} repeat {r + 1}: {run.seconds:.2f} s")
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
    base = statistics.median(times["local -j 2"])
    lines = [
        f"## `batch --dask local:2` vs `batch -j 2`: {files} inputs, {repeats} repeats",
        "",
        "| contender | runs | median s | min-max s | median ms/figure | ratio to -j 2 |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, values in times.items():
        median = statistics.median(values)
        lines.append(
            f"| {name} | {len(values)} | {median:.2f} | {min(values):.2f}-{max(values):.2f} "
            f"| {1000 * median / files:.1f} | {median / base:.2f}x |"
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
    times = []
    for r in range(repeats):
        run = run_timed(command, env)
        if run.returncode != 0:
            sys.exit(f"--check exited {run.returncode}:\n{tail(run.stderr)}")
        times.append(run.seconds)
        log(f"  --check repeat {r + 1}: {run.seconds:.2f} s")
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
        "| runs | median s | min-max s | median us/input | matplotlib |",
        "|---:|---:|---:|---:|---|",
        f"| {len(times)} | {median:.2f} | {min(times):.2f}-{max(times):.2f} "
        f"| {1e6 * median / files:.0f} | {imported} |",
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
