"""Whole-process time of ``attrmap show`` and ``attrmap describe`` against ``attrmap render``.

The text views must stay light: no pyplot, no backend, no drawing. Each contender runs as
a subprocess on the same file, interleaved (render, show, describe, render, ...), and the
report gives medians and the ratio to ``render`` measured in this one run. The target is
``show`` at most 0.6x ``render``.

    python benchmarks/bench_show.py [--repeats 9] [--input examples/token_attribution.csv]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from bench_batch import REPO_DIR, child_env, log, run_timed

TARGET_RATIO = 0.6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--input", type=Path, default=REPO_DIR / "examples/token_attribution.csv")
    args = parser.parse_args(argv)
    env = {**child_env(), "COLUMNS": "100"}
    attrmap = [sys.executable, "-m", "attrmap"]
    with tempfile.TemporaryDirectory() as tmp:
        contenders = {
            "render": [*attrmap, "render", str(args.input), "-o", str(Path(tmp) / "r.png")],
            "show": [*attrmap, "show", str(args.input), "--color", "always"],
            "describe": [*attrmap, "describe", str(args.input)],
        }
        times: dict[str, list[float]] = {name: [] for name in contenders}
        for repeat in range(args.repeats):
            for name, cmd in contenders.items():
                run = run_timed(cmd, env)
                if run.returncode != 0:
                    log(f"{name} failed ({run.returncode}):\n{run.stderr}")
                    return 1
                times[name].append(run.seconds)
            log(f"repeat {repeat + 1}/{args.repeats} done")
    medians = {name: statistics.median(ts) for name, ts in times.items()}
    print(f"Input: {args.input.name}; {args.repeats} interleaved runs per contender.\n")
    print("| command | median ms | min-max ms | / render |")
    print("|---|---|---|---|")
    for name, ts in times.items():
        print(
            f"| attrmap {name} | {medians[name] * 1000:.0f} | {min(ts) * 1000:.0f}-"
            f"{max(ts) * 1000:.0f} | {medians[name] / medians['render']:.2f}x |"
        )
    ratio = medians["show"] / medians["render"]
    verdict = "meets" if ratio <= TARGET_RATIO else "MISSES"
    print(f"\nshow / render = {ratio:.2f} ({verdict} the target of {TARGET_RATIO}x)")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
