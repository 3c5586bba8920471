"""The format registry and files that hold several matrices (one figure each)."""

from __future__ import annotations

import pytest

import attrmap
from attrmap import AttributionMatrix, InputError, InputOptions, formats, load_matrices, load_matrix
from attrmap.batch import BatchOptions, discover, plan
from attrmap.formats import Format, format_for, input_stem, input_suffixes
from attrmap.pipeline import figure_targets


def _read_several(data: bytes, source: str, options: InputOptions) -> list[AttributionMatrix]:
    """A stand-in multi-matrix format: the file's text is how many 1x1 matrices it holds."""
    return [
        AttributionMatrix(["t"], ["e"], [[index / 10]], title=f"seq {index}", source=source)
        for index in range(int(data.decode()))
    ]


@pytest.fixture
def several(monkeypatch):
    """Register the stand-in format for one test (the registry is a plain dict)."""
    fmt = Format("several", (".several", ".sev.gz"), _read_several, write=None)
    monkeypatch.setitem(formats._REGISTRY, fmt.name, fmt)
    return fmt


def test_registry_drives_extensions_and_names(several):
    assert {".csv", ".yaml", ".yml", ".several", ".sev.gz"} <= set(input_suffixes())
    assert format_for("x.CSV").name == "csv"
    assert format_for("a/b.Sev.GZ").name == "several"
    assert format_for("x.csv", "yaml").name == "yaml"
    assert input_stem("run_0.sev.gz") == "run_0"
    assert input_stem("data.v2.csv") == "data.v2"
    with pytest.raises(
        InputError, match=r"x\.txt: unknown extension '\.txt'; expected .*\.several"
    ):
        format_for("x.txt")
    with pytest.raises(InputError, match="unknown input format 'nope'"):
        format_for("x.csv", "nope")


def test_a_shared_extension_is_decided_by_sniffing(monkeypatch):
    sniffed = Format("sniffed", (".csv",), _read_several, sniff=lambda head: head.isdigit())
    monkeypatch.setitem(formats._REGISTRY, sniffed.name, sniffed)
    assert format_for("x.csv", head=b"3").name == "sniffed"
    assert format_for("x.csv", head=b"token,a\n").name == "csv"  # the one without a sniff


def test_extensions_must_be_lower_case():
    with pytest.raises(ValueError, match="lower-case"):
        Format("bad", (".CSV",), _read_several)


def test_load_matrix_wants_one_matrix_load_matrices_gives_all(several, tmp_path):
    path = tmp_path / "x.several"
    path.write_text("3")
    assert [m.title for m in load_matrices(path)] == ["seq 0", "seq 1", "seq 2"]
    with pytest.raises(InputError, match=r"x\.several: the file holds 3 matrices; pick one"):
        load_matrix(path)
    assert load_matrix(path, options=InputOptions(sequence=2)).title == "seq 2"
    with pytest.raises(InputError, match=r"sequence=3 is out of range: the file holds 3 matrices"):
        load_matrices(path, InputOptions(sequence=3))
    path.write_text("1")
    with pytest.raises(InputError, match="holds 1 matrix \\(0 to 0\\)"):
        load_matrices(path, InputOptions(sequence=1))


def test_input_options_refuse_nonsense():
    with pytest.raises(ValueError, match="part"):
        InputOptions(part="middle")
    with pytest.raises(ValueError, match="aggregate"):
        InputOptions(aggregate="median")
    with pytest.raises(ValueError, match="sequence"):
        InputOptions(sequence=-1)


def test_render_writes_one_figure_per_matrix(several, tmp_path, run_cli):
    (tmp_path / "x.several").write_text("2")
    result = run_cli("render", tmp_path / "x.several", "--dpi", "20", "--shape", "any")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.glob("*.png")) == ["x-0.png", "x-1.png"]
    assert "wrote" in result.stdout and "x-1.png" in result.stdout
    # -o names the figure; its matrices are numbered after it
    result = run_cli(
        "render", tmp_path / "x.several", "-o", tmp_path / "out" / "fig.svg", "--shape", "any"
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["fig-0.svg", "fig-1.svg"]


def test_sequence_picks_one_matrix_and_a_plain_name(several, tmp_path, run_cli):
    (tmp_path / "x.several").write_text("3")
    result = run_cli(
        "render", tmp_path / "x.several", "--sequence", "1", "--dpi", "20", "--shape", "any"
    )
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.glob("*.png")] == ["x.png"]
    result = run_cli("validate", tmp_path / "x.several", "--shape", "any")
    assert result.exit_code == 0
    assert "(3 matrices: 1x1, 1x1, 1x1)" in result.stdout
    result = run_cli("render", tmp_path / "x.several", "--sequence", "7", "--shape", "any")
    assert result.exit_code == 1
    assert "out of range" in result.stderr and len(result.stderr.splitlines()) == 1


def test_numbered_figures_that_collide_are_refused_before_drawing(several, tmp_path, run_cli):
    (tmp_path / "x.several").write_text("2")
    (tmp_path / "x-1.csv").write_text("token,e\nt,0.5\n")
    result = run_cli(
        "render",
        tmp_path / "x.several",
        tmp_path / "x-1.csv",
        "-o",
        tmp_path / "o",
        "--shape",
        "any",
    )
    assert result.exit_code == 1
    assert "o/x-1.png: both" in result.stderr and "would write this figure" in result.stderr
    assert not (tmp_path / "o").exists()


def test_batch_numbers_figures_and_keeps_them_current(several, tmp_path, run_cli):
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    (src / "sub" / "x.several").write_text("2")
    (src / "y.csv").write_text("token,e\nt,0.5\n")
    assert discover(src) == ["sub/x.several", "y.csv"]
    out = tmp_path / "out"
    result = run_cli("batch", src, "-o", out, "-j", "1", "--dpi", "20", "--shape", "any")
    assert result.exit_code == 0, result.output
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.png")) == [
        "sub/x-0.png",
        "sub/x-1.png",
        "y.png",
    ]
    assert "3 rendered" in result.stderr
    result = run_cli("batch", src, "-o", out, "--check", "--dpi", "20", "--shape", "any")
    assert result.exit_code == 0, result.output
    assert "3 up to date" in result.stderr


def test_batch_refuses_an_input_whose_numbered_figure_is_anothers(several, tmp_path, run_cli):
    src = tmp_path / "in"
    src.mkdir()
    (src / "x.several").write_text("2")
    (src / "x-0.csv").write_text("token,e\nt,0.5\n")
    items = plan(src, tmp_path / "out", BatchOptions())
    assert [(item.relative, item.numbered_clashes) for item in items] == [
        ("x-0.csv", ()),
        ("x.several", ("x-0.png",)),
    ]
    result = run_cli(
        "batch", src, "-o", tmp_path / "out", "-j", "1", "--dpi", "20", "--shape", "any"
    )
    assert result.exit_code == 1
    assert "x.several: holds 2 matrices" in result.stderr
    assert "1 rendered" in result.stderr and "1 failed" in result.stderr


def test_figure_names_drop_the_whole_input_extension(several, tmp_path):
    targets = figure_targets([tmp_path / "run_0.sev.gz", tmp_path / "b.csv"], None, "pdf")
    assert [t.name for t in targets] == ["run_0.pdf", "b.pdf"]


def test_public_api_exports():
    assert attrmap.load_matrices is load_matrices
    assert attrmap.InputOptions is InputOptions


def test_writing_picks_the_format_that_has_a_writer(several, monkeypatch, tmp_path):
    reader_only = Format("reader-only", (".csv",), _read_several, sniff=lambda head: False)
    registry = {"reader-only": reader_only, **formats._REGISTRY}  # first for .csv
    monkeypatch.setattr(formats, "_REGISTRY", registry)
    matrix = AttributionMatrix(["t"], ["e"], [[0.5]])
    attrmap.save_matrix(matrix, tmp_path / "x.csv")
    assert load_matrix(tmp_path / "x.csv", input_format="csv") == matrix
    with pytest.raises(attrmap.OutputError, match="attrmap cannot write several"):
        attrmap.save_matrix(matrix, tmp_path / "x.several")
    with pytest.raises(attrmap.OutputError, match="unknown extension"):
        attrmap.save_matrix(matrix, tmp_path / "x.txt")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.csv"]
