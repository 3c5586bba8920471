"""The numbers of a large grid composed and blended all at once, with the same pixels as
one ``ink_coverage`` + ``blend`` per number.

A 500-row page has thousands of distinct numbers; composing each from cached glyphs and
blending it into Agg's buffer took ~50 microseconds of Python apiece, a third of drawing
such a page. Numbers of one shape (the same characters but digits, where every digit
has one advance) share their pens, so ``Typesetter._placed``'s arithmetic runs on
arrays, one row a number; their glyph inks are OR-ed into one stack of bitmaps; and
the ink pixels of each shape are blended in one vectorised step. What cannot be
composed that way (a character outside ASCII or the first font, a kerned pair, a pen
between pixels, a glyph clipped at its string's bitmap) is blended one by one, as
before; numbers whose inks could touch are left to the caller.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .glyphs import (
    Glyph,
    Typesetter,
    blend,
    blended,
    centred_at,
    coverage_of,
    ink_coverage,
    rgb255,
)

_DIGITS = "0123456789"


@dataclass(frozen=True)
class _Alphabet:
    """Per-character glyph facts as arrays, indexed by the character's ASCII code."""

    known: np.ndarray  # bool: the first font draws it (composing would be exact)
    left: np.ndarray
    top: np.ndarray
    offset: np.ndarray  # (256, 2)
    cbox: np.ndarray  # (256, 4), 26.6 subpixels
    outlined: np.ndarray  # bool: a control box other than (0, 0, 0, 0)
    advance: np.ndarray
    ink_at: np.ndarray  # (256, 2) column, row
    ink_size: np.ndarray  # (256, 2) rows, columns
    kerned: np.ndarray  # (256, 256) bool
    glyphs: dict[int, Glyph]


def _alphabet(typesetter: Typesetter, chars: str) -> _Alphabet:
    known = np.zeros(256, bool)
    left, top, advance = (np.zeros(256, np.int64) for _ in range(3))
    offset, ink_at, ink_size = (np.zeros((256, 2), np.int64) for _ in range(3))
    cbox = np.zeros((256, 4), np.int64)
    glyphs: dict[int, Glyph] = {}
    for char in chars:
        glyph = typesetter.glyph(char)
        if glyph is None:
            continue
        code = ord(char)
        glyphs[code] = glyph
        known[code] = True
        left[code], top[code], advance[code] = glyph.left, glyph.top, glyph.advance
        offset[code], ink_at[code], cbox[code] = glyph.offset, glyph.ink_at, glyph.cbox
        ink_size[code] = glyph.ink.shape
    kerned = np.zeros((256, 256), bool)
    for a, first in glyphs.items():
        for b, second in glyphs.items():
            kerned[a, b] = typesetter.kerned(first.index, second.index)
    outlined = np.asarray(cbox.any(axis=1))
    return _Alphabet(
        known, left, top, offset, cbox, outlined, advance, ink_at, ink_size, kerned, glyphs
    )


@dataclass
class _Inks:
    """Composed inks of a group of strings: ``bitmaps[i, :height[i], :width[i]]``."""

    rows: np.ndarray  # which strings of the group (indices into its labels)
    bitmaps: np.ndarray  # (n, H, W) uint8
    height: np.ndarray
    width: np.ndarray


def _compose(codes: np.ndarray, font: _Alphabet) -> tuple[_Inks, np.ndarray]:
    """Inks of equal-length strings (``codes``: one row of ASCII codes each), exactly as
    ``Typesetter.composed_ink``; and the rows it could not compose."""
    usable = font.known[codes].all(axis=1)
    if codes.shape[1] > 1:
        usable &= ~font.kerned[codes[:, :-1], codes[:, 1:]].any(axis=1)
    advance = font.advance[codes]
    at = np.zeros_like(advance)
    at[:, 1:] = np.cumsum(advance[:, :-1], axis=1)
    usable &= (at % 64 == 0).all(axis=1)
    # The string's control box (a glyph without outline adds (0, 0, 0, 0) where it is).
    box = font.cbox[codes].copy()
    outlined = font.outlined[codes]
    box[..., 0] += np.where(outlined, at, 0)
    box[..., 2] += np.where(outlined, at, 0)
    x_min, y_min = box[..., 0].min(axis=1), box[..., 1].min(axis=1)
    x_max, y_max = box[..., 2].max(axis=1), box[..., 3].max(axis=1)
    empty = (x_min > x_max) | (y_min > y_max)
    x_min, x_max, y_min, y_max = (np.where(empty, 0, v) for v in (x_min, x_max, y_min, y_max))
    height, width = (y_max - y_min) // 64 + 2, (x_max - x_min) // 64 + 2
    # Where each stamp goes in the string's bitmap, with ft2font's int() casts.
    x = np.trunc(font.left[codes] + at // 64 - x_min[:, None] / 64).astype(np.int64)
    y = np.trunc(y_max[:, None] / 64 - font.top[codes] + 1).astype(np.int64)
    x -= font.offset[codes, 0]
    y -= font.offset[codes, 1]
    ink_rows, ink_cols = font.ink_size[codes, 0], font.ink_size[codes, 1]
    inked = (ink_rows > 0) & (ink_cols > 0)
    top, left = y + font.ink_at[codes, 1], x + font.ink_at[codes, 0]
    bottom, right = top + ink_rows, left + ink_cols
    clipped = inked & (
        (top < 0) | (left < 0) | (bottom > height[:, None]) | (right > width[:, None])
    )
    usable &= ~clipped.any(axis=1)
    drawn = usable & inked.any(axis=1)  # usable strings without ink draw nothing
    big = np.iinfo(np.int64).max
    ink_top = np.where(inked, top, big).min(axis=1)
    ink_left = np.where(inked, left, big).min(axis=1)
    ink_height = np.where(inked, bottom, -big).max(axis=1) - ink_top
    ink_width = np.where(inked, right, -big).max(axis=1) - ink_left
    rows = np.flatnonzero(drawn)
    shape = (rows.size, int(ink_height[rows].max(initial=0)), int(ink_width[rows].max(initial=0)))
    bitmaps = np.zeros(shape, np.uint8)
    for slot in range(codes.shape[1]):
        at_rows = rows[inked[rows, slot]]
        dy = top[at_rows, slot] - ink_top[at_rows]
        dx = left[at_rows, slot] - ink_left[at_rows]
        keys = (codes[at_rows, slot] << 32) | (dy << 16) | dx  # all three under 2**16
        unique, which = np.unique(keys, return_inverse=True)
        positions = np.searchsorted(rows, at_rows)
        for k, key in enumerate(unique.tolist()):
            code, y_at, x_at = key >> 32, (key >> 16) & 0xFFFF, key & 0xFFFF
            ink = font.glyphs[code].ink
            target = positions[which == k]
            bitmaps[target, y_at : y_at + ink.shape[0], x_at : x_at + ink.shape[1]] |= ink
    inks = _Inks(rows, bitmaps, ink_height[rows], ink_width[rows])
    return inks, np.flatnonzero(~usable)


def stamp_numbers(
    buffer: np.ndarray,
    points: np.ndarray,
    labels: Sequence[str],
    colors: Sequence[str],
    typesetter: Typesetter,
    pitch: tuple[float, float],
) -> bool:
    """Blend ``labels`` (centred on their ink at ``points``, display pixels) into Agg's
    RGBA ``buffer`` with the pixels of ``blend_centred`` on each in turn. False, having
    drawn nothing, unless every number's ink is narrower and shorter than ``pitch`` (the
    distance between cells, in pixels) by two pixels: then no two inks overlap and the
    order of blending cannot matter."""
    by_shape: dict[str, list[int]] = {}
    leftover: list[int] = []
    digits_alike = _digits_alike(typesetter)
    for index, label in enumerate(labels):
        if label.isascii() and label:
            by_shape.setdefault(label.translate(_TO_ZERO) if digits_alike else label, []).append(
                index
            )
        elif label:
            leftover.append(index)
    font = _alphabet_for(typesetter, "".join(sorted(set("".join(by_shape)) | set(_DIGITS))))
    pieces = []
    for members in by_shape.values():
        group = np.array(members)
        text = "".join(labels[i] for i in members).encode("ascii")
        codes = np.frombuffer(text, np.uint8).reshape(len(members), -1).astype(np.intp)
        inks, unusable = _compose(codes, font)
        leftover.extend(group[unusable].tolist())
        if inks.rows.size:
            pieces.append((group[inks.rows], inks))
    leftover.sort()  # blended one by one, in the order of the cells
    alone = [
        ink_coverage(labels[i], typesetter.font_paths, typesetter.size_px, typesetter.hinting)
        for i in leftover
    ]
    widest = max(
        [int(inks.width.max(initial=0)) for _, inks in pieces] + [a.shape[1] for a in alone],
        default=0,
    )
    tallest = max(
        [int(inks.height.max(initial=0)) for _, inks in pieces] + [a.shape[0] for a in alone],
        default=0,
    )
    if widest + 2 > pitch[0] or tallest + 2 > pitch[1]:
        return False
    if pieces:
        _blend_all(buffer, points, colors, pieces)
    for index, coverage in zip(leftover, alone, strict=True):
        at = centred_at(buffer, coverage, *points[index])
        if at is not None:
            blend(buffer, coverage, *at, colors[index])
    return True


_TO_ZERO = str.maketrans(_DIGITS, "0" * 10)


def _digits_alike(typesetter: Typesetter) -> bool:
    """Whether every digit has the first font's glyph and one advance (tabular digits),
    so strings differing only in digits share their pens."""
    glyphs = [typesetter.glyph(digit) for digit in _DIGITS]
    return all(glyphs) and len({g.advance for g in glyphs if g is not None}) == 1


_alphabets: dict[tuple, _Alphabet] = {}


def _alphabet_for(typesetter: Typesetter, chars: str) -> _Alphabet:
    """The glyph facts of ``chars``, kept per font chain, size and hinting."""
    key = (typesetter.font_paths, typesetter.size_px, typesetter.hinting, chars)
    if key not in _alphabets:
        if len(_alphabets) > 64:
            _alphabets.clear()
        _alphabets[key] = _alphabet(typesetter, chars)
    return _alphabets[key]


def _blend_all(
    buffer: np.ndarray,
    points: np.ndarray,
    colors: Sequence[str],
    pieces: list[tuple[np.ndarray, _Inks]],
) -> None:
    """``blend`` of every composed ink at its place, a group's ink pixels at once (each
    pixel's four bytes read and written as one 32-bit word; alpha is kept)."""
    palette = sorted(set(colors))
    shades = np.array([rgb255(color) for color in palette], np.float32).reshape(-1, 3)
    shade_of = {color: number for number, color in enumerate(palette)}
    shade = np.array([shade_of[color] for color in colors], np.intp)
    height, width = buffer.shape[:2]
    words = buffer.reshape(-1).view(np.uint32)  # one RGBA pixel a word
    for members, inks in pieces:
        order = np.argsort(shade[members], kind="stable")  # one colour after another
        members, bitmaps = members[order], inks.bitmaps[order]
        ink_height, ink_width = inks.height[order], inks.width[order]
        top = np.rint(height - points[members, 1] - ink_height / 2).astype(np.int64)
        left = np.rint(points[members, 0] - ink_width / 2).astype(np.int64)
        inside = (top >= 0) & (left >= 0)
        inside &= (top + ink_height <= height) & (left + ink_width <= width)
        if not inside.all():
            bitmaps = bitmaps * inside[:, None, None]
        per_string = bitmaps[0].size
        local = (np.arange(bitmaps.shape[1])[:, None] * width + np.arange(bitmaps.shape[2])).ravel()
        found = np.flatnonzero(bitmaps)
        string = found // per_string
        pixels = (top * width + left)[string] + local[found - string * per_string]
        coverage = bitmaps.ravel()[found].astype(np.intp) << 8
        region = words[pixels].view(np.uint8).reshape(-1, 4)
        runs = np.searchsorted(string, np.flatnonzero(np.diff(shade[members])) + 1)
        starts, stops = np.r_[0, runs].tolist(), np.r_[runs, len(found)].tolist()
        for start, stop in zip(starts, stops, strict=True):
            if start < stop:
                rgb = shades[shade[members[string[start]]]]
                cover = coverage[start:stop]
                for channel in range(3):
                    part = region[start:stop, channel]
                    part[...] = _blended(float(rgb[channel]))[cover + part]
        words[pixels] = region.reshape(-1).view(np.uint32)


@lru_cache(maxsize=64)
def _blended(value: float) -> np.ndarray:
    """What ``blend`` makes of a pixel channel, for every coverage and old value
    (index ``coverage << 8 | old``) painting a channel of ``value``: the same float32
    arithmetic, done once for all 65,536 pairs and then looked up."""
    cover = coverage_of(np.arange(256, dtype=np.uint8))[:, None]
    old = np.arange(256, dtype=np.uint8)[None, :]
    return blended(old, cover, np.array([value], np.float32)).ravel()
