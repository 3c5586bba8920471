"""Inspect the drawn figure as a reader would: labels, numbers, colours, nothing clipped."""

from __future__ import annotations

import re

import matplotlib as mpl
import numpy as np
import pytest

import attrmap
from attrmap import (
    AttributionMatrix,
    LimitError,
    OutputError,
    Style,
    StyleError,
    load_matrix,
    save_figure,
)
from attrmap.labels import display_label
from attrmap.scale import contrast_ratio, relative_luminance
from conftest import REFERENCE_EXPRESSIONS, REFERENCE_TOKENS


@pytest.fixture(scope="module")
def reference_figure():
    from conftest import EXAMPLES

    matrix = load_matrix(EXAMPLES / "token_attribution.csv")
    return matrix, attrmap.render(matrix)


def heatmap_axes(figure):
    return figure.axes[0]


def labels(texts) -> list[str]:
    return [t.get_text() for t in texts]


def test_tokens_down_the_left_expressions_across_the_top(reference_figure):
    _, figure = reference_figure
    ax = heatmap_axes(figure)
    assert labels(ax.get_yticklabels()) == REFERENCE_TOKENS
    assert labels(ax.get_xticklabels()) == REFERENCE_EXPRESSIONS
    top_label = ax.xaxis.get_major_ticks()[0]
    assert top_label.label2.get_visible() and not top_label.label1.get_visible()
    assert ax.yaxis_inverted()  # first token at the top


def test_every_cell_annotated_with_its_value(reference_figure):
    matrix, figure = reference_figure
    texts = labels(heatmap_axes(figure).texts)
    assert texts == [format(v, ".4f") for v in matrix.values.ravel()]
    assert texts[7 * 5] == "1.3714"
    assert texts[4 * 5 + 4] == "-0.0000"
    assert texts.count("0.0000") == 3


def test_colorbar_label_ticks_and_extend(reference_figure):
    _, figure = reference_figure
    colorbar_axes = figure.axes[1]
    assert colorbar_axes.get_ylabel() == "Token Attribution"
    assert list(colorbar_axes.get_yticks()) == [-1.0, -0.5, 0.0, 0.5, 1.0]
    assert figure.axes[0].collections[0].colorbar.extend == "max"  # 1.3714 > 1


@pytest.mark.parametrize(
    ("values", "extend"),
    [([[0.0, 1.0]], "neither"), ([[-1.5, 0.0]], "min"), ([[1.5, 0]], "max"), ([[-2, 2]], "both")],
)
def test_extend_arrows_only_where_data_fall_outside(values, extend):
    figure = attrmap.render(AttributionMatrix(["t"], ["a", "b"], values))
    assert figure.axes[0].collections[0].colorbar.extend == extend


def pixel_at_cell(figure, row: int, col: int) -> np.ndarray:
    figure.canvas.draw()
    ax = heatmap_axes(figure)
    x, y = ax.transData.transform((col - 0.3, row - 0.3))  # off the annotation text
    buffer = np.asarray(figure.canvas.buffer_rgba())
    return buffer[round(float(buffer.shape[0] - y)), round(float(x)), :3] / 255


def test_drawn_colours_red_at_minus_one_neutral_at_zero_green_at_plus_one():
    figure = attrmap.render(AttributionMatrix(["t"], ["-1", "0", "+1", "big"], [[-1, 0, 1, 1.37]]))
    cmap = mpl.colormaps["RdYlGn"]
    minus, zero, plus, beyond = (pixel_at_cell(figure, 0, c) for c in range(4))
    assert np.allclose(minus, cmap(0.0)[:3], atol=2 / 255)
    assert np.allclose(zero, cmap(0.5)[:3], atol=2 / 255)
    assert np.allclose(plus, cmap(1.0)[:3], atol=2 / 255)
    assert np.allclose(beyond, plus, atol=2 / 255)  # out of range: the end colour
    assert minus[0] > 0.6 > minus[1]  # red
    assert plus[1] > plus[0]  # green
    assert labels(heatmap_axes(figure).texts)[3] == "1.3700"  # the true value


def test_asymmetric_range_stays_centred_on_zero():
    style = Style(vmin=-0.5, vmax=2.0)
    figure = attrmap.render(AttributionMatrix(["t"], ["0"], [[0.0]]), style)
    assert np.allclose(pixel_at_cell(figure, 0, 0), mpl.colormaps["RdYlGn"](0.5)[:3], atol=2 / 255)


@pytest.mark.parametrize("cmap", ["RdYlGn", "RdBu", "PuOr", "viridis", "gray"])
def test_every_annotation_meets_wcag_aa_contrast(cmap):
    values = np.linspace(-1.5, 1.5, 61).reshape(61, 1)
    matrix = AttributionMatrix([str(i) for i in range(61)], ["e"], values)
    figure = attrmap.render(matrix, Style(cmap=cmap))
    mesh = heatmap_axes(figure).collections[0]
    cells = mesh.to_rgba(mesh.get_array())
    for text, cell in zip(heatmap_axes(figure).texts, cells.reshape(-1, 4), strict=True):
        text_luminance = relative_luminance(mpl.colors.to_rgb(text.get_color()))
        assert contrast_ratio(text_luminance, relative_luminance(cell)) >= 4.5


def test_labels_are_literal_never_mathtext(tmp_path):
    matrix = AttributionMatrix(["$5 - $3", "x"], ["$35 ($85 - $50)", "$a$"], [[1, 2], [3, 4]])
    figure = attrmap.render(matrix, Style(title="$\\alpha$", colorbar_label="$x$ score"))
    ax = heatmap_axes(figure)
    shown = [*ax.get_xticklabels(), *ax.get_yticklabels(), *ax.texts, figure.axes[1].yaxis.label]
    for text in shown:
        assert not text.get_parse_math()
        assert not text._preprocess_math(text.get_text())[1]
    assert "$35 ($85 - $50)" in labels(ax.get_xticklabels())
    save_figure(figure, tmp_path / "math.png")  # even $ counts would raise as mathtext


def test_control_characters_drawn_as_visible_escapes():
    assert display_label("a\nb") == "a\\nb"
    assert display_label("\t") == "\\t"
    assert display_label("\x00\x7f") == "\\x00\\x7f"
    assert display_label("\u200b") == "\\u200b"
    assert display_label("$35 ($85 - $50)") == "$35 ($85 - $50)"
    assert display_label("ünï 字") == "ünï 字"
    figure = attrmap.render(AttributionMatrix(["new\nline", "tab\t"], ["e"], [[0], [1]]))
    assert labels(heatmap_axes(figure).get_yticklabels()) == ["new\\nline", "tab\\t"]


def assert_nothing_clipped(figure):
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    drawn = figure.get_tightbbox(renderer)
    width, height = figure.get_size_inches()
    assert drawn.x0 >= 0 and drawn.y0 >= 0, drawn
    assert drawn.x1 <= width and drawn.y1 <= height, (drawn, width, height)


@pytest.mark.parametrize(
    ("tokens", "expressions", "title"),
    [
        (REFERENCE_TOKENS, REFERENCE_EXPRESSIONS, None),
        (["a really quite long token label"], ["an expression label that is far too long"], None),
        (["t"], ["x" * 120, "short"], "A title that is rather longer than the grid is wide"),
        (["t"] * 40, ["e"] * 12, "title"),
    ],
)
def test_nothing_is_clipped(tokens, expressions, title, reference_figure):
    values = np.full((len(tokens), len(expressions)), -1.25)
    figure = attrmap.render(AttributionMatrix(tokens, expressions, values, title=title))
    assert_nothing_clipped(figure)
    if title:
        assert title in labels(figure.texts)


def test_figure_size_follows_grid_and_labels():
    def size(tokens, expressions):
        values = np.zeros((len(tokens), len(expressions)))
        return attrmap.render(AttributionMatrix(tokens, expressions, values)).get_size_inches()

    base = size(["t"] * 13, ["e"] * 5)
    assert size(["t"] * 26, ["e"] * 5)[1] > base[1] + 4
    assert size(["t"] * 13, ["e"] * 10)[0] > base[0] + 3
    assert size(["a much longer token label"] * 13, ["e"] * 5)[0] > base[0] + 1


def test_title_from_style_overrides_matrix_title():
    matrix = AttributionMatrix(["t"], ["e"], [[0.1]], title="from file")
    assert "from file" in labels(attrmap.render(matrix).texts)
    assert "override" in labels(attrmap.render(matrix, Style(title="override")).texts)
    assert labels(attrmap.render(AttributionMatrix(["t"], ["e"], [[0.1]])).texts) == []


def test_unknown_colormap_is_a_style_error():
    with pytest.raises(StyleError, match="unknown colormap 'nope'"):
        attrmap.render(AttributionMatrix(["t"], ["e"], [[0.1]]), Style(cmap="nope"))


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_same_input_gives_byte_identical_files(tmp_path, suffix, reference_figure):
    matrix, _ = reference_figure
    first, second = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
    save_figure(attrmap.render(matrix), first)
    save_figure(attrmap.render(matrix), second)
    assert first.read_bytes() == second.read_bytes()
    data = first.read_bytes()
    assert not re.search(rb"CreationDate|<dc:date>", data)
    magic = {".png": b"\x89PNG", ".svg": b"<?xml", ".pdf": b"%PDF"}[suffix]
    assert data.startswith(magic)


def test_save_figure_refuses_unknown_extension(tmp_path, reference_figure):
    with pytest.raises(OutputError, match=r"unknown figure extension '\.jpg'"):
        save_figure(reference_figure[1], tmp_path / "x.jpg")
    assert list(tmp_path.iterdir()) == []


def test_failed_save_leaves_existing_figure_untouched(tmp_path, reference_figure, monkeypatch):
    figure = reference_figure[1]
    target = tmp_path / "fig.png"
    save_figure(figure, target)
    good = target.read_bytes()

    def broken_savefig(handle, **kwargs):
        handle.write(b"\x89PNG half a figure")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(figure, "savefig", broken_savefig)
    with pytest.raises(OutputError, match="No space left on device"):
        save_figure(figure, target)
    assert target.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir()] == ["fig.png"]


def test_save_figure_creates_missing_folders(tmp_path, reference_figure):
    target = tmp_path / "a" / "b" / "fig.svg"
    save_figure(reference_figure[1], target)
    assert target.read_bytes().startswith(b"<?xml")


def test_a_figure_too_large_to_draw_is_refused_up_front():
    matrix = AttributionMatrix(
        [f"t{i}" for i in range(400)],
        [f"e{j}" for j in range(200)],
        np.zeros((400, 200)),
        source="huge.csv",
    )
    one_page = attrmap.Style(layout=attrmap.style.LayoutOptions(rows_per_page=400))
    with pytest.raises(LimitError, match=r"huge.csv: the figure would be \d+x\d+ pixels"):
        attrmap.render(matrix, one_page)  # a split asked for is kept, and refused
    with pytest.raises(LimitError, match=r"huge.csv: needs 8 pages"):
        attrmap.render(matrix)  # split automatically within the limits: not one figure


def test_numbers_composed_from_cached_glyphs_match_whole_string_rendering():
    """Annotations are composed from cached glyph bitmaps (for speed); that must give
    FreeType's whole-string pixels exactly, at any size and dpi, and fall back to FreeType
    where it could not (kerned pairs, characters from a fallback font)."""
    from matplotlib.backends.backend_agg import get_hinting_flag
    from matplotlib.font_manager import FontProperties

    from attrmap.plotting.glyphs import Typesetter, _ink, font_chain

    style = attrmap.Style()
    fonts = font_chain(FontProperties(size=style.annotation_font_size))
    labels = [format(v, style.fmt) for v in np.linspace(-1.3, 1.3, 157)]
    labels += [format(v, fmt) for v in (-2.5e-5, 0.5, 12345.678) for fmt in (".2e", "+.3g", ".0%")]
    labels += ["\u22120.5", "1 2", " "]
    for size, dpi in [(style.annotation_font_size, style.dpi), (5, 72), (7.5, 50), (12, 300)]:
        typesetter = Typesetter(fonts, size * dpi / 72, get_hinting_flag())
        for label in labels:
            composed = typesetter.composed(label)
            assert composed is not None, label  # DejaVu Sans has every one of these glyphs
            whole = typesetter.whole(label)
            assert np.array_equal(composed, whole), (label, size, dpi)
            assert np.array_equal(typesetter.composed_ink(label), _ink(whole)), label
        assert typesetter.composed("AVA") is None  # kerned: FreeType draws it
        assert typesetter.composed("0\u4e2d") is None  # not in DejaVu Sans: a fallback font


def test_isolated_rc_sets_exactly_what_the_default_style_sets():
    """``isolated_rc`` applies cached settings (the style context is slow); inside it
    every setting is what ``style.context(["default", RC])`` gives, whatever the user set,
    and the user's settings come back after it."""
    import matplotlib
    import matplotlib.style

    from attrmap.plotting.rc import RC, isolated_rc

    def settings() -> dict:
        return {k: v for k, v in matplotlib.rcParams.items() if k != "backend"}

    users = {
        "font.size": 20,
        "lines.linewidth": 5,
        "savefig.bbox": "tight",
        "font.family": ["serif"],
    }
    with matplotlib.rc_context(users):
        before = settings()
        for families in [("DejaVu Sans",), ("DejaVu Sans", "Droid Sans Fallback")]:
            rc = {**RC, "font.family": list(families)}
            with matplotlib.style.context(["default", rc]):
                expected = settings()
            with isolated_rc(families):
                assert settings() == expected
                matplotlib.rcParams["font.family"].append("edited in place")
            with isolated_rc(families):
                assert settings() == expected  # the cached values were not edited
            assert settings() == before
