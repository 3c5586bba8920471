"""The settings table is the one place a setting is declared: the CLI, the config reader
and ``attrmap config`` know every setting it lists, and nothing else."""

from __future__ import annotations

import dataclasses

import click
import pytest

from attrmap import Config, Style, StyleError
from attrmap.cli import cli
from attrmap.cli.app import COMMAND_MODULES
from attrmap.settings import AUTO, SETTING_NAMES, SETTINGS, Auto
from attrmap.style import build_config, config_settings

#: Options of the commands that are not settings (how inputs are read, what to write...).
NOT_SETTINGS = {
    "inputs", "output", "figure_format", "input_format", "sequence", "part", "aggregate",
    "config_path", "max_mb", "max_cells", "report_path",
}  # fmt: skip


def command_named(name: str) -> click.Command:
    """A command of the group, loading its module as running it would."""
    command = cli.get_command(click.Context(cli), name)
    assert command is not None, name
    return command


def test_render_has_one_option_per_setting_spelled_as_the_table_says():
    params = {param.name: param for param in command_named("render").params}
    for setting in SETTINGS:
        assert setting.name in params, setting.name
        assert setting.option in params[setting.name].opts, setting.name
    assert set(params) - set(SETTING_NAMES) == NOT_SETTINGS


@pytest.mark.parametrize("command", sorted(COMMAND_MODULES))
def test_every_settings_option_of_every_command_is_the_tables(command):
    by_name = {setting.name: setting for setting in SETTINGS}
    for param in command_named(command).params:
        setting = by_name.get(param.name or "")
        if setting is not None:
            assert param.opts[0] == setting.option


def test_help_shows_the_tables_defaults(run_cli):
    text = " ".join(run_cli("render", "--help").output.split())
    for setting in SETTINGS:
        default = setting.default_text()
        if default is not None:
            assert f"[default: {default}]" in text, setting.name


def test_the_config_reader_takes_every_setting_at_its_default_and_nothing_else():
    defaults = config_settings(Config())
    assert tuple(defaults) == SETTING_NAMES
    assert build_config(Config(), defaults) == Config()
    with pytest.raises(StyleError, match="unknown setting 'colour'"):
        build_config(Config(), {"colour": "red"})


def test_attrmap_config_prints_every_setting_once_in_table_order(tmp_path, monkeypatch, run_cli):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()  # no project file above
    result = run_cli("config")
    assert result.exit_code == 0, result.output
    names = [line.split(":", 1)[0] for line in result.output.splitlines()[1:]]
    assert tuple(names) == SETTING_NAMES


def test_the_option_objects_carry_the_tables_defaults():
    style, config = Style(), Config()
    for setting in SETTINGS:
        if setting.group == "style":
            assert getattr(style, setting.name) == setting.default
        elif setting.group in ("scale", "layout", "output"):
            assert getattr(getattr(style, setting.group), setting.name) == setting.default
        elif setting.group == "input":
            assert getattr(config.input, setting.name) == setting.default
        else:
            assert getattr(config, setting.name) == setting.default
    assert [f.name for f in dataclasses.fields(Config)] == ["style", "shape", "input"]


def test_auto_is_a_typed_value_spelled_auto():
    style = Style(vmin="auto")
    assert style.vmin is AUTO and isinstance(style.vmin, Auto)
    assert build_config(Config(), {"vmax": "auto"}).style.vmax is AUTO
    assert config_settings(Config(style=style))["vmin"] == "auto"
    assert f"{AUTO}" == "auto" and not style.range_is_resolved
    with pytest.raises(StyleError, match="not resolved"):
        _ = style.limits


def test_the_cli_prints_flags_where_the_library_names_python():
    from attrmap.cli.reporting import cli_message

    assert cli_message('values look flat; try range="auto"') == "values look flat; try --range auto"
    assert cli_message("pass allow_missing=True") == "pass --allow-missing"
    assert cli_message('pass `shape="20x8"`') == "pass `--shape 20x8`"
    assert cli_message("widen with width=... or cell_size=...") == (
        "widen with --width or --cell-size"
    )
    assert cli_message("transpose=False") == "--no-transpose"
    assert cli_message("raise it with max_bytes=...") == "raise it with --max-mb"
    untouched = "token 'x=1' in /data/range=\"auto\"/a.csv; colour=3"
    assert cli_message(untouched) == untouched


#: Library modules whose strings may name flags: the settings table (it holds the CLI
#: spelling and help) and CSS custom properties (``--fg``). ``--name=value`` is another
#: program's flag (Slurm's ``--array=0-9``), never attrmap's.
FLAG_STRINGS_ALLOWED = {"settings/__init__.py", "views/html.py", "views/html_assets.py"}


def test_library_messages_name_no_flags():
    import ast
    import re
    from pathlib import Path

    import attrmap

    root = Path(attrmap.__file__).parent
    flag = re.compile(r"(?<![\w-])--[a-z][a-z-]*\b(?!=)")
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if relative.startswith("cli/") or relative in FLAG_STRINGS_ALLOWED:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef))
            and node.body
            and isinstance(node.body[0], ast.Expr)
        }
        for node in ast.walk(tree):
            text = node.value if isinstance(node, ast.Constant) else None
            if isinstance(text, str) and id(node) not in docstrings and flag.search(text):
                found.append(f"{relative}:{node.lineno}: {node.value!r}")
    assert not found, "\n".join(found)
