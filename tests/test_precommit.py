"""The pre-commit hooks, end to end: ``pre-commit try-repo`` on a throw-away repository.

pre-commit installs attrmap from a snapshot of this working tree into its own virtualenv
(with pip, from the package index), so this takes ~20 s per run; there are two runs.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from attrmap.formats import input_suffixes
from conftest import EXAMPLES, ROOT, require

pytestmark = pytest.mark.slow  # pre-commit builds a virtualenv and installs attrmap

HOOKS = ROOT / ".pre-commit-hooks.yaml"
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
}


def git(folder: Path, *args: str) -> None:
    env = {**os.environ, **GIT_IDENTITY}
    subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True, env=env)


def snapshot_of_this_repository(folder: Path) -> Path:
    """What pre-commit would clone: the package as it is on disk now, committed.

    try-repo on this checkout would use HEAD plus changes to tracked files only, so a
    hook file not yet committed would be missed; a snapshot tests exactly this tree.
    """
    folder.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy(ROOT / name, folder / name)
    shutil.copytree(
        ROOT / "src" / "attrmap",
        folder / "src" / "attrmap",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    git(folder, "init", "-q")
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "snapshot")
    return folder


def try_repo(hooks_repo: Path, project: Path, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    env.pop("PYTHONPATH", None)  # the hooks must run the attrmap pre-commit installed
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hooks_repo), "--all-files"],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


def hook_lines(output: str) -> dict[str, str]:
    """``attrmap validate....Passed`` -> {"attrmap validate": "Passed"}."""
    found = re.findall(r"^(attrmap [^.\n]+?)\.{3,}(Passed|Failed)$", output, re.MULTILINE)
    return dict(found)


def test_the_hook_files_regex_covers_every_input_format():
    hooks = {hook["id"]: hook for hook in yaml.safe_load(HOOKS.read_text())}
    assert set(hooks) == {"attrmap-validate", "attrmap-check"}
    files = re.compile(hooks["attrmap-validate"]["files"])
    for suffix in input_suffixes():
        assert files.search(f"data/run{suffix}") and files.search(f"data/RUN{suffix.upper()}")
    assert not files.search("figures/run.png") and not files.search("data/run.csv.bak")
    assert re.search(hooks["attrmap-validate"]["exclude"], ".pre-commit-config.yaml")
    assert hooks["attrmap-check"]["pass_filenames"] is False


def test_hooks_pass_on_good_data_and_name_the_file_on_bad(tmp_path):
    require("git", shutil.which("git") is not None)
    require("pre-commit (the test extra)", importlib.util.find_spec("pre_commit") is not None)
    hooks_repo = snapshot_of_this_repository(tmp_path / "attrmap")
    project = tmp_path / "project"
    data = project / "figures" / "data"
    data.mkdir(parents=True)
    shutil.copy(EXAMPLES / "token_attribution.csv", data / "reference.csv")
    shutil.copy(EXAMPLES / "token_attribution.yaml", data / "reference2.yaml")
    (data / "small.csv").write_text("token,a,b\nx,0.5,-0.25\ny,1,0\n")  # 2x2, not 13x5
    (project / "pyproject.toml").write_text('[tool.attrmap]\nshape = "any"\n')  # the hooks obey
    git(project, "init", "-q")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    subprocess.run(
        [sys.executable, "-m", "attrmap", "batch", "figures/data", "-o", "figures"],
        check=True,
        env=env,
        capture_output=True,
        cwd=project,
    )
    git(project, "add", "-A")

    good = try_repo(hooks_repo, project, tmp_path / "home")
    assert good.returncode == 0, good.stdout + good.stderr
    assert hook_lines(good.stdout) == {
        "attrmap batch --check": "Passed",
        "attrmap validate": "Passed",
    }

    # A broken matrix and a changed one whose figure was not re-rendered.
    (data / "broken.csv").write_text("token,a\nx,oops\n")
    (data / "reference2.yaml").write_text(
        (EXAMPLES / "token_attribution.yaml").read_text().replace("0.3452", "0.9999")
    )
    git(project, "add", "-A")
    bad = try_repo(hooks_repo, project, tmp_path / "home")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert hook_lines(bad.stdout) == {
        "attrmap batch --check": "Failed",
        "attrmap validate": "Failed",
    }
    assert "attrmap: error: figures/data/broken.csv:2:2: " in bad.stdout
    assert "out of date: figures/reference2.png (from figures/data/reference2.yaml)" in bad.stdout
    assert "Traceback" not in bad.stdout
