"""Orphans: figures made by attrmap whose input is gone. --check lists them, --prune deletes
exactly them (never a file without attrmap's key, never outside OUT)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from attrmap.batch import BatchOptions, find_orphans
from test_batch import SMALL, SMALL_YAML, make_tree, run_without_matplotlib, snapshot


@pytest.fixture
def rendered(tmp_path: Path, run_cli) -> tuple[Path, Path]:
    """IN with four inputs, OUT with their figures; then two inputs are deleted."""
    tree = make_tree(
        tmp_path / "in",
        {"keep.csv": SMALL, "gone.csv": SMALL, "sub/gone2.yaml": SMALL_YAML, "sub/k.csv": SMALL},
    )
    out = tmp_path / "out"
    assert run_cli("batch", tree, "-o", out, "-j", "1", "--shape", "any").exit_code == 0
    shutil.copy(out / "keep.png", out / "keep-1.png")  # a numbered figure of keep.csv
    assert (
        run_cli("batch", tree, "-o", out, "-j", "1", "--format", "svg", "--shape", "any").exit_code
        == 0
    )  # other format
    (out / "notes.png").write_bytes(b"\x89PNG not attrmap's")  # no key: never an orphan
    (out / "README.md").write_text("figures")
    (tree / "gone.csv").unlink()
    (tree / "sub" / "gone2.yaml").unlink()
    return tree, out


ORPHANS = ["gone.png", "gone.svg", "sub/gone2.png", "sub/gone2.svg"]


def test_check_lists_orphans_and_fails(rendered, run_cli):
    tree, out = rendered
    before = snapshot(out)
    result = run_cli("batch", tree, "-o", out, "--check", "--shape", "any")
    assert result.exit_code == 1
    listed = sorted(line for line in result.stdout.splitlines() if line.startswith("orphan: "))
    assert listed == [f"orphan: {out / name}" for name in ORPHANS]
    assert "2 up to date, 0 missing, 0 out of date, 0 failed, 4 orphans" in result.stderr
    assert snapshot(out) == before  # --check writes and deletes nothing


def test_prune_deletes_exactly_the_orphans_and_says_so(rendered, run_cli):
    tree, out = rendered
    before = snapshot(out)
    result = run_cli("batch", tree, "-o", out, "--prune", "-j", "1", "--shape", "any")
    assert result.exit_code == 0, result.output
    assert sorted(result.stdout.splitlines()) == [f"pruned: {out / name}" for name in ORPHANS]
    assert "0 rendered, 2 up to date, 0 failed, 4 pruned" in result.stderr
    after = snapshot(out)
    assert sorted(set(before) - set(after)) == ORPHANS
    assert all(after[name] == before[name] for name in after)  # the rest untouched
    assert "notes.png" in after and "keep-1.png" in after and "keep.svg" in after
    assert run_cli("batch", tree, "-o", out, "--check", "--shape", "any").exit_code == 0


def test_prune_removes_folders_it_empties_but_never_out_itself(tmp_path, run_cli):
    tree = make_tree(tmp_path / "in", {"a/b/only.csv": SMALL, "top.csv": SMALL})
    out = tmp_path / "out"
    run_cli("batch", tree, "-o", out, "-j", "1", "--shape", "any")
    shutil.rmtree(tree / "a")
    (tree / "top.csv").unlink()
    (tree / "other.csv").write_text(SMALL)  # IN must still hold a matrix
    assert run_cli("batch", tree, "-o", out, "--prune", "-j", "1", "--shape", "any").exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["other.png"]


def test_check_and_prune_together_are_a_usage_error(rendered, run_cli):
    tree, out = rendered
    result = run_cli("batch", tree, "-o", out, "--check", "--prune", "--shape", "any")
    assert result.exit_code == 2
    assert "--prune" in result.stderr


def test_shards_split_the_orphans_without_overlap(rendered):
    tree, out = rendered
    found = [
        {p.relative_to(out).as_posix() for p in find_orphans(tree, out, BatchOptions(shard=s))}
        for s in ((1, 3), (2, 3), (3, 3))
    ]
    assert sum(map(len, found)) == len(ORPHANS)
    assert set().union(*found) == set(ORPHANS)


def test_symlinks_and_files_outside_out_are_never_pruned(rendered, tmp_path, run_cli):
    tree, out = rendered
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(out / "keep.png", elsewhere / "precious.png")  # has attrmap's key
    (out / "link.png").symlink_to(elsewhere / "precious.png")
    (out / "linked").symlink_to(elsewhere, target_is_directory=True)
    (out / ".hidden.png").write_bytes((out / "keep.png").read_bytes())
    assert run_cli("batch", tree, "-o", out, "--prune", "-j", "1", "--shape", "any").exit_code == 0
    assert (elsewhere / "precious.png").exists()
    assert (out / "link.png").is_symlink() and (out / ".hidden.png").exists()


def test_orphans_in_the_report(rendered, tmp_path, run_cli):
    tree, out = rendered
    report = tmp_path / "report.json"
    run_cli("batch", tree, "-o", out, "--check", "--report", report, "--shape", "any")
    records = json.loads(report.read_text())["records"]
    orphans = [r for r in records if r["status"] == "orphan"]
    assert sorted(r["figures"][0] for r in orphans) == [str(out / n) for n in ORPHANS]
    assert all(r["input"] is None and len(r["key"]) == 64 for r in orphans)


def test_check_with_orphans_never_imports_matplotlib(rendered):
    tree, out = rendered
    argv = ["batch", str(tree), "-o", str(out), "--shape", "any", "--check"]
    assert run_without_matplotlib(argv, exit_code=1).count("orphan: ") == len(ORPHANS)
