"""attrmap batch: discovery, mirroring, collisions, failures, incremental, --check, shards."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from attrmap import AttributionMatrix, BatchError, load_matrix, save_matrix
from attrmap import batch as batch_module
from attrmap.atomic import ABANDONED_AFTER_SECONDS, TEMP_SUFFIX, atomic_write, host_tag
from attrmap.batch import BatchOptions, discover, in_shard, parse_shard, plan
from conftest import EXAMPLES, ROOT

SMALL = "token,a,b\nx,0.5,-0.25\ny,1,0\n"
SMALL_YAML = "expressions: [a, b]\ntokens: [x, y]\nvalues: [[0.1, 0.2], [0.3, 0.4]]\n"


def make_tree(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return root


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return make_tree(
        tmp_path / "in",
        {
            "b.csv": SMALL,
            "a/one.yaml": SMALL_YAML,
            "a/deeper/two.yml": SMALL_YAML,
            "a/notes.txt": "not a matrix",
            ".hidden/skip.csv": SMALL,
            "a/.also_hidden.csv": SMALL,
            "Upper.CSV": SMALL,
        },
    )


def test_discovery_is_recursive_sorted_and_skips_hidden(tree):
    assert discover(tree) == ["Upper.CSV", "a/deeper/two.yml", "a/one.yaml", "b.csv"]


def test_discovery_skips_an_output_folder_inside_the_input(tree):
    (tree / "figs").mkdir()
    (tree / "figs" / "stray.csv").write_text(SMALL)
    assert "figs/stray.csv" not in discover(tree, tree / "figs")
    assert "figs/stray.csv" in discover(tree)


def test_discovery_does_not_enter_symlinked_folders(tree, tmp_path):
    outside = make_tree(tmp_path / "outside", {"x.csv": SMALL})
    (tree / "link").symlink_to(outside, target_is_directory=True)
    (tree / "loop").symlink_to(tree, target_is_directory=True)
    assert not any(p.startswith(("link/", "loop/")) for p in discover(tree))


def test_batch_mirrors_the_tree(tree, tmp_path, run_cli):
    out = tmp_path / "out"
    result = run_cli("batch", tree, "-o", out, "-j", "1", "--shape", "any")
    assert result.exit_code == 0, result.output
    assert sorted(snapshot(out)) == ["Upper.png", "a/deeper/two.png", "a/one.png", "b.png"]
    assert "4 rendered, 0 up to date, 0 failed" in result.stderr


@pytest.mark.parametrize("fmt", ["svg", "pdf"])
def test_batch_other_formats(tree, tmp_path, fmt, run_cli):
    out = tmp_path / "out"
    assert (
        run_cli("batch", tree, "-o", out, "--format", fmt, "-j", "1", "--shape", "any").exit_code
        == 0
    )
    assert {Path(p).suffix for p in snapshot(out)} == {f".{fmt}"}


def test_colliding_outputs_are_refused_before_rendering(tree, tmp_path, run_cli):
    (tree / "b.yaml").write_text(SMALL_YAML)
    out = tmp_path / "out"
    result = run_cli("batch", tree, "-o", out, "--shape", "any")
    assert result.exit_code == 1
    assert "b.csv and b.yaml -> b.png" in result.stderr
    assert not out.exists()
    with pytest.raises(BatchError):
        plan(tree, out, BatchOptions())


def test_broken_input_is_reported_and_the_rest_render(tree, tmp_path, run_cli):
    (tree / "a" / "broken.csv").write_text("token,a\nx,oops\n")
    out = tmp_path / "out"
    result = run_cli("batch", tree, "-o", out, "-j", "2", "--shape", "any")
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("attrmap: error")]
    assert errors == [
        f"attrmap: error: {tree / 'a' / 'broken.csv'}:2:2: token 'x', "
        "expression 'a': 'oops' is not a number"
    ]
    assert "4 rendered, 0 up to date, 1 failed" in result.stderr
    assert not (out / "a" / "broken.png").exists()


def test_fail_fast_stops_at_the_first_failure(tree, tmp_path, run_cli):
    (tree / "0_broken.csv").write_text("token,a\nx,\n")  # sorts first
    out = tmp_path / "out"
    result = run_cli("batch", tree, "-o", out, "-j", "1", "--fail-fast", "--shape", "any")
    assert result.exit_code == 1
    assert "0 rendered" in result.stderr and "1 failed" in result.stderr
    assert not out.exists() or snapshot(out) == {}


def test_incremental_second_run_touches_nothing(tree, tmp_path, run_cli):
    out = tmp_path / "out"
    run_cli("batch", tree, "-o", out, "-j", "2", "--shape", "any")
    before = snapshot(out)
    result = run_cli("batch", tree, "-o", out, "-j", "2", "--shape", "any")
    assert result.exit_code == 0
    assert "0 rendered, 4 up to date" in result.stderr
    assert snapshot(out) == before  # same bytes and same mtimes


def test_only_the_changed_inputs_figure_changes(tree, tmp_path, run_cli):
    out = tmp_path / "out"
    run_cli("batch", tree, "-o", out, "-j", "1", "--shape", "any")
    before = snapshot(out)
    (tree / "b.csv").write_text(SMALL.replace("0.5", "0.75"))
    result = run_cli("batch", tree, "-o", out, "-j", "1", "--shape", "any")
    assert "1 rendered, 3 up to date" in result.stderr
    after = snapshot(out)
    assert [name for name in after if after[name] != before[name]] == ["b.png"]


def test_force_rerenders_everything_to_the_same_bytes(tree, tmp_path, run_cli):
    out = tmp_path / "out"
    run_cli("batch", tree, "-o", out, "-j", "1", "--shape", "any")
    before = snapshot(out)
    result = run_cli("batch", tree, "-o", out, "-j", "1", "--force", "--shape", "any")
    assert "4 rendered, 0 up to date" in result.stderr
    after = snapshot(out)
    assert {k: v[0] for k, v in after.items()} == {k: v[0] for k, v in before.items()}


def test_a_style_change_makes_every_figure_stale(tree, tmp_path, run_cli):
    out = tmp_path / "out"
    run_cli("batch", tree, "-o", out, "-j", "1", "--shape", "any")
    result = run_cli("batch", tree, "-o", out, "-j", "1", "--fmt", ".2f", "--shape", "any")
    assert "4 rendered, 0 up to date" in result.stderr


def test_check_writes_nothing_and_lists_missing_and_stale(tree, tmp_path, run_cli):
    out = tmp_path / "out"
    result = run_cli("batch", tree, "-o", out, "--check", "--shape", "any")
    assert result.exit_code == 1
    assert not out.exists()
    assert result.stdout.count("missing: ") == 4
    run_cli("batch", tree, "-o", out, "-j", "1", "--shape", "any")
    result = run_cli("batch", tree, "-o", out, "--check", "--shape", "any")
    assert result.exit_code == 0, result.output
    assert "4 up to date, 0 missing, 0 out of date, 0 failed" in result.stderr
    (tree / "a" / "one.yaml").write_text(SMALL_YAML.replace("0.1", "0.9"))
    before = snapshot(out)
    result = run_cli("batch", tree, "-o", out, "--check", "--shape", "any")
    assert result.exit_code == 1
    assert (
        result.stdout.strip()
        == f"out of date: {out / 'a' / 'one.png'} (from {tree / 'a' / 'one.yaml'})"
    )
    assert snapshot(out) == before


def test_check_fails_on_an_invalid_input(tree, tmp_path, run_cli):
    out = tmp_path / "out"
    run_cli("batch", tree, "-o", out, "-j", "1", "--shape", "any")
    result = run_cli("batch", tree, "-o", out, "--check")
    assert result.exit_code == 1  # default shape 13x5: every input is now the wrong shape
    assert result.stderr.count("expected a 13x5 grid") == 4


def test_shards_partition_the_inputs_stably():
    names = [f"run{i}/layer{j}.csv" for i in range(20) for j in range(10)]
    for n in (1, 2, 3, 7):
        shards = [{x for x in names if in_shard(x, (k, n))} for k in range(1, n + 1)]
        assert set().union(*shards) == set(names)
        assert sum(map(len, shards)) == len(names)
        if n > 1:
            assert all(len(s) > len(names) / n / 2 for s in shards)  # roughly balanced
    assert parse_shard("2/4") == (2, 4)
    for bad in ("0/4", "5/4", "a/b", "1"):
        with pytest.raises(ValueError):
            parse_shard(bad)


def test_shard_option_renders_only_its_slice(tree, tmp_path, run_cli):
    outs = [tmp_path / f"out{k}" for k in (1, 2)]
    for k, out in enumerate(outs, 1):
        assert (
            run_cli(
                "batch", tree, "-o", out, "--shard", f"{k}/2", "-j", "1", "--shape", "any"
            ).exit_code
            == 0
        )
    first, second = (set(snapshot(o)) if o.exists() else set() for o in outs)
    assert not first & second
    assert first | second == {"Upper.png", "a/deeper/two.png", "a/one.png", "b.png"}
    assert (
        run_cli("batch", tree, "-o", tmp_path / "x", "--shard", "3/2", "--shape", "any").exit_code
        == 2
    )


def test_batch_figures_equal_render_figures(tmp_path, run_cli):
    folder = make_tree(tmp_path / "in", {})
    shutil.copy(EXAMPLES / "token_attribution.csv", folder / "ref.csv")
    shutil.copy(EXAMPLES / "token_attribution.yaml", folder / "ref2.yaml")
    run_cli("batch", folder, "-o", tmp_path / "out", "-j", "2", "--shape", "any")
    for name in ("ref.csv", "ref2.yaml"):
        single = tmp_path / f"single-{name}.png"
        run_cli("render", folder / name, "-o", single)
        assert (
            single.read_bytes() == (tmp_path / "out" / Path(name).with_suffix(".png")).read_bytes()
        )


def test_batch_output_is_not_a_progress_bar_when_not_a_terminal(tree, tmp_path, run_cli):
    result = run_cli("batch", tree, "-o", tmp_path / "out", "-j", "1", "--shape", "any")
    assert result.stderr.strip().splitlines() == [result.stderr.strip().splitlines()[-1]]
    assert result.stderr.startswith("attrmap batch: 4 rendered")


def test_bad_folders(tmp_path, run_cli):
    assert (
        run_cli("batch", tmp_path / "missing", "-o", tmp_path / "out", "--shape", "any").exit_code
        == 1
    )
    (tmp_path / "file").write_text("x")
    (tmp_path / "in").mkdir()
    result = run_cli("batch", tmp_path / "in", "-o", tmp_path / "file", "--shape", "any")
    assert result.exit_code == 2  # click refuses a file for -o before attrmap runs
    assert "file" in result.stderr


def test_a_folder_with_no_matrices_fails_rather_than_checking_nothing(tmp_path, run_cli):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "notes.txt").write_text("x")
    result = run_cli("batch", tmp_path / "in", "-o", tmp_path / "out", "--check", "--shape", "any")
    assert result.exit_code == 1
    assert "no matrix files (*.csv, " in result.stderr
    with pytest.raises(BatchError, match="cannot list folder"):
        discover(tmp_path / "in" / "notes.txt")  # os.walk's error is not swallowed


def test_check_and_force_together_are_a_usage_error(tree, tmp_path, run_cli):
    result = run_cli("batch", tree, "-o", tmp_path / "out", "--check", "--force", "--shape", "any")
    assert result.exit_code == 2
    assert "--check" in result.stderr


def test_unknown_colormap_fails_the_batch_once(tree, tmp_path, run_cli):
    for jobs in ("1", "2"):
        result = run_cli(
            "batch",
            tree,
            "-o",
            tmp_path / f"out{jobs}",
            "--cmap",
            "nope",
            "-j",
            jobs,
            "--shape",
            "any",
        )
        assert result.exit_code == 1
        assert result.stderr.count("unknown colormap 'nope'") == 1


def test_line_endings_bom_and_comments_do_not_make_a_figure_stale(tree, tmp_path, run_cli):
    out = tmp_path / "out"
    run_cli("batch", tree, "-o", out, "-j", "1", "--shape", "any")
    before = snapshot(out)
    (tree / "b.csv").write_bytes(b"\xef\xbb\xbf" + SMALL.replace("\n", "\r\n").encode())
    (tree / "a" / "one.yaml").write_text(
        "# a comment\n" + SMALL_YAML.replace("[x, y]", "['x', \"y\"]")
    )
    result = run_cli("batch", tree, "-o", out, "--check", "--shape", "any")
    assert result.exit_code == 0, result.output
    assert snapshot(out) == before


def test_background_reuse_in_one_worker_gives_the_same_bytes_as_render(tmp_path, run_cli):
    folder = make_tree(tmp_path / "in", {})
    reference = load_matrix(EXAMPLES / "token_attribution.csv")
    for i, scale in enumerate((1.0, -0.5, 2.0)):  # same labels: the background is reused
        save_matrix(
            AttributionMatrix(reference.tokens, reference.expressions, reference.values * scale),
            folder / f"m{i}.csv",
        )
    assert (
        run_cli("batch", folder, "-o", tmp_path / "out", "-j", "1", "--shape", "any").exit_code == 0
    )
    for i in range(3):
        single = tmp_path / f"single{i}.png"
        run_cli("render", folder / f"m{i}.csv", "-o", single)
        assert single.read_bytes() == (tmp_path / "out" / f"m{i}.png").read_bytes()


def test_stale_temp_files_of_dead_writers_are_removed_live_ones_kept(tree, tmp_path, run_cli):
    out = tmp_path / "out"
    run_cli("batch", tree, "-o", out, "-j", "1", "--shape", "any")
    here = host_tag()
    hour_ago = time.time() - ABANDONED_AFTER_SECONDS - 60
    leftovers = {  # name -> (age in the past, removed?)
        f".b.png.{here}-{2**22 + 12345}.abcd1234": (0, True),  # this host, pid beyond pid_max
        f".b.png.{here}-{os.getpid()}.abcd1234": (0, False),  # this host, alive
        f".b.png.{here}-{os.getpid()}.old12345": (hour_ago, True),  # alive but an hour old
        f".b.png.0123456789ab-{2**22 + 1}.abcd1234": (0, False),  # another host: can't tell
        f".b.png.0123456789ab-{2**22 + 1}.old12345": (hour_ago, True),  # ... until it's old
        f".b.png.{2**22 + 12345}.abcd1234": (0, False),  # 1.0's pid-only name: age rule
    }
    for name, (when, _) in leftovers.items():
        path = out / f"{name}{TEMP_SUFFIX}"
        path.write_bytes(b"half")
        if when:
            os.utime(path, (when, when))
    run_cli("batch", tree, "-o", out, "-j", "1", "--shape", "any")
    for name, (_, removed) in leftovers.items():
        assert (out / f"{name}{TEMP_SUFFIX}").exists() is not removed, name


def test_the_sweep_never_reaches_through_a_symlinked_folder_of_out(tree, tmp_path, run_cli):
    """OUT/a links elsewhere: batch refuses to write there, and must not delete there
    either (an abandoned-looking temporary file beyond the link is not ours)."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    planted = elsewhere / f".one.png.0123456789ab-{2**22 + 1}.old12345{TEMP_SUFFIX}"
    planted.write_bytes(b"someone else's")
    hour_ago = time.time() - ABANDONED_AFTER_SECONDS - 60
    os.utime(planted, (hour_ago, hour_ago))
    out = tmp_path / "out"
    out.mkdir()
    (out / "a").symlink_to(elsewhere, target_is_directory=True)
    result = run_cli("batch", tree, "-o", out, "-j", "1", "--shape", "any")
    assert "refusing to write through a symlinked folder" in result.output
    assert planted.exists()
    own = out / f".b.png.0123456789ab-{2**22 + 1}.old12345{TEMP_SUFFIX}"  # inside OUT
    own.write_bytes(b"half")
    os.utime(own, (hour_ago, hour_ago))
    run_cli("batch", tree, "-o", out, "-j", "1", "--shape", "any")
    assert planted.exists() and not own.exists()


@pytest.mark.skipif(not shutil.which("unshare"), reason="needs unshare (util-linux)")
def test_the_host_tag_differs_between_pid_namespaces():
    """Containers on one host share its name and boot id but number their processes
    themselves: pid 7 of one is not pid 7 of another, so the tag must tell them apart."""
    code = "from attrmap.atomic import host_tag; print(host_tag())"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    command = ["unshare", "--pid", "--fork", sys.executable, "-c", code]
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode != 0:  # not root, or namespaces disallowed here
        pytest.skip(f"cannot make a PID namespace: {done.stderr.strip()[:200]}")
    same = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert same.stdout == f"{host_tag()}\n"  # one namespace: one tag
    assert done.stdout.strip() != host_tag()


def test_temp_names_say_host_and_process(tmp_path):
    seen = []

    def write(handle):
        seen.extend(os.listdir(tmp_path))  # the temporary file, while it is written
        handle.write(b"x")

    atomic_write(tmp_path / "f.png", write)
    name = seen[0]
    assert name.startswith(f".f.png.{host_tag()}-{os.getpid()}.") and name.endswith(TEMP_SUFFIX)
    assert len(host_tag()) == 12 and not set(host_tag()) - set("0123456789abcdef")


def test_up_to_date_batch_and_check_never_import_matplotlib(tree, tmp_path, run_cli):
    out = tmp_path / "out"
    run_cli("batch", tree, "-o", out, "-j", "1", "--shape", "any")
    for extra in ([], ["--check"]):
        run_without_matplotlib(["batch", str(tree), "-o", str(out), "--shape", "any", *extra])


def run_without_matplotlib(argv: list[str], exit_code: int = 0) -> str:
    """Run the CLI in a fresh interpreter; assert its exit code and that it never imported
    matplotlib. Returns its stdout."""
    code = (
        "import sys\nfrom attrmap.cli import cli\n"
        f"try:\n    cli({argv!r}, prog_name='attrmap')\nexcept SystemExit as e:\n"
        f"    assert (e.code or 0) == {exit_code}, e.code\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib was imported'\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def slurm(task: int, first: int, count: int, **extra: str) -> dict[str, str]:
    """The variables Slurm sets in one task of a job array."""
    return {
        "SLURM_ARRAY_TASK_ID": str(task),
        "SLURM_ARRAY_TASK_MIN": str(first),
        "SLURM_ARRAY_TASK_COUNT": str(count),
        **extra,
    }


@pytest.mark.parametrize(
    ("environ", "shard"),
    [
        (slurm(0, 0, 4), (1, 4)),
        (slurm(7, 4, 4), (4, 4)),
        (slurm(20, 0, 3, SLURM_ARRAY_TASK_STEP="10"), (3, 3)),  # --array=0-20:10
        ({"JOB_COMPLETION_INDEX": "0", "ATTRMAP_SHARD_COUNT": "5"}, (1, 5)),
        ({"JOB_COMPLETION_INDEX": "4", "ATTRMAP_SHARD_COUNT": "5"}, (5, 5)),
    ],
    ids=["slurm-first", "slurm-offset", "slurm-step", "k8s-first", "k8s-last"],
)
def test_shard_auto_from_slurm_and_kubernetes(environ, shard):
    assert parse_shard("auto", environ) == shard


@pytest.mark.parametrize(
    ("environ", "says"),
    [
        ({}, "Slurm job array"),
        (slurm(5, 0, 3), "evenly spaced"),  # --array=0,1,5
        ({**slurm(0, 0, 3), "SLURM_ARRAY_TASK_ID": "x"}, "SLURM_ARRAY_TASK_ID='x'"),
        ({"JOB_COMPLETION_INDEX": "0"}, "ATTRMAP_SHARD_COUNT"),
        ({"JOB_COMPLETION_INDEX": "5", "ATTRMAP_SHARD_COUNT": "5"}, "not below"),
    ],
)
def test_shard_auto_outside_a_job_array_says_why(environ, says):
    with pytest.raises(ValueError, match=re.escape(says)):
        parse_shard("auto", environ)


def test_shard_auto_on_the_command_line_matches_explicit_shards(tree, tmp_path, run_cli):
    def figures(out: Path) -> list[str]:
        return sorted(snapshot(out)) if out.exists() else []

    for index in range(2):
        auto, explicit = tmp_path / f"auto{index}", tmp_path / f"explicit{index}"
        assert (
            run_cli(
                "batch",
                tree,
                "-o",
                auto,
                "--shard",
                "auto",
                "--shape",
                "any",
                env=slurm(10 + index, 10, 2),
            ).exit_code
            == 0
        )
        assert (
            run_cli(
                "batch", tree, "-o", explicit, "--shard", f"{index + 1}/2", "--shape", "any"
            ).exit_code
            == 0
        )
        assert figures(auto) == figures(explicit)
    unset = {"SLURM_ARRAY_TASK_ID": None, "JOB_COMPLETION_INDEX": None}
    result = run_cli(
        "batch", tree, "-o", tmp_path / "x", "--shard", "auto", "--shape", "any", env=unset
    )
    assert result.exit_code == 2
    assert "Slurm job array" in result.stderr


def test_a_large_check_examines_in_workers_with_the_same_result(
    tree, tmp_path, monkeypatch, run_cli
):
    out = tmp_path / "out"
    run_cli("batch", tree, "-o", out, "-j", "1", "--shape", "any")
    (tree / "a" / "one.yaml").write_text(SMALL_YAML.replace("0.1", "0.9"))  # out of date
    (tree / "new.csv").write_text(SMALL)  # missing
    (tree / "bad.csv").write_text("token,a\nx,oops\n")  # failed
    serial = run_cli("batch", tree, "-o", out, "--check", "-j", "1", "--shape", "any")
    monkeypatch.setattr(batch_module, "PARALLEL_CHECK_FROM", 2)
    parallel = run_cli("batch", tree, "-o", out, "--check", "-j", "2", "--shape", "any")
    assert parallel.exit_code == serial.exit_code == 1
    assert parallel.stdout == serial.stdout and serial.stdout.count("\n") == 2
    assert parallel.stderr.splitlines()[:-1] == serial.stderr.splitlines()[:-1]
    assert "3 up to date, 1 missing, 1 out of date, 1 failed" in parallel.stderr


def run_attrmap(*args: object, timeout: float = 120) -> subprocess.CompletedProcess:
    """attrmap in a child process: a command that would wait on a FIFO fails the test
    (``TimeoutExpired``) instead of hanging the suite."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    argv = [sys.executable, "-m", "attrmap", *map(str, args)]
    return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=timeout)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifos_in_in_and_out_are_refused_one_line_each_and_never_opened(tree, tmp_path):
    out = tmp_path / "out"
    os.mkfifo(tree / "a" / "pipe.csv")  # an input nobody will ever write
    out.mkdir()
    os.mkfifo(out / "b.png")  # where b.csv's figure goes
    os.mkfifo(out / "stray.png")  # a figure without input: --prune and --check look at it
    for extra in ((), ("--check",), ("--prune",)):
        proc = run_attrmap("batch", tree, "-o", out, "--shape", "any", "-j", "1", *extra)
        assert proc.returncode == 1, proc.stderr
        errors = [line for line in proc.stderr.splitlines() if line.startswith("attrmap: error")]
        assert errors == [
            f"attrmap: error: {tree / 'a' / 'pipe.csv'}: cannot read: not a regular file (a FIFO)",
            f"attrmap: error: {out / 'b.png'}: a FIFO, not a figure; refusing to replace it",
        ]
        assert "Traceback" not in proc.stderr
    assert (out / "a" / "one.png").is_file()  # the rest of the batch went on
    assert stat.S_ISFIFO((out / "b.png").stat().st_mode)
    assert stat.S_ISFIFO((out / "stray.png").stat().st_mode)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_render_and_validate_refuse_a_fifo_but_read_stdin(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    for command in (("validate",), ("render", "-o", tmp_path / "x.png"), ("describe",)):
        proc = run_attrmap(*command, fifo, timeout=60)
        assert proc.returncode == 1
        assert proc.stderr == f"attrmap: error: {fifo}: cannot read: not a regular file (a FIFO)\n"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    argv = [sys.executable, "-m", "attrmap", "validate", "-", "--input-format", "csv"]
    argv += ["--shape", "any"]
    piped = subprocess.run(argv, input=SMALL, capture_output=True, text=True, env=env, timeout=60)
    assert piped.returncode == 0, piped.stderr
