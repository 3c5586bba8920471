"""Kills and signals during a real batch: no torn figure, no orphaned worker, a clean rerun."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from attrmap import AttributionMatrix, save_matrix
from attrmap.atomic import TEMP_SUFFIX
from conftest import ROOT

pytestmark = pytest.mark.slow  # real signals and kills sent to real batches

N_INPUTS = 80  # enough that a batch is still running when the signal arrives


def write_inputs(folder: Path, count: int, folders: int = 3) -> Path:
    """``count`` random 13x5 matrices, ``sub{i % folders}/m{i:03d}.csv``."""
    rng = np.random.default_rng(7)
    for i in range(count):
        matrix = AttributionMatrix(
            [f"t{j}" for j in range(13)], list("abcde"), rng.normal(0, 0.4, (13, 5))
        )
        save_matrix(matrix, folder / f"sub{i % folders}" / f"m{i:03d}.csv")
    return folder


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    return write_inputs(tmp_path / "in", N_INPUTS)


def start_batch(inputs: Path, out: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "attrmap",
            "batch",
            str(inputs),
            "-o",
            str(out),
            "--shape",
            "any",
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )


def wait_for_figures(out: Path, count: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while len(list(out.rglob("*.png"))) < count:
        assert proc.poll() is None, "the batch ended before it could be interrupted"
        assert time.monotonic() < deadline, "no figures appeared"
        time.sleep(0.02)


def assert_every_figure_whole(out: Path) -> int:
    figures = list(out.rglob("*.png"))
    for figure in figures:
        with Image.open(figure) as image:
            image.load()  # raises on a truncated or corrupt PNG
        assert figure.read_bytes().endswith(b"IEND\xaeB`\x82")
    return len(figures)


def processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if text in cmdline:
                found.append(int(entry.name))
    return found


def rerun_completes(inputs: Path, out: Path) -> None:
    proc = start_batch(inputs, out, "-j", "2")
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr
    assert assert_every_figure_whole(out) == N_INPUTS
    assert not list(out.rglob(f"*{TEMP_SUFFIX}"))
    check = start_batch(inputs, out, "--check")
    check.communicate(timeout=120)
    assert check.returncode == 0


def test_kill_9_leaves_no_torn_figure_and_the_next_run_finishes(inputs, tmp_path):
    out = tmp_path / "out"
    proc = start_batch(inputs, out, "-j", "2")
    wait_for_figures(out, 3, proc)
    os.killpg(proc.pid, signal.SIGKILL)  # the whole job, workers included, mid-write
    proc.wait(timeout=10)
    done = assert_every_figure_whole(out)
    assert 3 <= done < N_INPUTS
    rerun_completes(inputs, out)


@pytest.mark.parametrize(
    ("signum", "code", "group"),
    [(signal.SIGINT, 130, False), (signal.SIGINT, 130, True), (signal.SIGTERM, 143, False)],
    ids=["sigint", "ctrl-c-to-group", "sigterm"],
)
def test_signal_stops_promptly_with_summary_and_no_orphans(inputs, tmp_path, signum, code, group):
    out = tmp_path / "out"
    proc = start_batch(inputs, out, "-j", "2")
    wait_for_figures(out, 2, proc)
    sent = time.monotonic()
    (os.killpg if group else os.kill)(proc.pid, signum)
    _, stderr = proc.communicate(timeout=20)
    assert time.monotonic() - sent < 10
    assert proc.returncode == code, stderr
    assert "attrmap: interrupted:" in stderr and "rendered" in stderr
    assert "Traceback" not in stderr
    assert not list(out.rglob(f"*{TEMP_SUFFIX}"))
    written = assert_every_figure_whole(out)
    assert f"attrmap: interrupted: {written} rendered," in stderr  # every figure written
    time.sleep(0.5)
    assert processes_mentioning(str(out)) == []
    rerun_completes(inputs, out)


def test_a_worker_that_dies_is_a_failed_figure_not_a_hang(inputs, tmp_path):
    (inputs / "sub0" / "m000.csv").rename(inputs / "sub0" / "die.csv")
    out = tmp_path / "out"
    code = (
        "import os\n"
        "import attrmap.batch.worker as batch\n"
        "real = batch.Renderer.render\n"
        "def render(self, matrix, output, key):\n"
        "    if output.name == 'die.png':\n"
        "        os._exit(9)  # as the kernel's OOM killer would\n"
        "    return real(self, matrix, output, key)\n"
        "batch.Renderer.render = render\n"
        "from attrmap.cli import cli\n"
        f"cli(['batch', {str(inputs)!r}, '-o', {str(out)!r}, '--shape', 'any', '-j', '2'],"
        " prog_name='attrmap')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert proc.returncode == 1, proc.stderr
    assert "a worker process died" in proc.stderr
    assert f"{inputs / 'sub0' / 'die.csv'}: a worker process died" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (out / "sub0" / "die.png").exists()
    assert assert_every_figure_whole(out) >= N_INPUTS - 5  # only the figures in flight failed
    rerun_completes(inputs, out)


def _ignore_sigterm_and_sleep(seconds: float) -> int:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    time.sleep(seconds)
    return os.getpid()


def test_stopping_kills_a_worker_that_will_not_exit():
    """A worker stuck while unwinding (seen: blocked on the result queue's lock that a
    stopped sibling held) must not hang the whole batch: after the grace period it is
    killed."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from attrmap.batch.executors import terminate_pool as _terminate_pool

    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
    future = pool.submit(_ignore_sigterm_and_sleep, 120)
    time.sleep(0.5)  # the worker is in the task, ignoring SIGTERM
    (worker,) = pool._processes.values()
    started = time.monotonic()
    _terminate_pool(pool, grace=0.5)
    assert time.monotonic() - started < 30
    assert not worker.is_alive()
    assert future.done()


def test_stopped_workers_exit_by_themselves_mid_figure(tmp_path, monkeypatch):
    """SIGTERM ends pool workers drawing figures at once, by themselves (exit 143, not
    killed after the grace period), each drawing unwound and its temporary file removed.
    (Before, concurrent.futures took the SystemExit as the task's result and each worker
    waited for more work until the grace period ran out and killed it.)"""
    import attrmap.batch.worker as worker
    from attrmap.atomic import atomic_write
    from attrmap.batch import BatchOptions
    from attrmap.batch.executors import start_pool, terminate_pool

    def slow_render(self, matrix, output, key):
        atomic_write(output, lambda handle: (handle.write(b"half"), time.sleep(120)))

    monkeypatch.setattr(worker.Renderer, "render", slow_render)  # the pool forks after this
    matrix = AttributionMatrix(["t"], ["a"], np.zeros((1, 1)))
    pool = start_pool(2)
    futures = [
        pool.submit(worker.render_in_worker, BatchOptions(), matrix, tmp_path / name, "k")
        for name in ("a.png", "b.png")
    ]
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob(f"*{TEMP_SUFFIX}"))) < 2:  # both workers mid-figure
        assert time.monotonic() < deadline and not any(f.done() for f in futures)
        time.sleep(0.02)
    processes = list(pool._processes.values())
    terminate_pool(pool, grace=20)
    assert [process.exitcode for process in processes] == [143, 143]  # -9: killed
    assert not list(tmp_path.iterdir())  # neither temporary files nor figures
