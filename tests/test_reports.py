"""Output for machines and for many failures: --report JSON, GitHub annotations, hints."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from attrmap import InputError, ShapeError
from attrmap.errors import Hint
from attrmap.reports import github_annotation, github_escape_data, github_escape_property
from conftest import EXAMPLES
from test_batch import SMALL, make_tree


@pytest.fixture
def wrong_shapes(tmp_path: Path) -> Path:
    """Three 2x2 inputs, one with a bad cell, and the reference (13x5)."""
    folder = make_tree(tmp_path / "in", {f"s{i}.csv": SMALL for i in range(3)})
    (folder / "bad.csv").write_text("token,a\nx,oops\n")
    (folder / "ref.csv").write_bytes((EXAMPLES / "token_attribution.csv").read_bytes())
    return folder


# --------------------------------------------------------------------------- render -o


def test_several_inputs_and_a_figure_file_is_a_usage_error(tmp_path, run_cli):
    csv = EXAMPLES / "token_attribution.csv"
    result = run_cli("render", csv, EXAMPLES / "token_attribution.yaml", "-o", tmp_path / "one.png")
    assert result.exit_code == 2
    assert "-o" in result.stderr and "folder" in result.stderr
    assert not (tmp_path / "one.png").exists()
    folder = tmp_path / "figs"
    assert run_cli("render", csv, "-o", folder / "one.PNG").exit_code == 0  # one input: a file
    assert (folder / "one.PNG").is_file()


# --------------------------------------------------------------------------- hints


def test_repeated_advice_becomes_one_closing_hint(wrong_shapes, tmp_path, run_cli):
    for args in (
        ["batch", wrong_shapes, "-o", tmp_path / "out", "--check"],
        ["validate", *sorted(wrong_shapes.iterdir())],
    ):
        lines = run_cli(*args).stderr.splitlines()
        errors = [line for line in lines if line.startswith("attrmap: error: ")]
        hints = [line for line in lines if line.startswith("attrmap: hint: ")]
        assert len(errors) == 4  # each input still has its own line ...
        assert sum("found 2x2" in line for line in errors) == 3
        assert not any("--shape" in line for line in errors)  # ... without the advice
        assert hints == [
            'attrmap: hint: 3 inputs are not 13x5: set `shape = "any"` under `[tool.attrmap]` '
            "in pyproject.toml, or pass `--shape any` (or the grid you expect, e.g. "
            "`--shape 20x8`)"
        ]
        assert lines.index(hints[0]) > max(map(lines.index, errors))  # at the end


def test_errors_with_a_hint_survive_pickling_with_every_field():
    error = ShapeError("a.csv", "expected 13x5", line=3, column=2, hint=Hint("k", "x", "xs", "do"))
    back = pickle.loads(pickle.dumps(error))
    assert (type(back), str(back), back.brief) == (ShapeError, str(error), error.brief)
    assert (back.source, back.line, back.column, back.hint) == ("a.csv", 3, 2, error.hint)


# --------------------------------------------------------------------------- GitHub


def test_github_escaping_follows_the_runner_rules():
    assert github_escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert github_escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    error = InputError("dir,1/a:b.csv", "bad value 100%", line=4, column=2)
    assert github_annotation(error) == (
        "::error file=dir%2C1/a%3Ab.csv,line=4,col=2::dir,1/a:b.csv:4:2: bad value 100%25"
    )
    # Control characters (a file name's newline, ESC) are shown as the terminal shows
    # them, then GitHub's own escapes apply.
    hostile = InputError("x\n::warning::y\x1b.csv", "bad", line=1)
    assert github_annotation(hostile) == (
        "::error file=x\\n%3A%3Awarning%3A%3Ay\\x1b.csv,line=1::x\\n::warning::y\\x1b.csv:1: bad"
    )


def test_input_errors_become_annotations_in_github_actions(wrong_shapes, tmp_path, run_cli):
    bad = wrong_shapes / "bad.csv"
    for env, expected in (({"GITHUB_ACTIONS": "true"}, 4), ({"GITHUB_ACTIONS": ""}, 0)):
        result = run_cli("batch", wrong_shapes, "-o", tmp_path / "out", "--check", env=env)
        annotations = [line for line in result.stdout.splitlines() if line.startswith("::")]
        assert len(annotations) == expected
        if expected:
            assert f"::error file={bad},line=2,col=2::{bad}:2:2: " in result.stdout
            shape = next(a for a in annotations if "s0.csv" in a)
            assert shape.startswith(f"::error file={wrong_shapes / 's0.csv'}::")
            assert "--shape any" in shape  # an annotation stands alone: advice included
    result = run_cli("validate", bad, env={"GITHUB_ACTIONS": "true"})
    assert result.stdout.startswith(f"::error file={bad},line=2,col=2::")


# --------------------------------------------------------------------------- --report


def read_report(path: Path) -> dict:
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["version"] == 1
    return document


def test_batch_report_has_one_record_per_input(wrong_shapes, tmp_path, run_cli):
    out, report = tmp_path / "out", tmp_path / "reports" / "batch.json"
    result = run_cli(
        "batch", wrong_shapes, "-o", out, "--shape", "2x2", "--report", report, "-j", "1"
    )
    assert result.exit_code == 1
    document = read_report(report)
    assert document["command"] == "batch"
    by_input = {Path(r["input"]).name: r for r in document["records"]}
    assert sorted(by_input) == ["bad.csv", "ref.csv", "s0.csv", "s1.csv", "s2.csv"]
    rendered = by_input["s0.csv"]
    assert rendered["status"] == "rendered" and rendered["error"] is None
    assert rendered["figures"] == [str(out / "s0.png")]
    assert len(rendered["key"]) == 64
    bad = by_input["bad.csv"]
    assert bad["status"] == "failed" and bad["figures"] == []
    assert bad["error"]["file"] == str(wrong_shapes / "bad.csv")
    assert (bad["error"]["line"], bad["error"]["column"]) == (2, 2)
    assert "'oops' is not a number" in bad["error"]["message"]
    assert by_input["ref.csv"]["error"]["type"] == "ShapeError"
    assert document["summary"]["rendered"] == 3 and document["summary"]["failed"] == 2
    # A --check run: up to date, out of date, missing.
    (wrong_shapes / "s1.csv").write_text(SMALL.replace("0.5", "0.7"))
    (out / "s2.png").unlink()
    run_cli("batch", wrong_shapes, "-o", out, "--shape", "2x2", "--check", "--report", report)
    statuses = {Path(r["input"]).name: r["status"] for r in read_report(report)["records"]}
    assert statuses == {
        "bad.csv": "failed",
        "ref.csv": "failed",
        "s0.csv": "up to date",
        "s1.csv": "out of date",
        "s2.csv": "missing",
    }


def test_render_and_validate_reports(wrong_shapes, tmp_path, run_cli):
    report = tmp_path / "r.json"
    ref, bad = wrong_shapes / "ref.csv", wrong_shapes / "bad.csv"
    assert run_cli("render", ref, bad, "-o", tmp_path / "figs", "--report", report).exit_code == 1
    records = read_report(report)["records"]
    assert [(r["input"], r["status"]) for r in records] == [
        (str(ref), "rendered"),
        (str(bad), "failed"),
    ]
    assert records[0]["figures"] == [str(tmp_path / "figs" / "ref.png")]
    assert len(records[0]["key"]) == 64
    assert run_cli("validate", ref, "--report", report).exit_code == 0
    document = read_report(report)
    assert document["command"] == "validate"
    assert document["records"] == [
        {"input": str(ref), "status": "valid", "figures": [], "key": None, "error": None}
    ]


def test_report_is_written_atomically_and_refused_cleanly(wrong_shapes, tmp_path, run_cli):
    (tmp_path / "r.json").mkdir()
    result = run_cli("validate", wrong_shapes / "ref.csv", "--report", tmp_path / "r.json")
    assert result.exit_code == 2  # click refuses a folder for a file option
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run_cli("validate", wrong_shapes / "ref.csv", "--report", blocker / "r.json")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"attrmap: error: {blocker / 'r.json'}: cannot write here")


def test_report_never_replaces_an_input_or_a_figure(wrong_shapes, tmp_path, run_cli):
    one, two = wrong_shapes / "s0.csv", wrong_shapes / "s1.csv"
    before = one.read_bytes()
    # The option takes one.csv, which was meant as the first input.
    result = run_cli("validate", "--report", one, two, "--shape", "any")
    assert result.exit_code == 1
    assert result.stderr == (
        f"attrmap: error: {one}: refusing to replace it with the report: "
        "it is not an attrmap report\n"
    )
    assert one.read_bytes() == before
    result = run_cli("validate", one, two, "--report", one, "--shape", "any")
    assert result.exit_code == 1 and one.read_bytes() == before
    figure = tmp_path / "x.png"  # not there yet: refused before anything is drawn
    result = run_cli("render", one, "-o", figure, "--report", figure, "--shape", "any")
    assert result.exit_code == 1
    assert f"{figure}: refusing to write the report over the figure {figure}" in result.stderr
    assert not figure.exists()
    assert run_cli("render", one, "-o", figure, "--shape", "any").exit_code == 0
    drawn = figure.read_bytes()  # there now: not a report either
    result = run_cli("render", one, "-o", figure, "--report", figure, "--shape", "any")
    assert result.exit_code == 1 and figure.read_bytes() == drawn
    out = tmp_path / "out"
    result = run_cli("batch", wrong_shapes, "-o", out, "--report", out / "s2.png")
    assert result.exit_code == 1 and not out.exists()
    assert "refusing to write the report over the figure" in result.stderr
    report = tmp_path / "report.json"  # an earlier report is replaced, as always
    for _ in range(2):
        assert run_cli("validate", two, "--report", report, "--shape", "any").exit_code == 0
    assert json.loads(report.read_text())["command"] == "validate"
