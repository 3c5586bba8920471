"""PNG: the key in an ``attrmap`` text chunk near the file's start, the title and alt
text in ``Title`` and ``Description`` chunks; pages are files of their own.

A page is drawn into the canvas's pixel buffer (``HeatmapCanvas.draw_pixels``), so a
reused canvas redraws only what changed between inputs, and encoded here (``encode_png``)
rather than by Pillow; a figure saved with ``save_figure`` is encoded the same way.
"""

from __future__ import annotations

import io
import struct
import zlib
from typing import IO, TYPE_CHECKING, Protocol

import numpy as np

from .base import KEY_PREFIX, Pages, save_bytes
from .drawn import DrawnWriter, Metadata, creator

if TYPE_CHECKING:
    from pathlib import Path

    from matplotlib.figure import Figure

    from ..plotting import Canvases, Page
    from ..style import Style
    from ..views.alt_text import FigureText

#: zlib level of the pixel data. Rows are stored unfiltered: Pillow tries five filters on
#: every row and keeps the best, which was two thirds of the encoding time, and figures
#: of flat cells and white space gain little from filters. Against Pillow at level 3:
#: 3-4x faster, files 11 % smaller to 6 % larger (reference figure: 2.5 % larger).
PNG_ZLIB_LEVEL = 3

#: Pages of more pixels than this are deflated by ISA-L (the ``isal`` package, a
#: dependency where it has wheels) at ``ISAL_LEVEL``: 5x faster than zlib on a 21-Mpx page
#: of a 1,000-token grid (43 vs 228 ms, ``benchmarks/bench_deflate.py``), files 1 %
#: smaller, the same pixels. Figures up to this size (the reference is 1.1 Mpx) keep
#: zlib's bytes, so the baselines and figures committed in users' repositories do not
#: change.
FAST_DEFLATE_PIXELS = 4_000_000
ISAL_LEVEL = 2


class _Compressor(Protocol):
    """What zlib's and ISA-L's ``compressobj`` both return."""

    def compress(self, data: bytes | memoryview, /) -> bytes: ...

    def flush(self) -> bytes: ...


class PngWriter(DrawnWriter):
    name = "png"
    extensions = (".png",)
    pages = Pages.FILES
    raster = True

    def metadata(self, key: str | None, text: FigureText | None) -> Metadata:
        # The key first (it is read from the file's start), then the text.
        metadata: Metadata = {"Software": creator()}
        if key is not None:
            metadata["attrmap"] = KEY_PREFIX + key
        if text is not None:
            metadata.update({"Title": text.title, "Description": text.alt_text})
        return metadata

    def savefig(
        self,
        figure: Figure,
        handle: IO[bytes],
        dpi: float,
        metadata: Metadata,
        text: FigureText | None,
    ) -> None:
        # matplotlib's own PNG output is its RGBA buffer given to Pillow; take the buffer.
        raw = io.BytesIO()
        figure.savefig(raw, format="rgba", dpi=dpi)
        width = int(figure.get_figwidth() * dpi)  # as Agg sizes its renderer
        pixels = np.frombuffer(raw.getbuffer(), dtype=np.uint8).reshape(-1, width, 4)
        handle.write(encode_png(pixels, dpi, metadata))

    def save_page(
        self,
        plan: Page,
        style: Style,
        path: Path,
        record: str,
        text: FigureText,
        canvases: Canvases | None,
    ) -> None:
        from ..plotting import canvas_for

        pixels = canvas_for(plan, style, canvases).draw_pixels(plan)
        save_bytes(self.encode(pixels, style.dpi, record, text), path)

    def encode(
        self, pixels: np.ndarray, dpi: float, key: str | None, text: FigureText | None
    ) -> bytes:
        """PNG bytes of an RGBA buffer, as ``save_figure`` writes that buffer."""
        return encode_png(pixels, dpi, self.metadata(key, text))


def encode_png(pixels: np.ndarray, dpi: float, metadata: Metadata) -> bytes:
    """An RGBA buffer (rows top down) as PNG: the chunks Pillow writes for matplotlib's
    ``savefig`` (each text as ``tEXt``, or ``iTXt`` past Latin-1, in order; then the
    resolution), the pixels deflated without row filters (``_deflater``)."""
    height, width, _ = pixels.shape
    chunks = [_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))]
    for name, value in metadata.items():
        if value is None:
            continue
        try:
            chunks.append(_chunk(b"tEXt", name.encode("latin-1") + b"\0" + value.encode("latin-1")))
        except UnicodeEncodeError:
            body = name.encode("latin-1") + b"\0\0\0\0\0" + value.encode("utf-8")
            chunks.append(_chunk(b"iTXt", body))
    per_metre = int(dpi / 0.0254 + 0.5)
    chunks.append(_chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)))
    chunks.append(_chunk(b"IDAT", *_deflated_rows(pixels.reshape(height, 4 * width))))
    chunks.append(_chunk(b"IEND"))
    return b"".join([b"\x89PNG\r\n\x1a\n", *(part for chunk in chunks for part in chunk)])


def _deflated_rows(pixels: np.ndarray) -> list[bytes]:
    """The rows, each after a 0 byte ("no filter"), deflated: fed to the compressor a
    megabyte at a time through one reused buffer (the same stream as one call; a 500-row
    page's filtered copy would be 86 MB of fresh memory)."""
    height, row_bytes = pixels.shape
    step = max(1, (1 << 20) // (row_bytes + 1))
    rows = np.zeros((min(step, height), row_bytes + 1), dtype=np.uint8)
    deflate = _deflater(height * row_bytes // 4)
    parts = []
    for start in range(0, height, step):
        chunk = rows[: min(step, height - start)]
        chunk[:, 1:] = pixels[start : start + step]
        parts.append(deflate.compress(chunk.data))
    parts.append(deflate.flush())
    return parts


def _deflater(pixel_count: int) -> _Compressor:
    """zlib's compressor for a figure, ISA-L's (the same zlib stream format) for a page of
    more than ``FAST_DEFLATE_PIXELS`` pixels where ``isal`` is installed."""
    if pixel_count > FAST_DEFLATE_PIXELS:
        try:
            from isal import isal_zlib
        except ImportError:  # a platform without isal's wheels: zlib, slower
            pass
        else:
            return isal_zlib.compressobj(ISAL_LEVEL)
    return zlib.compressobj(PNG_ZLIB_LEVEL)


def _chunk(kind: bytes, *body: bytes) -> list[bytes]:
    """A chunk's pieces: length, kind, ``body`` (in pieces: a page's pixels are megabytes,
    not copied to be joined) and the CRC of kind and body."""
    crc = zlib.crc32(kind)
    for piece in body:
        crc = zlib.crc32(piece, crc)
    return [struct.pack(">I", sum(map(len, body))), kind, *body, struct.pack(">I", crc)]


WRITER = PngWriter()
