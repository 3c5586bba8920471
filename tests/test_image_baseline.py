"""Pixel comparison of the reference figure against a committed, eyeballed baseline.

The baseline (also the README's picture) was rendered by ``attrmap render
examples/token_attribution.csv`` and checked by eye against the reference description.
Regenerate it only deliberately, after looking at the new image.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from matplotlib.testing.compare import compare_images
from matplotlib.testing.exceptions import ImageComparisonFailure

import attrmap
from attrmap import Style, load_config, load_matrix, save_figure
from conftest import CONFIGS, EXAMPLES

BASELINE = Path(__file__).parent / "baseline" / "token_attribution.png"
TOLERANCE = 2.0  # RMS over 0-255 channels; anti-aliasing noise only, no visible change


@pytest.mark.parametrize("example", ["token_attribution.csv", "token_attribution.yaml"])
def test_reference_figure_matches_baseline(tmp_path, example):
    actual = tmp_path / "token_attribution.png"
    save_figure(attrmap.render(load_matrix(EXAMPLES / example)), actual)
    assert compare_images(str(BASELINE), str(actual), tol=TOLERANCE) is None


@pytest.mark.parametrize(
    "style",
    [load_config(CONFIGS / "colorblind.yaml").style, Style(fmt=".3f"), Style(vmax=2.0)],
    ids=["palette", "digits", "range"],
)
def test_comparison_catches_a_visible_change(tmp_path, style):
    actual = tmp_path / "changed.png"
    save_figure(attrmap.render(load_matrix(EXAMPLES / "token_attribution.csv"), style), actual)
    try:
        difference = compare_images(str(BASELINE), str(actual), tol=TOLERANCE)
    except ImageComparisonFailure:  # a different size is a difference too
        difference = "size"
    assert difference is not None


def test_default_render_is_byte_identical_to_the_baseline(tmp_path, monkeypatch, run_cli):
    """The reference figure must not change by default: not a pixel, not a byte."""
    # In a project that sets nothing, wherever the tests run from.
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "paper"\n')
    monkeypatch.chdir(tmp_path)

    actual = tmp_path / "token_attribution.png"
    result = run_cli("render", EXAMPLES / "token_attribution.csv", "-o", actual)
    assert result.exit_code == 0, result.output
    assert actual.read_bytes() == BASELINE.read_bytes()


#: Figures of the scale and layout options, each rendered small (low dpi) to keep the
#: repository light, and checked by eye before being committed: (baseline files, input,
#: options). A paged figure is checked on its first and last pages.
OPTION_BASELINES = {
    "transposed": (["transposed.png"], EXAMPLES / "token_attribution.csv", ["--transpose"]),
    "auto_range": (
        ["auto_range.png"],
        Path(__file__).parent / "data" / "small_values.csv",
        ["--range", "auto"],
    ),
    "long_paged": (
        ["long-1.png", "long-3.png"],
        Path(__file__).parent / "data" / "long_sequence.csv",
        ["--shape", "any", "--rows-per-page", "25", "--dpi", "40"],
    ),
    "text_short": (["text_short.png"], EXAMPLES / "token_attribution.csv", ["--layout", "text"]),
    "text_paged": (
        ["text_paged-1.png", "text_paged-2.png"],
        Path(__file__).parent / "data" / "long_sequence.csv",
        ["--shape", "any", "--layout", "text", "--page", "6x6", "--dpi", "40"],
    ),
}


@pytest.mark.parametrize("name", sorted(OPTION_BASELINES))
def test_option_figures_match_their_baselines(tmp_path, name, run_cli):
    baselines, source, options = OPTION_BASELINES[name]
    stem = baselines[0].split("-")[0].removesuffix(".png")
    dpi = [] if "--dpi" in options else ["--dpi", "50"]
    result = run_cli("render", source, "-o", tmp_path / f"{stem}.png", *options, *dpi)
    assert result.exit_code == 0, result.output
    for baseline in baselines:
        actual = tmp_path / baseline
        expected = BASELINE.parent / baseline
        assert compare_images(str(expected), str(actual), tol=TOLERANCE) is None
    if name == "long_paged":
        assert sorted(p.name for p in tmp_path.iterdir()) == [
            "long-1.png",
            "long-2.png",
            "long-3.png",
        ]
