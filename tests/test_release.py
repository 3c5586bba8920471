"""Releases: a package version bump alone leaves every figure current and byte-identical;
a drawing version bump marks them stale. The CHANGELOG describes the version shipped."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import attrmap
from attrmap import AttributionMatrix, Style
from attrmap._version import DRAWING_VERSION
from conftest import ROOT

SMALL = "token,a,b\nx,0.5,-0.25\ny,1,0\n"
LONG = "token,a,b\n" + "".join(f"t{i},0.{i},-0.{i}\n" for i in range(5))  # 3 pages of 2
FORMATS = ("png", "svg", "pdf", "html")

# Runs attrmap commands in one fresh interpreter: [[args...], ...] in, results out.
_RUNNER = """
import json, sys
from click.testing import CliRunner
import attrmap
from attrmap.cli import cli
results = [
    {"code": r.exit_code, "out": r.stdout, "err": r.stderr}
    for r in (CliRunner().invoke(cli, args) for args in json.loads(sys.argv[1]))
]
print(json.dumps({"version": attrmap.__version__, "results": results}))
"""


def _attrmap_with(tmp_path: Path, **versions: str) -> Path:
    """A copy of this attrmap whose ``_version.py`` says ``versions`` instead."""
    copy = tmp_path / f"site-{'-'.join(versions.values())}"
    shutil.copytree(
        Path(attrmap.__file__).parent, copy / "attrmap", ignore=shutil.ignore_patterns("*.pyc")
    )
    version_file = copy / "attrmap" / "_version.py"
    text = version_file.read_text()
    for name, value in versions.items():
        text, count = re.subn(rf'^{name} = ".*"$', f'{name} = "{value}"', text, flags=re.M)
        assert count == 1, name
    version_file.write_text(text)
    return copy


def _run(site: Path, *commands: list[object]) -> tuple[str, list[dict]]:
    """Run ``commands`` with the attrmap in ``site``: its version, and each result."""
    env = {**os.environ, "PYTHONPATH": str(site), "MPLBACKEND": "Agg"}
    args = json.dumps(
        [[*map(str, command), "--shape", "any", "--rows-per-page", "2"] for command in commands]
    )
    proc = subprocess.run(
        [sys.executable, "-c", _RUNNER, args], capture_output=True, text=True, env=env, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    answer = json.loads(proc.stdout)
    return answer["version"], answer["results"]


@pytest.fixture
def rendered(tmp_path: Path) -> tuple[Path, Path, dict[str, bytes]]:
    """Three inputs' figures in every format, rendered by this attrmap: two of one page,
    one of three pages."""
    tree = tmp_path / "in"
    tree.mkdir()
    for name in ("a", "b"):
        (tree / f"{name}.csv").write_text(SMALL)
    (tree / "long.csv").write_text(LONG)
    out = tmp_path / "out"
    here = Path(attrmap.__file__).parent.parent
    _, results = _run(here, *(["batch", tree, "-o", out, "--format", f] for f in FORMATS))
    assert [r["code"] for r in results] == [0] * len(FORMATS), results
    files = {p.name: p.read_bytes() for p in sorted(out.iterdir())}
    assert {"long-1.png", "long-3.png", "long-3.svg", "long.pdf", "a.html"} <= set(files)
    return tree, out, files


@pytest.mark.slow  # a copy of the package in a fresh interpreter
def test_a_version_bump_alone_keeps_every_figure_current_and_identical(tmp_path, rendered):
    tree, out, before = rendered
    version, results = _run(
        _attrmap_with(tmp_path, __version__="9.9.9"),
        *(["batch", tree, "-o", out, "--format", f, "--check"] for f in FORMATS),
        *(["batch", tree, "-o", out, "--format", f, "--force"] for f in FORMATS),
    )
    assert version == "9.9.9"  # the copy really is another release
    for check in results[: len(FORMATS)]:
        assert check["code"] == 0, check
        assert "3 up to date, 0 missing, 0 out of date" in check["err"]
    assert all(redraw["code"] == 0 for redraw in results[len(FORMATS) :])
    assert {p.name: p.read_bytes() for p in sorted(out.iterdir())} == before  # same bytes


@pytest.mark.slow  # a copy of the package in a fresh interpreter
@pytest.mark.parametrize(
    ("version", "formats", "stale"),
    [
        ("DRAWING_VERSION", FORMATS, ("a.csv", "b.csv", "long.csv")),  # every figure
        ("PAGED_DRAWING_VERSION", ("png", "svg", "pdf"), ("long.csv",)),  # paged ones only
    ],
)
def test_a_drawing_version_bump_marks_its_figures_stale(
    tmp_path, rendered, version, formats, stale
):
    tree, out, _ = rendered
    _, results = _run(
        _attrmap_with(tmp_path, **{version: "9.9.9"}),
        *(["batch", tree, "-o", out, "--format", f, "--check"] for f in formats),
    )
    for check in results:
        assert check["code"] == 1
        listed = re.findall(r"\(from .*[/\\](\w+\.csv)\)", check["out"])  # stale or missing
        assert sorted(listed) == list(stale), check


def test_a_paged_figure_of_1_0_is_stale_and_one_of_this_drawing_current(tmp_path):
    from attrmap.provenance import figure_is_current
    from attrmap.writers import page_provenance

    key = "ab" * 32
    old, new = tmp_path / "old.pdf", tmp_path / "new.pdf"
    old.write_bytes(b"%PDF-1.4 ... /Keywords (attrmap:" + f"{key};pages=3".encode() + b")")
    new.write_bytes(b"%PDF-1.4 ... /Keywords (attrmap:" + page_provenance(key, 3).encode() + b")")
    assert not figure_is_current(old, key)  # 1.0 drew no page markers: redraw it
    assert figure_is_current(new, key)
    one = tmp_path / "one.pdf"
    one.write_bytes(b"%PDF-1.4 ... /Keywords (attrmap:" + page_provenance(key, 1).encode() + b")")
    assert page_provenance(key, 1) == key and figure_is_current(one, key)  # as in 1.0


def test_the_changelog_describes_this_version():
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "Keep a Changelog" in changelog
    releases = re.findall(r"^## \[(\d+\.\d+\.\d+)\]", changelog, flags=re.M)
    assert releases[0] == attrmap.__version__, "the newest release in CHANGELOG.md"
    assert DRAWING_VERSION in releases


def test_a_clean_label_figure_is_keyed_on_its_labels_as_shown(monkeypatch):
    from attrmap import labels, provenance

    pieces = AttributionMatrix(["\u2581The", "\u2581cat"], ["e"], [[0.1], [0.2]])
    clean, raw = Style(tokens="clean"), Style(tokens="raw")
    keys = {style: provenance.figure_key(pieces, style, "png") for style in (clean, raw)}
    assert provenance.figure_key(pieces, clean, "png") == keys[clean]  # stable
    # Cleaning rules that show these pieces differently make the clean figure stale, and
    # only it: a raw figure's labels are its tokens, already in the matrix's digest.
    monkeypatch.setattr(labels, "clean_axes", lambda t, e: (["The!", "cat!"], list(e)))
    assert provenance.figure_key(pieces, clean, "png") != keys[clean]
    assert provenance.figure_key(pieces, raw, "png") == keys[raw]
