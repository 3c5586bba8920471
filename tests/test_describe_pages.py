"""``describe`` states the pages ``render`` writes: how many, and each page's marker as
drawn (an automatic split, ``--page``, a text layout, tiles of expressions); planning
pages loads no drawing code, and a figure that cannot page is told so without loading a
font (``page_limits.surely_one_page``), which never says "one page" of a paged figure."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from attrmap import AttributionMatrix, Style
from attrmap.fonts import DEJAVU_SANS, fonts_for
from attrmap.plotting import prepare_pages
from attrmap.plotting.page_limits import CHAR_EM, EXTRA_EM, LINE_EM, surely_one_page
from attrmap.prepared import prepare_data
from attrmap.style import LayoutOptions
from attrmap.views.facts import compute_facts

ROOT = Path(__file__).resolve().parents[1]


def grid(rows: int, cols: int, token: str = "tok{}", expression: str = "expr {}"):
    values = np.random.default_rng(1).normal(0, 0.4, (rows, cols))
    return AttributionMatrix(
        [token.format(i) for i in range(rows)],
        [expression.format(j) for j in range(cols)],
        values,
    )


def planned(matrix: AttributionMatrix, style: Style, raster: bool = True) -> list:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return prepare_pages(matrix, style, raster)


def markers(plans: list) -> list[str | None]:
    return [plan.marker for plan in plans]


def described(matrix: AttributionMatrix, style: Style) -> list[str | None]:
    pages = compute_facts(matrix, style).pages
    return [None] if pages is None else [page.marker for page in pages.pages]


def write_csv(path: Path, matrix: AttributionMatrix) -> Path:
    rows = [",".join(["token", *matrix.expressions])]
    for token, row in zip(matrix.tokens, matrix.values, strict=True):
        rows.append(",".join([token, *(f"{v:.4f}" for v in row)]))
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


CASES = {
    # 1,000 x 8 at default settings: two pages of 500 tokens, split automatically
    "automatic split": (grid(1000, 8), Style()),
    "a4 grid": (grid(300, 4), Style(layout=LayoutOptions(page=(8.27, 11.69)))),
    "a4 text": (grid(400, 2), Style(layout=LayoutOptions(layout="text", page=(8.27, 11.69)))),
    "tiles of expressions": (grid(40, 900), Style(dpi=100, layout=LayoutOptions(annotate="never"))),
    "transposed": (grid(400, 2), Style(layout=LayoutOptions(transpose=True))),
    "text past the pixel limit": (
        grid(900, 3),
        Style(dpi=600, layout=LayoutOptions(layout="text")),
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_describe_lists_exactly_the_pages_render_plans(case):
    matrix, style = CASES[case]
    plans = planned(matrix, style)
    assert len(plans) > 1  # each case pages, or it proves nothing
    assert described(matrix, style) == markers(plans)
    if case == "tiles of expressions":
        assert all("expressions" in (marker or "") for marker in markers(plans))


def test_describe_says_the_svg_and_pdf_pages_where_the_pixel_limit_makes_png_differ():
    matrix, style = grid(400, 40), Style(dpi=300)
    png, vector = planned(matrix, style, raster=True), planned(matrix, style, raster=False)
    assert len(png) > len(vector)
    pages = compute_facts(matrix, style).pages
    assert pages is not None and pages.vector_pages is not None
    assert [p.marker for p in pages.pages] == markers(png)
    assert [p.marker for p in pages.vector_pages] == markers(vector)
    # where they agree, only one list is given
    same = compute_facts(grid(1000, 8), Style()).pages
    assert same is not None and same.vector_pages is None


def test_rows_per_page_pages_are_told_without_planning_and_match_the_plans():
    matrix = grid(130, 3)
    for transpose in (False, True):
        style = Style(layout=LayoutOptions(rows_per_page=40, transpose=transpose))
        assert described(matrix, style) == markers(planned(matrix, style))


def test_describe_and_the_png_pages_alt_text_name_the_same_pages(tmp_path, run_cli):
    source = write_csv(tmp_path / "long.csv", grid(1000, 2))
    flags = ["--shape", "any", "--dpi", "20"]  # 1,000 rows pass 200 in: an automatic split
    out = tmp_path / "long.png"
    assert run_cli("render", source, "-o", out, *flags).exit_code == 0
    files = sorted(tmp_path.glob("long-*.png"), key=lambda p: int(p.stem.split("-")[1]))
    drawn = [
        re.search(r"This page: (.*)\.$", Image.open(f).info["Description"]).group(1) for f in files
    ]
    assert len(drawn) > 1
    result = run_cli("describe", source, *flags, "--format", "json")
    assert result.exit_code == 0
    pages = json.loads(result.output)["pages"]
    assert [p["marker"] for p in pages["pages"]] == drawn
    assert pages["count"] == len(drawn) and pages["layout"] == "grid"
    assert pages["pages"][0]["tokens"][0] == 1 and pages["pages"][-1]["tokens"][1] == 1000
    text = run_cli("describe", source, *flags).output
    assert f"**Pages**: {len(drawn)} pages, each marked with the tokens it holds:" in text
    for number, marker in enumerate(drawn, 1):
        assert f"\n  * page {number}: {marker}\n" in text


def test_describe_of_a_paged_figure_prints_no_warning_and_bad_pages_one_error(tmp_path, run_cli):
    source = write_csv(tmp_path / "long.csv", grid(1000, 2))
    result = run_cli("describe", source, "--shape", "any", "--format", "text")
    assert result.exit_code == 0
    assert "warning" not in result.stderr and "Pages: 2 pages" in result.stdout
    bad = run_cli("describe", source, "--shape", "any", "--page", "3x2")
    assert bad.exit_code != 0 and bad.stdout == ""
    (line,) = bad.stderr.strip().splitlines()
    assert "long.csv" in line and "--page" in line


def test_one_page_figures_say_no_pages_and_a_paper_or_text_layout_says_one():
    assert compute_facts(grid(13, 5), Style()).pages is None
    paper = compute_facts(grid(13, 5), Style(layout=LayoutOptions(page=(8.27, 11.69)))).pages
    assert paper is not None and [p.marker for p in paper.pages] == [None]


def _loaded_modules(args: list[str]) -> list[str]:
    code = (
        "import sys\nfrom attrmap.cli import cli\n"
        f"try:\n    cli({args!r}, prog_name='attrmap')\nexcept SystemExit as e:\n"
        "    assert not e.code, e.code\n"
        "print(' '.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    # No MPLBACKEND, as most users run it: an unset backend is resolved by importing pyplot.
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    env.pop("MPLBACKEND", None)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    return proc.stderr.split()


def test_describe_of_a_long_input_plans_pages_without_pyplot_or_a_backend(tmp_path):
    source = write_csv(tmp_path / "long.csv", grid(1000, 2))
    loaded = _loaded_modules(["describe", str(source), "--shape", "any"])
    assert "attrmap.plotting.planning" in loaded  # it did plan the pages
    drawing = [
        m
        for m in loaded
        if m == "matplotlib.pyplot"
        or m.startswith("matplotlib.backends.backend_")
        or m in ("attrmap.plotting.canvas", "attrmap.plotting.figures", "matplotlib.figure")
    ]
    assert not drawing, drawing


#: What telling a figure sure to fit one page loads of the drawing package: no fonts.
BOUND_MODULES = ("attrmap.plotting.page_limits", "attrmap.plotting.dimensions")


def test_describe_of_the_reference_loads_no_font_machinery(reference_csv):
    loaded = _loaded_modules(["describe", str(reference_csv)])
    fonts = [
        m
        for m in loaded
        if m in ("matplotlib.font_manager", "matplotlib.textpath", "matplotlib.style")
        or (m.startswith("attrmap.plotting.") and m not in BOUND_MODULES)
    ]
    assert not fonts, fonts


def test_the_plotting_package_gives_every_name_lazily():
    import attrmap.plotting as plotting

    for name in plotting.__all__:
        assert getattr(plotting, name) is not None
    with pytest.raises(AttributeError):
        plotting.no_such_name  # noqa: B018


# --------------------------------------------------------------------------- the bound


def test_the_em_bounds_hold_for_the_installed_dejavu_sans():
    from fontTools.ttLib import TTFont
    from matplotlib import font_manager

    font = TTFont(font_manager.findfont(DEJAVU_SANS))
    em = font["head"].unitsPerEm
    advance = max(width for width, _ in font["hmtx"].metrics.values())
    kerning = max(
        [0, *(v for table in font["kern"].kernTables for v in table.kernTable.values())]
        if "kern" in font
        else [0]
    )
    head = font["head"]
    assert (advance + kerning) / em <= CHAR_EM
    assert (head.xMax - head.xMin) / em <= EXTRA_EM
    assert (head.yMax - head.yMin) / em <= LINE_EM


def test_the_em_bounds_hold_for_measured_texts():
    from attrmap.plotting.measuring import text_size_in

    rng = np.random.default_rng(3)
    chars = [chr(c) for c in range(0x20, 0x250) if chr(c).isprintable()] + ["\u2212", "\u2026"]
    texts = ["W" * 30, "Ǆ" * 12, "ƒ", "Ag", *("".join(rng.choice(chars, 20)) for _ in range(200))]
    for text in texts:
        width, height = text_size_in(text, 10, (DEJAVU_SANS,))
        assert width <= (len(text) * CHAR_EM + EXTRA_EM) * 10 / 72, text
        assert height <= LINE_EM * 10 / 72, text


def _surely(matrix: AttributionMatrix, style: Style) -> bool:
    data = prepare_data(matrix, style)
    return surely_one_page(data, style, True, fonts_for(matrix, style).families)


BOUNDARY_STYLES = {
    "default": Style(),
    "600 dpi": Style(dpi=600),
    "compact": Style(layout=LayoutOptions(annotate="never")),
    "large fonts": Style(font_size=16, annotation_font_size=14),
    "cell size": Style(layout=LayoutOptions(cell_size=(0.3, 0.3))),
    "transposed": Style(layout=LayoutOptions(transpose=True)),
    "text": Style(dpi=600, layout=LayoutOptions(layout="text")),
    "annotated text": Style(dpi=600, layout=LayoutOptions(layout="text", annotate="always")),
}


@pytest.mark.parametrize("name", list(BOUNDARY_STYLES))
def test_the_pre_check_never_says_one_page_at_the_boundary(name):
    """The fewest tokens that page (found by bisection on the real plans): the pre-check
    is unsure there and past it, and sure well below it (it is no blanket "unsure")."""
    style = BOUNDARY_STYLES[name]
    cols = 3 if name != "text" else 6

    def pages(rows: int) -> int:
        return len(planned(grid(rows, cols, "a longer token {}"), style))

    low, high = 1, 64
    while pages(high) == 1:
        low, high = high, high * 2
    while high - low > 1:  # pages(low) == 1 < pages(high)
        middle = (low + high) // 2
        low, high = (middle, high) if pages(middle) == 1 else (low, middle)
    for rows in (high, high + 1, 2 * high):
        assert not _surely(grid(rows, cols, "a longer token {}"), style), rows
    assert _surely(grid(max(1, high // 10), cols, "a longer token {}"), style), high


def test_the_pre_check_is_unsure_of_other_fonts_paper_and_long_labels():
    assert _surely(grid(13, 5), Style())
    assert not _surely(grid(13, 5), Style(layout=LayoutOptions(page=(8.27, 11.69))))
    assert not _surely(grid(13, 5), Style(fonts=("DejaVu Serif",)))
    assert not _surely(grid(13, 5, "x" * 2000 + "{}"), Style())  # a label past 200 in
