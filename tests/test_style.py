from __future__ import annotations

import pytest

from attrmap import Config, Style, StyleError, load_config
from attrmap.scale import colorbar_ticks
from attrmap.style import build_config
from conftest import CONFIGS


def test_defaults_match_the_reference_figure():
    style = Style()
    assert style.cmap == "RdYlGn"
    assert (style.vmin, style.vmax) == (-1.0, 1.0)
    assert colorbar_ticks(style.vmin, style.vmax) == [-1.0, -0.5, 0.0, 0.5, 1.0]
    assert style.colorbar_label == "Token Attribution"
    assert format(-0.00001, style.fmt) == "-0.0000"
    assert Config().shape == (13, 5)


def test_shipped_default_config_is_the_default():
    assert load_config(CONFIGS / "default.yaml") == Config()


@pytest.mark.parametrize("path", sorted(CONFIGS.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_config_loads(path):
    assert isinstance(load_config(path), Config)


def test_colorblind_config_changes_only_the_palette():
    config = load_config(CONFIGS / "colorblind.yaml")
    assert config.style.cmap == "RdBu"
    assert config.style.vmin == -1.0 and config.shape == (13, 5)


def test_flags_override_config_file(write):
    path = write("style.yaml", "cmap: PuOr\nfmt: .2f\nshape: any\n")
    base = load_config(path)
    config = build_config(base, {"fmt": ".3f", "cmap": None, "shape": "2x3"})
    assert config.style.fmt == ".3f"
    assert config.style.cmap == "PuOr"  # not given on the command line: file wins
    assert config.shape == (2, 3)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("cmap: [1]\n", "cmap must be str"),
        ("colour: red\n", "unknown setting 'colour'"),
        ("dpi: 1.5\n", "dpi must be int"),
        ("dpi: 5\n", "dpi must be between"),
        ("vmin: 1\nvmax: 0\n", "vmin .* must be less than vmax"),
        ("fmt: .4z\n", "not a number format"),
        ("shape: 13by5\n", "ROWSxCOLS"),
        ("vmin: true\n", "vmin must be"),
        ("- a\n", "must be a mapping"),
        ("cmap: [unclosed\n", "invalid YAML config"),
        ("x: !!python/object/apply:os.system [echo]\n", "invalid YAML config"),
        ("x: !!int 0x1F,.21\n", "invalid YAML config: invalid literal for int()"),  # fuzzer
        ("x: !!float abc\n", "invalid YAML config"),
    ],
)
def test_bad_config_files_name_the_file(write, content, message):
    path = write("style.yaml", content)
    with pytest.raises(StyleError, match=message) as info:
        load_config(path)
    assert str(info.value).startswith(str(path))


def test_missing_config_file(tmp_path):
    with pytest.raises(StyleError, match="cannot read config"):
        load_config(tmp_path / "missing.yaml")


def test_fingerprint_changes_with_any_setting():
    assert Style().fingerprint() == Style().fingerprint()
    assert Style().fingerprint() != Style(fmt=".3f").fingerprint()
    assert Style().fingerprint() != Style(title="x").fingerprint()


@pytest.mark.parametrize("key", ["font_size", "vmax", "dpi"])
def test_a_number_too_large_for_a_float_is_one_line_naming_the_file(write, key):
    path = write("huge.yaml", f"{key}: 1{'0' * 400}\n")
    with pytest.raises(StyleError) as info:
        load_config(path)
    assert str(info.value).startswith(f"{path}: {key} ") and "\n" not in str(info.value)
