"""attrmap batch --dask: the same batch, drawn by a Dask cluster's worker processes.

One LocalCluster (2 worker processes) serves the module; one test starts its own with
``--dask local:2`` and interrupts it.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from attrmap.atomic import TEMP_SUFFIX
from attrmap.batch.dask_executor import FIGURES_PER_TASK, parse_address
from conftest import ROOT, require
from test_batch import run_without_matplotlib, snapshot
from test_interrupts import write_inputs

pytestmark = pytest.mark.slow  # Dask clusters of worker processes

N_INPUTS = 16


def require_dask() -> None:
    require(
        "dask[distributed] (the test extra)", importlib.util.find_spec("distributed") is not None
    )


@pytest.fixture(scope="module")
def scheduler() -> str:
    require(
        "dask[distributed] (the test extra)", importlib.util.find_spec("distributed") is not None
    )
    import dask
    from dask.distributed import LocalCluster

    # A task whose worker dies fails at once (as with local workers), not after 3 retries.
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
    ):
        yield cluster.scheduler_address


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    return write_inputs(tmp_path / "in", N_INPUTS, folders=2)


def test_same_bytes_as_a_local_batch_then_nothing_to_do(scheduler, inputs, tmp_path, run_cli):
    (inputs / "sub0" / "broken.csv").write_text("token,a\nx,oops\n")
    local, remote = tmp_path / "local", tmp_path / "remote"
    by_pool = run_cli("batch", inputs, "-o", local, "--shape", "any", "-j", "2")
    by_dask = run_cli("batch", inputs, "-o", remote, "--shape", "any", "--dask", scheduler)
    assert by_dask.exit_code == by_pool.exit_code == 1  # the broken input
    assert {k: v[0] for k, v in snapshot(remote).items()} == {
        k: v[0] for k, v in snapshot(local).items()
    }
    assert len(snapshot(remote)) == N_INPUTS
    assert f"{N_INPUTS} rendered, 0 up to date, 1 failed" in by_dask.stderr
    errors = [line for line in by_dask.stderr.splitlines() if "error" in line]
    assert errors == [line for line in by_pool.stderr.splitlines() if "error" in line]
    assert errors == [
        f"attrmap: error: {inputs / 'sub0' / 'broken.csv'}:2:2: token 'x', "
        "expression 'a': 'oops' is not a number"
    ]
    before = snapshot(remote)
    again = run_cli("batch", inputs, "-o", remote, "--shape", "any", "--dask", scheduler)
    assert f"0 rendered, {N_INPUTS} up to date, 1 failed" in again.stderr
    assert snapshot(remote) == before  # not even touched
    check = run_cli("batch", inputs, "-o", remote, "--shape", "any", "--dask", scheduler, "--check")
    assert f"{N_INPUTS} up to date, 0 missing, 0 out of date, 1 failed" in check.stderr


def test_a_killed_worker_fails_only_its_figures(scheduler, inputs, tmp_path, run_cli):
    from dask.distributed import Client

    def die_on_marked_figure() -> None:  # runs in each worker process
        import attrmap.batch.worker

        real = attrmap.batch.worker.Renderer.render

        def render(self, matrix, output, key):
            if output.name == "m005.png":
                os._exit(9)  # as the kernel's OOM killer would
            return real(self, matrix, output, key)

        attrmap.batch.worker.Renderer.render = render

    with Client(scheduler) as client:
        client.run(die_on_marked_figure)
    out = tmp_path / "out"
    result = run_cli("batch", inputs, "-o", out, "--shape", "any", "--dask", scheduler)
    assert result.exit_code == 1
    died = inputs / "sub1" / "m005.csv"
    assert f"attrmap: error: {died}: a worker process died" in result.stderr
    failed = result.stderr.count("attrmap: error:")
    assert failed <= 2 * FIGURES_PER_TASK  # the marked figure's task, and one more at most
    # The others of its chunk drawn before the crash are whole figures, reported failed.
    assert N_INPUTS - failed <= len(snapshot(out)) < N_INPUTS
    assert not (out / "sub1" / "m005.png").exists()
    redrawn = N_INPUTS - len(snapshot(out))
    assert not list(out.rglob(f"*{TEMP_SUFFIX}"))
    with Client(scheduler) as client:  # restarted workers drew the rest; undo the patch
        client.restart()
    rerun = run_cli("batch", inputs, "-o", out, "--shape", "any", "--dask", scheduler)
    assert rerun.exit_code == 0, rerun.output
    assert f"{redrawn} rendered, {N_INPUTS - redrawn} up to date" in rerun.stderr


@pytest.mark.parametrize(
    ("signum", "code", "group"),
    [(signal.SIGINT, 130, True), (signal.SIGTERM, 143, False)],
    ids=["ctrl-c-to-group", "sigterm"],
)
def test_a_signal_stops_the_cluster_cleanly(inputs, tmp_path, signum, code, group):
    """Ctrl-C reaches the whole process group (the workers too, which leave it to the
    batch: no worker tracebacks); SIGTERM the batch alone. Either stops the cluster with
    only attrmap's own lines on stderr (no Dask log, no unclosed-socket warning), and
    the summary counts the figures on disk."""
    require_dask()
    write_inputs(inputs, 60, folders=2)
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    argv = [sys.executable, "-m", "attrmap", "batch", str(inputs), "-o", str(out)]
    proc = subprocess.Popen(
        [*argv, "--shape", "any", "--dask", "local:2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while len(list(out.rglob("*.png"))) < 2:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "no figures appeared"
        time.sleep(0.05)
    (os.killpg if group else os.kill)(proc.pid, signum)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == code, stderr
    done = len(list(out.rglob("*.png")))
    assert stderr.splitlines()[-1].startswith(f"attrmap: interrupted: {done} rendered,"), stderr
    assert all(line.startswith("attrmap: ") for line in stderr.splitlines()), stderr
    assert done < 60  # the rest were cancelled
    assert not list(out.rglob(f"*{TEMP_SUFFIX}"))


def test_addresses_and_usage():
    assert parse_address("local:3") == 3
    assert parse_address("tcp://10.0.0.5:8786") == "tcp://10.0.0.5:8786"
    for bad in ("local:0", "local:x", "  "):
        with pytest.raises(ValueError):
            parse_address(bad)


def test_dask_usage_errors(inputs, tmp_path, run_cli):
    assert run_cli("batch", inputs, "-o", tmp_path / "o", "--dask", "local:0").exit_code == 2
    result = run_cli("batch", inputs, "-o", tmp_path / "o", "--dask", "local:2", "-j", "2")
    assert result.exit_code == 2 and "-j" in result.stderr


def test_nothing_to_draw_never_reaches_the_cluster_nor_imports_dask(inputs, tmp_path, run_cli):
    out = tmp_path / "out"
    assert run_cli("batch", inputs, "-o", out, "--shape", "any", "-j", "1").exit_code == 0
    for extra in ([], ["--check"]):
        argv = ["batch", str(inputs), "-o", str(out), "--shape", "any"]
        argv += ["--dask", "tcp://127.0.0.1:9", *extra]  # nothing listens there
        run_without_matplotlib(argv)
    code = (
        "import sys\nfrom attrmap.cli import cli\n"
        f"try:\n    cli({[*argv, '--check']!r})\nexcept SystemExit:\n    pass\n"
        "assert 'dask' not in sys.modules and 'distributed' not in sys.modules\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
