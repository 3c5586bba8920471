"""Jupyter: figures attrmap returns show as pictures, a matrix as its heatmap (the HTML
view), a long one at a bounded size; checked in a real kernel (nbclient + ipykernel)."""

from __future__ import annotations

import base64
import importlib.util
import io
import os
import re
from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imread

import attrmap
from attrmap import AttributionMatrix
from attrmap.plotting.display import MAX_PREVIEW_PIXELS, NotebookFigure
from attrmap.views.html import NOTEBOOK_CELLS
from conftest import EXAMPLES, require

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def matrix() -> AttributionMatrix:
    return attrmap.load_matrix(EXAMPLES / "token_attribution.csv")


def test_a_figure_gives_ipython_a_png_at_its_size_in_inches(matrix):
    figure = attrmap.render(matrix)
    png, size = figure._repr_png_()
    assert png.startswith(PNG_MAGIC)
    assert imread(io.BytesIO(png)).shape[:2] == (949, 1187)  # the figure's own pixels
    assert size == {"width": round(1187.4 / 150 * 96), "height": round(949.35 / 150 * 96)}
    for made in (
        attrmap.compare([matrix, matrix]),
        attrmap.heatmap(matrix).figure,
        *attrmap.plotting.render_text_pages(matrix),
    ):
        assert isinstance(made, NotebookFigure)


def test_the_preview_of_a_large_figure_is_bounded(matrix):
    figure = attrmap.render(matrix, dpi=600)  # 19 megapixels at its own dpi
    png, size = figure._repr_png_()
    height, width = imread(io.BytesIO(png)).shape[:2]
    assert width * height <= MAX_PREVIEW_PIXELS * 1.01
    assert size["width"] == round(figure.get_figwidth() * 96)


def test_the_axes_heatmap_made_shows_as_its_figure(matrix):
    axes = attrmap.heatmap(matrix)
    data, metadata = axes._repr_mimebundle_()
    assert data["image/png"] == axes.figure._repr_png_()[0]
    assert metadata == {"image/png": axes.figure._repr_png_()[1]}


def test_a_matrix_shows_as_its_heatmap_in_html(matrix):
    html = matrix._repr_html_()
    assert html.count("<td ") == 65 and 'class="attrmap-grid"' in html
    assert "1.3714" in html and "Token Attribution" in html
    assert "$35 ($85 - $50)" in html  # a literal $, escaped as text
    assert "<script" not in html and "<html" not in html  # a fragment, no script
    css = re.search(r"<style>\n(.*?)</style>", html, re.S)[1]
    selectors = [rule.split("{")[0] for rule in re.findall(r"^[^{}\n]+\{", css, re.M)]
    assert selectors and all(
        part.strip().startswith(".attrmap") for rule in selectors for part in rule.split(",")
    ), selectors  # nothing styles the notebook around it


def test_a_long_matrix_shows_its_first_tokens_at_a_bounded_size():
    values = np.random.default_rng(1).normal(size=(3000, 4))
    long = AttributionMatrix([f"t{i}" for i in range(3000)], list("abcd"), values)
    html = long._repr_html_()
    shown = NOTEBOOK_CELLS // 4
    assert html.count("<td ") == shown * 4
    assert f"The first {shown:,} of 3,000 tokens" in html
    assert len(html) < 400_000
    assert "max-height:32em" in html  # in a box that scrolls


def _notebook_kernel_available() -> bool:
    return all(importlib.util.find_spec(m) for m in ("nbclient", "nbformat", "ipykernel"))


@pytest.mark.slow
def test_a_notebook_executed_in_a_real_kernel_shows_pictures(tmp_path, monkeypatch):
    require("nbclient, nbformat and ipykernel (the test extra)", _notebook_kernel_available())
    import nbformat
    from nbclient import NotebookClient

    # The kernel imports this attrmap, and uses Jupyter's own matplotlib backend (inline).
    src = Path(attrmap.__file__).resolve().parents[1]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(src), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.delenv("MPLBACKEND", raising=False)
    example = EXAMPLES / "token_attribution.csv"
    cells = [
        f"import attrmap\nmatrix = attrmap.load_matrix({str(example)!r})",
        "attrmap.render(matrix)",  # 1: a figure
        "matrix",  # 2: a matrix
        "attrmap.heatmap(matrix, cmap='RdBu', range='auto')",  # 3: the Axes of a new figure
        "attrmap.compare([matrix, matrix], titles=['A', 'B'])",  # 4
        # 5: pyplot (Jupyter's inline backend) for a multi-panel figure; then a figure
        # attrmap returns still shows as attrmap draws it.
        "import matplotlib.pyplot as plt\n"
        "fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4), layout='constrained')\n"
        "attrmap.heatmap(matrix, ax=left)\nright.plot(matrix.values.sum(axis=1))\nplt.show()",
        "attrmap.render(matrix)",  # 6
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(notebook, timeout=300, kernel_name="python3", resources={}).execute()

    def outputs(index: int) -> list[dict]:
        found = notebook.cells[index].outputs
        assert not [o for o in found if o.output_type == "error"], found
        return [o for o in found if o.output_type in ("execute_result", "display_data")]

    def png_of(output: dict) -> np.ndarray:
        return imread(io.BytesIO(base64.b64decode(output["data"]["image/png"])))

    for index in (1, 3, 4, 6):
        (result,) = outputs(index)
        assert "image/png" in result["data"], (index, list(result["data"]))
        assert result["metadata"]["image/png"]["width"] > 0  # attrmap's preview, sized
        assert png_of(result).shape[0] > 300
    assert png_of(outputs(1)[0]).shape[:2] == (949, 1187)
    assert np.array_equal(png_of(outputs(1)[0]), png_of(outputs(6)[0]))  # pyplot or not
    (shown,) = outputs(2)
    assert "text/html" in shown["data"] and "attrmap-grid" in shown["data"]["text/html"]
    assert "text/plain" in shown["data"]
    (panels,) = outputs(5)  # pyplot's own figure, drawn by the inline backend
    assert "image/png" in panels["data"]
