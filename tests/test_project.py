"""Project defaults: [tool.attrmap] in the nearest pyproject.toml, and `attrmap config`."""

from __future__ import annotations

from pathlib import Path

import pytest

from attrmap import Config, load_config
from attrmap.project import Layer, find_project_file, project_config, project_layer, resolve_files
from conftest import ROOT

SMALL = 'expressions: ["a", "b"]\ntokens: ["x", "y"]\nvalues: [[0.1, 0.2], [0.3, 0.4]]\n'


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project folder (with .git, so nothing above it counts) and a sub-folder to run in."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "paper"\n\n[tool.attrmap]\nshape = "any"\ndpi = 300\n'
        'cmap = "RdBu"\ntokens = "clean"\n'
    )
    work = tmp_path / "figures" / "data"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    return tmp_path


def test_the_nearest_table_sets_defaults_below_config_and_flags(project, run_cli):
    (project / "paper.yaml").write_text("dpi: 600\nfmt: .2f\n")
    resolved = resolve_files()
    assert resolved.config.shape is None and resolved.config.style.dpi == 300
    assert resolved.origin("dpi") == f"{project / 'pyproject.toml'} [tool.attrmap]"
    assert resolved.origin("vmin") == "default"
    layered = resolve_files(project / "paper.yaml")
    assert layered.config.style.dpi == 600 and layered.config.style.cmap == "RdBu"
    assert layered.origin("dpi") == str(project / "paper.yaml")
    result = run_cli("config", "--config", str(project / "paper.yaml"), "--dpi", "72")
    assert result.exit_code == 0, result.output
    lines = dict(line.split(": ", 1) for line in result.output.splitlines()[1:])
    assert lines["dpi"] == "72  # option --dpi"
    assert lines["fmt"] == f".2f  # {project / 'paper.yaml'}"
    assert lines["cmap"] == f"RdBu  # {project / 'pyproject.toml'} [tool.attrmap]"
    assert lines["shape"].startswith("any  #")
    assert lines["vmax"] == "1.0  # default"


def test_the_table_applies_to_every_command(project, run_cli):
    Path("small.yaml").write_text(SMALL)  # 2x2: refused by the 13x5 default
    assert run_cli("validate", "small.yaml").exit_code == 0
    (project / "pyproject.toml").write_text("[tool.attrmap]\n")
    assert run_cli("validate", "small.yaml").exit_code == 1


def test_config_output_is_a_config_file_giving_the_same_settings(project, tmp_path, run_cli):
    result = run_cli("config", "--title", "Layer: 12", "--vmin", "-2")
    assert result.exit_code == 0, result.output
    saved = tmp_path / "resolved.yaml"
    saved.write_text(result.output)
    flags = Layer("option", {"title": "Layer: 12", "vmin": -2.0})
    assert load_config(saved) == resolve_files().with_layer(flags).config


def test_nothing_set_keeps_the_reference_defaults(tmp_path, monkeypatch, run_cli):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    monkeypatch.chdir(tmp_path)
    assert project_config() == Config()
    result = run_cli("config")
    assert "(no [tool.attrmap] table)" in result.output
    assert "shape: 13x5  # default" in result.output


def test_the_search_stops_at_the_nearest_file_and_the_repository_root(project):
    nested = project / "figures" / "pyproject.toml"
    nested.write_text('[project]\nname = "nested"\n')
    assert find_project_file() == nested
    assert project_config() == Config()  # the outer table does not leak in
    nested.unlink()
    assert find_project_file() == project / "pyproject.toml"
    (project / "figures" / ".git").mkdir()
    assert find_project_file() is None


def test_attrmaps_own_pyproject_sets_nothing():
    """Tests run from the repository root: its own pyproject.toml must not change them."""
    assert project_layer(ROOT / "pyproject.toml") is None


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('[tool.attrmap]\ndpi = "high"\n', "[tool.attrmap]: dpi must be int"),
        ("[tool.attrmap]\ncolour = 1\n", "[tool.attrmap]: unknown setting 'colour'"),
        ("[tool.attrmap]\nshape = true\n", "shape must be ROWSxCOLS"),
        ("[tool]\nattrmap = 3\n", "[tool.attrmap]: must be a table"),
        ("[tool.attrmap]\ndpi = \n", "pyproject.toml:2:7: invalid TOML"),
        (b"[tool.attrmap]\ntitle = '\xff'\n", "invalid TOML"),
    ],
)
def test_a_bad_table_is_one_line_naming_the_file(project, table, message, run_cli):
    path = project / "pyproject.toml"
    path.write_bytes(table if isinstance(table, bytes) else table.encode())
    for command in (["validate", "x.csv"], ["config"]):
        result = run_cli(*command)
        assert result.exit_code == 1
        assert result.output.startswith(f"attrmap: error: {path}")
        assert message in result.output and len(result.output.splitlines()) == 1


def test_a_project_file_someone_else_could_have_written_is_skipped(project, tmp_path, run_cli):
    """As git's safe.directory: a pyproject.toml in a world-writable folder (a shared /tmp)
    or owned by another user sets nothing, with one warning line naming it."""
    import os

    from attrmap.errors import UntrustedFileWarning

    pyproject = project / "pyproject.toml"
    Path("small.yaml").write_text(SMALL)  # 2x2: valid only under the table's shape = "any"
    assert resolve_files().config.style.cmap == "RdBu"
    cases = {"world-writable folder": lambda: project.chmod(0o777)}
    if os.geteuid() == 0:  # only root can give a file away; elsewhere the folder case only
        cases["another user's file"] = lambda: os.chown(pyproject, 4242, 4242)
    for case, make_untrusted in cases.items():
        make_untrusted()
        with pytest.warns(UntrustedFileWarning, match="ignored: ") as caught:
            assert find_project_file() is None, case
        assert str(pyproject) in str(caught[0].message)
        with pytest.warns(UntrustedFileWarning):
            assert resolve_files().config.style.cmap != "RdBu", case  # the default
        result = run_cli("validate", "small.yaml")
        assert result.exit_code == 1, (case, result.output)  # the 13x5 default shape
        warning_lines = [line for line in result.output.splitlines() if "warning" in line]
        assert len(warning_lines) == 1 and str(pyproject) in warning_lines[0], warning_lines
        project.chmod(0o755)
        os.chown(pyproject, os.geteuid(), os.getegid())
        assert find_project_file() == pyproject  # trusted again
    pyproject.chmod(0o666)  # the file itself writable by anyone
    with pytest.warns(UntrustedFileWarning, match="anyone may write it"):
        assert find_project_file() is None
