"""Whole-process wall-clock benchmark of ``attrmap`` against plain-matplotlib and seaborn loops.

Every contender runs as a subprocess on the same generated inputs, each run into a fresh
empty output directory; the time is ``time.perf_counter`` around the whole process
(interpreter start-up, imports, rendering, writing PNGs). Contenders are interleaved
within each repeat and the tables report medians and ratios measured in this one run.

Usage::

    python benchmarks/bench_batch.py [--files 200] [--repeats 3] [--jobs 2]
                                     [--only NAME] [--memory]

Progress goes to stderr; the Markdown report goes to stdout.
Only the standard library is used here (numpy via make_inputs).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from make_inputs import TOKENIZER_TOKENS, make_inputs

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
PY = sys.executable

BATCH_CONTENDERS = (
    "attrmap_batch",
    "attrmap_batch_clean",
    "attrmap_batch_shared",
    "naive_matplotlib",
    "seaborn",
)
ONLY_CHOICES = (*BATCH_CONTENDERS, "single_file", "memory")


@dataclass
class Run:
    seconds: float
    returncode: int
    maxrss_bytes: int
    stderr: str


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def child_env() -> dict[str, str]:
    """Environment for every child: Agg backend; ``src/`` on the path if attrmap isn't installed."""
    env = dict(os.environ)
    env["MPLBACKEND"] = "Agg"
    # As installed, Python caches compiled modules (pip compiles on install; an editable
    # copy writes __pycache__ on first import). With this set (some sandboxes and CI set
    # it), attrmap's ~70 modules would be compiled again in every process, while the
    # baselines' matplotlib and seaborn come with their caches.
    if env.pop("PYTHONDONTWRITEBYTECODE", None):
        log("note: PYTHONDONTWRITEBYTECODE unset for the children (compiled modules cached)")
    if importlib.util.find_spec("attrmap") is None and (REPO_DIR / "src" / "attrmap").is_dir():
        src = str(REPO_DIR / "src")
        env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p)
        log(f"note: attrmap is not installed; children run it from {src} via PYTHONPATH")
    return env


def run_timed(cmd: list[str], env: dict[str, str]) -> Run:
    """Run ``cmd`` to completion; wall time of the whole process and its peak RSS (wait4)."""
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
            env=env,
            cwd=REPO_DIR,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped: tell Popen
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    # ru_maxrss is KiB on Linux, bytes on macOS.
    rss = usage.ru_maxrss if sys.platform == "darwin" else usage.ru_maxrss * 1024
    return Run(seconds, proc.returncode, rss, stderr)


def tail(text: str, n: int = 12) -> str:
    lines = text.rstrip().splitlines()[-n:]
    return "\n".join("    " + line for line in lines) or "    (no stderr)"


def count_pngs(out_dir: Path) -> int:
    return sum(1 for _ in out_dir.rglob("*.png"))


def fresh_dir(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def dist_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def attrmap_batch(in_dir: Path, out_dir: Path, jobs: int, *extra: str) -> list[str]:
    """``attrmap batch IN -o OUT --force -j J`` plus the contender's own options."""
    options = ["-o", str(out_dir), "--force", "-j", str(jobs), *extra]
    return [PY, "-m", "attrmap", "batch", str(in_dir), *options]


def batch_commands(jobs: int) -> dict[str, Callable[[Path, Path], list[str]]]:
    return {
        "attrmap_batch": lambda i, o: attrmap_batch(i, o, jobs),
        # The same values with tokenizer labels (GPT-2 pieces of Latin, CJK and Devanagari
        # text) drawn with --tokens clean: byte decoding plus fallback fonts.
        "attrmap_batch_clean": lambda i, o: attrmap_batch(
            tokenizer_dir(i), o, jobs, "--tokens", "clean"
        ),
        # The same inputs with one automatic colour range shared by every figure: the
        # parent reads all inputs first to resolve it (issue 8).
        "attrmap_batch_shared": lambda i, o: attrmap_batch(i, o, jobs, "--range", "shared"),
        "naive_matplotlib": lambda i, o: [
            PY,
            str(BENCH_DIR / "naive_matplotlib_loop.py"),
            str(i),
            str(o),
        ],
        "seaborn": lambda i, o: [PY, str(BENCH_DIR / "seaborn_loop.py"), str(i), str(o)],
    }


def tokenizer_dir(in_dir: Path) -> Path:
    """Where the tokenizer-labelled copy of ``in_dir``'s inputs is."""
    return in_dir.with_name(in_dir.name + "-tokenizer")


def fmt_ratio(value: float, ref: float | None) -> str:
    return "n/a" if ref is None else f"{value / ref:.2f}x"


# --------------------------------------------------------------------------- batch section
def bench_batch(
    names: list[str],
    in_dir: Path,
    warm_dir: Path,
    tmp: Path,
    n_files: int,
    repeats: int,
    jobs: int,
    env: dict[str, str],
) -> None:
    commands = batch_commands(jobs)
    alive: list[str] = []
    for name in names:  # untimed warm-up on 2 files: page cache, font cache, fail fast
        out = fresh_dir(tmp / "warm-out" / name)
        run = run_timed(commands[name](warm_dir, out), env)
        if run.returncode != 0:
            log(f"SKIP {name}: warm-up exited {run.returncode}; stderr tail:\n{tail(run.stderr)}")
        else:
            alive.append(name)
        shutil.rmtree(out, ignore_errors=True)

    times: dict[str, list[float]] = {name: [] for name in alive}
    for r in range(repeats):
        order = alive[r % len(alive) :] + alive[: r % len(alive)] if alive else []
        for name in order:
            if name not in alive:
                continue
            out = fresh_dir(tmp / "out" / f"{name}-r{r}")
            run = run_timed(commands[name](in_dir, out), env)
            if run.returncode != 0:
                log(
                    f"SKIP {name}: exited {run.returncode} in repeat {r + 1}; "
                    f"stderr tail:\n{tail(run.stderr)}"
                )
                alive.remove(name)
                times.pop(name, None)
                continue
            produced = count_pngs(out)
            if produced != n_files:
                log(f"WARNING {name}: produced {produced} PNGs for {n_files} inputs")
            times[name].append(run.seconds)
            log(
                f"  repeat {r + 1}/{repeats} {name:<17} {run.seconds:8.2f} s "
                f"({run.seconds / n_files * 1000:.0f} ms/figure)"
            )
            shutil.rmtree(out, ignore_errors=True)

    print(f"\n## Batch: {n_files} files, {repeats} repeats, attrmap -j {jobs}\n")
    if not times:
        print("No contender completed.")
        return
    medians = {name: statistics.median(ts) for name, ts in times.items()}
    ref = medians.get("attrmap_batch")
    print(
        "| contender | runs | median s (total) | min-max s | median ms/figure "
        "| baseline / attrmap |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name, ts in times.items():
        print(
            f"| {name} | {len(ts)} | {medians[name]:.2f} | {min(ts):.2f}-{max(ts):.2f} "
            f"| {medians[name] / n_files * 1000:.1f} | {fmt_ratio(medians[name], ref)} |"
        )
    if ref is None:
        print("\n(attrmap_batch did not run: no ratios.)")
    naive, clean = medians.get("naive_matplotlib"), medians.get("attrmap_batch_clean")
    if naive is not None and clean is not None:
        print(f"\nnaive_matplotlib / attrmap_batch_clean: {naive / clean:.2f}x")


# --------------------------------------------------------------------- single-file section
def bench_single(one_csv: Path, tmp: Path, repeats: int, env: dict[str, str]) -> None:
    out_dir = fresh_dir(tmp / "single")
    commands = {
        "attrmap_render": lambda o: [PY, "-m", "attrmap", "render", str(one_csv), "-o", str(o)],
        "minimal_script": lambda o: [
            PY,
            str(BENCH_DIR / "minimal_render_script.py"),
            str(one_csv),
            str(o),
        ],
    }
    alive = []
    for name, cmd in commands.items():  # untimed warm-up
        run = run_timed(cmd(out_dir / f"{name}-warm.png"), env)
        if run.returncode != 0:
            log(f"SKIP {name}: warm-up exited {run.returncode}; stderr tail:\n{tail(run.stderr)}")
        else:
            alive.append(name)
    times: dict[str, list[float]] = {name: [] for name in alive}
    for i in range(repeats):
        for name in list(alive):  # interleaved: A, B, A, B, ...
            png = out_dir / f"{name}-{i}.png"
            run = run_timed(commands[name](png), env)
            if run.returncode != 0 or not png.is_file():
                log(
                    f"SKIP {name}: exited {run.returncode} (png written: {png.is_file()}); "
                    f"stderr tail:\n{tail(run.stderr)}"
                )
                alive.remove(name)
                times.pop(name)
                continue
            times[name].append(run.seconds)
        log(f"  single-file round {i + 1}/{repeats} done")

    print(f"\n## Single file: one 13x5 CSV -> PNG, {repeats} interleaved runs each\n")
    if not times:
        print("No contender completed.")
        return
    medians = {name: statistics.median(ts) for name, ts in times.items()}
    ref = medians.get("attrmap_render")
    print("| contender | runs | median ms | min-max ms | baseline / attrmap |")
    print("|---|---:|---:|---:|---:|")
    for name, ts in times.items():
        print(
            f"| {name} | {len(ts)} | {medians[name] * 1000:.0f} "
            f"| {min(ts) * 1000:.0f}-{max(ts) * 1000:.0f} | {fmt_ratio(medians[name], ref)} |"
        )


# -------------------------------------------------------------------------- memory section
def bench_memory(tmp: Path, seed: int, env: dict[str, str]) -> None:
    big, small = tmp / "mem2000", tmp / "mem200"
    log("generating 2000 inputs for --memory ...")
    paths = make_inputs(big, 2000, seed)
    small.mkdir()
    for path in paths[:200]:
        shutil.copyfile(path, small / path.name)

    floor = run_timed([PY, "-c", "import matplotlib.pyplot"], env)
    rows = [("python + import matplotlib.pyplot (floor)", None, floor)]
    for n, in_dir in ((200, small), (2000, big)):
        out = fresh_dir(tmp / f"mem-out-{n}")
        log(f"  attrmap batch -j 1 on {n} files ...")
        cmd = [PY, "-m", "attrmap", "batch", str(in_dir), "-o", str(out), "--force", "-j", "1"]
        run = run_timed(cmd, env)
        if run.returncode != 0:
            log(
                f"SKIP memory: attrmap batch exited {run.returncode}; "
                f"stderr tail:\n{tail(run.stderr)}"
            )
            print("\n## Memory\n\nattrmap batch failed: no memory figures.")
            return
        rows.append((f"attrmap batch -j 1, {n} files", n, run))
        shutil.rmtree(out, ignore_errors=True)

    print("\n## Memory: peak RSS of the child process (os.wait4), attrmap batch -j 1\n")
    print("| command | wall s | ms/figure | peak RSS MiB |")
    print("|---|---:|---:|---:|")
    for label, n, run in rows:
        per_fig = f"{run.seconds / n * 1000:.1f}" if n else "-"
        print(f"| {label} | {run.seconds:.2f} | {per_fig} | {run.maxrss_bytes / 2**20:.1f} |")
    r200, r2000 = rows[1][2].maxrss_bytes, rows[2][2].maxrss_bytes
    print(f"\nPeak RSS ratio 2000 files / 200 files: {r2000 / r200:.2f}")


# ---------------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200, help="inputs per batch run")
    parser.add_argument("--repeats", type=int, default=3, help="batch repeats per contender")
    parser.add_argument("--jobs", type=int, default=2, help="attrmap batch -j")
    parser.add_argument(
        "--single-repeats", type=int, default=7, help="runs per single-file contender"
    )
    parser.add_argument("--only", choices=ONLY_CHOICES, help="run just this contender/section")
    parser.add_argument(
        "--memory",
        action="store_true",
        help="also measure attrmap batch peak RSS on 200 and 2000 files",
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if min(args.files, args.repeats, args.jobs, args.single_repeats) < 1:
        parser.error("--files, --repeats, --jobs and --single-repeats must be >= 1")

    print("# attrmap benchmark\n")
    print(f"- python {platform.python_version()} ({PY}), {platform.platform()}")
    print(
        f"- matplotlib {dist_version('matplotlib')}, numpy {dist_version('numpy')}, "
        f"seaborn {dist_version('seaborn')}, pandas {dist_version('pandas')}, "
        f"attrmap {dist_version('attrmap')}"
    )
    print(f"- os.cpu_count() = {os.cpu_count()}")
    print(
        "- times: whole-process wall clock (time.perf_counter around a subprocess); "
        "medians and ratios from this one run"
    )
    sys.stdout.flush()

    env = child_env()
    batch_names = [n for n in BATCH_CONTENDERS if args.only in (None, n)]
    if "seaborn" in batch_names and (
        importlib.util.find_spec("seaborn") is None or importlib.util.find_spec("pandas") is None
    ):
        log("SKIP seaborn: seaborn/pandas not importable (pip install -e '.[bench]')")
        batch_names.remove("seaborn")
    run_single = args.only in (None, "single_file")
    run_memory = args.memory or args.only == "memory"

    start = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="attrmap-bench-"))
    try:
        in_dir, warm_dir = tmp / "in", tmp / "warm"
        if batch_names or run_single:
            inputs = make_inputs(in_dir, args.files, args.seed)
            make_inputs(warm_dir, 2, args.seed + 1)
            make_inputs(tokenizer_dir(in_dir), args.files, args.seed, TOKENIZER_TOKENS)
            make_inputs(tokenizer_dir(warm_dir), 2, args.seed + 1, TOKENIZER_TOKENS)
            log(f"generated {args.files} inputs in {in_dir}")
        if batch_names:
            bench_batch(
                batch_names, in_dir, warm_dir, tmp, args.files, args.repeats, args.jobs, env
            )
        if run_single:
            bench_single(inputs[0], tmp, args.single_repeats, env)
        if run_memory:
            bench_memory(tmp, args.seed, env)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(
        f"\n_Benchmark wall time: {time.perf_counter() - start:.0f} s. "
        "Machines are noisy (±20%): compare ratios within one run, not across runs._"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
