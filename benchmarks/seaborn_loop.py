"""Seaborn baseline: ``seaborn.heatmap(annot=True)`` per CSV, new figure each, PNG at 150 dpi.

Usage::

    python benchmarks/seaborn_loop.py IN_DIR OUT_DIR
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

from loop_main import run_loop

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns


def draw(path: Path, out_png: Path) -> None:
    # keep_default_na=False: the tokens are text, never missing values.
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df = df.set_index(df.columns[0]).astype(float)
    df.index.name = None
    fig, ax = plt.subplots(figsize=(7, 8))
    sns.heatmap(
        df,
        annot=True,
        fmt=".4f",
        cmap="RdYlGn",
        vmin=-1,
        vmax=1,
        cbar_kws={"label": "Token Attribution"},
        ax=ax,
    )
    ax.xaxis.tick_top()
    ax.tick_params(axis="x", rotation=30)
    ax.tick_params(axis="y", rotation=0)
    for tick in ax.xaxis.get_major_ticks() + ax.yaxis.get_major_ticks():
        tick.label1.set_parse_math(False)
        tick.label2.set_parse_math(False)
    ax.set_xlabel("")
    ax.set_ylabel("")
    fig.tight_layout()
    fig.savefig(out_png, dpi=150)
    plt.close(fig)


def main(argv: list[str]) -> int:
    return run_loop(argv, draw, __doc__ or "")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
