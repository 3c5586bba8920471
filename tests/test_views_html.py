"""HTML output: one self-contained, deterministic file whose table is the figure's data."""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

import attrmap
from attrmap import Style, load_matrix
from attrmap.prepared import prepare_data
from attrmap.provenance import figure_key, read_figure_key
from attrmap.views.html import ColorScale, heatmap_html
from conftest import EXAMPLES, REFERENCE_EXPRESSIONS, REFERENCE_TOKENS

REFERENCE = EXAMPLES / "token_attribution.csv"


class Page(HTMLParser):
    """The parts of the page the tests look at: elements with their attributes and text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None], list[str]]] = []
        self._open: list[list[str]] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        text: list[str] = []
        self.elements.append((tag, dict(attrs), text))
        if tag not in ("meta", "br", "link", "img", "input"):
            self._open.append(text)

    def handle_endtag(self, tag):
        if self._open:
            self._open.pop()

    def handle_data(self, data):
        for text in self._open:
            text.append(data)

    def find(self, tag: str, **attrs: str) -> list[tuple[dict[str, str | None], str]]:
        return [
            (a, "".join(t))
            for name, a, t in self.elements
            if name == tag and all(a.get(k.replace("_", "-")) == v for k, v in attrs.items())
        ]


def render_html(run_cli, tmp_path: Path, *args: str, name: str = "fig.html") -> Path:
    out = tmp_path / name
    result = run_cli("render", REFERENCE, "-o", out, *args)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def reference_page(tmp_path_factory, run_cli) -> tuple[Path, Page]:
    path = render_html(run_cli, tmp_path_factory.mktemp("html"))
    return path, Page(path.read_text(encoding="utf-8"))


def test_a_real_table_with_scoped_headers(reference_page):
    _, page = reference_page
    assert [t for _, t in page.find("th", scope="col")] == REFERENCE_EXPRESSIONS
    assert [t for _, t in page.find("th", scope="row")] == REFERENCE_TOKENS
    matrix = load_matrix(REFERENCE)
    cells = page.find("td", tabindex="0") + page.find("td", tabindex="-1")
    assert len(cells) == 65 and len(page.find("td", tabindex="0")) == 1  # roving tabindex
    exact = sorted(float(a["data-v"]) for a, _ in cells)
    assert exact == sorted(matrix.values.ravel().tolist())  # repr round-trips exactly


def test_cells_are_annotated_and_coloured_like_the_png(reference_page):
    """Each cell's inline colours are the PNG's pixels, read from the drawn figure."""
    _, page = reference_page
    matrix = load_matrix(REFERENCE)
    figure = attrmap.render(matrix)
    figure.canvas.draw()
    pixels = np.asarray(figure.canvas.buffer_rgba())
    ax = figure.axes[0]
    annotations = [t.get_text() for t in ax.texts]
    cells = [(a, t) for a, t in page.find("td") if a.get("tabindex") is not None]
    assert [t for _, t in cells] == annotations
    for index, (attrs, _) in enumerate(cells):
        row, col = divmod(index, 5)
        # Near the cell's corner, away from the annotation's ink.
        x, y = ax.transData.transform((col - 0.35, row - 0.35))
        r, g, b = pixels[int(pixels.shape[0] - y), int(x), :3]
        background, color = re.fullmatch(
            r"background:(#[0-9a-f]{6});color:(#[0-9a-f]{6})", attrs["style"]
        ).groups()
        assert background == f"#{r:02x}{g:02x}{b:02x}", (row, col)
        assert color == ax.texts[index].get_color()


def test_title_legend_ticks_and_description(tmp_path, run_cli):
    path = render_html(
        run_cli, tmp_path, "--title", "Layer <12> & more", "--vmin", "-0.3", "--vmax", "2"
    )
    text = path.read_text(encoding="utf-8")
    page = Page(text)
    assert [t for _, t in page.find("caption")] == ["Layer <12> & more"]
    assert "Layer &lt;12&gt; &amp; more" in text  # escaped, never markup
    style = Style(vmin=-0.3, vmax=2.0)
    figure = attrmap.render(load_matrix(REFERENCE), style)
    figure.canvas.draw()
    drawn = [t.get_text() for t in figure.axes[1].get_yticklabels()]
    assert (
        [t for _, t in page.find("li")]
        == drawn
        == ["0.0", "0.5", "1.0", "1.5", "2.0"]  # round ticks, not fifths of the range
    )
    legend = page.find("div", **{"class": "attrmap-legend"})
    assert legend and "Token Attribution" in legend[0][0]["aria-label"]
    (table,) = page.find("table")
    (caption,) = page.find("figcaption")
    assert caption[0]["id"] == table[0]["aria-describedby"]
    assert "13 tokens by 5 expressions" in caption[1] and "1.3714" in caption[1]
    assert len(page.find("p", **{"class": "attrmap-detail", "aria-live": "polite"})) == 1


def test_extend_arrows_follow_the_data(reference_page, tmp_path, run_cli):
    _, page = reference_page
    assert page.find("div", **{"class": "attrmap-arrow max"})  # 1.3714 > 1
    assert not page.find("div", **{"class": "attrmap-arrow min"})
    wide = Page(render_html(run_cli, tmp_path, "--vmin", "-2", "--vmax", "2").read_text())
    assert not wide.find("div", **{"class": "attrmap-arrow max"})


def test_tick_labels_match_the_colorbar_for_tiny_ranges_too():
    figure = attrmap.render(load_matrix(REFERENCE), Style(vmin=-1e-6, vmax=3e-6))
    figure.canvas.draw()
    colorbar = figure.axes[1]
    drawn = [t.get_text() for t in colorbar.get_yticklabels()]
    offset = colorbar.yaxis.get_offset_text().get_text()
    style = Style(vmin=-1e-6, vmax=3e-6)
    scale = ColorScale.of(prepare_data(load_matrix(REFERENCE), style), style)
    assert list(scale.tick_labels) == drawn
    # Tiny ranges get full numbers with one count of decimals, never an offset text.
    assert offset == "" and drawn[-1] == "0.000003"


def test_key_in_meta_within_the_first_8_kb(reference_page):
    path, page = reference_page
    style = Style()
    key = figure_key(load_matrix(REFERENCE), style, "html")
    assert read_figure_key(path) == key
    (meta,) = page.find("meta", name="attrmap-key")
    assert meta[0]["content"] == f"attrmap:{key}"
    assert path.read_bytes().index(key.encode()) < 1024
    assert figure_key(load_matrix(REFERENCE), style, "png") != key


def test_self_contained_small_and_deterministic(reference_page, tmp_path, run_cli):
    path, _ = reference_page
    data = path.read_bytes()
    assert len(data) < 100_000
    text = data.decode("utf-8")
    assert not re.search(r"(?i)https?:|//[a-z0-9]|url\(|@import|<link|\ssrc=|\shref=", text)
    again = render_html(run_cli, tmp_path, name="again.html").read_bytes()
    assert again == data


def test_batch_writes_the_same_bytes_as_render_and_check_passes(reference_page, tmp_path, run_cli):
    path, _ = reference_page
    data = tmp_path / "in"
    data.mkdir()
    (data / "fig.csv").write_bytes(REFERENCE.read_bytes())
    out = tmp_path / "out"
    result = run_cli("batch", data, "-o", out, "--format", "html")
    assert result.exit_code == 0, result.output
    assert (out / "fig.html").read_bytes() == path.read_bytes()
    check = run_cli("batch", data, "-o", out, "--format", "html", "--check")
    assert check.exit_code == 0, check.output
    (data / "fig.csv").write_text(REFERENCE.read_text().replace("0.3452", "0.3453"))
    stale = run_cli("batch", data, "-o", out, "--format", "html", "--check")
    assert stale.exit_code == 1 and "out of date" in stale.output


def test_batch_html_starts_no_worker_processes(tmp_path, monkeypatch):
    import attrmap.batch as batch_module
    import attrmap.batch.executors as executors_module

    def no_pool(*args, **kwargs):
        raise AssertionError("HTML needs no worker processes")

    monkeypatch.setattr(executors_module, "start_pool", no_pool)
    data = tmp_path / "in"
    data.mkdir()
    for i in range(3):
        (data / f"m{i}.csv").write_bytes(REFERENCE.read_bytes())
    options = batch_module.BatchOptions(figure_format="html", jobs=2)
    summary = batch_module.run_batch(data, tmp_path / "out", options)
    assert summary.ok and summary.counts[batch_module.Status.RENDERED] == 3


def test_html_render_imports_no_backend_and_no_pyplot(tmp_path):
    out = tmp_path / "x.html"
    code = (
        "import sys\n"
        "from attrmap.cli import cli\n"
        f"try:\n    cli(['render', {str(REFERENCE)!r}, '-o', {str(out)!r}], prog_name='attrmap')\n"
        "except SystemExit as e:\n    assert not e.code, e.code\n"
        "bad = [m for m in sys.modules if 'pyplot' in m or m.startswith('matplotlib.backends.')"
        " and m != 'matplotlib.backends.registry']\n"
        "assert not bad, bad\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert out.exists()


def test_labels_are_escaped_and_control_characters_shown(tmp_path):
    matrix = attrmap.AttributionMatrix(
        ["<b>", "a\nb", '"q"'], ["x & y", "</table>"], np.array([[0.1, -0.2], [0.3, 0.4], [1, 2]])
    )
    page_bytes = heatmap_html(prepare_data(matrix, Style()), Style())
    text = page_bytes.decode()
    page = Page(text)
    assert [t for _, t in page.find("th", scope="row")] == ["<b>", "a\\nb", '"q"']
    assert [t for _, t in page.find("th", scope="col")] == ["x & y", "</table>"]
    assert text.count("<table") == 1 and text.count("</table>") == 1


def test_save_figure_refuses_html_with_a_pointer_to_render(tmp_path):
    figure = attrmap.render(load_matrix(REFERENCE))
    with pytest.raises(attrmap.OutputError, match="HTML"):
        attrmap.save_figure(figure, tmp_path / "x.html")
