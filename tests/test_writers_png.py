"""attrmap's PNG encoder (``writers.png.encode_png``): the pixels and text chunks Pillow
would write for matplotlib's ``savefig``, rows unfiltered (faster), files of about the
same size."""

from __future__ import annotations

import importlib.util
import io
import sys
import zlib

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

import attrmap
from attrmap import load_matrix, save_figure
from attrmap.writers.png import FAST_DEFLATE_PIXELS, PNG_ZLIB_LEVEL, _deflater, encode_png
from conftest import EXAMPLES, require


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


def _large_page() -> np.ndarray:
    """Just over ``FAST_DEFLATE_PIXELS``: flat cells crossed by noise, as text would be."""
    height = FAST_DEFLATE_PIXELS // 1000 + 1
    pixels = np.full((height, 1000, 4), 255, dtype=np.uint8)
    pixels[:, :, 0] = (np.arange(height)[:, None] // 31 * 40 + np.arange(1000) // 97) % 256
    pixels[::7, ::3, 1] = np.random.default_rng(1).integers(0, 256, size=(1, 334))
    return pixels


def _idat(png: bytes) -> bytes:
    start = png.index(b"IDAT") + 4
    return png[start : start + int.from_bytes(png[start - 8 : start - 4], "big")]


def test_large_page_is_deflated_by_isal_and_reads_back_as_the_same_pixels():
    require("isal", importlib.util.find_spec("isal") is not None)
    assert type(_deflater(FAST_DEFLATE_PIXELS + 1)).__module__ == "isal_zlib"
    pixels = _large_page()
    png = encode_png(pixels, 150, {"Software": "attrmap"})
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(png))), pixels)
    # Not zlib's stream: the page went through ISA-L.
    filtered = np.concatenate(
        [np.zeros((len(pixels), 1), np.uint8), pixels.reshape(len(pixels), -1)], 1
    )
    assert _idat(png) != zlib.compress(filtered.tobytes(), PNG_ZLIB_LEVEL)
    assert zlib.decompress(_idat(png)) == filtered.tobytes()


def test_figures_up_to_the_threshold_keep_zlibs_bytes():
    """The reference and the baselines are far below it; their bytes must not change."""
    assert type(_deflater(FAST_DEFLATE_PIXELS)) is type(zlib.compressobj())


def test_large_page_without_isal_is_deflated_by_zlib(monkeypatch):
    monkeypatch.setitem(sys.modules, "isal", None)  # import isal raises ImportError
    assert type(_deflater(FAST_DEFLATE_PIXELS + 1)) is type(zlib.compressobj())
    pixels = _large_page()
    png = encode_png(pixels, 150, {})
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(png))), pixels)


@pytest.mark.parametrize("pixel_count", [FAST_DEFLATE_PIXELS, FAST_DEFLATE_PIXELS + 1])
def test_either_encoder_writes_a_zlib_stream_with_its_checksum(pixel_count):
    deflater = _deflater(pixel_count)
    data = bytes(range(256)) * 5000
    stream = deflater.compress(data) + deflater.flush()
    assert zlib.decompress(stream) == data
    assert stream[-4:] == zlib.adler32(data).to_bytes(4, "big")
