"""Reading speed of each input format, against CSV measured in the same run.

In-process ``attrmap.load_matrix`` of the same matrix written by attrmap's own writer in
every format (wide CSV is the baseline), for the 13x5 reference and a 600x500 grid
(300,000 cells, over the default cell limit, so the limit is raised). Formats are
interleaved round by round, rotating who goes first; medians and ratios from this run.
Usage::

    python benchmarks/bench_formats.py [--repeats 7]

The Markdown report goes to stdout.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import attrmap  # noqa: E402
from attrmap.formats import WriteOptions  # noqa: E402

CONTENDERS = {  # name: (suffix, long form)
    "csv": (".csv", False),
    "tsv": (".tsv", False),
    "long csv": (".csv", True),
    "yaml": (".yaml", False),
    "json": (".json", False),
    "npz": (".npz", False),
}


def matrices() -> dict[str, attrmap.AttributionMatrix]:
    reference = attrmap.load_matrix(ROOT / "examples" / "token_attribution.csv")
    rng = np.random.default_rng(0)
    big = attrmap.AttributionMatrix(
        [f"t{i}" for i in range(600)], [f"e{j}" for j in range(500)], rng.normal(size=(600, 500))
    )
    return {"13x5": reference, "600x500": big}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    options = attrmap.InputOptions(limits=attrmap.Limits(max_cells=1_000_000))
    print("| grid | format | file size | median load | vs CSV |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for grid, matrix in matrices().items():
            paths = {}
            for name, (suffix, long) in CONTENDERS.items():
                paths[name] = Path(folder) / f"{grid}-{name.replace(' ', '-')}{suffix}"
                attrmap.save_matrix(matrix, paths[name], options=WriteOptions(long=long))
                assert attrmap.load_matrix(paths[name], options=options) == (
                    attrmap.AttributionMatrix(matrix.tokens, matrix.expressions, matrix.values)
                    if suffix in (".csv", ".tsv")
                    else matrix
                )
            times: dict[str, list[float]] = {name: [] for name in CONTENDERS}
            names = list(CONTENDERS)
            for r in range(args.repeats):
                for name in names[r % len(names) :] + names[: r % len(names)]:
                    started = time.perf_counter()
                    attrmap.load_matrix(paths[name], options=options)
                    times[name].append(time.perf_counter() - started)
            baseline = statistics.median(times["csv"])
            for name in names:
                median = statistics.median(times[name])
                size = paths[name].stat().st_size
                print(
                    f"| {grid} | {name} | {size:,} B | {median * 1000:.2f} ms "
                    f"| {median / baseline:.2f}x |"
                )


if __name__ == "__main__":
    main()
