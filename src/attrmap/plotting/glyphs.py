"""Characters drawn fast, exactly as matplotlib draws them: FreeType bitmaps of strings
composed from cached glyphs (blended into Agg's buffer by ``text_artists``), labels drawn
as Agg's ``draw_text`` draws them from cached glyph bitmaps (``draw_text_agg``), and
cached glyph outlines (an ``AnnotationLayer``'s paths in SVG and PDF)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from matplotlib import colors as mcolors
from matplotlib.backends.backend_agg import RendererAgg, get_hinting_flag
from matplotlib.font_manager import FontProperties, fontManager, get_font
from matplotlib.ft2font import FT2Font, Kerning, LoadFlags, RenderMode

if TYPE_CHECKING:
    from matplotlib.ft2font import GlyphIndexType
    from matplotlib.typing import ColorType


@lru_cache(maxsize=2048)
def ink_coverage(
    text: str, font_paths: tuple[str, ...], size_px: float, hinting: LoadFlags
) -> np.ndarray:
    """The antialiased coverage of ``text`` as FreeType draws the whole string, trimmed to
    its ink (rows top down, values 0-1). Cached: cell values repeat within and across the
    files of a batch."""
    typesetter = typesetter_for(font_paths, size_px, hinting)
    ink = typesetter.composed_ink(text)
    if ink is None:
        ink = _ink(typesetter.whole(text))
    return coverage_of(ink)[..., None]


def _ink(bitmap: np.ndarray) -> np.ndarray:
    """``bitmap`` trimmed to its nonzero pixels (0x0 if it has none)."""
    rows, cols = np.nonzero(bitmap)
    if rows.size == 0:
        return np.zeros((0, 0), dtype=bitmap.dtype)
    return bitmap[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]


@dataclass(frozen=True)
class Glyph:
    """One character drawn alone by FreeType, and what placing it in a string needs."""

    stamp: np.ndarray  # FreeType's bitmap of the character alone (uint8, zeros around)
    offset: tuple[int, int]  # where its glyph bitmap starts in ``stamp`` (column, row)
    ink: np.ndarray  # ``stamp`` trimmed to its ink
    ink_at: tuple[int, int]  # where ``ink`` starts in ``stamp`` (column, row)
    left: int  # the glyph bitmap's left and top, in pixels from the pen
    top: int
    cbox: tuple[int, int, int, int]  # control box at the pen (26.6 subpixels)
    advance: int  # 26.6 subpixels
    index: GlyphIndexType  # in the chain's first font


class Typesetter:
    """Strings drawn as ``FT2Font.set_text`` and ``draw_glyphs_to_bitmap`` draw them, one
    font chain at one size.

    FreeType takes ~0.3 ms to load and hint a number's glyphs, and a figure has dozens
    of distinct numbers (65 for the reference figure, thousands for a long one). When
    every glyph of a string is in the chain's first font, no pair of them is kerned and
    each lands on a whole pixel (hinted advances: true of the fonts tried at any size,
    and digits are not kerned in them), each glyph's
    bitmap is the one drawn alone, shifted: so the string is composed from cached glyphs,
    placed, clipped and OR-ed exactly as matplotlib's ft2font does. Otherwise (a fallback
    font, a pen between pixels) FreeType draws the whole string.
    """

    def __init__(self, font_paths: tuple[str, ...], size_px: float, hinting: LoadFlags) -> None:
        self.font_paths, self.size_px, self.hinting = font_paths, size_px, hinting
        self.glyphs: dict[str, Glyph | None] = {}
        self.kerning: dict[tuple[GlyphIndexType, GlyphIndexType], bool] = {}

    def _font(self) -> FT2Font:
        font = get_font(self.font_paths)
        font.clear()  # also forgets which chain font drew which glyph last time
        font.set_size(self.size_px * 72 / 100, 100)  # size in pixels, expressed at 100 dpi
        return font

    def whole(self, text: str) -> np.ndarray:
        """FreeType's own bitmap of ``text`` (uint8, rows top down)."""
        font = self._font()
        font.set_text(text, 0.0, flags=self.hinting)
        font.draw_glyphs_to_bitmap(antialiased=True)
        return np.asarray(font.get_image())

    def glyph(self, char: str) -> Glyph | None:
        if char not in self.glyphs:
            font = self._font()
            index = font.get_char_index(ord(char))
            glyph = None
            if index:
                font.set_text(char, 0.0, flags=self.hinting)
                advance = font.get_width_height()[0]
                font.draw_glyphs_to_bitmap(antialiased=True)
                stamp = np.array(font.get_image())
                x0, y0, x1, y1 = font.load_char(ord(char), flags=self.hinting).bbox
                # FreeType's bitmap spans the control box's pixels: left floor, top ceil.
                left, top = math.floor(x0 / 64), -math.floor(-y1 / 64)
                offset = (int(left - x0 / 64), int(y1 / 64 - top + 1))  # as ft2font casts
                rows, cols = np.nonzero(stamp)
                ink_at = (int(cols.min()), int(rows.min())) if rows.size else (0, 0)
                cbox = (x0, y0, x1, y1)
                glyph = Glyph(stamp, offset, _ink(stamp), ink_at, left, top, cbox, advance, index)
            self.glyphs[char] = glyph
        return self.glyphs[char]

    def kerned(self, left: GlyphIndexType, right: GlyphIndexType) -> bool:
        """Whether the font kerns this pair at all (in font units: ft2font scales and
        rounds kerning its own way, which is not redone here)."""
        pair = (left, right)
        if pair not in self.kerning:
            self.kerning[pair] = self._font().get_kerning(left, right, Kerning.UNSCALED) != 0
        return self.kerning[pair]

    def _placed(self, text: str) -> tuple[list[tuple[Glyph, int, int]], int, int] | None:
        """Where each glyph's stamp goes in ``whole(text)`` (glyph, column, row) and that
        bitmap's height and width; None where composing would not be exact."""
        glyphs = [self.glyph(char) for char in text]
        if not glyphs or None in glyphs:
            return None
        pens: list[tuple[Glyph, int]] = []
        pen, previous = 0, None
        for glyph in glyphs:
            assert glyph is not None
            if previous is not None and self.kerned(previous, glyph.index):
                return None
            if pen % 64:  # between pixels: the glyph would be rasterised differently
                return None
            pens.append((glyph, pen))
            pen += glyph.advance
            previous = glyph.index
        # The string's control box; a glyph without outline (a space) adds (0, 0, 0, 0)
        # wherever it stands, as FreeType moves no points for it.
        boxes = [
            (x0 + at, y0, x1 + at, y1) if any(g.cbox) else g.cbox
            for g, at in pens
            for x0, y0, x1, y1 in [g.cbox]
        ]
        x_min, y_min = min(b[0] for b in boxes), min(b[1] for b in boxes)
        x_max, y_max = max(b[2] for b in boxes), max(b[3] for b in boxes)
        if x_min > x_max or y_min > y_max:  # no outline at all
            x_min = x_max = y_min = y_max = 0
        placed = [
            (
                glyph,
                int(glyph.left + at // 64 - x_min / 64) - glyph.offset[0],
                int(y_max / 64 - glyph.top + 1) - glyph.offset[1],
            )
            for glyph, at in pens
        ]
        return placed, (y_max - y_min) // 64 + 2, (x_max - x_min) // 64 + 2

    def composed(self, text: str) -> np.ndarray | None:
        """``whole(text)`` from cached glyphs, or None where that would not be exact."""
        layout = self._placed(text)
        if layout is None:
            return None
        placed, height, width = layout
        bitmap = np.zeros((height, width), dtype=np.uint8)
        for glyph, x, y in placed:
            rows, cols = glyph.stamp.shape
            top, left = max(y, 0), max(x, 0)
            bottom, right = min(y + rows, height), min(x + cols, width)
            if bottom > top and right > left:
                region = bitmap[top:bottom, left:right]
                region |= glyph.stamp[top - y : bottom - y, left - x : right - x]
        return bitmap

    def composed_ink(self, text: str) -> np.ndarray | None:
        """``composed(text)`` trimmed to its ink, built directly from the glyphs' inks
        (the usual case, nothing clipped at the bitmap's edge: then the union of their
        ink boxes is the string's)."""
        layout = self._placed(text)
        if layout is None:
            return None
        placed, height, width = layout
        inks = []
        for glyph, x, y in placed:
            if glyph.ink.size:
                top, left = y + glyph.ink_at[1], x + glyph.ink_at[0]
                bottom, right = top + glyph.ink.shape[0], left + glyph.ink.shape[1]
                if top < 0 or left < 0 or bottom > height or right > width:
                    return _ink(self.composed(text))  # type: ignore[arg-type]  # not None
                inks.append((glyph.ink, top, left, bottom, right))
        if not inks:
            return np.zeros((0, 0), dtype=np.uint8)
        top = min(ink[1] for ink in inks)
        left = min(ink[2] for ink in inks)
        bitmap = np.zeros(
            (max(ink[3] for ink in inks) - top, max(ink[4] for ink in inks) - left), np.uint8
        )
        for ink, y, x, bottom, right in inks:
            region = bitmap[y - top : bottom - top, x - left : right - left]
            region |= ink
        return bitmap


@lru_cache(maxsize=64)
def typesetter_for(font_paths: tuple[str, ...], size_px: float, hinting: LoadFlags) -> Typesetter:
    return Typesetter(font_paths, size_px, hinting)


@lru_cache(maxsize=64)
def font_chain(prop: FontProperties) -> tuple[str, ...]:
    """The files of a text's font chain, as Agg's own text drawing finds them: a
    ``--font`` chain's first font may lack digits (a CJK fallback font, say)."""
    return tuple(fontManager._find_fonts_by_props(prop))


def centred_at(
    buffer: np.ndarray, coverage: np.ndarray, x: float, y: float
) -> tuple[int, int] | None:
    """Where ``coverage`` centred at display point (x, y) starts in Agg's ``buffer``
    (top, left), or None if any of it would fall outside."""
    height, width = coverage.shape[:2]
    top, left = round(buffer.shape[0] - y - height / 2), round(x - width / 2)
    inside = top + height <= buffer.shape[0] and left + width <= buffer.shape[1]
    return (top, left) if top >= 0 and left >= 0 and inside else None


def blend(buffer: np.ndarray, coverage: np.ndarray, top: int, left: int, color: ColorType) -> None:
    """Paint ``color`` through ``coverage`` into the Agg buffer at (top, left)."""
    height, width = coverage.shape[:2]
    rgb = rgb255(color) if isinstance(color, str) else _to_rgb255(color)
    region = buffer[top : top + height, left : left + width, :3]
    region[...] = blended(region, coverage, rgb)


def coverage_of(ink: np.ndarray) -> np.ndarray:
    """FreeType's 0-255 ink as the 0-1 float32 coverage ``blend`` paints through."""
    return ink.astype(np.float32) / 255


def blended(old: np.ndarray, coverage: np.ndarray, rgb: np.ndarray) -> np.ndarray:
    """Pixel values ``old`` (uint8) painted with ``rgb`` (float32, 0-255) through
    ``coverage``, rounded: the one formula every blend of text here uses."""
    return (old * (1 - coverage) + rgb * coverage + 0.5).astype(np.uint8)


def blend_centred(
    buffer: np.ndarray, typesetter: Typesetter, text: str, x: float, y: float, color: str
) -> None:
    """``text`` blended centred on its ink at (x, y), unless part of it would be outside."""
    coverage = ink_coverage(text, typesetter.font_paths, typesetter.size_px, typesetter.hinting)
    at = centred_at(buffer, coverage, x, y)
    if at is not None:
        blend(buffer, coverage, *at, color)


def _to_rgb255(color: ColorType) -> np.ndarray:
    return np.array(mcolors.to_rgb(color), dtype=np.float32) * 255


rgb255 = lru_cache(maxsize=64)(_to_rgb255)  # annotations come in a few named colours


@lru_cache(maxsize=512)
def glyph_outline(
    fonts: tuple[str, ...], char: str, size: float
) -> tuple[np.ndarray, np.ndarray, float]:
    """Outline (in points, baseline at 0) and advance of one character at ``size``."""
    font = get_font(fonts)
    font.set_size(size, 72)  # one pixel per point
    glyph = font.load_char(ord(char), flags=LoadFlags.NO_HINTING)
    vertices, codes = font.get_path()
    return np.asarray(vertices, dtype=float), np.asarray(codes), glyph.linearHoriAdvance / 65536


def draw_texts_agg(
    renderer: RendererAgg, gc, texts: Iterable[tuple[float, float, str]], prop
) -> None:
    """``renderer.draw_text(gc, x, y, text, prop, 0)`` for each (x, y, text), with the
    same pixels, for labels drawn by the thousand.

    matplotlib 3.11 lays a string out (``FT2Font._layout``: shaping and font fallback)
    and renders each glyph at its subpixel position, then blends it into Agg's buffer:
    ~0.4 ms a label. The layout is kept per string and each glyph's bitmap per subpixel
    offset (FreeType's bitmap of an outline moved by whole pixels is the same bitmap,
    moved), so a label costs its blends. Antialiased text at angle 0 only.
    """
    if not GLYPH_BY_GLYPH:  # an older matplotlib draws the string as one bitmap
        for x, y, text in texts:
            renderer.draw_text(gc, x, y, text, prop, 0.0)
        return
    dpi, flags, size = renderer.dpi, get_hinting_flag(), prop.get_size_in_points()
    fonts, canvas_height = font_chain(prop), renderer.height
    if len(_bitmaps) > 64 or sum(map(len, _bitmaps.values())) > _KEPT_BITMAPS:
        _bitmaps.clear()  # a batch of long documents in many scripts: start afresh
    bitmaps = _bitmaps.setdefault((size, dpi, flags), {})
    blit = renderer._renderer.draw_text_image
    bottom = int(canvas_height)
    for x, y, text in texts:
        for font, index, dx, dy in _laid_out(fonts, size, dpi, text, flags):
            # As RendererAgg._draw_text_glyphs_and_boxes places a glyph (cos 1, sin 0).
            pen_x = round(0x40 * (x + dx * 1.0 - dy * 0.0))
            pen_y = round(0x40 * (canvas_height - y + dx * 0.0 + dy * 1.0))
            key = (font, index, pen_x & 63, pen_y & 63)
            glyph = bitmaps.get(key)
            if glyph is None:
                glyph = bitmaps[key] = _glyph_bitmap(font, index, size, dpi, flags, key[2:])
            buffer, left, rows_above = glyph
            blit(buffer, left + (pen_x >> 6), bottom + rows_above - (pen_y >> 6), 0, gc)


def _glyph_bitmap(
    font: FT2Font, index: GlyphIndexType, size: float, dpi: float, flags: LoadFlags, at: tuple
) -> tuple[np.ndarray, int, int]:
    """A glyph rendered as matplotlib renders it with its pen at ``at`` (26.6 subpixels
    within a pixel): the bitmap, its left, and its rows less its top."""
    font.set_size(size, dpi)
    identity = [[0x10000, 0], [0, 0x10000]]
    font._set_transform(identity, list(at))  # type: ignore[attr-defined]
    bitmap = font._render_glyph(index, flags, RenderMode.NORMAL)  # type: ignore[attr-defined]
    buffer = np.array(bitmap.buffer)
    return buffer, bitmap.left, buffer.shape[0] - bitmap.top


_bitmaps: dict[tuple, dict[tuple, tuple[np.ndarray, int, int]]] = {}
#: At most this many glyph bitmaps are kept (a few hundred bytes each; a page of Latin
#: labels needs about a thousand, one glyph at up to 64 x 64 subpixel offsets).
_KEPT_BITMAPS = 100_000

#: matplotlib 3.11 and later lay text out with ``FT2Font._layout`` and draw it glyph by
#: glyph, which ``draw_text_agg`` repeats.
GLYPH_BY_GLYPH = hasattr(RendererAgg, "_draw_text_glyphs_and_boxes") and hasattr(FT2Font, "_layout")


@lru_cache(maxsize=8192)
def _laid_out(
    fonts: tuple[str, ...], size: float, dpi: float, text: str, flags: LoadFlags
) -> tuple[tuple[FT2Font, GlyphIndexType, float, float], ...]:
    """Each glyph of ``text`` as RendererAgg.draw_text lays it out: font, index, pen."""
    font = get_font(fonts)
    font.clear()
    font.set_size(size, dpi)
    return tuple(
        (item.ft_object, item.glyph_index, item.x, item.y)
        for item in font._layout(text, flags=flags)
    )
