"""Minimal one-file render: the baseline for single-file ``attrmap render`` latency.

Usage::

    python benchmarks/minimal_render_script.py IN_CSV OUT_PNG
"""

import csv
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np

in_csv, out_png = sys.argv[1], sys.argv[2]
with open(in_csv, newline="", encoding="utf-8") as fh:
    rows = list(csv.reader(fh))
expressions = rows[0][1:]
tokens = [r[0] for r in rows[1:]]
values = np.array([[float(x) for x in r[1:]] for r in rows[1:]])

fig, ax = plt.subplots(figsize=(7, 8))
im = ax.imshow(values, cmap="RdYlGn", vmin=-1, vmax=1, aspect="auto")
for i in range(values.shape[0]):
    for j in range(values.shape[1]):
        ax.text(j, i, f"{values[i, j]:.4f}", ha="center", va="center", fontsize=8, parse_math=False)
ax.set_xticks(range(len(expressions)), expressions, rotation=30, ha="left")
ax.set_yticks(range(len(tokens)), tokens)
ax.xaxis.tick_top()
for tick in ax.xaxis.get_major_ticks() + ax.yaxis.get_major_ticks():
    tick.label1.set_parse_math(False)
    tick.label2.set_parse_math(False)
fig.colorbar(im, ax=ax).set_label("Token Attribution")
fig.tight_layout()
fig.savefig(out_png, dpi=150)
