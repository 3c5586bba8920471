"""The numbers of a large grid blended all at once (``plotting.stamps``) give the same
pixels as blending each one in turn, and decline where that could differ."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.backends.backend_agg import get_hinting_flag
from matplotlib.font_manager import FontProperties

from attrmap.plotting.glyphs import blend_centred, font_chain, typesetter_for
from attrmap.plotting.stamps import stamp_numbers

#: Numbers as the grid formats them, and what the fast path must leave to ``blend``:
#: a kerned pair, characters outside ASCII (a Unicode minus, CJK from a fallback font or
#: none), empty cells, spaces and exponents.
LABELS = [
    "0.1234",
    "-0.0000",
    "1.0000",
    "-12.5000",
    "9.8765",
    "1.2e+03",
    "",
    "nan",
    "AV",
    "\u22120.5000",
    "\u4e2d",
    " 7",
    "0.0001",
    "-0.9999",
    "42",
    "4.4444",
]
COLORS = ["black", "white", "#d62728", "0.25"]


def grid_points(rows: int, cols: int, pitch: tuple[float, float], origin=(40.3, 20.7)):
    cols_at, rows_at = np.meshgrid(np.arange(cols), np.arange(rows))
    x = origin[0] + cols_at.ravel() * pitch[0]
    y = origin[1] + rows_at.ravel() * pitch[1]
    return np.column_stack([x, y])


def one_by_one(buffer, points, labels, colors, typesetter):
    for (x, y), label, color in zip(points, labels, colors, strict=True):
        if label:
            blend_centred(buffer, typesetter, label, x, y, color)


@pytest.mark.filterwarnings("ignore:Glyph 20013")  # CJK missing from DejaVu: drawn as a box
@pytest.mark.parametrize(("size", "dpi"), [(8, 150), (10, 150), (7.3, 150), (6, 72), (9.5, 200)])
def test_stamped_numbers_equal_blending_each_in_turn(size, dpi):
    rng = np.random.default_rng(int(size * dpi))
    rows, cols, pitch = 12, 8, (size * dpi / 72 * 6.5, size * dpi / 72 * 2.1)
    points = grid_points(rows, cols, pitch)
    width, height = int(points[:, 0].max() + pitch[0]), int(points[:, 1].max() + pitch[1])
    background = rng.integers(0, 256, (height, width, 4), dtype=np.uint8)
    labels = [LABELS[i % len(LABELS)] for i in range(rows * cols)]
    labels[5::7] = [f"{v:.4f}" for v in rng.uniform(-1.5, 1.5, len(labels[5::7]))]
    colors = [COLORS[i % len(COLORS)] for i in range(rows * cols)]
    fonts = font_chain(FontProperties(size=size))
    typesetter = typesetter_for(fonts, size * dpi / 72, get_hinting_flag())

    stamped, expected = background.copy(), background.copy()
    assert stamp_numbers(stamped, points, labels, colors, typesetter, pitch)
    one_by_one(expected, points, labels, colors, typesetter)
    assert not np.array_equal(expected, background)  # numbers were drawn
    assert np.array_equal(stamped, expected)


def test_numbers_half_outside_the_buffer_are_left_out_as_one_by_one():
    typesetter = typesetter_for(
        font_chain(FontProperties(size=8)), 8 * 150 / 72, get_hinting_flag()
    )
    pitch = (70.0, 30.0)
    points = grid_points(3, 3, pitch, origin=(2.0, 1.0))  # first row and column at the edge
    background = np.full((80, 170, 4), 255, np.uint8)
    labels = ["-0.1234"] * 9
    colors = ["black"] * 9
    stamped, expected = background.copy(), background.copy()
    assert stamp_numbers(stamped, points, labels, colors, typesetter, pitch)
    one_by_one(expected, points, labels, colors, typesetter)
    assert np.array_equal(stamped, expected)
    assert (stamped[:, :20] == 255).all()  # the cut-off numbers are not drawn


def test_numbers_wider_than_their_cells_are_declined_untouched():
    typesetter = typesetter_for(
        font_chain(FontProperties(size=8)), 8 * 150 / 72, get_hinting_flag()
    )
    pitch = (20.0, 30.0)  # narrower than "-0.1234": neighbours' inks would touch
    points = grid_points(2, 4, pitch)
    buffer = np.full((100, 200, 4), 255, np.uint8)
    assert not stamp_numbers(buffer, points, ["-0.1234"] * 8, ["black"] * 8, typesetter, pitch)
    assert (buffer == 255).all()


#: Row labels as tokenizers give them: words, pieces with spaces and marks, kerned pairs
#: ("AV", "To"), punctuation that matters, and scripts from fallback fonts where installed.
ROW_LABELS = [
    "the",
    "\u2581quick",
    "AVATAR",
    "To",
    "$35 ($85 - $50)",
    "w123",
    "\u4e2d\u6587",
    "\u0928\u092e\u0938\u094d\u0924\u0947",
    "caf\u00e9",
    "x\u0301",
    "",
    " ",
    "\u00a7\u00b6",
]


def installed_fallbacks() -> list[str]:
    from matplotlib.font_manager import fontManager

    wanted = ("Droid Sans Fallback", "Noto Sans CJK JP", "Lohit Devanagari")
    names = {entry.name for entry in fontManager.ttflist}
    return [name for name in wanted if name in names]


@pytest.mark.filterwarnings("ignore:Glyph")  # a script no installed font has: a box each
@pytest.mark.parametrize(("size", "dpi"), [(8, 150), (7.3, 150), (10, 72), (9.5, 200)])
def test_labels_drawn_from_cached_glyphs_equal_agg_draw_text(size, dpi):
    from matplotlib.backends.backend_agg import RendererAgg

    from attrmap.plotting.glyphs import draw_texts_agg

    prop = FontProperties(family=["DejaVu Sans", *installed_fallbacks()], size=size)
    labels = [*ROW_LABELS, *["Aw1.g"] * 32]  # the same glyphs at 32 subpixel offsets
    positions = [(30.0 + 7.37 * i, 12.0 + 9.61 * i) for i in range(len(ROW_LABELS))]
    positions += [(5.0 + 40 * (i % 8) + i / 32, 140.0 + 12 * (i // 8) + i / 19) for i in range(32)]
    drawn = []
    for draw in ("matplotlib", "cached", "cached again"):
        renderer = RendererAgg(400, 220, dpi)
        gc = renderer.new_gc()
        gc.set_foreground("#3a3a3a")
        gc.set_antialiased(True)
        placed = [(x, y, label) for label, (x, y) in zip(labels, positions, strict=True)]
        if draw == "matplotlib":
            for x, y, label in placed:
                renderer.draw_text(gc, x, y, label, prop, 0.0)
        elif draw == "cached":
            draw_texts_agg(renderer, gc, placed, prop)
        else:  # one at a time, from what the first call kept
            for one in placed:
                draw_texts_agg(renderer, gc, [one], prop)
        gc.restore()
        drawn.append(np.asarray(renderer.buffer_rgba()).copy())
    assert drawn[0].any()
    assert np.array_equal(drawn[1], drawn[0])
    assert np.array_equal(drawn[2], drawn[0])  # from the caches, the same again


@pytest.mark.filterwarnings("ignore:Glyph")
@pytest.mark.parametrize("size", [7.3, 8, 12.5])
def test_label_sizes_measured_together_equal_text_to_path(size):
    from matplotlib.textpath import TextToPath

    from attrmap.plotting.measuring import text_extent_in, text_size_in, text_widths_in

    families = ("DejaVu Sans", *installed_fallbacks())
    prop = FontProperties(family=list(families), size=size)
    labels = [label for label in ROW_LABELS if label]
    expected = [TextToPath().get_text_width_height_descent(t, prop, ismath=False) for t in labels]
    widths = text_widths_in([*labels, ""], size, families)
    assert widths[-1] == 0.0
    for label, (width, height, descent), measured in zip(labels, expected, widths, strict=False):
        assert measured == width / 72
        assert text_size_in(label, size, families) == (width / 72, height / 72)
        assert text_extent_in(label, size, families) == (width / 72, height / 72, descent / 72)


def test_kept_glyph_bitmaps_are_bounded(monkeypatch):
    """A long-running batch of long documents keeps at most about ``_KEPT_BITMAPS``
    glyph bitmaps (plus what one call adds), and still draws the same pixels."""
    from matplotlib.backends.backend_agg import RendererAgg

    from attrmap.plotting import glyphs

    monkeypatch.setattr(glyphs, "_KEPT_BITMAPS", 50)
    monkeypatch.setattr(glyphs, "_bitmaps", {})
    prop = FontProperties(size=9)
    drawn = []
    for call in range(6):
        renderer = RendererAgg(300, 60, 100)
        gc = renderer.new_gc()
        gc.set_antialiased(True)
        placed = [(10 + i * 0.21 + call * 0.03, 30.0, f"x{i}") for i in range(20)]
        glyphs.draw_texts_agg(renderer, gc, placed, prop)
        kept = sum(map(len, glyphs._bitmaps.values()))
        assert kept <= 50 + 3 * len(placed)
        expected = RendererAgg(300, 60, 100)
        for x, y, text in placed:
            expected.draw_text(gc, x, y, text, prop, 0.0)
        drawn.append(
            np.array_equal(np.asarray(renderer.buffer_rgba()), np.asarray(expected.buffer_rgba()))
        )
        gc.restore()
    assert all(drawn)
