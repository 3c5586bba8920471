"""The documentation's cluster and CI recipes (docs/cluster.md, docs/ci.md), run as far as
this machine allows.

Each recipe is the fenced block after a ``<!-- recipe: NAME -->`` marker in those pages.
There is no Slurm, Kubernetes or GitHub runner here, so each runs its attrmap command
the way the scheduler would: once per task, with the variables that scheduler sets.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from attrmap.batch import SHARD_COUNT_VARIABLE
from conftest import ROOT, require
from test_action import STEPS, run_step
from test_batch import SMALL, SMALL_YAML, make_tree
from test_batch_dask_executor import require_dask

RECIPE_PAGES = (ROOT / "docs" / "cluster.md", ROOT / "docs" / "ci.md")
PAGES = "\n".join(page.read_text(encoding="utf-8") for page in RECIPE_PAGES)
ACTION_INPUTS = set(yaml.safe_load((ROOT / "action.yml").read_text())["inputs"])


def recipe(name: str) -> str:
    match = re.search(rf"<!-- recipe: {name} -->\n```\w*\n(.*?)\n```", PAGES, re.DOTALL)
    assert match, f"docs/cluster.md and docs/ci.md have no recipe {name!r}"
    return match[1]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A working folder with ``data/`` of five small matrices and a pyproject that
    accepts their shape, and ``attrmap`` on PATH running this checkout."""
    make_tree(
        tmp_path / "data",
        {f"run{i}/m{j}.csv": SMALL for i in range(2) for j in range(2)} | {"x.yaml": SMALL_YAML},
    )
    (tmp_path / "pyproject.toml").write_text('[tool.attrmap]\nshape = "any"\n')
    (tmp_path / ".git").mkdir()  # the project root: stop the pyproject search here
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "attrmap").write_text(f'#!/bin/sh\nexec {sys.executable} -m attrmap "$@"\n')
    (bin_dir / "attrmap").chmod(0o755)
    return tmp_path


def environment(project: Path, **variables: str) -> dict[str, str]:
    path = f"{project / 'bin'}{os.pathsep}{os.environ['PATH']}"
    return {**os.environ, "PATH": path, "PYTHONPATH": str(ROOT / "src"), **variables}


def attrmap_in(run_cli, project: Path, argv: list[str], monkeypatch, **variables: str) -> None:
    """``attrmap ARGV`` run in ``project`` with the scheduler's variables, in this process
    (a fresh interpreter per task would cost seconds each and prove nothing more)."""
    monkeypatch.chdir(project)
    result = run_cli(*argv, env=variables)
    assert result.exit_code == 0, result.output


def figures(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.png"))


ALL_FIGURES = ["run0/m0.png", "run0/m1.png", "run1/m0.png", "run1/m1.png", "x.png"]


def assert_complete_and_current(project: Path, out: str = "figures") -> None:
    assert figures(project / out) == ALL_FIGURES
    check = subprocess.run(
        ["attrmap", "batch", "data", "-o", out, "--check"],
        cwd=project,
        env=environment(project),
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr


def test_slurm_array_script(project, monkeypatch, run_cli):
    script = recipe("slurm")
    first, last = map(int, re.search(r"#SBATCH --array=(\d+)-(\d+)", script).groups())
    (project / "render.sh").write_text(script)
    assert subprocess.run(["bash", "-n", str(project / "render.sh")]).returncode == 0
    (command,) = [line for line in script.splitlines() if line.startswith("attrmap ")]
    argv = shlex.split(command.replace('"${SLURM_CPUS_PER_TASK:-1}"', "1"))[1:]
    seen: list[list[str]] = []
    for task in range(first, last + 1):
        before = figures(project / "figures") if (project / "figures").exists() else []
        attrmap_in(
            run_cli,
            project,
            argv,
            monkeypatch,
            SLURM_ARRAY_TASK_ID=str(task),
            SLURM_ARRAY_TASK_MIN=str(first),
            SLURM_ARRAY_TASK_COUNT=str(last - first + 1),
        )
        seen.append(sorted(set(figures(project / "figures")) - set(before)))
    assert sorted(name for task in seen for name in task) == ALL_FIGURES  # each by one task
    assert_complete_and_current(project)


def test_kubernetes_indexed_job(project, monkeypatch, run_cli):
    job = yaml.safe_load(recipe("kubernetes"))
    spec = job["spec"]
    assert (job["kind"], spec["completionMode"]) == ("Job", "Indexed")
    (container,) = spec["template"]["spec"]["containers"]
    env = {item["name"]: item["value"] for item in container["env"]}
    assert int(env[SHARD_COUNT_VARIABLE]) == spec["completions"]
    mount = container["volumeMounts"][0]["mountPath"]
    (project / "data").rename(project / "in")
    argv = [part.replace(mount, str(project)) for part in container["command"]][1:]
    for index in range(spec["completions"]):
        variables = {SHARD_COUNT_VARIABLE: env[SHARD_COUNT_VARIABLE]}
        attrmap_in(
            run_cli, project, argv, monkeypatch, JOB_COMPLETION_INDEX=str(index), **variables
        )
    (project / "in").rename(project / "data")
    assert_complete_and_current(project)


def action_steps(workflow: dict) -> list[dict]:
    (job,) = workflow["jobs"].values()
    steps = [step for step in job["steps"] if str(step.get("uses", "")).startswith("YOU/attrmap")]
    assert len(steps) == 1
    assert set(steps[0].get("with", {})) <= ACTION_INPUTS  # only inputs the action has
    return steps


def action_env(inputs: dict) -> dict[str, str]:
    """The batch step's environment as the runner builds it from the inputs."""
    defaults = yaml.safe_load((ROOT / "action.yml").read_text())["inputs"]
    given = {
        name: str(inputs.get(name, spec.get("default", ""))) for name, spec in defaults.items()
    }
    return {
        "ATTRMAP_DATA": given["data"],
        "ATTRMAP_FIGURES": given["figures"],
        "ATTRMAP_MODE": given["mode"],
        "ATTRMAP_ARGS": given["args"],
    }


def test_github_action_check_workflow(project, monkeypatch, run_cli):
    (step,) = action_steps(yaml.safe_load(recipe("github-action")))
    env = action_env(step["with"])
    assert env["ATTRMAP_MODE"] == "check"
    layout = project / env["ATTRMAP_DATA"]
    layout.parent.mkdir(parents=True, exist_ok=True)
    (project / "data").rename(layout)
    run = run_step("attrmap batch", env, project)
    assert run.returncode == 1  # nothing rendered yet: every figure missing
    assert run.stdout.count("missing: ") == len(ALL_FIGURES)
    attrmap_in(
        run_cli, project, ["batch", env["ATTRMAP_DATA"], "-o", env["ATTRMAP_FIGURES"]], monkeypatch
    )
    assert run_step("attrmap batch", env, project).returncode == 0


def test_github_matrix_workflow(project, monkeypatch, run_cli):
    workflow = yaml.safe_load(recipe("github-matrix"))
    (job,) = workflow["jobs"].values()
    shards = job["strategy"]["matrix"]["shard"]
    (step,) = action_steps(workflow)
    assert step["with"]["mode"] == "render"
    (project / "figures").mkdir()
    (project / "data").rename(project / "figures" / "data")  # the action's default layout
    for shard in shards:  # what the action's step runs for this job of the matrix
        env = action_env(
            {
                **step["with"],
                "args": step["with"]["args"].replace("${{ matrix.shard }}", str(shard)),
            }
        )
        argv = ["batch", env["ATTRMAP_DATA"], "-o", env["ATTRMAP_FIGURES"]]
        attrmap_in(run_cli, project, [*argv, *env["ATTRMAP_ARGS"].split()], monkeypatch)
        assert (project / env["ATTRMAP_DATA"]).is_dir()
    (project / "figures" / "data").rename(project / "data")
    assert_complete_and_current(project)


def test_pre_commit_config_is_valid_and_uses_our_hooks(tmp_path):
    require("pre-commit (the test extra)", shutil.which("pre-commit") is not None)
    from pre_commit.clientlib import load_config

    config_file = tmp_path / ".pre-commit-config.yaml"
    config_file.write_text(recipe("pre-commit"))
    config = load_config(str(config_file))  # pre-commit's own schema check
    ours = {hook["id"] for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    (repo,) = config["repos"]
    assert {hook["id"] for hook in repo["hooks"]} == ours
    validate = next(h for h in repo["hooks"] if h["id"] == "attrmap-validate")
    assert re.search(validate["files"], "figures/data/run/m0.csv")
    assert not re.search(validate["files"], ".github/workflows/figures.yml")


@pytest.mark.slow  # a Dask cluster
def test_dask_jobqueue_script(project):
    """The script as written, with dask-jobqueue's SLURMCluster played by a LocalCluster
    (threads in this process: there is no Slurm here to start workers in)."""
    require_dask()
    fake = project / "fake" / "dask_jobqueue"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(
        textwrap.dedent(
            """
            from dask.distributed import LocalCluster

            class SLURMCluster(LocalCluster):
                def __init__(self, cores, processes, memory, walltime):
                    super().__init__(n_workers=1, threads_per_worker=2, processes=False,
                                     protocol="tcp", dashboard_address=None)

                def scale(self, jobs):
                    pass

                def __exit__(self, *exc_info):
                    # A threads-only cluster's workers can be cancelled mid-close: this
                    # stand-in's noise, not the recipe's (SLURMCluster closes jobs).
                    try:
                        self.close(timeout=10)
                    except BaseException:
                        pass
            """
        )
    )
    (project / "render_on_slurm.py").write_text(recipe("dask-jobqueue"))
    env = environment(project)
    env["PYTHONPATH"] = os.pathsep.join([str(project / "fake"), env["PYTHONPATH"]])
    run = subprocess.run(
        [sys.executable, "render_on_slurm.py"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert "5 rendered" in run.stderr
    assert_complete_and_current(project)


def test_docs_name_every_recipe_once():
    names = re.findall(r"<!-- recipe: ([\w-]+) -->", PAGES)
    assert sorted(names) == sorted(set(names))
    assert set(names) == {
        "slurm",
        "kubernetes",
        "dask-jobqueue",
        "github-action",
        "github-matrix",
        "pre-commit",
    }
    assert STEPS  # the action's steps, as test_action reads them
