"""attrmap.heatmap into Axes of one's own (seaborn-style), compare into given Axes, and
style given as keywords, with TypeErrors that name the right call."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pytest
from matplotlib.collections import QuadMesh
from matplotlib.figure import Figure
from matplotlib.image import imread

import attrmap
from attrmap import AttributionMatrix, Style, StyleError, load_config
from attrmap.errors import AnnotationsDroppedWarning, FigureWarning
from attrmap.plotting import render_pages, render_text_pages
from attrmap.plotting.display import FigureAxes, NotebookFigure
from conftest import EXAMPLES, REFERENCE_EXPRESSIONS, REFERENCE_TOKENS


@pytest.fixture(scope="module")
def matrix() -> AttributionMatrix:
    return attrmap.load_matrix(EXAMPLES / "token_attribution.csv")


def pixels(figure: Figure) -> np.ndarray:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    buffer.seek(0)
    return imread(buffer)


def texts(axes) -> list[str]:
    return [t.get_text() for t in axes.texts]


def cells(axes) -> QuadMesh:
    (mesh,) = [c for c in axes.collections if isinstance(c, QuadMesh)]
    return mesh


def two_panels(size=(12, 5)):
    figure = Figure(figsize=size)
    left, right = figure.subplots(1, 2)
    right.plot([0, 1, 2], [3, 1, 2], label="loss")
    right.set_title("other plot")
    return figure, left, right


def test_heatmap_into_one_of_two_subplots_draws_what_render_draws(matrix):
    figure, left, right = two_panels()
    right_before = (right.get_position().bounds, list(right.get_children()))
    left_box = left.get_position().bounds
    assert attrmap.heatmap(matrix, ax=left) is left

    reference = attrmap.render(matrix).axes[0]
    # The image and the texts where render puts them: cell centres in data coordinates.
    assert np.array_equal(cells(left).get_array(), cells(reference).get_array())
    assert np.array_equal(cells(left).get_coordinates(), cells(reference).get_coordinates())
    assert left.get_xlim() == reference.get_xlim() and left.get_ylim() == reference.get_ylim()
    assert texts(left) == texts(reference) == [format(v, ".4f") for v in matrix.values.ravel()]
    assert [t.get_position() for t in left.texts] == [t.get_position() for t in reference.texts]
    assert [t.get_color() for t in left.texts] == [t.get_color() for t in reference.texts]
    assert [t.get_text() for t in left.get_yticklabels()] == REFERENCE_TOKENS
    assert [t.get_text() for t in left.get_xticklabels()] == REFERENCE_EXPRESSIONS
    assert left.xaxis.get_major_ticks()[0].label2.get_visible()  # labels on top
    # A literal $ in a label stays a $ (no mathtext).
    assert not any(t.get_parse_math() for t in left.get_xticklabels())

    # The other Axes is untouched; the colorbar is new, taken from the heatmap's right.
    assert (right.get_position().bounds, list(right.get_children())) == right_before
    assert len(figure.axes) == 3
    colorbar = figure.axes[2]
    assert colorbar.get_position().x0 > left.get_position().x1
    assert colorbar.get_position().x1 <= left_box[0] + left_box[2] + 1e-9
    reference_bar = attrmap.render(matrix).axes[1]
    assert [t.get_text() for t in colorbar.get_yticklabels()] == [
        t.get_text() for t in reference_bar.get_yticklabels()
    ]
    assert colorbar.get_ylabel() == "Token Attribution"
    pixels(figure)  # and it draws


def test_colorbar_where_asked_or_none(matrix):
    figure, left, right = two_panels()
    box = left.get_position().bounds
    upright = figure.add_axes((0.46, 0.1, 0.015, 0.8))
    attrmap.heatmap(matrix, ax=left, cbar_ax=upright)
    assert left.get_position().bounds == box  # nothing taken from the heatmap's Axes
    assert upright.get_ylabel() == "Token Attribution"
    assert len(figure.axes) == 3 and right.get_ylabel() == ""
    figure, left, right = two_panels()
    below = figure.add_axes((0.1, 0.02, 0.3, 0.03))  # wider than tall: a horizontal bar
    attrmap.heatmap(matrix, ax=left, cbar_ax=below)
    assert below.get_xlabel() == "Token Attribution"

    figure, left, right = two_panels()
    attrmap.heatmap(matrix, ax=left, cbar=False)
    assert len(figure.axes) == 2 and left.get_position().bounds == box
    assert right.get_ylabel() == ""


def test_without_axes_a_figure_identical_to_render(matrix):
    axes = attrmap.heatmap(matrix)
    assert isinstance(axes, FigureAxes) and isinstance(axes.figure, NotebookFigure)
    assert np.array_equal(pixels(axes.figure), pixels(attrmap.render(matrix)))
    styled = attrmap.heatmap(matrix, cmap="RdBu", fmt=".2f", range="auto")
    assert np.array_equal(
        pixels(styled.figure), pixels(attrmap.render(matrix, cmap="RdBu", fmt=".2f", range="auto"))
    )


def test_a_dataframe_or_an_array_draws_as_the_matrix(matrix):
    pandas = pytest.importorskip("pandas")
    frame = pandas.DataFrame(matrix.values, index=matrix.tokens, columns=matrix.expressions)
    from_frame = attrmap.heatmap(frame)
    from_array = attrmap.heatmap(
        matrix.values, tokens=list(matrix.tokens), expressions=list(matrix.expressions)
    )
    expected = pixels(attrmap.render(matrix))
    # A DataFrame is an export: drawn on a range fitted to it (range="auto"), unless set.
    assert np.array_equal(pixels(from_frame.figure), pixels(attrmap.render(matrix, range="auto")))
    assert np.array_equal(pixels(from_array.figure), expected)
    numbered = attrmap.heatmap(np.array([[0.1, np.nan], [0.3, 0.4]]), allow_missing=True)
    assert [t.get_text() for t in numbered.get_yticklabels()] == ["0", "1"]
    assert texts(numbered) == ["0.1000", "", "0.3000", "0.4000"]
    with pytest.raises(attrmap.GridError, match=r"heatmap\(\.\.\., allow_missing=True\)"):
        attrmap.heatmap(np.array([[0.1, np.nan]]))
    with pytest.raises(TypeError, match="2-D"):
        attrmap.heatmap(np.zeros(3))


def test_tokens_is_the_labels_or_the_label_setting():
    pieces = np.array([[0.5], [-0.5]])
    raw = attrmap.heatmap(pieces, tokens=["\u0120cat", "\u2581dog"], expressions=["e"])
    assert [t.get_text() for t in raw.get_yticklabels()] == ["\u0120cat", "\u2581dog"]
    matrix = AttributionMatrix(["\u0120cat", "\u2581dog"], ["e"], pieces)
    clean = attrmap.heatmap(matrix, tokens="clean")
    assert [t.get_text() for t in clean.get_yticklabels()] != ["\u0120cat", "\u2581dog"]


def test_small_axes_drop_the_numbers_with_a_warning_that_speaks_python(matrix):
    figure = Figure(figsize=(2, 2.5))
    axes = figure.add_subplot()
    with pytest.warns(AnnotationsDroppedWarning, match='annotate="never"') as caught:
        attrmap.heatmap(matrix, ax=axes)
    assert "--" not in str(caught[0].message)
    assert caught[0].filename == __file__  # at the caller's line
    assert not any(texts(axes))
    figure = Figure(figsize=(2, 2.5))
    axes = figure.add_subplot()
    with warnings.catch_warnings():
        warnings.simplefilter("error", AnnotationsDroppedWarning)
        attrmap.heatmap(matrix, ax=axes, annotate="always")
    assert texts(axes) == [format(v, ".4f") for v in matrix.values.ravel()]
    assert {t.get_fontsize() for t in axes.texts} == {5.0}  # as small as render goes


def test_labels_too_many_for_the_axes_are_thinned_with_a_warning():
    values = np.random.default_rng(0).uniform(-1, 1, (300, 4))
    figure = Figure(figsize=(4, 4))
    axes = figure.add_subplot()
    with pytest.warns(FigureWarning, match="300 token labels do not fit"):
        attrmap.heatmap(values, ax=axes, annotate="never")
    shown = [t.get_text() for t in axes.get_yticklabels()]
    assert 10 < len(shown) < 300 and shown[:2] == ["0", str(int(axes.get_yticks()[1]))]
    pixels(figure)


def test_keyword_styles_are_the_config_file_settings(matrix, tmp_path):
    config = tmp_path / "paper.yaml"
    config.write_text("range: auto\ncmap: RdBu\nfmt: .2f\nannotation_font_size: 8\n")
    from_file = attrmap.render(matrix, load_config(config).style)
    from_keywords = attrmap.render(
        matrix, range="auto", cmap="RdBu", fmt=".2f", annotation_font_size=8
    )
    assert np.array_equal(pixels(from_file), pixels(from_keywords))
    assert texts(from_keywords.axes[0])[0] == "0.35"
    # Keywords go on top of a given style; tuples and NumPy numbers are fine.
    figure = attrmap.render(matrix, Style(cmap="RdBu"), cell_size=(1.0, 0.5), vmax=np.float64(2))
    assert figure.axes[1].get_ylim() == (-1.0, 2.0)
    pages = render_pages(matrix, fmt=".1f")
    assert texts(pages[0].axes[0])[0] == "0.3"
    compared = attrmap.compare([matrix, matrix], fmt=".1f", cmap="PuOr")
    assert texts(compared.axes[0])[0] == "0.3"
    (text_page,) = render_text_pages(matrix, cmap="RdBu")
    mesh = next(c for c in text_page.axes[0].collections if c.get_cmap() is not None)
    assert mesh.get_cmap().name == "RdBu"
    with pytest.raises(TypeError, match=r"attrmap\.render_text_pages"):
        render_text_pages(matrix, colormap="RdBu")


def test_a_bad_value_is_a_style_error_naming_the_call(matrix):
    with pytest.raises(StyleError, match=r"^attrmap.render: range must be one of"):
        attrmap.render(matrix, range="bogus")
    with pytest.raises(StyleError, match=r"^attrmap.heatmap: dpi must be int"):
        attrmap.heatmap(matrix, dpi="high")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda m, ax: attrmap.render(m, ax), r"attrmap.heatmap\(matrix, ax=ax\)"),
        (lambda m, ax: attrmap.render(m, "RdBu"), r"attrmap.render\(matrix, cmap='RdBu'\)"),
        (lambda m, ax: attrmap.render(m, colormap="RdBu"), "did you mean cmap"),
        (lambda m, ax: attrmap.render(m, allow_missing=True), "InputOptions"),
        (lambda m, ax: attrmap.render(m, shape="any"), "check_shape"),
        (lambda m, ax: attrmap.render(ax), r"AttributionMatrix"),
        (
            lambda m, ax: attrmap.render(m, load_config(EXAMPLES / "../configs/colorblind.yaml")),
            r"config.style",
        ),
        (lambda m, ax: attrmap.heatmap(m, ax=ax, width=3), "size of the Axes"),
        (lambda m, ax: attrmap.heatmap(m, ax=ax, cmpa="RdBu"), "did you mean cmap"),
        (lambda m, ax: attrmap.compare([m], colour="red"), "unexpected keyword argument 'colour'"),
        (lambda m, ax: attrmap.compare([m], ax), r"attrmap.compare's second argument"),
    ],
)
def test_a_wrong_argument_is_a_type_error_naming_the_right_call(matrix, call, message):
    axes = Figure().add_subplot()
    with pytest.raises(TypeError, match=message):
        call(matrix, axes)


def test_compare_into_given_axes(matrix):
    figure = Figure(figsize=(14, 5), layout="constrained")
    first, second, difference, other = figure.subplots(1, 4)
    other.plot([1, 2, 3])
    before = list(other.get_children())
    changed = AttributionMatrix(matrix.tokens, matrix.expressions, matrix.values * 0.5)
    returned = attrmap.compare(
        [matrix, changed], titles=["IG", "half"], diff=True, axes=[first, second, difference]
    )
    assert returned is figure
    assert list(other.get_children()) == before
    assert [a.get_title() for a in (first, second, difference)] == ["IG", "half", "half \u2212 IG"]
    reference = attrmap.compare([matrix, changed], titles=["IG", "half"], diff=True)
    for mine, theirs in zip((first, second, difference), reference.axes[:3], strict=True):
        assert np.array_equal(cells(mine).get_array(), cells(theirs).get_array())
    labels = [a.get_ylabel() for a in figure.axes[4:]]
    assert labels == ["Token Attribution", "Difference (B \u2212 A)"]  # one bar per scale
    assert {round(t.get_fontsize(), 1) for a in (first, second) for t in a.texts} <= {
        round(t.get_fontsize(), 1) for t in difference.texts
    }
    pixels(figure)
    with pytest.raises(TypeError, match="give axes= 3 Axes"):
        attrmap.compare([matrix, changed], diff=True, axes=[first, second])


def test_a_matrix_too_long_for_one_page_names_what_to_do_instead():
    values = np.zeros((700, 3))
    with pytest.raises(attrmap.LimitError, match=r"render_pages.*heatmap\(data, ax=ax\)"):
        attrmap.heatmap(values, rows_per_page=100)


def test_labels_in_the_fonts_render_chooses_whatever_the_users_rc(matrix):
    import matplotlib

    mixed = AttributionMatrix(["\u732b", "\u0915\u093e", "$x$"], ["a $5"], [[0.1], [0.2], [0.3]])
    reference = attrmap.render(mixed).axes[0]
    with matplotlib.rc_context({"font.family": "serif", "text.usetex": False}):
        figure = Figure(figsize=(4, 3))
        axes = figure.add_subplot()
        attrmap.heatmap(mixed, ax=axes)
    for mine, theirs in zip(axes.get_yticklabels(), reference.get_yticklabels(), strict=True):
        assert mine.get_fontfamily() == theirs.get_fontfamily()
        assert mine.get_text() == theirs.get_text() and not mine.get_parse_math()
    pixels(figure)


def test_compare_into_axes_without_colorbars(matrix):
    figure = Figure(figsize=(10, 5))
    first, second = figure.subplots(1, 2)
    boxes = [a.get_position().bounds for a in (first, second)]
    attrmap.compare([matrix, matrix], axes=[first, second], cbar=False)
    assert len(figure.axes) == 2 and [a.get_position().bounds for a in (first, second)] == boxes
    assert texts(first) == texts(second) != []
