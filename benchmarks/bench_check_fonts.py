"""What font fallback costs ``attrmap batch --check``: up-to-date figures whose labels
DejaVu Sans covers, against figures whose labels need fallback fonts (CJK, Devanagari).

Both runs are whole processes on the same number of files; the CJK run also reads the
installed fonts' tables and hashes the chosen font files (once per process). Medians of
``--repeats`` interleaved runs. Usage::

    python benchmarks/bench_check_fonts.py [--files 100] [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from make_inputs import TOKENIZER_TEXTS, TOKENS, make_inputs

REPO_DIR = Path(__file__).resolve().parent.parent


def attrmap(*args: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(REPO_DIR / "src")}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "attrmap", *args], check=True, env=env)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="attrmap-check-fonts-"))
    labels = {"latin": TOKENS, "cjk+devanagari": [text.strip() or "_" for text in TOKENIZER_TEXTS]}
    try:
        for name, tokens in labels.items():
            make_inputs(tmp / name / "in", args.files, tokens=tokens)
            attrmap("batch", str(tmp / name / "in"), "-o", str(tmp / name / "out"))
        times: dict[str, list[float]] = {name: [] for name in labels}
        for _ in range(args.repeats):
            for name in labels:
                folders = (str(tmp / name / "in"), "-o", str(tmp / name / "out"))
                times[name].append(attrmap("batch", *folders, "--check"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"## batch --check, {args.files} up-to-date figures, median of {args.repeats}\n")
    print("| labels | median s | min-max s |")
    print("|---|---:|---:|")
    for name, runs in times.items():
        print(f"| {name} | {statistics.median(runs):.3f} | {min(runs):.3f}-{max(runs):.3f} |")
    latin, cjk = (statistics.median(times[name]) for name in labels)
    print(f"\ncjk+devanagari / latin: {cjk / latin:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
