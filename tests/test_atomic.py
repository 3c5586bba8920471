"""Injected output faults and hostile trees: one clear line, exit 1, nothing torn or lost."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest

import attrmap.atomic
from attrmap.atomic import TEMP_SUFFIX
from conftest import EXAMPLES

REF = EXAMPLES / "token_attribution.csv"


def error_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("attrmap: error:")]


def fail_mkstemp(*args, **kwargs):
    raise PermissionError(errno.EACCES, "Permission denied")


def fail_fsync(fd):
    raise OSError(errno.ENOSPC, "No space left on device")


def fail_replace(src, dst):
    raise OSError(errno.EXDEV, "Invalid cross-device link")


FAULTS = {
    "unwritable-folder": ("mkstemp", fail_mkstemp, "Permission denied"),
    "disk-full": ("fsync", fail_fsync, "No space left on device"),
    "rename-fails": ("replace", fail_replace, "Invalid cross-device link"),
}


def inject(monkeypatch, fault: str) -> str:
    name, replacement, message = FAULTS[fault]
    target = attrmap.atomic.tempfile if name == "mkstemp" else attrmap.atomic.os
    monkeypatch.setattr(target, name, replacement)
    return message


def commands(tmp_path: Path) -> dict[str, tuple[list, Path]]:
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    shutil.copy(REF, folder / "ref.csv")
    out = tmp_path / "out"
    return {
        "render-png": (["render", REF, "-o", out / "ref.png"], out / "ref.png"),
        "render-pdf": (["render", REF, "-o", out / "ref.pdf"], out / "ref.pdf"),
        "batch-png": (["batch", folder, "-o", out, "-j", "1"], out / "ref.png"),
        "batch-svg": (["batch", folder, "-o", out, "-j", "1", "--format", "svg"], out / "ref.svg"),
        "convert": (["convert", REF, out / "ref.yaml"], out / "ref.yaml"),
    }


@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize(
    "command", ["render-png", "render-pdf", "batch-png", "batch-svg", "convert"]
)
def test_fault_gives_one_line_and_keeps_the_good_file(
    tmp_path, monkeypatch, fault, command, run_cli
):
    args, target = commands(tmp_path)[command]
    assert run_cli(*args).exit_code == 0
    good = target.read_bytes()
    if command.startswith("batch"):
        args = [*args, "--force"]
    message = inject(monkeypatch, fault)
    result = run_cli(*args)
    assert result.exit_code == 1
    lines = error_lines(result)
    assert len(lines) == 1 and message in lines[0] and str(target) in lines[0], result.stderr
    assert target.read_bytes() == good
    assert not list(tmp_path.rglob(f"*{TEMP_SUFFIX}"))


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_fault_on_a_new_file_leaves_nothing(tmp_path, monkeypatch, fault, run_cli):
    out = tmp_path / "out" / "fig.png"
    message = inject(monkeypatch, fault)
    result = run_cli("render", REF, "-o", out)
    assert result.exit_code == 1
    assert message in error_lines(result)[0]
    assert not out.exists()
    assert not list(tmp_path.rglob(f"*{TEMP_SUFFIX}"))


def test_output_path_that_is_a_folder_fails_only_that_figure(tmp_path, run_cli):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(REF, folder / "a.csv")
    shutil.copy(REF, folder / "b.csv")
    (tmp_path / "out" / "a.png").mkdir(parents=True)
    result = run_cli("batch", folder, "-o", tmp_path / "out", "-j", "1")
    assert result.exit_code == 1
    assert error_lines(result) == [
        f"attrmap: error: {tmp_path / 'out' / 'a.png'}: is a folder, not a file"
    ]
    assert (tmp_path / "out" / "b.png").is_file()


# --------------------------------------------------------------------------- hostile trees


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(REF, folder / "real.csv")
    return folder


def test_symlinked_input_file_is_read_like_a_file(tree, tmp_path, run_cli):
    outside = tmp_path / "elsewhere.csv"
    shutil.copy(REF, outside)
    (tree / "linked.csv").symlink_to(outside)
    result = run_cli("batch", tree, "-o", tmp_path / "out", "-j", "1")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "linked.png").is_file()


def test_symlink_loop_is_a_failed_input_not_a_hang(tree, tmp_path, run_cli):
    (tree / "a.csv").symlink_to(tree / "b.csv")
    (tree / "b.csv").symlink_to(tree / "a.csv")
    result = run_cli("batch", tree, "-o", tmp_path / "out", "-j", "1")
    assert result.exit_code == 1
    assert len(error_lines(result)) == 2
    assert all("cannot read" in line for line in error_lines(result))
    assert (tmp_path / "out" / "real.png").is_file()


def test_never_writes_through_a_symlinked_output_folder(tree, tmp_path, run_cli):
    (tree / "sub").mkdir()
    shutil.copy(REF, tree / "sub" / "x.csv")
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "sub").symlink_to(outside, target_is_directory=True)
    result = run_cli("batch", tree, "-o", tmp_path / "out", "-j", "1")
    assert result.exit_code == 1
    assert "refusing to write through a symlinked folder" in error_lines(result)[0]
    assert list(outside.iterdir()) == []
    assert (tmp_path / "out" / "real.png").is_file()


def test_a_figure_that_is_a_symlink_is_replaced_not_followed(tree, tmp_path, run_cli):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "real.png").symlink_to(victim)
    result = run_cli("batch", tree, "-o", tmp_path / "out", "-j", "1")
    assert result.exit_code == 0, result.output
    assert victim.read_text() == "precious"
    assert not (tmp_path / "out" / "real.png").is_symlink()


def test_output_folder_inside_the_input_folder(tree, run_cli):
    out = tree / "figures"
    assert run_cli("batch", tree, "-o", out, "-j", "1").exit_code == 0
    shutil.copy(REF, out / "stray.csv")  # never treated as an input
    result = run_cli("batch", tree, "-o", out, "-j", "1")
    assert "0 rendered, 1 up to date, 0 failed" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["real.png", "stray.csv"]


def test_dotted_names_stay_inside_the_output_folder(tree, tmp_path, run_cli):
    shutil.copy(REF, tree / "..csv")  # a hidden file: skipped
    shutil.copy(REF, tree / "a..b.csv")
    (tree / "...").mkdir()  # a hidden folder: skipped
    shutil.copy(REF, tree / "..." / "c.csv")
    out = tmp_path / "out"
    assert run_cli("batch", tree / ".." / "in", "-o", out, "-j", "1").exit_code == 0
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.png"))
    assert written == ["out/a..b.png", "out/real.png"]


def test_unreadable_input_is_reported(tree, tmp_path, monkeypatch, run_cli):
    real_open = os.open  # inputs are opened with os.open (open_regular), never blocking

    def guarded_open(path, *args, **kwargs):
        if os.fspath(path).endswith("real.csv"):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("os.open", guarded_open)
    result = run_cli("validate", tree / "real.csv")
    assert result.exit_code == 1
    assert error_lines(result) == [
        f"attrmap: error: {tree / 'real.csv'}: cannot read: Permission denied"
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_open_regular_refuses_a_fifo_and_a_folder_without_waiting(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for path, kind in ((fifo, "a FIFO"), (tmp_path, "a folder")):
        with pytest.raises(attrmap.atomic.NotRegularFile) as caught:
            attrmap.atomic.open_regular(path)
        assert caught.value.strerror == f"not a regular file ({kind})"
    assert attrmap.atomic.special_file_kind(fifo) == "a FIFO"
    assert attrmap.atomic.special_file_kind(tmp_path) is None
    assert attrmap.atomic.special_file_kind(tmp_path / "absent") is None
    regular = tmp_path / "file"
    regular.write_bytes(b"abc")
    with attrmap.atomic.open_regular(regular) as handle:
        assert handle.read() == b"abc"
