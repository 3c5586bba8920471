"""Long and wide grids: pages marked with their range, the automatic split within the page
and pixel limits (tiles of expressions when too wide), a tall page said, and
``--transpose --width --rows-per-page`` together."""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pytest

from attrmap import AttributionMatrix, Style
from attrmap.errors import PagesSplitWarning, TallFigureWarning
from attrmap.plotting import draw_pages, prepare_pages
from attrmap.plotting.page_limits import MAX_FIGURE_PIXELS, MAX_FIGURE_SIDE, MAX_PAGE_INCHES
from attrmap.style import LayoutOptions
from attrmap.writers import get_writer


def grid(rows: int, cols: int) -> AttributionMatrix:
    values = np.random.default_rng(1).normal(0, 0.4, (rows, cols))
    return AttributionMatrix(
        [f"tok{i}" for i in range(rows)], [f"expr {j}" for j in range(cols)], values
    )


def quiet(call, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return call(*args, **kwargs)


def test_every_page_of_a_paged_grid_says_which_tokens_it_holds():
    style = Style(dpi=40, layout=LayoutOptions(rows_per_page=500, cell_size=(0.5, 0.2)))
    plans = quiet(prepare_pages, grid(1500, 3), style, get_writer("pdf").raster)
    assert [p.marker for p in plans] == [
        "tokens 1\u2013500 of 1,500",
        "tokens 501\u20131,000 of 1,500",
        "tokens 1,001\u20131,500 of 1,500",
    ]
    figure = draw_pages(plans[1:2], style)[0]
    shown = [t.get_text() for t in figure.texts]
    assert "tokens 501\u20131,000 of 1,500" in shown
    renderer = figure.canvas.get_renderer()
    marker = next(t for t in figure.texts if t.get_text().startswith("tokens"))
    box = marker.get_window_extent(renderer)
    assert box.x0 >= 0 and box.x1 <= figure.bbox.width and box.y1 <= figure.bbox.height
    heatmap = figure.axes[0].get_tightbbox(renderer)
    assert box.y0 >= heatmap.y1  # above the column labels, not on them


def test_a_single_page_has_no_marker():
    (plan,) = quiet(prepare_pages, grid(13, 5), Style(), get_writer("png").raster)
    assert plan.marker is None and plan.layout.marker_at is None


def test_a_grid_too_wide_for_a_page_is_tiled_by_expressions_each_tile_labelled():
    matrix = grid(40, 900)
    with pytest.warns(PagesSplitWarning, match="tiles of expressions"):
        plans = prepare_pages(matrix, Style(dpi=100, layout=LayoutOptions(annotate="never")))
    covered = sorted({(p.data.expressions[0], p.data.expressions[-1]) for p in plans})
    assert len(covered) > 1
    seen = [e for p in plans if p.data.tokens[0] == "tok0" for e in p.data.expressions]
    assert seen == list(matrix.expressions)  # every expression once, in order
    for plan in plans:
        assert plan.layout.fig_width <= MAX_PAGE_INCHES
        assert "expressions" in (plan.marker or "")
        pixels = [math.ceil(s * 100) for s in (plan.layout.fig_width, plan.layout.fig_height)]
        assert pixels[0] * pixels[1] <= MAX_FIGURE_PIXELS and max(pixels) <= MAX_FIGURE_SIDE


def test_a_long_and_wide_grid_renders_with_no_flags_within_the_pixel_limit():
    """2,000 tokens x 125 outputs (captum's token_attr for a long generation) at 150 dpi."""
    with pytest.warns(PagesSplitWarning):
        plans = prepare_pages(grid(2000, 125), Style(), get_writer("png").raster)
    assert sum(len(p.data.tokens) for p in plans if p.data.expressions[0] == "expr 0") == 2000
    for plan in plans:
        pixels = [math.ceil(s * 150) for s in (plan.layout.fig_width, plan.layout.fig_height)]
        assert pixels[0] * pixels[1] <= MAX_FIGURE_PIXELS


def test_a_tall_page_is_said_once_with_what_to_try():
    with pytest.warns(TallFigureWarning, match='layout="text", page="a4"') as record:
        prepare_pages(grid(200, 6), Style(), get_writer("png").raster)
    assert len([w for w in record if w.category is TallFigureWarning]) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error", TallFigureWarning)
        prepare_pages(grid(40, 6), Style(), get_writer("png").raster)  # 40 rows: not tall


def test_transpose_with_width_and_rows_per_page_sizes_each_page():
    style = Style(layout=LayoutOptions(transpose=True, width=9, rows_per_page=10))
    plans = quiet(prepare_pages, grid(200, 6), style, get_writer("png").raster)
    assert len(plans) == 20
    assert all(p.layout.fig_width <= 9 for p in plans)
    assert all(p.layout.shape == (6, 10) for p in plans)  # expressions down, tokens across


def test_transpose_with_a_width_splits_the_tokens_to_fit_it():
    with pytest.warns(PagesSplitWarning, match="across"):
        plans = prepare_pages(grid(200, 6), Style(layout=LayoutOptions(transpose=True, width=9)))
    assert all(p.layout.fig_width <= 9 for p in plans)
    assert sum(p.layout.shape[1] for p in plans) == 200


def test_transpose_with_a_width_narrows_cells_before_splitting_the_tokens():
    """60 tokens across fit 9 in with compact cells (no numbers): one page, as in 1.0."""
    style = Style(layout=LayoutOptions(transpose=True, width=9, annotate="never"))
    plans = quiet(prepare_pages, grid(60, 3), style, get_writer("png").raster)
    assert len(plans) == 1
    assert plans[0].layout.shape == (3, 60)
    assert plans[0].layout.fig_width <= 9


def write_document(path, tokens: int = 400) -> None:
    lines = ["token,first,second"] + [
        f"\u2581w{i},{math.sin(i / 7):.3f},{math.cos(i / 5):.3f}" for i in range(tokens)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_layout_text_with_a_paper_size_writes_one_pdf_page_per_paper_page(tmp_path, run_cli):
    source, target = tmp_path / "doc.csv", tmp_path / "doc.pdf"
    write_document(source, 1500)
    result = run_cli(
        "render", source, "-o", target, "--shape", "any", "--layout", "text", "--page", "a4"
    )
    assert result.exit_code == 0, result.output
    data = target.read_bytes()
    pages = len(re.findall(rb"/Type /Page\b", data))
    assert pages > 1
    assert data.count(b"/MediaBox [ 0 0 595.44 841.68 ]") == pages  # A4 in points


def test_page_sets_the_paper_size_of_a_paged_grid(tmp_path, run_cli):
    source, target = tmp_path / "doc.csv", tmp_path / "doc.png"
    write_document(source, 120)
    args = ["--shape", "any", "--page", "letter", "--dpi", "20"]
    result = run_cli("render", source, "-o", target, *args)
    assert result.exit_code == 0, result.output
    written = sorted(tmp_path.glob("doc-*.png"))
    assert len(written) > 1
    from PIL import Image

    assert {Image.open(p).size for p in written} == {(170, 220)}  # 8.5 x 11 in at 20 dpi


def test_layout_and_page_are_config_settings(tmp_path, run_cli):
    config = tmp_path / "paper.yaml"
    config.write_text("layout: text\npage: 6x9\n")
    result = run_cli("config", "--config", config)
    assert "layout: text" in result.output and "page: 6x9" in result.output
    bad = run_cli("config", "--page", "b7")
    assert bad.exit_code != 0 and "a4, a5, letter" in bad.output.replace("a3, ", "")


def test_a_png_without_numbers_is_drawn(tmp_path, run_cli):
    """No annotation texts to blend (``--annotate never``): drawn, not an IndexError."""
    source, target = tmp_path / "doc.csv", tmp_path / "doc.png"
    write_document(source, 30)
    result = run_cli("render", source, "-o", target, "--shape", "any", "--annotate", "never")
    assert result.exit_code == 0, result.output
    assert target.stat().st_size > 0


def test_a_long_page_draws_its_row_labels_as_one_artist_in_every_format(tmp_path):
    from matplotlib.backends.backend_pdf import FigureCanvasPdf
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    from attrmap.plotting.text_artists import BULK_ROWS, RowLabels

    rows = BULK_ROWS + 10
    style = Style(dpi=50)
    (plan,) = quiet(prepare_pages, grid(rows, 3), style)
    figure = draw_pages([plan], style)[0]
    axes = figure.axes[0]
    (layer,) = [a for a in axes.get_children() if isinstance(a, RowLabels)]
    assert layer.labels == [f"tok{i}" for i in range(rows)]
    assert axes.get_yticklabels() == []  # no tick labels drawn beside the layer's
    figure.canvas.draw()
    pixels = np.asarray(figure.canvas.buffer_rgba())[..., :3]
    left = axes.get_window_extent().x0
    height = pixels.shape[0]
    for row in (0, rows // 2, rows - 1):  # ink left of the grid, on the row's own band
        y = height - axes.transData.transform((0, row))[1]
        band = pixels[int(y - 3) : int(y + 3), : int(left) - 1]
        assert (band < 128).any()
    FigureCanvasSVG(figure).print_svg(tmp_path / "page.svg")
    FigureCanvasPdf(figure).print_pdf(tmp_path / "page.pdf")
    assert (tmp_path / "page.svg").stat().st_size > 0 and (tmp_path / "page.pdf").stat().st_size > 0


def test_transpose_on_paper_splits_tokens_across_pages_of_that_width(tmp_path, run_cli):
    style = Style(dpi=20, layout=LayoutOptions(transpose=True, page=(8.27, 11.69)))
    plans = quiet(prepare_pages, grid(60, 3), style)
    assert len(plans) > 1 and sum(p.layout.shape[1] for p in plans) == 60
    assert {(p.layout.fig_width, p.layout.fig_height) for p in plans} == {(8.27, 11.69)}
    source = tmp_path / "doc.csv"
    write_document(source, 60)
    small = run_cli("render", source, "-o", tmp_path / "x.png", "--shape", "any", "--transpose")
    assert small.exit_code == 0
    tiny = run_cli(
        "render", source, "-o", tmp_path / "y.png", "--shape", "any", "--transpose", "--page", "3x2"
    )
    assert tiny.exit_code != 0 and "does not fit a 3x2 in --page" in tiny.output
    assert "Traceback" not in tiny.output
