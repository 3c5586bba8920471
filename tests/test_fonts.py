"""Every script draws as its glyphs: font fallback, --font chains, keys that name the fonts.

These tests need a CJK and a Devanagari font (Debian: fonts-droid-fallback and
fonts-lohit-deva, installed by .ci/run). Without them they fail under CI=true and are
skipped elsewhere.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import warnings

import numpy as np
import pytest
from click.testing import CliRunner

import attrmap
from attrmap import AttributionMatrix, Style, StyleError
from attrmap.cli import cli
from attrmap.fonts import DEJAVU_SANS, FontChoice, choose_fonts, fonts_for, installed_fonts
from attrmap.plotting import HeatmapCanvas, prepare
from attrmap.provenance import figure_key
from conftest import ROOT

SCRIPTS = {"CJK": ("中", "文"), "Devanagari": ("क", "म")}
PACKAGES = {"CJK": "fonts-droid-fallback", "Devanagari": "fonts-lohit-deva"}


def require_font_for(script: str) -> None:
    char = SCRIPTS[script][0]
    if choose_fonts([char]).missing:
        message = f"no installed {script} font: apt-get install {PACKAGES[script]}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def matrix(token: str, expression: str = "x") -> AttributionMatrix:
    return AttributionMatrix(["The", token], [expression, "y"], np.array([[0.1, 0.2], [0.3, 0.4]]))


def pixels(matrix: AttributionMatrix, style: Style | None = None) -> np.ndarray:
    plan = prepare(matrix, style or Style())
    return HeatmapCanvas(plan.layout, style or Style()).draw_pixels(plan).copy()


@pytest.mark.parametrize("script", SCRIPTS)
def test_tokens_differing_in_one_character_draw_different_pixels(script):
    require_font_for(script)
    first, second = SCRIPTS[script]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no glyph may be missing
        a, b = pixels(matrix(first)), pixels(matrix(second))
    assert a.shape == b.shape
    assert (a != b).any(), f"{first} and {second} drew the same pixels: boxes, not glyphs"
    # ... and not because one of them fell back to a box: a box is the same for both.
    assert pixels(matrix(first)).tobytes() == a.tobytes()


def test_fallback_fonts_are_chosen_per_script_and_ranked():
    require_font_for("CJK")
    require_font_for("Devanagari")
    choice = choose_fonts(["The 中", "नमस्ते"])
    assert choice.chain[0] == DEJAVU_SANS and len(choice.chain) == 3 and not choice.missing
    assert choose_fonts(["नमस्ते", "中"]) == choice  # order of labels does not matter
    assert choose_fonts(["The", "café", "Ωμέγα", "Привет"]) == FontChoice()  # DejaVu has them


def test_a_character_no_font_has_is_one_warning_naming_it(tmp_path):
    data = tmp_path / "linear_b.yaml"
    data.write_text(
        'expressions: ["a"]\ntokens: ["\U00010000", "\U00010000x"]\nvalues: [[0.5], [1]]\n'
    )
    result = CliRunner().invoke(
        cli, ["render", str(data), "-o", str(tmp_path / "f.png"), "--shape", "any"]
    )
    assert result.exit_code == 0, result.output
    warning_lines = [line for line in result.output.splitlines() if "warning" in line]
    assert len(warning_lines) == 1, warning_lines
    assert "U+10000 LINEAR B SYLLABLE B008 A" in warning_lines[0]
    assert "fonts-noto-core" in warning_lines[0]


def test_a_font_chain_is_the_users_choice():
    require_font_for("CJK")
    chain = ("Droid Sans Fallback",)
    choice = choose_fonts(["中", "क"], chain)
    assert choice.chain[0].endswith("DroidSansFallbackFull.ttf") and choice.chain[1] == DEJAVU_SANS
    assert choice.missing == ("क",) and "Lohit Devanagari" in choice.missing_messages()[0]
    # Annotations are numbers; a chain whose first font lacks digits still draws them.
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns of each glyph it lacks
        pixels(matrix("中"), Style(fonts=chain))
    with pytest.raises(StyleError, match="font 'No Such Font' is not installed"):
        choose_fonts(["a"], ("No Such Font",))


def test_font_option_and_config_setting(tmp_path):
    require_font_for("CJK")
    config = tmp_path / "fonts.yaml"
    config.write_text("fonts: [Droid Sans Fallback]\n")
    assert attrmap.load_config(config).style.fonts == ("Droid Sans Fallback",)
    result = CliRunner().invoke(cli, ["config", "--font", "Droid Sans Fallback", "--font", "x y"])
    assert result.exit_code == 1 and "font 'x y' is not installed" in result.output


def test_the_key_names_the_font_files_and_their_content(tmp_path, monkeypatch):
    require_font_for("CJK")
    latin, cjk = matrix("cat"), matrix("中")
    assert fonts_for(latin, Style()).key() is None  # 1.0's key for what DejaVu draws
    files = fonts_for(cjk, Style()).files
    copy = tmp_path / "fonts" / os.path.basename(files[0])
    copy.parent.mkdir()
    shutil.copyfile(files[0], copy)
    before = FontChoice((DEJAVU_SANS, str(copy))).key()
    assert before == fonts_for(cjk, Style()).key()  # the content counts, not the path
    with open(copy, "ab") as handle:
        handle.write(b"\0")
    assert FontChoice((DEJAVU_SANS, str(copy))).key() != before
    assert figure_key(cjk, Style(), "png") != figure_key(cjk, Style(fonts=("DejaVu Sans",)), "png")


def test_a_font_installed_after_matplotlib_built_its_cache_is_used(tmp_path, monkeypatch):
    require_font_for("Devanagari")
    from matplotlib.font_manager import FontProperties, fontManager

    source = fonts_for(matrix("क"), Style()).files[0]
    fresh = tmp_path / "share" / "fonts" / "new-font.ttf"
    fresh.parent.mkdir(parents=True)
    shutil.copyfile(source, fresh)
    assert str(fresh) not in {entry.fname for entry in fontManager.ttflist}
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    installed_fonts.cache_clear()
    try:
        assert str(fresh) in {font.path for font in installed_fonts()}
        choice = FontChoice((DEJAVU_SANS, str(fresh)))
        from attrmap.plotting.rc import register_fonts

        register_fonts(choice)
        assert fontManager.findfont(FontProperties(family=choice.families[1])) == str(fresh)
    finally:
        installed_fonts.cache_clear()


@pytest.mark.parametrize("figure_format", ["png", "svg", "pdf"])
def test_fallback_figures_are_byte_deterministic(tmp_path, figure_format):
    require_font_for("CJK")
    outputs = []
    for name in ("a", "b"):
        path = tmp_path / f"{name}.{figure_format}"
        attrmap.save_figure(attrmap.render(matrix("中文")), path)
        outputs.append(path.read_bytes())
    assert outputs[0] == outputs[1]
    if figure_format == "pdf":
        assert b"DroidSansFallback" in outputs[0]  # embedded, not a box


def test_check_of_fallback_figures_is_current_and_imports_no_matplotlib(tmp_path):
    require_font_for("CJK")
    data, out = tmp_path / "data", tmp_path / "out"
    data.mkdir()
    (data / "zh.yaml").write_text(
        'expressions: ["猫", "b"]\ntokens: ["中", "文"]\nvalues: [[0.1, 0.2], [0.3, 0.4]]\n'
    )
    rendered = CliRunner().invoke(cli, ["batch", str(data), "-o", str(out), "--shape", "any"])
    assert rendered.exit_code == 0, rendered.output
    argv = ["batch", str(data), "-o", str(out), "--shape", "any", "--check"]
    code = (
        "import sys\nfrom attrmap.cli import cli\n"
        f"try:\n    cli({argv!r}, prog_name='attrmap')\nexcept SystemExit as e:\n"
        "    assert not e.code, e.code\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib was imported'\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr + proc.stdout
