"""Naive baseline: one new matplotlib figure per CSV, saved as PNG at 150 dpi.

Usage::

    python benchmarks/naive_matplotlib_loop.py IN_DIR OUT_DIR
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import matplotlib

from loop_main import run_loop

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np


def load_csv(path: Path) -> tuple[list[str], list[str], np.ndarray]:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    expressions = rows[0][1:]
    tokens = [r[0] for r in rows[1:]]
    values = np.array([[float(x) for x in r[1:]] for r in rows[1:]])
    return tokens, expressions, values


def draw(tokens: list[str], expressions: list[str], values: np.ndarray, out_png: Path) -> None:
    fig, ax = plt.subplots(figsize=(7, 8))
    im = ax.imshow(values, cmap="RdYlGn", vmin=-1, vmax=1, aspect="auto")
    n_rows, n_cols = values.shape
    for i in range(n_rows):
        for j in range(n_cols):
            ax.text(
                j,
                i,
                f"{values[i, j]:.4f}",
                ha="center",
                va="center",
                fontsize=8,
                parse_math=False,
            )
    ax.set_xticks(range(n_cols), expressions, rotation=30, ha="left")
    ax.set_yticks(range(n_rows), tokens)
    ax.xaxis.tick_top()
    for tick in ax.xaxis.get_major_ticks() + ax.yaxis.get_major_ticks():
        tick.label1.set_parse_math(False)
        tick.label2.set_parse_math(False)
    cbar = fig.colorbar(im, ax=ax)
    cbar.set_label("Token Attribution")
    fig.tight_layout()
    fig.savefig(out_png, dpi=150)
    plt.close(fig)


def main(argv: list[str]) -> int:
    return run_loop(argv, lambda path, out: draw(*load_csv(path), out), __doc__ or "")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
