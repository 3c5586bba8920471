"""Encoding a long grid's PNG page: zlib (what figures up to 4 million pixels get) against
ISA-L (what larger pages get, ``writers/png.py``), in-process, on the same pixels.

The page is page 1 of ``attrmap render`` of the 1,000 x 8 input of ``bench_long.py``
(1369 x 15713 px). Each encoder writes the whole PNG (``encode_png``) ``--repeats``
times, interleaved; the report gives median milliseconds, the ratio zlib / ISA-L measured
in this one run, the file sizes, and checks both files decode to the same pixels.

    python benchmarks/bench_deflate.py [--repeats 9]

Pin it to one core (``taskset -c 0``) to compare with ``bench_long.py --cases pinned``.
"""

from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from attrmap.writers import png
from bench_batch import child_env, log
from bench_long import large_page_deflater, write_long_input


def long_page(tmp: Path) -> np.ndarray:
    """The RGBA pixels of the first page attrmap draws for the 1,000 x 8 input."""
    source = write_long_input(tmp / "long.csv")
    command = [sys.executable, "-m", "attrmap", "render", str(source), "-o", str(tmp / "p.png")]
    subprocess.run([*command, "--shape", "any"], env=child_env(), check=True, capture_output=True)
    return np.asarray(Image.open(tmp / "p-1.png"))


#: A float array numpy adds with its AVX code before each encoding (see ``encode``).
_SETTLE = np.ones(4096)


def encode(pixels: np.ndarray, threshold: int) -> tuple[float, bytes]:
    """Seconds to encode ``pixels`` with pages over ``threshold`` pixels given to ISA-L.

    After an ISA-L call, zlib ran 45-70 % slower here (an AMD EPYC with AVX-512) until
    numpy's vector code ran: most likely the vector registers' upper halves left in use,
    which slows SSE code until they are cleared. A render draws between pages; here a
    numpy addition stands for that, so zlib is not timed in ISA-L's wake."""
    np.add(_SETTLE, _SETTLE)
    saved, png.FAST_DEFLATE_PIXELS = png.FAST_DEFLATE_PIXELS, threshold
    try:
        start = time.perf_counter()
        data = png.encode_png(pixels, 150, {"Software": "attrmap"})
        return time.perf_counter() - start, data
    finally:
        png.FAST_DEFLATE_PIXELS = saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        pixels = long_page(Path(tmp))
    height, width, _ = pixels.shape
    encoders = {"zlib": sys.maxsize, large_page_deflater(): png.FAST_DEFLATE_PIXELS}
    times: dict[str, list[float]] = {name: [] for name in encoders}
    files: dict[str, bytes] = {}
    for repeat in range(args.repeats):
        for name, threshold in encoders.items():
            seconds, files[name] = encode(pixels, threshold)
            times[name].append(seconds)
        log(f"repeat {repeat + 1}/{args.repeats} done")
    for name, data in files.items():
        if not np.array_equal(np.asarray(Image.open(io.BytesIO(data))), pixels):
            log(f"{name}: the PNG does not decode to the page's pixels")
            return 1
    zlib_ms = statistics.median(times["zlib"]) * 1000
    print(f"One {width} x {height} px RGBA page, {args.repeats} interleaved runs each.\n")
    print("| encoder | median ms | min-max ms | file bytes | zlib / this |")
    print("|---|---:|---:|---:|---:|")
    for name, runs in times.items():
        median = statistics.median(runs) * 1000
        print(
            f"| {name} | {median:.0f} | {min(runs) * 1000:.0f}-{max(runs) * 1000:.0f} | "
            f"{len(files[name]):,} | {zlib_ms / median:.2f}x |"
        )
    print("\nBoth files decode to the page's pixels.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
