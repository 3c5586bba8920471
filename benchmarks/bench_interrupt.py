"""How fast a running ``attrmap batch`` stops on Ctrl-C and on SIGTERM.

Each run starts ``attrmap batch IN -o OUT`` (a fresh OUT) as a child in its own session,
waits until two figures exist, sends the signal and times until the child has exited:
Ctrl-C is SIGINT to the whole process group (as a terminal sends it, workers included),
SIGTERM goes to the batch process alone (as ``kill PID`` sends it). Every run is also
checked: exit 130/143, no traceback, no temporary file left, no worker process left,
and the summary's "N rendered" equal to the figures on disk.

Usage::

    python benchmarks/bench_interrupt.py [--repeats 5] [--files 120] [--only local|dask]

Progress goes to stderr; the Markdown table goes to stdout. Standard library only
(numpy via make_inputs).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from make_inputs import make_inputs

REPO_DIR = Path(__file__).resolve().parent.parent
TEMP_SUFFIX = ".attrmap-tmp"

EXECUTORS = {"local": ("-j", "2"), "dask": ("--dask", "local:2")}
SIGNALS = {  # name: (signal, to the whole group, expected exit code)
    "Ctrl-C": (signal.SIGINT, True, 130),
    "SIGTERM": (signal.SIGTERM, False, 143),
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (Linux /proc), to find workers left behind."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rpartition(")")[2].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def still_running(pids: set[int], grace: float) -> list[str]:
    """The command lines of ``pids`` still running after ``grace`` seconds (a helper
    such as multiprocessing's resource tracker exits a moment after its parent)."""
    deadline = time.monotonic() + grace
    while True:
        alive = []
        for pid in pids:
            try:
                state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
                if state != "Z":
                    alive.append(Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " "))
            except OSError:
                continue
        if not alive or time.monotonic() > deadline:
            return [command[:80] for command in alive]
        time.sleep(0.05)


def one_run(inputs: Path, out: Path, executor: str, how: str) -> tuple[float, list[str]]:
    """Seconds from the signal to the batch's exit, and what was wrong with the run."""
    signum, group, code = SIGNALS[how]
    env = {**os.environ, "PYTHONPATH": str(REPO_DIR / "src"), "MPLBACKEND": "Agg"}
    argv = [sys.executable, "-m", "attrmap", "batch", str(inputs), "-o", str(out)]
    proc = subprocess.Popen(
        [*argv, "--shape", "any", *EXECUTORS[executor]],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 300
    while len(list(out.rglob("*.png"))) < 2:
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            stderr = proc.communicate()[1].strip()[-300:]
            return float("nan"), [f"ended or stalled before the signal: {stderr}"]
        time.sleep(0.01)
    workers = descendants(proc.pid)
    sent = time.perf_counter()
    (os.killpg if group else os.kill)(proc.pid, signum)
    try:
        proc.wait(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    seconds = time.perf_counter() - sent
    stderr = proc.stderr.read() if proc.stderr else ""
    problems = []
    if proc.returncode != code:
        problems.append(f"exit {proc.returncode}, not {code}")
    if "Traceback" in stderr or "Error" in stderr.replace("attrmap: error", ""):
        problems.append("a traceback on stderr")
        log(stderr.strip()[-600:])
    if list(out.rglob(f"*{TEMP_SUFFIX}")):
        problems.append("temporary files left")
    alive = still_running(workers, grace=2.0)
    if alive:
        problems.append(f"left running: {', '.join(alive)}")
    written = len(list(out.rglob("*.png")))
    summary = re.search(r"interrupted: (\d+) rendered", stderr)
    if summary is None or int(summary[1]) != written:
        said = summary[1] if summary else "no summary"
        log(f"summary says {said} rendered, {written} on disk")
        problems.append("summary counts fewer figures than written")
    return seconds, problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--files", type=int, default=120)
    parser.add_argument("--only", choices=sorted(EXECUTORS))
    args = parser.parse_args()
    executors = [args.only] if args.only else list(EXECUTORS)
    if "dask" in executors and importlib.util.find_spec("distributed") is None:
        log("dask[distributed] is not installed: only -j 2 is measured")
        executors.remove("dask")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        inputs = Path(tmp) / "in"
        make_inputs(inputs, args.files, 0)
        for executor in executors:
            for how in SIGNALS:
                times, problems = [], []
                for repeat in range(args.repeats):
                    out = Path(tmp) / f"out-{executor}-{how}-{repeat}"
                    seconds, wrong = one_run(inputs, out, executor, how)
                    log(f"{executor} {how} #{repeat + 1}: {seconds:.3f} s {'; '.join(wrong)}")
                    times.append(seconds)
                    problems += wrong
                rows.append((executor, how, times, problems))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"## Stop latency: `python benchmarks/bench_interrupt.py --repeats {args.repeats}`\n")
    print(f"{os.cpu_count()} cores, 1-minute load average {load:.1f} at the end.\n")
    print("| batch | signal | median stop (s) | max (s) | runs | problems |")
    print("|---|---|---|---|---|---|")
    for executor, how, times, problems in rows:
        flags = " ".join(EXECUTORS[executor])
        stopped = [t for t in times if t == t] or [float("nan")]  # NaN: never signalled
        median, worst = statistics.median(stopped), max(stopped)
        wrong = "; ".join(sorted(set(problems))) or "none"
        runs = f"{len(stopped)} of {len(times)}" if len(stopped) < len(times) else len(times)
        print(f"| `{flags}` | {how} | {median:.2f} | {worst:.2f} | {runs} | {wrong} |")


if __name__ == "__main__":
    main()
