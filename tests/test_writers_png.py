"""attrmap's PNG encoder (``writers.png.encode_png``): the pixels and text chunks Pillow
would write for matplotlib's ``savefig``, rows unfiltered (faster), files of about the
same size."""

from __future__ import annotations

import io

import numpy as np
from matplotlib.figure import Figure
from PIL import Image

import attrmap
from attrmap import load_matrix, save_figure
from attrmap.writers.png import PNG_ZLIB_LEVEL, encode_png
from conftest import EXAMPLES


def test_encoded_png_reads_back_as_the_same_pixels_and_text():
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, size=(7, 5, 4), dtype=np.uint8)  # alpha varies too
    metadata = {"Software": "attrmap", "Skipped": None, "Title": "Jetons: 東京 and रा"}
    image = Image.open(io.BytesIO(encode_png(pixels, 150, metadata)))
    assert image.mode == "RGBA" and image.size == (5, 7)
    assert np.array_equal(np.asarray(image), pixels)
    assert image.info["Software"] == "attrmap" and "Skipped" not in image.info
    assert image.info["Title"] == metadata["Title"]  # iTXt: past Latin-1
    assert [round(d) for d in image.info["dpi"]] == [150, 150]


def test_saved_figure_has_the_pixels_and_chunks_matplotlib_writes(tmp_path):
    figure = Figure(figsize=(3.33, 2.01))  # not whole pixels at 97 dpi
    figure.add_subplot().plot([1, 3, 2])
    save_figure(figure, tmp_path / "ours.png", dpi=97)
    with attrmap.plotting.isolated_rc():
        figure.savefig(tmp_path / "pillow.png", dpi=97, metadata={"Software": "x"})
    ours, pillow = Image.open(tmp_path / "ours.png"), Image.open(tmp_path / "pillow.png")
    assert ours.size == pillow.size
    assert np.array_equal(np.asarray(ours), np.asarray(pillow))
    assert ours.info["dpi"] == pillow.info["dpi"]
    assert ours.info["Software"].startswith("attrmap")


def test_reference_figure_is_about_as_large_as_pillows_encoding(tmp_path):
    """Unfiltered rows must not cost much size: within 10 % of Pillow at the same level."""
    target = tmp_path / "ref.png"
    save_figure(attrmap.render(load_matrix(EXAMPLES / "token_attribution.csv")), target)
    pixels = np.asarray(Image.open(target))
    pillow = io.BytesIO()
    Image.fromarray(pixels).save(pillow, format="png", compress_level=PNG_ZLIB_LEVEL)
    assert 0.9 <= target.stat().st_size / len(pillow.getvalue()) <= 1.1
