"""Every script draws as its glyphs: font fallback, --font chains, keys that name the fonts.

These tests need a CJK and a Devanagari font (Debian: fonts-droid-fallback and
fonts-lohit-deva, installed by .ci/run). Without them they fail under CI=true and are
skipped elsewhere. What they assert follows the fonts installed (which font draws a
script is looked up, never assumed): .ci/run runs them again under several font sets
(``$ATTRMAP_FONT_PATH``), and ``font_set`` below restricts them within one test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import attrmap
from attrmap import AttributionMatrix, Style, StyleError, font_files
from attrmap.font_files import FontFile, installed_fonts
from attrmap.fonts import DEJAVU_SANS, FontChoice, choose_fonts, fonts_for
from attrmap.plotting import HeatmapCanvas, prepare
from attrmap.provenance import figure_key
from conftest import ROOT, require

SCRIPTS = {"CJK": ("中", "文"), "Devanagari": ("क", "म")}
PACKAGES = {"CJK": "fonts-droid-fallback", "Devanagari": "fonts-lohit-deva"}


def require_font_for(script: str) -> FontFile:
    """The installed font that draws ``script`` (skipped, or failed under CI=true, if none)."""
    font = best_font_for(SCRIPTS[script][0])
    require(f"a {script} font (apt-get install {PACKAGES[script]})", font is not None)
    assert font is not None
    return font


def best_font_for(char: str) -> FontFile | None:
    """The font fallback gives ``char`` to: the best-ranked installed font that has it."""
    return next((font for font in installed_fonts() if font.covers(char)), None)


@pytest.fixture
def font_set(tmp_path, monkeypatch):
    """``use(*files)``: attrmap sees only these font files (and matplotlib's own)."""
    folder = tmp_path / "font-set"

    def use(*files: str) -> Path:
        folder.mkdir(exist_ok=True)
        for file in files:
            (folder / os.path.basename(file)).symlink_to(file)
        monkeypatch.setenv(font_files.FONT_PATH_VARIABLE, str(folder))
        installed_fonts.cache_clear()
        return folder

    yield use
    monkeypatch.delenv(font_files.FONT_PATH_VARIABLE, raising=False)
    installed_fonts.cache_clear()


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
    cjk, devanagari = require_font_for("CJK"), require_font_for("Devanagari")
    choice = choose_fonts(["The 中", "नमस्ते"])
    assert choice.chain[0] == DEJAVU_SANS and not choice.missing
    # Each script from the best-ranked font that has it, the chain in rank order.
    ranked = [font.path for font in installed_fonts()]
    expected = sorted({cjk.path, devanagari.path}, key=ranked.index)
    assert list(choice.chain[1:]) == expected
    assert choose_fonts(["नमस्ते", "中"]) == choice  # order of labels does not matter
    assert choose_fonts(["The", "café", "Ωμέγα", "Привет"]) == FontChoice()  # DejaVu has them


#: Characters few fonts have (Linear B, Zanabazar Square, Mayan numerals), by name.
RARE = {
    "\U00010000": "LINEAR B SYLLABLE B008 A",
    "\U00011a00": "ZANABAZAR SQUARE LETTER A",
    "\U0001d2e0": "MAYAN NUMERAL ZERO",
}


def test_a_character_no_font_has_is_one_warning_naming_it(tmp_path, run_cli):
    char = next((char for char in RARE if best_font_for(char) is None), None)
    if char is None:
        pytest.skip("every installed candidate character has a font here")
    data = tmp_path / "rare.yaml"
    data.write_text(f'expressions: ["a"]\ntokens: ["{char}", "{char}x"]\nvalues: [[0.5], [1]]\n')
    result = run_cli("render", data, "-o", tmp_path / "f.png", "--shape", "any")
    assert result.exit_code == 0, result.output
    warning_lines = [line for line in result.output.splitlines() if "warning" in line]
    assert len(warning_lines) == 1, warning_lines
    assert f"U+{ord(char):04X} {RARE[char]}" in warning_lines[0]
    assert "fonts-noto-core" in warning_lines[0]


def test_a_font_chain_is_the_users_choice():
    cjk = require_font_for("CJK")
    chain = (cjk.family,)
    choice = choose_fonts(["中", "क"], chain)
    assert choice.chain == (cjk.path, DEJAVU_SANS)
    if cjk.covers("क"):
        assert not choice.missing
    else:  # the warning names the installed font that has it, or a package to install
        assert choice.missing == ("क",)
        devanagari = best_font_for("क")
        remedy = f"{devanagari.family!r} to fonts=..." if devanagari else "install a font"
        assert remedy in str(choice.missing_messages()[0])
    # Annotations are numbers; a chain whose first font lacks digits still draws them.
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns of each glyph it lacks
        pixels(matrix("中"), Style(fonts=chain))
    with pytest.raises(StyleError, match="font 'No Such Font' is not installed"):
        choose_fonts(["a"], ("No Such Font",))


def test_font_option_and_config_setting(tmp_path, run_cli):
    family = require_font_for("CJK").family
    config = tmp_path / "fonts.yaml"
    config.write_text(f"fonts: [{family}]\n")
    assert attrmap.load_config(config).style.fonts == (family,)
    result = run_cli("config", "--font", family, "--font", "x y")
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

    monkeypatch.delenv(font_files.FONT_PATH_VARIABLE, raising=False)  # the usual folders

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
    cjk = require_font_for("CJK")
    outputs = []
    for name in ("a", "b"):
        path = tmp_path / f"{name}.{figure_format}"
        attrmap.save_figure(attrmap.render(matrix("中文")), path)
        outputs.append(path.read_bytes())
    assert outputs[0] == outputs[1]
    if figure_format == "pdf":  # embedded, not a box
        from matplotlib.ft2font import FT2Font

        assert FT2Font(cjk.path).postscript_name.encode() in outputs[0]


def test_check_of_fallback_figures_is_current_and_imports_no_matplotlib(tmp_path, run_cli):
    require_font_for("CJK")
    data, out = tmp_path / "data", tmp_path / "out"
    data.mkdir()
    (data / "zh.yaml").write_text(
        'expressions: ["猫", "b"]\ntokens: ["中", "文"]\nvalues: [[0.1, 0.2], [0.3, 0.4]]\n'
    )
    rendered = run_cli("batch", data, "-o", out, "--shape", "any")
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


# --------------------------------------------------------------------------- colour emoji

CAT, DOG = "\U0001f408", "\U0001f415"  # not in DejaVu Sans; in Symbola


def colour_emoji_font() -> FontFile | None:
    """An installed bitmap-only emoji font (Noto Color Emoji: CBDT), which FreeType
    cannot scale: matplotlib refuses it with NotImplementedError."""
    every = font_files.every_font_file()
    return next((font for font in every if not font.scalable and font.covers(CAT)), None)


def emoji_render(run_cli, tmp_path: Path, *options: str) -> list[tuple[str, object]]:
    """Render emoji labels to every format (and batch, compare); each command's result."""
    data = tmp_path / "in" / "emoji.yaml"
    data.parent.mkdir(parents=True, exist_ok=True)
    data.write_text(
        f'expressions: ["a {DOG}", "b"]\ntokens: ["cat {CAT}", "x"]\nvalues: [[0.5, 1], [1, 0.2]]\n'
    )
    shape = ("--shape", "any", *options)
    runs = [
        (fmt, ["render", str(data), "-o", str(tmp_path / f"emoji.{fmt}"), *shape])
        for fmt in ("png", "svg", "pdf", "html")
    ]
    batch = ["batch", str(data.parent), "-o", str(tmp_path / "out"), "-j", "1", *shape]
    runs.append(("batch", batch))
    compare = ["compare", str(data), str(data), "-o", str(tmp_path / "both.png"), *shape]
    runs.append(("compare", compare))
    return [(name, run_cli(*argv)) for name, argv in runs]


@pytest.mark.parametrize("with_outline_font", [False, True], ids=["colour-only", "outline"])
def test_emoji_labels_with_a_colour_bitmap_font_installed(
    tmp_path, font_set, with_outline_font, run_cli
):
    colour = colour_emoji_font()
    require("a colour bitmap emoji font (apt-get install fonts-noto-color-emoji)", bool(colour))
    assert colour is not None
    outline = best_font_for(CAT) if with_outline_font else None
    if with_outline_font:
        require("an outline emoji font (apt-get install fonts-symbola)", outline is not None)
    font_set(colour.path, *([outline.path] if outline else []))
    assert colour.path not in {font.path for font in installed_fonts()}  # never a fallback

    for name, result in emoji_render(run_cli, tmp_path):
        assert result.exit_code == 0, (name, result.output)
        warning_lines = [line for line in result.output.splitlines() if "warning" in line]
        if outline is not None:  # drawn from the outline font: nothing to warn about
            assert warning_lines == [], (name, warning_lines)
        elif name != "html":  # a browser draws HTML's labels with its own fonts
            assert len(warning_lines) == 1, (name, warning_lines)  # one for the figure
            assert all("drawn as boxes" in line for line in warning_lines)
            assert not any(colour.family in line for line in warning_lines), warning_lines
    if outline is not None:  # and through --font: the outline font asked for by name
        for name, result in emoji_render(run_cli, tmp_path / "by-name", "--font", outline.family):
            assert result.exit_code == 0 and "warning" not in result.output, (name, result.output)
    # Drawn as glyphs (two emoji differ) from an outline font, else as the same box.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # matplotlib's own missing-glyph warnings
        differ = (pixels(matrix(CAT)) != pixels(matrix(DOG))).any()
    assert differ == (outline is not None)
    # The advice for a --font chain that lacks it names no bitmap font either.
    advice = choose_fonts([CAT], (DEJAVU_SANS,)).missing_messages()
    assert advice and not any(colour.family in str(line) for line in advice)


def test_a_colour_bitmap_font_asked_for_by_name_is_one_line_error(tmp_path, font_set, run_cli):
    colour = colour_emoji_font()
    require("a colour bitmap emoji font (apt-get install fonts-noto-color-emoji)", bool(colour))
    assert colour is not None
    font_set(colour.path)
    for name, result in emoji_render(run_cli, tmp_path, "--font", colour.family):
        assert result.exit_code == 1, (name, result.output)
        assert result.output.count("\n") == 1 and "Traceback" not in result.output, result.output
        assert f"font {colour.family!r} is a bitmap font" in result.output
    config = tmp_path / "fonts.yaml"
    config.write_text(f"fonts: [{colour.family}]\n")
    with pytest.raises(StyleError, match="bitmap font"):
        choose_fonts([CAT], attrmap.load_config(config).style.fonts)


def noto_cjk_faces() -> dict[str, FontFile]:
    """The faces of the installed Noto Sans CJK collection by family (skipped, or failed
    under CI=true, without it): its first face is JP, the others KR, SC, TC, HK."""
    faces = {
        font.family: font
        for font in installed_fonts()
        if font.path.endswith("NotoSansCJK-Regular.ttc") and font.weight == 400
    }
    require(
        "Noto Sans CJK (apt-get install fonts-noto-cjk)",
        {"Noto Sans CJK JP", "Noto Sans CJK KR"} <= faces.keys(),
    )
    return faces


def test_every_face_of_a_collection_is_a_family_drawn_from_that_face(tmp_path, run_cli):
    from matplotlib.font_manager import FontProperties, get_font

    from attrmap.plotting.glyphs import font_chain
    from attrmap.plotting.rc import register_fonts

    faces = noto_cjk_faces()
    jp, kr = faces["Noto Sans CJK JP"], faces["Noto Sans CJK KR"]
    assert (jp.path, jp.index) == (kr.path, 0) and kr.index > 0
    # 化 has different JP and KR forms: a KR figure draws KR's, from the KR face.
    han = matrix("化")
    drawn = {face: pixels(han, Style(fonts=(face.family,))) for face in (jp, kr)}
    assert (drawn[jp] != drawn[kr]).any()
    choice = choose_fonts(["化"], (kr.family,))
    assert choice.chain == (kr.entry, DEJAVU_SANS) and not choice.missing
    register_fonts(choice)
    first = font_chain(FontProperties(family=list(choice.families)))[0]
    assert get_font(first).family_name == "Noto Sans CJK KR"
    # The key tells the faces apart; the first face keeps the key it always had.
    assert choice.key() != choose_fonts(["化"], (jp.family,)).key()
    assert choose_fonts(["化"], (jp.family,)).key()[0][0] == os.path.basename(jp.path)
    # The command line names it too, and an unknown family is still one line.
    out = tmp_path / "kr.png"
    result = run_cli(
        "render",
        "--font",
        kr.family,
        "-o",
        str(out),
        str(ROOT / "examples" / "token_attribution.csv"),
    )
    assert result.exit_code == 0 and out.exists(), result.output
    result = run_cli(
        "render",
        "--font",
        "Noto Sans CJK XX",
        "-o",
        str(tmp_path / "x.png"),
        str(ROOT / "examples" / "token_attribution.csv"),
    )
    assert result.exit_code == 1 and result.output.count("\n") == 1
    assert "font 'Noto Sans CJK XX' is not installed" in result.output
    assert "Noto Sans CJK KR" in result.output and not (tmp_path / "x.png").exists()


def test_a_collection_face_is_a_fallback_candidate():
    faces = noto_cjk_faces()
    candidates = {font.entry for font in installed_fonts()}
    assert all(face.entry in candidates for face in faces.values())
    # Ties go to the collection's first face, so fallback figures keep their fonts.
    best = best_font_for("化")
    assert best is not None and best.index == 0
