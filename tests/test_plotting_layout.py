"""Size and layout options, pages and long sequences, inspected on the drawn artists:
figure and cell sizes, font sizes, annotation presence, label orientation, page counts."""

from __future__ import annotations

import math
import os
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

import attrmap
from attrmap import AttributionMatrix, Style, StyleError
from attrmap.errors import AnnotationsDroppedWarning, PagesSplitWarning
from attrmap.plotting import prepare_pages, render_pages
from attrmap.plotting.measuring import text_size_in
from attrmap.plotting.page_limits import MAX_FIGURE_PIXELS, MAX_FIGURE_SIDE, MAX_PAGE_INCHES
from attrmap.provenance import read_figure_key
from attrmap.style import LayoutOptions, OutputOptions
from attrmap.writers import get_writer

PAPER = {"fmt": ".2f", "dpi": 60}


def grid(rows: int, cols: int, seed: int = 0, scale: float = 0.5) -> AttributionMatrix:
    values = np.random.default_rng(seed).normal(0, scale, (rows, cols))
    return AttributionMatrix(
        [f"tok{i}" for i in range(rows)], [f"expr {j}" for j in range(cols)], values
    )


def styled(**layout) -> Style:
    return Style(**PAPER, layout=LayoutOptions(**layout))


def axes_inches(figure, index: int = 0) -> tuple[float, float]:
    box = figure.axes[index].get_position()
    width, height = figure.get_size_inches()
    return box.width * width, box.height * height


def quiet(call, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return call(*args, **kwargs)


def test_width_shrinks_cells_then_fonts_and_never_below_the_floors():
    natural = quiet(attrmap.render, grid(40, 6), Style(**PAPER))
    assert natural.get_size_inches()[0] > 6
    figure = quiet(attrmap.render, grid(40, 6), styled(width=6))
    assert figure.get_size_inches()[0] <= 6
    ax = figure.axes[0]
    assert all(t.get_fontsize() >= 5 for t in ax.texts) and len(ax.texts) == 240
    assert all(t.get_fontsize() >= 6 for t in ax.get_yticklabels())
    narrow = quiet(attrmap.render, grid(40, 6), styled(width=3))
    assert narrow.get_size_inches()[0] <= 3
    assert all(t.get_fontsize() >= 6 for t in narrow.axes[0].get_yticklabels())


def test_a_width_that_cannot_fit_names_the_narrowest_that_does():
    with pytest.raises(StyleError, match=r"narrowest that works is ([\d.]+) in") as info:
        quiet(attrmap.render, grid(4, 30), styled(width=1))
    narrowest = float(re.search(r"is ([\d.]+) in", str(info.value))[1])
    figure = quiet(attrmap.render, grid(4, 30), styled(width=narrowest))
    assert figure.get_size_inches()[0] <= narrowest


def test_cell_size_sets_each_cell_in_inches():
    figure = quiet(attrmap.render, grid(13, 5), styled(cell_size=(0.6, 0.3)))
    width, height = axes_inches(figure)
    assert width == pytest.approx(5 * 0.6, abs=0.02) and height == pytest.approx(13 * 0.3, abs=0.02)


def test_font_size_flags_reach_labels_and_annotations(tmp_path, run_cli):
    result = run_cli(
        "config", "--font-size", "8", "--annotation-font-size", "7", "--cell-size", "1x0.5"
    )
    assert result.exit_code == 0, result.output
    assert "font_size: 8.0" in result.output and "cell_size: [1.0, 0.5]" in result.output
    figure = attrmap.render(grid(3, 2), Style(font_size=8, annotation_font_size=7))
    assert {t.get_fontsize() for t in figure.axes[0].texts} == {7}
    assert {t.get_fontsize() for t in figure.axes[0].get_yticklabels()} == {8}


def test_annotate_never_allows_compact_cells_without_numbers():
    figure = attrmap.render(grid(20, 4), styled(annotate="never", cell_size=(0.2, 0.12)))
    assert len(figure.axes[0].texts) == 0
    assert axes_inches(figure)[1] == pytest.approx(20 * 0.12, abs=0.02)
    assert all(t.get_fontsize() >= 6 for t in figure.axes[0].get_yticklabels())


def test_annotate_auto_drops_numbers_that_cannot_fit_with_one_warning():
    with pytest.warns(AnnotationsDroppedWarning) as caught:
        figure = attrmap.render(grid(6, 6), styled(cell_size=(0.2, 0.2)))
    assert len(figure.axes[0].texts) == 0 and len(caught) == 1
    with pytest.raises(StyleError, match=r"do not fit in 0\.2x0\.2 in cells"):
        attrmap.render(grid(6, 6), styled(cell_size=(0.2, 0.2), annotate="always"))


def test_transpose_puts_tokens_across_the_top():
    matrix = grid(3, 2)
    figure = attrmap.render(matrix, styled(transpose=True))
    ax = figure.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == list(matrix.tokens)
    assert [t.get_text() for t in ax.get_yticklabels()] == list(matrix.expressions)
    texts = [t.get_text() for t in ax.texts]
    assert texts == [format(v, ".2f") for v in matrix.values.T.ravel()]


def test_transposed_long_tokens_are_rotated():
    matrix = AttributionMatrix(
        [f"a long token {i}" for i in range(12)], ["e1", "e2"], np.zeros((12, 2))
    )
    figure = attrmap.render(matrix, styled(transpose=True))
    assert {t.get_rotation() for t in figure.axes[0].get_xticklabels()} <= {45.0, 90.0}
    assert figure.axes[0].get_xticklabels()[0].get_rotation() != 0


def test_colorbar_at_most_six_inches_and_arrows_at_most_a_third_of_an_inch():
    matrix = grid(60, 3, scale=2)
    figure = quiet(attrmap.render, matrix, Style(**PAPER))
    bar_height = axes_inches(figure, 1)[1]
    assert axes_inches(figure)[1] > 20 and bar_height <= 6.0 + 1e-3
    colorbar = figure.axes[0].collections[0].colorbar
    assert colorbar.extend == "both"
    assert colorbar.extendfrac is None or colorbar.extendfrac <= 0.05
    assert 0.05 * bar_height <= 0.3 + 1e-3


def test_a_single_row_has_its_colorbar_below_and_no_empty_band():
    figure = attrmap.render(grid(1, 5), Style(**PAPER))
    colorbar = figure.axes[0].collections[0].colorbar
    assert colorbar.orientation == "horizontal"
    assert figure.get_size_inches()[1] < 2.5
    grid_box, bar_box = figure.axes[0].get_position(), figure.axes[1].get_position()
    assert bar_box.y1 < grid_box.y0  # below the grid, not beside it


def test_rows_per_page_repeats_labels_and_scale_on_every_page():
    matrix = grid(60, 3, scale=2)
    pages = quiet(render_pages, matrix, styled(rows_per_page=25))
    assert len(pages) == 3
    rows = [len(p.axes[0].get_yticklabels()) for p in pages]
    assert rows == [25, 25, 10]
    expressions = [[t.get_text() for t in p.axes[0].get_xticklabels()] for p in pages]
    assert expressions == [list(matrix.expressions)] * 3
    ticks = {tuple(p.axes[1].get_yticks()) for p in pages}
    assert len(ticks) == 1
    assert pages[2].axes[0].get_yticklabels()[0].get_text() == "tok50"
    heights = {round(axes_inches(p)[1] / r, 3) for p, r in zip(pages, rows, strict=True)}
    assert len(heights) == 1  # the same cell height on every page


def test_a_long_sequence_is_split_automatically_legibly_and_says_so():
    matrix = grid(1000, 8, scale=0.3)
    with pytest.warns(PagesSplitWarning, match="split into 2 pages"):
        plans = prepare_pages(matrix, Style(), get_writer("pdf").raster)
    assert [p.layout.shape[0] for p in plans] == [500, 500]  # compact rows, balanced
    for plan in plans:
        layout = plan.layout
        assert max(layout.fig_width, layout.fig_height) <= MAX_PAGE_INCHES
        metrics = layout.metrics
        assert metrics.font_size >= 6
        line = text_size_in("Ag", metrics.font_size, layout.fonts)[1]
        assert metrics.cell_height > line  # token labels never overlap
    assert sum(len(p.data.tokens) for p in plans) == 1000


def test_a_grid_that_fits_one_page_once_its_rows_are_compact_is_not_said_to_be_split():
    """Too tall at the usual row height, within the limits with compact rows: one page,
    so no "split into 1 pages" (only the tall-figure warning)."""
    matrix = grid(460, 2)
    style = Style(dpi=20)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plans = prepare_pages(matrix, style, get_writer("png").raster)
    assert len(plans) == 1 and plans[0].marker is None
    assert not [w for w in caught if issubclass(w.category, PagesSplitWarning)]


def test_the_pixel_limit_splits_png_pages_only():
    matrix = grid(400, 200)
    with pytest.warns(PagesSplitWarning, match="pixel limit"):
        pages = prepare_pages(matrix, Style(), get_writer("png").raster)
    assert len(pages) > 1
    for plan in pages:
        width, height = (
            math.ceil(side * 150) for side in (plan.layout.fig_width, plan.layout.fig_height)
        )
        assert width * height <= MAX_FIGURE_PIXELS and max(width, height) <= MAX_FIGURE_SIDE
    assert len(quiet(prepare_pages, matrix, Style(), get_writer("svg").raster)) == 1


def write_long(path, rows: int) -> None:
    lines = ["t,a,b"] + [f"r{i},{(i % 7) / 10},{-(i % 5) / 10}" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_pages_are_numbered_files_and_batch_checks_them_all(tmp_path, suffix, run_cli):
    data, out = tmp_path / "data", tmp_path / "out"
    data.mkdir()
    write_long(data / "long.csv", 30)
    args = ["batch", data, "-o", out, "--shape", "any", "--rows-per-page", "12", "--dpi", "30"]
    result = run_cli(*args, "--format", suffix, "-j", "1")
    assert result.exit_code == 0, result.output
    pages = sorted(p.name for p in out.iterdir())
    assert pages == [f"long-{i}.{suffix}" for i in (1, 2, 3)]
    keys = {read_figure_key(out / name) for name in pages}
    assert len(keys) == 1 and None not in keys
    assert run_cli(*args, "--format", suffix, "--check").exit_code == 0
    (out / f"long-3.{suffix}").unlink()
    check = run_cli(*args, "--format", suffix, "--check")
    assert check.exit_code == 1 and "long" in check.output


def test_a_paged_pdf_is_one_file_with_a_page_each(tmp_path, run_cli):
    source, target = tmp_path / "long.csv", tmp_path / "long.pdf"
    write_long(source, 30)
    result = run_cli("render", source, "-o", target, "--shape", "any", "--rows-per-page", "10")
    assert result.exit_code == 0, result.output
    data = target.read_bytes()
    assert len(re.findall(rb"/Type /Page\b", data)) == 3
    assert b"CreationDate" not in data
    again = tmp_path / "again.pdf"
    run_cli("render", source, "-o", again, "--shape", "any", "--rows-per-page", "10")
    assert again.read_bytes() == data  # deterministic


def test_svg_text_keeps_editable_text_elements_deterministically(tmp_path, run_cli):
    matrix = grid(2, 2)
    paths = tmp_path / "paths.svg"
    attrmap.save_figure(attrmap.render(matrix), paths)
    assert b"<text" not in paths.read_bytes()
    first, second = tmp_path / "a.svg", tmp_path / "b.svg"
    style = Style(output=OutputOptions(svg_text="text"))
    for target in (first, second):
        options = style.output
        attrmap.save_figure(attrmap.render(matrix, style), target, options=options)
    text = first.read_bytes()
    assert text == second.read_bytes()
    assert text.count(b"<text") >= 4 + 2 + 2 and b"DejaVu Sans" in text
    shown = " ".join(run_cli("render", "--help").output.split())
    assert "--svg-text [path|text]" in shown and "named, not embedded" in shown


def test_a_large_grid_keeps_its_numbers_in_one_artist_in_every_format(tmp_path):
    from attrmap.plotting.text_artists import BULK_CELLS, AnnotationLayer

    matrix = grid(40, 30)
    assert matrix.values.size > BULK_CELLS
    figure = attrmap.render(matrix, Style(fmt=".2f"))
    (layer,) = [a for a in figure.axes[0].get_children() if isinstance(a, AnnotationLayer)]
    assert layer.labels == [format(v, ".2f") for v in matrix.values.ravel()]
    assert layer.get_zorder() > figure.axes[0].collections[0].get_zorder()
    figure.canvas.draw()
    pixels = np.asarray(figure.canvas.buffer_rgba())
    ax = figure.axes[0]
    x, y = ax.transData.transform((0, 0))  # the middle of the first cell: ink, not fill
    patch = pixels[
        round(pixels.shape[0] - y) - 3 : round(pixels.shape[0] - y) + 3,
        round(x) - 8 : round(x) + 8,
        :3,
    ]
    assert patch.min() < 100  # dark digits drawn over the light cell
    svg = tmp_path / "large.svg"
    attrmap.save_figure(figure, svg)
    assert svg.read_bytes().count(b"<text") == 0


def test_page_names_compose_with_sequence_numbers():
    from pathlib import Path

    from attrmap.pipeline import numbered
    from attrmap.provenance import page_paths

    sequences = numbered(Path("out/run.png"), 2)  # a file that holds two matrices
    assert [p.name for p in sequences] == ["run-0.png", "run-1.png"]
    assert [p.name for p in page_paths(sequences[0], 2)] == ["run-0-1.png", "run-0-2.png"]
    assert page_paths(Path("out/run.pdf"), 3) == [Path("out/run.pdf")]  # one PDF
    assert page_paths(Path("out/run.png"), 1) == [Path("out/run.png")]


def test_pages_drawn_by_forked_workers_are_the_serial_bytes(tmp_path):
    """``draw_to`` shares a long figure's PNG/SVG pages among forked processes; the files
    must be exactly those of drawing every page in this process."""
    import dataclasses

    from attrmap import load_matrix
    from attrmap.pipeline import draw_to
    from attrmap.provenance import figure_key
    from attrmap.scale import resolve_scale
    from attrmap.style import Config

    matrix = load_matrix(Path(__file__).parent / "data" / "long_sequence.csv")
    style = dataclasses.replace(Style(dpi=30), layout=LayoutOptions(rows_per_page=25))
    style = resolve_scale(style, [matrix.values])
    for suffix in (".png", ".svg"):
        parallel = draw_to(matrix, tmp_path / f"forked{suffix}", Config(style=style))
        serial = get_writer(
            suffix[1:]
        ).write(  # every page in this process
            matrix, style, tmp_path / f"serial{suffix}", figure_key(matrix, style, suffix[1:])
        )
        assert len(parallel) == len(serial) == 3
        for forked, alone in zip(parallel, serial, strict=True):
            assert forked.read_bytes() == alone.read_bytes()


def test_a_failing_worker_share_is_redone_here_and_raises_the_real_error():
    from attrmap.writers.drawn import run_shared

    parent = os.getpid()
    done = []

    def work(item: int) -> None:
        if item == 1 and os.getpid() == parent:
            raise ValueError("page 1 cannot be drawn")
        if item == 1:
            os._exit(3)  # the child dies without drawing
        done.append(item)

    with pytest.raises(ValueError, match="page 1"):
        run_shared(work, [0, 1], workers=2)
    assert done == [0]
