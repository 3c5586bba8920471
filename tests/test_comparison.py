"""attrmap compare: checks, titles, the difference, the key, the CLI and the HTML page."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import attrmap
from attrmap import AttributionMatrix, Style, load_matrix
from attrmap.comparison import (
    DIFF_LABEL,
    CompareOptions,
    make_comparison,
    panel_titles,
)
from attrmap.errors import MismatchError
from attrmap.provenance import comparison_key, read_figure_key
from conftest import EXAMPLES, REFERENCE_TOKENS

REFERENCE = EXAMPLES / "token_attribution.csv"


@pytest.fixture(scope="module")
def ig() -> AttributionMatrix:
    return load_matrix(REFERENCE)


@pytest.fixture(scope="module")
def saliency(ig) -> AttributionMatrix:
    values = np.round(ig.values * 0.5 + np.linspace(-0.2, 0.2, ig.values.size).reshape(13, 5), 4)
    return AttributionMatrix(ig.tokens, ig.expressions, values, title="Variant")


@pytest.fixture(scope="module")
def shap(ig) -> AttributionMatrix:
    values = np.linspace(-2.5, 0.5, 13 * 3).reshape(13, 3)
    return AttributionMatrix(ig.tokens, ["p", "q", "a much longer expression"], values)


@pytest.fixture
def inputs(tmp_path, ig, saliency, shap):
    paths = [tmp_path / "ig.csv", tmp_path / "saliency.yaml", tmp_path / "shap.csv"]
    for path, matrix in zip(paths, [ig, saliency, shap], strict=True):
        attrmap.save_matrix(matrix, path)
    return paths


# --------------------------------------------------------------------------- checks


def test_tokens_must_match_naming_the_first_difference(ig):
    tokens = list(ig.tokens)
    tokens[7] = "_y"
    other = AttributionMatrix(tokens, ig.expressions, ig.values, source="b.csv")
    with pytest.raises(MismatchError) as caught:
        make_comparison([ig, other], Style(), CompareOptions())
    assert str(caught.value) == (
        f"b.csv: token 8 is '_y', but {ig.source} has '_x' there; "
        "compared matrices need the same tokens in the same order"
    )
    shorter = AttributionMatrix(ig.tokens[:12], ig.expressions, ig.values[:12], source="c.csv")
    with pytest.raises(MismatchError, match=r"c\.csv: 12 tokens, but .* has 13"):
        make_comparison([ig, shorter], Style(), CompareOptions())


def test_expressions_may_differ_except_for_a_difference(ig, shap):
    assert len(make_comparison([ig, shap], Style(), CompareOptions()).panels) == 2
    with pytest.raises(MismatchError, match=r"expression 1 is .p.*diff=\.\.\. needs"):
        make_comparison([ig, shap], Style(), CompareOptions(diff="extra"))
    with pytest.raises(attrmap.StyleError, match="exactly two"):
        make_comparison([ig, ig, ig], Style(), CompareOptions(diff="only"))


def test_titles_from_options_matrix_or_file_stem(ig, saliency, shap):
    assert panel_titles([ig, saliency], None) == ("token_attribution", "Variant")
    assert panel_titles([ig, saliency], ["IG", "Sal"]) == ("IG", "Sal")
    assert panel_titles([shap], None) == ("Panel 1",)  # built in memory: no file name
    gzipped = AttributionMatrix(["a"], ["b"], [[1.0]], source="runs/ig_0.json.gz")
    assert panel_titles([gzipped], None) == ("ig_0",)  # the whole input extension goes
    with pytest.raises(attrmap.StyleError, match="2 titles for 3 inputs"):
        panel_titles([ig, saliency, shap], ["a", "b"])


def test_difference_is_b_minus_a_on_its_own_symmetric_scale(ig, saliency):
    comparison = make_comparison([ig, saliency], Style(), CompareOptions(diff="extra"))
    difference = comparison.difference
    assert np.array_equal(difference.matrix.values, saliency.values - ig.values)
    assert difference.title == "Variant \u2212 token_attribution"
    style = difference.style
    assert style.cmap == "PuOr" and style.colorbar_label == DIFF_LABEL
    assert style.vmin == -style.vmax and style.vmax >= np.abs(difference.matrix.values).max()
    only = make_comparison([ig, saliency], Style(), CompareOptions(diff="only"))
    assert only.panels == [] and only.difference is not None


def test_key_covers_every_input_and_the_arrangement(ig, saliency):
    def key(matrices, **options):
        return comparison_key(make_comparison(matrices, Style(), CompareOptions(**options)), "png")

    base = key([ig, saliency])
    assert base == key([ig, saliency])
    assert (
        len(
            {
                base,
                key([saliency, ig]),
                key([ig, saliency], layout="column"),
                key([ig, saliency], titles=("a", "b")),
                key([ig, saliency], diff="extra"),
                key([ig, saliency], diff="extra", diff_cmap="BrBG"),
                comparison_key(make_comparison([ig, saliency], Style(), CompareOptions()), "svg"),
                comparison_key(
                    make_comparison([ig, saliency], Style(cmap="RdBu"), CompareOptions()), "png"
                ),
            }
        )
        == 8
    )


# --------------------------------------------------------------------------- CLI


def test_cli_errors_are_one_line(inputs, tmp_path, run_cli):
    ig_path, saliency_path, shap_path = inputs
    out = tmp_path / "c.html"
    one = run_cli("compare", ig_path, "-o", out)
    assert one.exit_code == 2 and "at least two inputs" in one.output
    three = run_cli("compare", *inputs, "-o", out, "--diff", "--shape", "any")
    assert three.exit_code == 2 and "exactly two inputs" in three.output
    titles = run_cli("compare", ig_path, saliency_path, "-o", out, "--titles", "a,b,c")
    assert titles.exit_code == 2 and "3 titles for 2 inputs" in titles.output
    mismatch = run_cli("compare", ig_path, shap_path, "-o", out, "--diff", "--shape", "any")
    assert mismatch.exit_code == 1
    assert mismatch.output.strip().splitlines() == [
        f"attrmap: error: {shap_path}: expression 1 is 'p', but {ig_path} has '8 x 48 = 384' "
        "there; --diff needs the same expressions in the same order"
    ]
    assert not out.exists()


def test_one_input_given_twice_is_compared_with_itself(inputs, tmp_path, run_cli):
    """Its two panels measure the same: they were once found equal, and the second one's
    colorbar lookup failed on comparing their arrays (an internal error)."""
    out = tmp_path / "same.png"
    result = run_cli("compare", inputs[0], inputs[0], "-o", out)
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0


def test_titles_option_takes_quoted_commas(inputs, tmp_path, run_cli):
    out = tmp_path / "c.html"
    result = run_cli("compare", *inputs, "-o", out, "--shape", "any", "--titles", 'IG,"SHAP, v2",x')
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert [text.count(f"<caption>{t}</caption>") for t in ("IG", "SHAP, v2", "x")] == [1, 1, 1]


# --------------------------------------------------------------------------- HTML


def test_html_comparison_panels_scales_key(inputs, tmp_path, ig, saliency, run_cli):
    out = tmp_path / "c.html"
    args = [inputs[0], inputs[1], "-o", out, "--diff", "--titles", "IG,Saliency"]
    result = run_cli("compare", *args)
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert text.count("<table") == 3 and text.count('class="attrmap-legend"') == 2
    assert "<caption>Saliency \u2212 IG</caption>" in text and DIFF_LABEL in text
    # Token labels: visible once on the left, still in every table for screen readers.
    assert text.count('<th scope="row">') == 13
    assert text.count('<th scope="row" class="attrmap-vh">') == 2 * 13
    assert text.count(f'<th scope="row">{REFERENCE_TOKENS[7]}</th>') == 1
    comparison = make_comparison(
        [ig, saliency], Style(), CompareOptions(titles=("IG", "Saliency"), diff="extra")
    )
    assert read_figure_key(out) == comparison_key(comparison, "html")
    again = tmp_path / "again.html"
    assert run_cli("compare", *args[:3], again, *args[4:]).exit_code == 0
    assert again.read_bytes() == out.read_bytes()
    assert len(out.read_bytes()) < 100_000


def test_html_column_layout_shows_tokens_on_every_panel(inputs, tmp_path, run_cli):
    out = tmp_path / "c.html"
    assert run_cli("compare", inputs[0], inputs[1], "-o", out, "--layout", "column").exit_code == 0
    text = out.read_text()
    assert 'class="attrmap-column"' in text and text.count('<th scope="row">') == 2 * 13


# --------------------------------------------------------------------------- the figure


def heatmaps(figure):
    """The panels: axes with cells, not the colorbars."""
    return [ax for ax in figure.axes if getattr(ax, "_colorbar", None) is None]


def colorbars(figure):
    return [ax._colorbar for ax in figure.axes if getattr(ax, "_colorbar", None) is not None]


def drawn_texts(figure) -> list[str]:
    return [t.get_text() for t in figure.texts]


@pytest.fixture(scope="module")
def row_figure(ig, saliency, shap):
    return attrmap.compare([ig, saliency, shap], titles=["IG", "Saliency", "SHAP"])


def test_one_panel_per_input_in_order_with_titles(row_figure, ig, saliency, shap):
    panels = heatmaps(row_figure)
    assert len(panels) == 3
    assert drawn_texts(row_figure) == ["IG", "Saliency", "SHAP"]
    for ax, matrix in zip(panels, [ig, saliency, shap], strict=True):
        assert [t.get_text() for t in ax.get_xticklabels()] == list(matrix.expressions)
        assert [t.get_text() for t in ax.texts] == [format(v, ".4f") for v in matrix.values.ravel()]
        (mesh,) = ax.collections
        assert np.array_equal(mesh.get_array().reshape(matrix.shape), matrix.values)
    lefts = [ax.get_position().x0 for ax in panels]
    assert lefts == sorted(lefts)  # side by side, in the order given
    assert len({round(ax.get_position().y1, 6) for ax in panels}) == 1  # grids aligned


def test_token_labels_once_on_the_left(row_figure):
    first, *others = heatmaps(row_figure)
    assert [t.get_text() for t in first.get_yticklabels()] == REFERENCE_TOKENS
    assert all(t.get_visible() for t in (tick.label1 for tick in first.yaxis.get_major_ticks()))
    for ax in others:
        assert not any(tick.label1.get_visible() for tick in ax.yaxis.get_major_ticks())


def test_one_shared_colorbar_and_one_scale(row_figure):
    (colorbar,) = colorbars(row_figure)
    assert list(colorbar.get_ticks()) == [-1.0, -0.5, 0.0, 0.5, 1.0]
    assert colorbar.ax.get_ylabel() == "Token Attribution"
    assert colorbar.extend == "both"  # 1.3714 above in IG, -2.5 below in SHAP
    norms = {
        (m.norm.vmin, m.norm.vmax, m.cmap.name)
        for ax in heatmaps(row_figure)
        for m in ax.collections
    }
    assert norms == {(-1.0, 1.0, "RdYlGn")}


def test_difference_panel_values_scale_and_colorbar(ig, saliency):
    figure = attrmap.compare([ig, saliency], titles=["A", "B"], diff=True)
    panels, bars = heatmaps(figure), colorbars(figure)
    assert len(panels) == 3 and len(bars) == 2
    assert drawn_texts(figure) == ["A", "B", "B \u2212 A"]
    (mesh,) = panels[2].collections
    expected = saliency.values - ig.values
    assert np.array_equal(mesh.get_array().reshape(13, 5), expected)
    assert [t.get_text() for t in panels[2].texts] == [format(v, ".4f") for v in expected.ravel()]
    assert mesh.cmap.name.startswith("PuOr")
    assert mesh.norm.vmin == -mesh.norm.vmax and mesh.norm.vmax >= np.abs(expected).max()
    assert bars[1].ax.get_ylabel() == DIFF_LABEL
    assert bars[1].get_ticks()[0] == mesh.norm.vmin and bars[1].get_ticks()[-1] == mesh.norm.vmax
    only = attrmap.compare([ig, saliency], diff="only", diff_cmap="BrBG")
    assert len(heatmaps(only)) == 1 and len(colorbars(only)) == 1
    assert heatmaps(only)[0].collections[0].cmap.name.startswith("BrBG")


def test_column_layout_stacks_panels_each_with_its_tokens(ig, saliency):
    figure = attrmap.compare([ig, saliency], layout="column")
    top, bottom = heatmaps(figure)
    assert top.get_position().x0 == bottom.get_position().x0
    assert top.get_position().y0 > bottom.get_position().y1  # first input on top
    for ax in (top, bottom):
        assert all(tick.label1.get_visible() for tick in ax.yaxis.get_major_ticks())
    assert len(colorbars(figure)) == 1


def _ink(figure, artists) -> np.ndarray:
    """Where ``artists`` alone put ink: drawn one by one on a blank Agg renderer."""
    from matplotlib.backends.backend_agg import RendererAgg

    width, height = (int(v) for v in figure.bbox.size)
    renderer = RendererAgg(width, height, figure.dpi)
    for artist in artists:
        artist.draw(renderer)
    return np.asarray(renderer.buffer_rgba())[..., 3] > 0


@pytest.mark.parametrize(
    ("layout", "diff", "width"),
    [
        ("row", False, None),
        ("row", True, None),
        ("column", False, None),
        ("column", True, None),
        ("row", True, 9.0),  # narrowed to a width: cells and fonts shrink, still no overlap
    ],
)
def test_long_labels_are_measured_nothing_clipped_nothing_overlaps(layout, diff, width):
    from attrmap.style import LayoutOptions

    tokens = ["a", "a rather long token label", "c"]
    left = AttributionMatrix(tokens, ["x", "an expression much too long"], [[1, 2], [3, 4], [5, 6]])
    right = AttributionMatrix(tokens, ["another long label", "y"], [[0, 1], [0, 1], [0, 1]])
    if diff:  # a difference needs the same expressions
        right = AttributionMatrix(tokens, left.expressions, right.values)
    titles = ["A panel title longer than its grid", "Another title longer than that"]
    style = Style(layout=LayoutOptions(width=width))
    figure = attrmap.compare([left, right], style, titles, diff=diff, layout=layout)
    assert width is None or figure.get_figwidth() <= width
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    texts = [
        t
        for t in figure.findobj(lambda a: hasattr(a, "get_text"))
        if t.get_text() and t.get_visible()
    ]
    box = figure.bbox
    for text in texts:  # inside the figure: nothing clipped
        e = text.get_window_extent(renderer)
        assert box.x0 <= e.x0 and e.x1 <= box.x1 and box.y0 <= e.y0 and e.y1 <= box.y1, text
    panels = heatmaps(figure)
    parts = [_ink(figure, [*ax.get_xticklabels(), *ax.get_yticklabels()]) for ax in panels]
    parts += [_ink(figure, [t]) for t in figure.texts]  # panel titles
    parts += [_ink(figure, [bar.ax]) for bar in colorbars(figure)]
    parts += [_ink(figure, [ax.patch, *ax.collections]) for ax in panels]  # the grids
    for i, one in enumerate(parts):
        for other in parts[i + 1 :]:
            assert not (one & other).any()  # no two parts share a pixel


def test_compare_figure_bytes_are_deterministic(tmp_path, inputs, run_cli):
    outputs = []
    for name in ("one.png", "two.png", "one.svg", "two.svg"):
        result = run_cli(
            "compare", inputs[0], inputs[1], "-o", tmp_path / name, "--diff", "--dpi", "40"
        )
        assert result.exit_code == 0, result.output
        outputs.append((tmp_path / name).read_bytes())
    assert outputs[0] == outputs[1] and outputs[2] == outputs[3]
    assert read_figure_key(tmp_path / "one.png") is not None


def test_python_api_matches_the_cli(tmp_path, inputs, run_cli):
    out = tmp_path / "cli.png"
    assert run_cli("compare", inputs[0], inputs[1], "-o", out, "--dpi", "40").exit_code == 0
    matrices = [attrmap.load_matrix(p) for p in inputs[:2]]
    api = tmp_path / "api.png"
    attrmap.save_figure(attrmap.compare(matrices, Style(dpi=40)), api)
    from matplotlib.image import imread

    assert np.array_equal(imread(out), imread(api))


def test_range_auto_is_one_scale_over_all_panels(ig, shap, inputs, tmp_path, run_cli):
    from attrmap.style import ScaleOptions

    figure = attrmap.compare([ig, shap], Style(scale=ScaleOptions(range="auto")))
    # |values| reach 1.3714 in IG and 2.5 in SHAP: one symmetric range, 2.5 rounded nicely.
    norms = {(ax.collections[0].norm.vmin, ax.collections[0].norm.vmax) for ax in heatmaps(figure)}
    assert norms == {(-2.5, 2.5)}
    (colorbar,) = colorbars(figure)
    from attrmap.scale import colorbar_ticks

    assert list(colorbar.get_ticks()) == colorbar_ticks(-2.5, 2.5)  # as render's ticks
    out = tmp_path / "auto.html"
    result = run_cli(
        "compare", inputs[0], inputs[2], "-o", out, "--shape", "any", "--range", "auto"
    )
    assert result.exit_code == 0, result.output
    assert out.read_text().count('class="attrmap-legend"') == 1 and "2.5" in out.read_text()


def test_options_that_do_not_apply_to_a_comparison_are_refused(inputs, tmp_path, run_cli):
    result = run_cli("compare", inputs[0], inputs[1], "-o", tmp_path / "x.png", "--transpose")
    assert result.exit_code == 1 and "--transpose" in result.output
    assert not (tmp_path / "x.png").exists()


# --------------------------------------------------------------------------- baselines

BASELINES = Path(__file__).parent / "baseline"


def baseline_figure(layout: str, ig, saliency):
    """The comparison baseline: the reference matrix, a synthetic variant, their difference."""
    style = Style(dpi=72)
    diff = layout == "row"
    return attrmap.compare([ig, saliency], style, ["IG", "Variant"], diff=diff, layout=layout)


@pytest.mark.parametrize("layout", ["row", "column"])
def test_compare_figure_matches_its_baseline(tmp_path, layout, ig, saliency):
    """Baselines were checked by eye; regenerate only deliberately, after looking."""
    from matplotlib.testing.compare import compare_images

    actual = tmp_path / f"compare_{layout}.png"
    attrmap.save_figure(baseline_figure(layout, ig, saliency), actual)
    expected = BASELINES / f"compare_{layout}.png"
    assert compare_images(str(expected), str(actual), tol=2.0) is None


def test_missing_cells_stay_missing_in_the_difference():
    a = AttributionMatrix(["x", "y"], ["p", "q"], [[0.5, np.nan], [1.0, -0.25]], allow_missing=True)
    b = AttributionMatrix(["x", "y"], ["p", "q"], [[0.1, 0.2], [np.nan, -0.5]], allow_missing=True)
    figure = attrmap.compare([a, b], diff=True)
    (mesh,) = heatmaps(figure)[2].collections
    drawn = np.ma.filled(mesh.get_array().astype(float), np.nan).reshape(2, 2)
    assert np.array_equal(drawn, [[-0.4, np.nan], [np.nan, -0.25]], equal_nan=True)
    assert [t.get_text() for t in heatmaps(figure)[2].texts] == ["-0.4000", "", "", "-0.2500"]


def test_alt_text_names_the_panels_or_is_replaced(inputs, tmp_path, run_cli):
    out = tmp_path / "c.svg"
    args = [inputs[0], inputs[1], "-o", out, "--titles", "IG,Variant", "--diff", "--dpi", "30"]
    assert run_cli("compare", *args).exit_code == 0
    desc = out.read_text().split("<desc", 1)[1].split("</desc>", 1)[0]
    assert '"IG", "Variant"' in desc and "Difference B \u2212 A" in desc and "1.3714" in desc
    assert len(desc.split(">", 1)[1]) <= 250
    assert run_cli("compare", *args, "--alt-text", "Mine.").exit_code == 0
    assert ">Mine.</desc>" in out.read_text()


def test_a_comparison_too_large_for_a_page_is_refused_before_drawing(tmp_path):
    tokens = [f"t{i}" for i in range(480)]
    long = AttributionMatrix(tokens, ["a"], np.zeros((480, 1)), source="long.csv")
    with pytest.raises(attrmap.LimitError) as caught:
        attrmap.compare([long, long], layout="column")
    message = str(caught.value)
    assert message.startswith("long.csv, long.csv: a page would be")
    assert "200-inch page limit; compare fewer or shorter matrices" in message


def test_width_limits_the_whole_comparison(ig, saliency):
    from attrmap.style import LayoutOptions

    natural = attrmap.compare([ig, saliency], diff=True)
    assert natural.get_figwidth() > 12
    narrow = attrmap.compare([ig, saliency], Style(layout=LayoutOptions(width=12.0)), diff=True)
    assert 11 < narrow.get_figwidth() <= 12
    assert len(heatmaps(narrow)) == 3 and len(colorbars(narrow)) == 2
    with pytest.raises(attrmap.StyleError, match=r"cannot be made 3 in wide \(width=\.\.\.\)"):
        attrmap.compare([ig, saliency], Style(layout=LayoutOptions(width=3.0)), diff=True)
