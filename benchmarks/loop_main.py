"""The shared command line of the baseline loops: ``SCRIPT IN_DIR OUT_DIR``."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path


def run_loop(argv: list[str], draw_file: Callable[[Path, Path], None], usage: str) -> int:
    """Draw every ``IN_DIR/*.csv`` to ``OUT_DIR/<stem>.png``, a new figure per file."""
    if len(argv) != 2:
        print(usage, file=sys.stderr)
        return 2
    in_dir, out_dir = Path(argv[0]), Path(argv[1])
    out_dir.mkdir(parents=True, exist_ok=True)
    for path in sorted(in_dir.glob("*.csv")):
        draw_file(path, out_dir / f"{path.stem}.png")
    return 0
