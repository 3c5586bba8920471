"""How long loading an inseq export takes: 100 sequences of 60 source tokens x 40
generated tokens (plus their 41 x 40 target attributions), as inseq's ``save()`` writes them.

Times ``attrmap.formats.load_matrices`` in this process (file read included, imports
excluded), for each encoding inseq has used, plain and gzip-compressed, against a baseline
measured in the same run: reading the file and ``json.loads`` of it (plus gunzip), which any
reader has to do. Reports medians of ``--repeats`` interleaved runs.

Usage::

    python benchmarks/bench_inseq.py [--sequences 100] [--repeats 9]

The issue's target: under 1 s for the safetensors F32 file, plain and gzip.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

REPO_DIR = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO_DIR / "src"), str(REPO_DIR / "tests")]

import inseq_files  # noqa: E402  (the tests' generator of inseq-format files)
from attrmap.formats import load_matrices  # noqa: E402

SOURCE_TOKENS, GENERATED = 60, 40
#: safetensors dtypes (inseq >= 0.7), then json_tricks __ndarray__ encodings (before 0.7).
ENCODINGS = ("F32", "F16", "F8_E4M3", "b64", "b64.gz")


def make_file(folder: Path, sequences: int, encoding: str, compress: bool) -> Path:
    rng = np.random.default_rng(0)
    source = [f"▁s{i}" for i in range(SOURCE_TOKENS)]
    target = ["<pad>"] + [f"▁t{i}" for i in range(GENERATED)]
    entries = []
    for _ in range(sequences):
        target_scores = inseq_files.target_grid(len(target), GENERATED, 1, rng)
        source_scores = rng.random((SOURCE_TOKENS, GENERATED))
        if encoding == "F8_E4M3":  # codes of finite values; NaN cells as 0x7F
            target_scores = np.where(np.isnan(target_scores), 0x7F, 0x30).astype(np.uint8)
            source_scores = rng.integers(0x08, 0x70, source_scores.shape, dtype=np.uint8)
        entries.append(
            inseq_files.sequence(target, target_scores, 1, source, source_scores, encoding)
        )
    texts = [f"input text {i}" for i in range(sequences)]
    name = f"{encoding.replace('.', '-')}{'.json.gz' if compress else '.json'}"
    return inseq_files.write(folder / name, inseq_files.output(entries, texts), compress)


def baseline(path: Path) -> None:
    data = path.read_bytes()
    json.loads(gzip.decompress(data) if path.suffix == ".gz" else data)


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sequences", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        files = [
            make_file(Path(folder), args.sequences, encoding, compress)
            for encoding in ENCODINGS
            for compress in (False, True)
        ]
        for path in files:  # warm-up, and a check that every file loads fully
            assert len(load_matrices(path)) == args.sequences, path
        load_times: dict[Path, list[float]] = {path: [] for path in files}
        base_times: dict[Path, list[float]] = {path: [] for path in files}
        for _ in range(args.repeats):
            for path in files:
                load_times[path].append(timed(lambda p=path: load_matrices(p)))
                base_times[path].append(timed(lambda p=path: baseline(p)))
        print(
            f"Loading {args.sequences} sequences of {SOURCE_TOKENS}x{GENERATED} "
            f"(medians of {args.repeats})\n"
        )
        print("| file | size | load_matrices | read + json.loads | ratio |")
        print("|---|---:|---:|---:|---:|")
        for path in files:
            load, base = statistics.median(load_times[path]), statistics.median(base_times[path])
            size = path.stat().st_size / 2**20
            print(
                f"| {path.name} | {size:.1f} MB | {load * 1000:.0f} ms | {base * 1000:.0f} ms "
                f"| {load / base:.1f}x |"
            )


if __name__ == "__main__":
    main()
