"""Generate random 13x5 token-attribution matrices as attrmap wide CSV files.

Format (one file per matrix)::

    token,8 x 48 = 384,3 x 4 = 12,6 - 4 = 2,50(10x5),"$35 ($85 - $50)"
    -,0.0123,-0.0456,...
    ...

Each file's values come from ``numpy.random.default_rng([seed, index])``, so the
first K files of an N-file run are identical to a K-file run with the same seed.

Usage::

    python benchmarks/make_inputs.py OUT_DIR [--files N] [--seed S]
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

EXPRESSIONS = ["8 x 48 = 384", "3 x 4 = 12", "6 - 4 = 2", "50(10x5)", "$35 ($85 - $50)"]
TOKENS = ["-", "1", "6", ",", "0", "0", "0", "_x", "-", "0", ".", "8", "_="]
CORNER = "token"
#: What a tokenizer writes: GPT-2 byte-level pieces whose text is Latin, CJK and
#: Devanagari (drawn with --tokens clean, they need the byte decoding and fallback fonts).
TOKENIZER_TEXTS = [" The", " cat", " sat", "\n", " München", " 中", "文", " 日本", "語"]
TOKENIZER_TEXTS += [" नमस्ते", " किताब", "!", " end"]


def byte_level(text: str) -> str:
    """``text`` as one GPT-2 byte-level piece (``bytes_to_unicode``)."""
    printable = [*range(33, 127), *range(161, 173), *range(174, 256)]
    table = {b: chr(b) for b in printable}
    table.update({b: chr(256 + n) for n, b in enumerate(b for b in range(256) if b not in table)})
    return "".join(table[b] for b in text.encode("utf-8"))


TOKENIZER_TOKENS = [byte_level(text) for text in TOKENIZER_TEXTS]


def random_matrix(seed: int, index: int) -> np.ndarray:
    """A 13x5 matrix: mostly small values, about 1 in 5 cells in [-1.4, 1.4]."""
    rng = np.random.default_rng([seed, index])
    shape = (len(TOKENS), len(EXPRESSIONS))
    values = rng.normal(0.0, 0.08, size=shape)
    big = rng.random(shape) < 0.2
    values[big] = rng.uniform(-1.4, 1.4, size=int(big.sum()))
    return values


def write_csv(path: Path, values: np.ndarray, tokens: list[str] = TOKENS) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow([CORNER, *EXPRESSIONS])
        for token, row in zip(tokens, values, strict=True):
            writer.writerow([token, *(f"{v:.4f}" for v in row)])


def make_inputs(
    out_dir: str | Path, n_files: int, seed: int = 0, tokens: list[str] = TOKENS
) -> list[Path]:
    """Write ``n_files`` CSVs named ``attr_00000.csv``... into ``out_dir``; return paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n_files):
        path = out / f"attr_{i:05d}.csv"
        write_csv(path, random_matrix(seed, i), tokens)
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    paths = make_inputs(args.out_dir, args.files, args.seed)
    print(f"wrote {len(paths)} files to {args.out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
