"""Whole-process time of rendering a long sequence (1,000 tokens x 8 expressions, default
settings but ``--shape any``) against the 13x5 reference figure, for each format.

Each contender is ``python -m attrmap render INPUT -o OUT.FMT`` as a subprocess
(interpreter start-up, imports, reading, drawing every page and writing included),
interleaved (reference, long, reference, long, ...) per format; the report gives medians
and the ratio long / reference measured in this one run. The target is at most 5x for
each format.

    python benchmarks/bench_long.py [--repeats 5] [--formats png,svg,pdf]

The Markdown report goes to stdout, progress to stderr.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
from pathlib import Path

from bench_batch import REPO_DIR, child_env, log, run_timed

TARGET_RATIO = 5.0
REFERENCE = REPO_DIR / "examples" / "token_attribution.csv"


def write_long_input(path: Path, tokens: int = 1000, expressions: int = 8) -> Path:
    """A deterministic long matrix: attributions in [-1.2, 1.2], short word-like tokens."""
    lines = ["token," + ",".join(f"step {j}" for j in range(expressions))]
    for i in range(tokens):
        values = [1.2 * math.sin(0.37 * i + 1.1 * j) * math.cos(0.05 * i) for j in range(8)]
        lines.append(f"w{i}," + ",".join(f"{v:.4f}" for v in values))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--formats", default="png,svg,pdf")
    args = parser.parse_args(argv)
    env = child_env()
    formats = args.formats.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        long_input = write_long_input(Path(tmp) / "long.csv")

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
    verdict = "meets" if worst <= TARGET_RATIO else "MISSES"
    print(f"\nworst ratio {worst:.1f}x ({verdict} the target of {TARGET_RATIO:g}x)")
    return 0 if worst <= TARGET_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
