"""The text-flow layout, inspected on the drawn artists: every token once per block and in
order, boxes coloured by value, lines within the width, pages of a paper size, markers."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from matplotlib import colors as mcolors

from attrmap import AttributionMatrix, LimitError, Style
from attrmap.errors import PagesSplitWarning
from attrmap.labels import shown_text, word_starts
from attrmap.plotting import prepare_text_pages, render_text_pages
from attrmap.plotting.text_canvas import draw_text_page
from attrmap.plotting.text_flow import wrap
from attrmap.scale import MISSING_COLOR, cell_colors
from attrmap.style import LayoutOptions
from attrmap.writers import get_writer

FAST = {"dpi": 60}
A4 = (8.27, 11.69)

WORDS = [
    "Attribution",
    "over",
    "long",
    "inputs",
    "is",
    "where",
    "researchers",
    "most",
    "need",
    "a",
    "figure",
    "and",
    "where",
    "a",
    "tall",
    "grid",
    "fails",
    "them",
    "so",
    "the",
    "tokens",
    "are",
    "laid",
    "out",
    "as",
    "running",
    "text",
    "instead",
]


def document(tokens: int, expressions: int = 2, pieces: bool = True) -> AttributionMatrix:
    """A deterministic long text: words (some split into two pieces), values in [-1, 1]."""
    labels: list[str] = []
    count = 0
    while len(labels) < tokens:
        word = WORDS[count % len(WORDS)]
        count += 1
        if pieces and len(word) > 7:
            labels += ["\u2581" + word[:4], word[4:]]
        else:
            labels.append("\u2581" + word if pieces else word)
    labels = labels[:tokens]
    values = np.array(
        [
            [math.sin(0.4 * i + 1.3 * j) * math.cos(0.03 * i) for j in range(expressions)]
            for i in range(tokens)
        ]
    )
    return AttributionMatrix(labels, [f"step {j}" for j in range(expressions)], values)


def texts(figure, label: str) -> list:
    return [t for t in figure.axes[0].texts if t.get_label() == label]


def quiet(call, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return call(*args, **kwargs)


def test_every_token_is_drawn_once_per_block_in_order():
    matrix = document(60, expressions=3)
    style = Style(**FAST, tokens="clean")
    (page,) = prepare_text_pages(matrix, style)
    figure = draw_text_page(page, style)
    starts = word_starts(page.data.tokens)
    expected = [shown_text(t, s) for t, s in zip(page.data.tokens, starts, strict=True)]
    drawn = [t.get_text() for t in texts(figure, "token")]
    assert drawn == expected * 3
    assert [t.get_text() for t in texts(figure, "heading")] == ["step 0", "step 1", "step 2"]
    assert expected[:3] == ["Attr", "ibution", "over"]  # the mark is the gap


def test_boxes_are_coloured_by_value_on_the_grid_scale_and_missing_cells_are_grey():
    matrix = document(30, expressions=2)
    values = matrix.values.copy()
    values[3, 1] = np.nan
    matrix = AttributionMatrix(matrix.tokens, matrix.expressions, values, allow_missing=True)
    style = Style(**FAST)
    figure = quiet(render_text_pages, matrix, style)[0]
    (boxes,) = figure.axes[0].collections
    figure.canvas.draw()  # colours are mapped when drawn
    faces = boxes.get_facecolors()
    expected = cell_colors(values.T.ravel(), style)
    assert np.allclose(
        faces[np.isfinite(values.T.ravel())], expected[np.isfinite(values.T.ravel())]
    )
    assert np.allclose(faces[30 + 3], mcolors.to_rgba(MISSING_COLOR))
    assert len(figure.axes) == 2  # the text, and one colorbar


def test_lines_wrap_within_the_width_and_pieces_of_a_word_stay_together():
    matrix = document(200, expressions=1)
    style = Style(**FAST, tokens="clean", layout=LayoutOptions(width=4.0))
    (page,) = quiet(prepare_text_pages, matrix, style)
    figure = draw_text_page(page, style)
    assert tuple(figure.get_size_inches()) == pytest.approx((4.0, page.height))
    renderer = figure.canvas.get_renderer()
    for text in texts(figure, "token"):
        box = text.get_window_extent(renderer)
        assert page.margin * 60 - 1 <= box.x0 and box.x1 <= (4.0 - page.margin) * 60 + 1
    assert max(page.lines) > 10  # it did wrap
    starts = word_starts(page.data.tokens)
    for i in range(1, len(starts)):
        if not starts[i]:  # a word's second piece: right after the first, on its line
            assert page.lines[i] == page.lines[i - 1]
            assert page.x[i] == pytest.approx(page.x[i - 1] + page.box_widths[i - 1])


def test_wrap_breaks_a_word_wider_than_a_line_between_its_pieces():
    xs, lines = wrap([1.0, 1.0, 1.0, 0.5], [True, False, False, True], room=2.0, gap=0.1)
    assert lines == [0, 0, 1, 1] and xs == [0.0, 1.0, 0.0, 1.1]


def test_paper_pages_have_the_paper_size_hold_every_token_once_and_are_full():
    matrix = document(600, expressions=3)
    style = Style(**FAST, tokens="clean")
    pages = prepare_text_pages(matrix, style, paper=A4)
    assert len(pages) > 2
    stops = [p.token_range[1] for p in pages]
    assert [p.token_range for p in pages] == list(zip([0, *stops[:-1]], stops, strict=True))
    assert pages[0].token_range[0] == 0 and pages[-1].token_range[1] == 600
    for page in pages:
        figure = draw_text_page(page, style)
        assert tuple(figure.get_size_inches()) == pytest.approx(A4)
        renderer = figure.canvas.get_renderer()
        # The colorbar with its labels, and the last line, stay within the margins.
        assert figure.axes[1].get_tightbbox(renderer).y0 >= 0.5 * 60 - 1
        assert min(t.get_window_extent(renderer).y0 for t in texts(figure, "token")) > 0.5 * 60
        assert len(texts(figure, "token")) == 3 * (page.token_range[1] - page.token_range[0])
    # Full: one more line per block would not have fitted on a page before the last.
    first = pages[0]
    used = first.colorbar_rect[1] + first.colorbar_rect[3]
    assert used + 3 * first.metrics.pitch > A4[1] - 0.5 - 0.4


def test_a_smaller_paper_gives_more_pages():
    matrix = document(600, expressions=2)
    style = Style(**FAST)
    a4 = prepare_text_pages(matrix, style, paper=A4)
    small = prepare_text_pages(matrix, style, paper=(5.0, 7.0))
    assert len(small) > len(a4)


def test_pages_are_marked_with_their_token_range():
    matrix = document(1500, expressions=2)
    style = Style(**FAST)
    pages = prepare_text_pages(matrix, style, paper=(8.5, 11.0))
    markers = [p.marker for p in pages]
    start, stop = pages[-1].token_range
    assert markers[-1] == f"tokens {start + 1:,}\u2013{stop:,} of 1,500"
    figure = draw_text_page(pages[1], style)
    assert [t.get_text() for t in texts(figure, "marker")] == [markers[1]]
    (single,) = prepare_text_pages(document(20), style, paper=(8.5, 11.0))
    assert single.marker is None


def test_many_expressions_tile_the_pages_by_expression_too():
    matrix = document(80, expressions=40)
    pages = prepare_text_pages(matrix, Style(**FAST), paper=(8.5, 11.0))
    ranges = {p.expression_range for p in pages}
    assert len(ranges) > 1 and sorted(ranges)[0][0] == 0 and sorted(ranges)[-1][1] == 40
    assert all("expressions" in p.marker for p in pages)


def test_without_paper_a_long_text_splits_under_the_page_and_pixel_limits():
    matrix = document(6000, expressions=4)
    with pytest.warns(PagesSplitWarning):
        pages = prepare_text_pages(matrix, Style(dpi=150), get_writer("png").raster)
    assert len(pages) > 1
    assert all(p.height <= 200 and p.height * 150 * p.width * 150 <= 50_000_000 for p in pages)


def test_values_are_annotated_under_each_token_only_when_asked():
    matrix = document(20, expressions=1)
    plain = quiet(render_text_pages, matrix, Style(**FAST))[0]
    assert texts(plain, "annotation") == []
    style = Style(**FAST, fmt=".2f", layout=LayoutOptions(annotate="always"))
    annotated = quiet(render_text_pages, matrix, style)[0]
    assert [t.get_text() for t in texts(annotated, "annotation")] == [
        format(v, ".2f") for v in matrix.values[:, 0]
    ]


def test_a_page_too_small_for_one_line_is_refused():
    with pytest.raises(LimitError, match="too small"):
        prepare_text_pages(document(50, expressions=1), Style(**FAST), paper=(3.0, 1.5))


def test_the_html_text_layout_is_selectable_text_coloured_as_the_figure(tmp_path):
    import html as html_module
    import re

    from attrmap.prepared import prepare_data
    from attrmap.views.html import heatmap_html, hex_colors

    matrix = document(40, expressions=2)
    style = Style(tokens="clean", layout=LayoutOptions(layout="text"))
    data = prepare_data(matrix, style)
    page = heatmap_html(data, style).decode()
    flows = re.findall(r'<p class="attrmap-flow"[^>]*>(.*?)</p>', page, flags=re.S)
    assert len(flows) == 2
    starts = word_starts(data.tokens)
    expected = "".join(
        (" " if i and s else "") + shown_text(t, s)
        for i, (t, s) in enumerate(zip(data.tokens, starts, strict=True))
    )
    for column, flow in enumerate(flows):
        assert html_module.unescape(re.sub(r"<[^>]+>", "", flow)) == expected  # searchable text
        colours = re.findall(r"background:(#[0-9a-f]{6})", flow)
        assert colours == hex_colors(cell_colors(data.values[:, column], data.colour_style(style)))
    assert page.count("data-e=") == 80 and "arrow keys" in page


def test_describe_and_the_alt_text_say_which_tokens_a_page_holds(tmp_path, run_cli):
    from PIL import Image

    source = tmp_path / "long.csv"
    source.write_text("t,a\n" + "".join(f"w{i},{i / 100}\n" for i in range(60)))
    flags = ["--shape", "any", "--rows-per-page", "25"]
    described = run_cli("describe", source, *flags)
    assert (
        "3 pages, each marked with the tokens it holds:\n"
        "  * page 1: tokens 1\u201325 of 60\n"
        "  * page 2: tokens 26\u201350 of 60\n"
        "  * page 3: tokens 51\u201360 of 60\n"
    ) in described.output
    out = tmp_path / "long.png"
    assert run_cli("render", source, "-o", out, *flags).exit_code == 0
    alt = Image.open(tmp_path / "long-2.png").info["Description"]
    assert alt.endswith("This page: tokens 26\u201350 of 60.")
    paper = run_cli("describe", source, "--shape", "any", "--page", "a4")
    assert "**Pages**: 2 A4 pages (8.27 x 11.69 in), each marked with the tokens it holds:" in (
        paper.output
    )
