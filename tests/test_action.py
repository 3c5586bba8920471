"""The composite GitHub Action (action.yml): its shape, and its scripts run as a runner would.

The runner passes inputs as the step's environment and runs ``bash -e {0}`` on the
script; here the same scripts run with the same variables, ``attrmap`` (and, for the
install step, ``python``) being small stand-ins on PATH.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLES, ROOT

ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
STEPS = {step["name"]: step for step in ACTION["runs"]["steps"]}


def test_action_is_composite_and_every_input_reaches_a_step():
    assert ACTION["runs"]["using"] == "composite"
    assert set(ACTION["inputs"]) == {
        "data",
        "figures",
        "mode",
        "args",
        "attrmap-version",
        "matplotlib-version",
    }
    used = {
        match
        for step in ACTION["runs"]["steps"]
        for value in step.get("env", {}).values()
        for match in re.findall(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}", value)
    }
    assert used == set(ACTION["inputs"])
    for step in ACTION["runs"]["steps"]:
        assert step["shell"] == "bash"  # composite run steps must name their shell
        assert "${{" not in step["run"]  # inputs come in as variables, never as script text
    assert ACTION["outputs"]["report"]["value"] == "${{ steps.batch.outputs.report }}"


def stand_in(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)


def run_step(name: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    script = tmp_path / "step.sh"
    script.write_text(STEPS[name]["run"])
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    stand_in(bin_dir, "attrmap", f'exec {sys.executable} -m attrmap "$@"')
    runner = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(ROOT / "src"),
        "GITHUB_ACTIONS": "true",
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_OUTPUT": str(tmp_path / "github_output"),
        "HOME": os.environ.get("HOME", str(tmp_path)),
    }
    return subprocess.run(
        ["bash", "-e", str(script)],
        env={**runner, **env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    data = tmp_path / "figures" / "data"
    data.mkdir(parents=True)
    shutil.copy(EXAMPLES / "token_attribution.csv", data / "reference.csv")
    return tmp_path


def batch_env(mode: str, args: str = "") -> dict[str, str]:
    return {
        "ATTRMAP_DATA": "figures/data",
        "ATTRMAP_FIGURES": "figures",
        "ATTRMAP_MODE": mode,
        "ATTRMAP_ARGS": args,
    }


def test_batch_step_renders_then_checks(project):
    missing = run_step("attrmap batch", batch_env("check"), project)
    assert missing.returncode == 1
    assert "missing: figures/reference.png" in missing.stdout
    rendered = run_step("attrmap batch", batch_env("render", "--format png  -j 1"), project)
    assert rendered.returncode == 0, rendered.stderr
    assert (project / "figures" / "reference.png").is_file()
    checked = run_step("attrmap batch", batch_env("check"), project)
    assert checked.returncode == 0, checked.stderr
    report = project / "attrmap-report.json"
    assert f"report={report}" in (project / "github_output").read_text()
    assert '"status": "up to date"' in report.read_text()


def test_batch_step_annotates_bad_inputs_and_refuses_a_bad_mode(project):
    (project / "figures" / "data" / "bad.csv").write_text("token,a\nx,oops\n")
    result = run_step("attrmap batch", batch_env("check", "--shape any"), project)
    assert result.returncode == 1
    assert "::error file=figures/data/bad.csv,line=2,col=2::" in result.stdout
    result = run_step("attrmap batch", batch_env("deploy"), project)
    assert result.returncode == 2
    assert "::error::attrmap action: mode must be check or render" in result.stdout


def test_extra_arguments_are_split_but_never_evaluated(project):
    marker = project / "pwned"
    result = run_step("attrmap batch", batch_env("check", f"$(touch {marker}) ;"), project)
    assert result.returncode == 2  # attrmap saw the literal words as arguments
    assert not marker.exists()


@pytest.mark.parametrize(
    ("versions", "expected"),
    [
        ({}, ["{source}"]),
        ({"ATTRMAP_VERSION": "1.2.0"}, ["attrmap==1.2.0"]),
        ({"MATPLOTLIB_VERSION": "3.11.2"}, ["{source}", "matplotlib==3.11.2"]),
    ],
)
def test_install_step_installs_the_asked_versions(tmp_path, versions, expected):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "pip-args"
    stand_in(bin_dir, "python", f'printf "%s\\n" "$@" > {log}')
    source = str(tmp_path / "action checkout")
    env = {"ATTRMAP_SOURCE": source, "ATTRMAP_VERSION": "", "MATPLOTLIB_VERSION": "", **versions}
    result = run_step("Install attrmap", env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert log.read_text().splitlines() == [
        "-m",
        "pip",
        "install",
        "--quiet",
        *(e.format(source=source) for e in expected),
    ]
    assert result.stdout.startswith("attrmap ")  # the step ends by showing the version
