"""Whole-process time of ``attrmap batch --format html`` against the PNG batch.

HTML is written as text in the parent process (no worker pool, no Agg canvas), so a
folder of pages should take a fraction of the PNG batch's time. Both batches run as
subprocesses over the same generated 13x5 inputs into fresh folders, interleaved
(png, html, png, html, ...); the report gives medians and the ratio measured in this run.

    python benchmarks/bench_html.py [--files 200] [--repeats 3] [--jobs 2]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from bench_batch import child_env, fresh_dir, log, run_timed
from make_inputs import make_inputs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2, help="workers of the PNG batch")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    env = child_env()
    attrmap = [sys.executable, "-m", "attrmap", "batch"]
    with tempfile.TemporaryDirectory() as tmp:
        in_dir = Path(tmp) / "in"
        make_inputs(in_dir, args.files, args.seed)
        contenders = {
            "png": lambda out: [*attrmap, str(in_dir), "-o", str(out), "-j", str(args.jobs)],
            "html": lambda out: [*attrmap, str(in_dir), "-o", str(out), "--format", "html"],
        }
        times: dict[str, list[float]] = {name: [] for name in contenders}
        for repeat in range(args.repeats):
            for name, command in contenders.items():
                out = fresh_dir(Path(tmp) / f"out-{name}")
                run = run_timed(command(out), env)
                if run.returncode != 0:
                    log(f"{name} failed ({run.returncode}):\n{run.stderr}")
                    return 1
                times[name].append(run.seconds)
            log(f"repeat {repeat + 1}/{args.repeats} done")
        sizes = [p.stat().st_size for p in (Path(tmp) / "out-html").rglob("*.html")]
    medians = {name: statistics.median(ts) for name, ts in times.items()}
    print(f"{args.files} generated 13x5 inputs; {args.repeats} interleaved runs each.\n")
    print("| command | median s | per figure ms | / png batch |")
    print("|---|---|---|---|")
    for name in times:
        label = f"batch -j {args.jobs}" if name == "png" else "batch --format html"
        print(
            f"| attrmap {label} | {medians[name]:.2f} | {medians[name] / args.files * 1000:.1f}"
            f" | {medians[name] / medians['png']:.2f}x |"
        )
    median_kb, max_kb = statistics.median(sizes) / 1000, max(sizes) / 1000
    print(f"\nHTML pages: median {median_kb:.1f} kB, max {max_kb:.1f} kB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
