"""Whole-process time of rendering long and large grids against the 13x5 reference figure.

Each contender is ``python -m attrmap render INPUT -o OUT.FMT`` as a subprocess
(interpreter start-up, imports, reading, drawing every page and writing included),
interleaved with the reference (reference, contender, reference, ...); the report gives
medians and the ratio contender / reference measured in this one run. Cases:

- ``formats``: 1,000 tokens x 8 expressions (default settings but ``--shape any``) as PNG,
  SVG and PDF, on every core; target at most 5x for each format.
- ``pinned``: the same 1,000 x 8 PNG and the reference, both on one core
  (``taskset -c 0``); target at most 2.5x (issue 18).
- ``big``: 2,000 x 125 = 250,000 cells as PNG on every core (pages split automatically,
  ``--max-cells`` raised), against the reference pinned to one core (``taskset -c 0``);
  target at most 60x (issue 18).

    python benchmarks/bench_long.py [--repeats 5] [--formats png,svg,pdf]
        [--cases formats,pinned,big] [--big-repeats 3]

The Markdown report goes to stdout, progress to stderr.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import math
import statistics
import sys
import tempfile
from pathlib import Path

from bench_batch import REPO_DIR, child_env, log, run_timed

TARGET_RATIO = 5.0
PINNED_TARGET = 2.5
BIG_TARGET = 60.0
REFERENCE = REPO_DIR / "examples" / "token_attribution.csv"
PIN = ["taskset", "-c", "0"]


def write_long_input(path: Path, tokens: int = 1000, expressions: int = 8) -> Path:
    """A deterministic long matrix: attributions in [-1.2, 1.2], short word-like tokens."""
    lines = ["token," + ",".join(f"step {j}" for j in range(expressions))]
    for i in range(tokens):
        values = [
            1.2 * math.sin(0.37 * i + 1.1 * j) * math.cos(0.05 * i) for j in range(expressions)
        ]
        lines.append(f"w{i}," + ",".join(f"{v:.4f}" for v in values))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def interleaved(
    cases: dict[str, list[str]], repeats: int, env: dict[str, str], what: str
) -> dict[str, list[float]] | None:
    """Wall seconds of each command, one untimed warm-up each, then ``repeats`` rounds
    that run every command once in turn; None if one fails."""
    times: dict[str, list[float]] = {name: [] for name in cases}
    for round_ in range(repeats + 1):
        for name, command in cases.items():
            run = run_timed(command, env)
            if run.returncode != 0:
                log(f"{what} {name} failed ({run.returncode}):\n{run.stderr}")
                return None
            if round_:
                times[name].append(run.seconds)
        log(f"{what}: round {round_}/{repeats} done")
    return times


def ratio_table(times: dict[str, list[float]], reference: str, target: float) -> float:
    """A Markdown row per contender against ``reference``; returns the worst ratio."""
    base = statistics.median(times[reference])
    print("| contender | median s | min-max s | / reference |")
    print("|---|---|---|---|")
    worst = 0.0
    for name, runs in times.items():
        ratio = statistics.median(runs) / base
        if name != reference:
            worst = max(worst, ratio)
        print(
            f"| {name} | {statistics.median(runs):.2f} | {min(runs):.2f}-{max(runs):.2f} "
            f"| {ratio:.1f}x |"
        )
    print_verdict(worst, target)
    print()
    return worst


def print_verdict(worst: float, target: float) -> None:
    verdict = "meets" if worst <= target else "MISSES"
    print(f"\nworst ratio {worst:.1f}x ({verdict} the target of {target:g}x)")


def large_page_deflater() -> str:
    """Which deflate the long PNG pages go through (``writers/png.py``): ISA-L or zlib."""
    if importlib.util.find_spec("isal") is None:
        return "zlib (isal is not installed)"
    return f"ISA-L (isal {importlib.metadata.version('isal')})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--formats", default="png,svg,pdf")
    parser.add_argument("--cases", default="formats,pinned,big")
    parser.add_argument("--big-repeats", type=int, default=3)
    args = parser.parse_args(argv)
    env = child_env()
    formats = args.formats.split(",")
    chosen = args.cases.split(",")
    failed = False
    print(f"PNG pages of over 4 million pixels deflated by {large_page_deflater()}.\n")
    with tempfile.TemporaryDirectory() as tmp:
        long_input = write_long_input(Path(tmp) / "long.csv")
        render = [sys.executable, "-m", "attrmap", "render"]
        reference = [*PIN, *render, str(REFERENCE), "-o", f"{tmp}/r.png"]
        cases = []
        if "pinned" in chosen:
            long_args = [str(long_input), "-o", f"{tmp}/p.png", "--shape", "any"]
            cases.append(
                (
                    "1,000 x 8 (1 core)",
                    [*PIN, *render, *long_args],
                    args.repeats,
                    PINNED_TARGET,
                    "1,000 x 8 PNG and the reference, both on one core (taskset -c 0)",
                )
            )
        if "big" in chosen:
            big_input = write_long_input(Path(tmp) / "big.csv", 2000, 125)
            big_args = [str(big_input), "-o", f"{tmp}/big.png", "--shape", "any"]
            cases.append(
                (
                    "2,000 x 125 (2 cores)",
                    [*render, *big_args, "--max-cells", "300000"],
                    args.big_repeats,
                    BIG_TARGET,
                    "2,000 x 125 = 250,000 cells to PNG (pages split automatically) on every "
                    "core, against the reference on one",
                )
            )
        for name, command_line, repeats, target, title in cases:
            measured = interleaved(
                {"reference (1 core)": reference, name: command_line}, repeats, env, name
            )
            if measured is None:
                return 1
            print(f"### {title}; {repeats} interleaved runs\n")
            failed |= ratio_table(measured, "reference (1 core)", target) > target
        if "formats" not in chosen:
            return 1 if failed else 0

        def command(source: Path, name: str, fmt: str) -> list[str]:
            out = Path(tmp) / f"{name}.{fmt}"
            extra = ["--shape", "any"] if name == "long" else []
            return [sys.executable, "-m", "attrmap", "render", str(source), "-o", str(out), *extra]

        times: dict[tuple[str, str], list[float]] = {}
        for fmt in formats:
            for name, source in (("reference", REFERENCE), ("long", long_input)):
                warm = run_timed(command(source, name, fmt), env)  # untimed warm-up
                if warm.returncode != 0:
                    log(f"{name} {fmt} failed ({warm.returncode}):\n{warm.stderr}")
                    return 1
                times[(fmt, name)] = []
        for repeat in range(args.repeats):
            for fmt in formats:
                for name, source in (("reference", REFERENCE), ("long", long_input)):
                    run = run_timed(command(source, name, fmt), env)
                    if run.returncode != 0:
                        log(f"{name} {fmt} failed ({run.returncode}):\n{run.stderr}")
                        return 1
                    times[(fmt, name)].append(run.seconds)
            log(f"repeat {repeat + 1}/{args.repeats} done")
    print(
        f"1,000 x 8 (2 pages at default settings) against the 13x5 reference; "
        f"{args.repeats} interleaved whole-process runs each.\n"
    )
    print("| format | reference median s | long median s | long min-max s | long / reference |")
    print("|---|---|---|---|---|")
    worst = 0.0
    for fmt in formats:
        reference = statistics.median(times[(fmt, "reference")])
        long_runs = times[(fmt, "long")]
        ratio = statistics.median(long_runs) / reference
        worst = max(worst, ratio)
        print(
            f"| {fmt} | {reference:.2f} | {statistics.median(long_runs):.2f} | "
            f"{min(long_runs):.2f}-{max(long_runs):.2f} | {ratio:.1f}x |"
        )
    print_verdict(worst, TARGET_RATIO)
    return 0 if worst <= TARGET_RATIO and not failed else 1


if __name__ == "__main__":
    raise SystemExit(main())
