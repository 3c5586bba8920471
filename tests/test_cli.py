"""The command line as users run it: exit codes, one-line errors, files written or not."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

import attrmap
from attrmap import load_matrix
from attrmap.cli import cli, resolve_config
from attrmap.provenance import figure_key, read_figure_key

SMALL_CSV = "token,a,b\nx,0.5,-0.25\ny,1,0\n"


def one_error_line(result, *fragments: str) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("attrmap: error: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def test_render_reference_to_png(run_cli, reference_csv, tmp_path):
    out = tmp_path / "token_attribution.png"
    result = run_cli("render", reference_csv, "-o", out)
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\x89PNG")
    assert f"wrote {out}" in result.stdout


def test_cli_output_equals_api_output_with_the_same_provenance(run_cli, reference_yaml, tmp_path):
    run_cli("render", reference_yaml, "-o", tmp_path / "cli.svg")
    key = figure_key(load_matrix(reference_yaml), attrmap.Style(), "svg")
    matrix = load_matrix(reference_yaml)
    text = attrmap.figure_text(matrix)
    attrmap.save_figure(attrmap.render(matrix), tmp_path / "api.svg", provenance=key, text=text)
    assert (tmp_path / "cli.svg").read_bytes() == (tmp_path / "api.svg").read_bytes()


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_rendered_figure_records_what_it_was_made_from(run_cli, reference_csv, tmp_path, suffix):
    out = tmp_path / f"fig{suffix}"
    run_cli("render", reference_csv, "-o", out)
    expected = figure_key(load_matrix(reference_csv), attrmap.Style(), suffix[1:])
    assert read_figure_key(out) == expected
    assert expected != figure_key(load_matrix(reference_csv), attrmap.Style(fmt=".2f"), suffix[1:])


def test_render_without_output_writes_png_beside_input(run_cli, write):
    data = write("runs/data.csv", SMALL_CSV)
    result = run_cli("render", data, "--shape", "any")
    assert result.exit_code == 0, result.output
    assert data.with_suffix(".png").read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize("suffix", [".svg", ".pdf"])
def test_render_vector_formats_into_missing_folder(run_cli, reference_csv, tmp_path, suffix):
    out = tmp_path / "new" / "folder" / f"fig{suffix}"
    assert run_cli("render", reference_csv, "-o", out).exit_code == 0
    assert out.stat().st_size > 1000


def test_render_several_inputs_into_a_folder(run_cli, write, tmp_path):
    a, b = (
        write("a.csv", SMALL_CSV),
        write("b.yaml", "expressions: [e]\ntokens: [t]\nvalues: [[1]]\n"),
    )
    result = run_cli("render", a, b, "-o", tmp_path / "figs", "--shape", "any")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "figs").iterdir()) == ["a.png", "b.png"]


def test_render_several_reports_each_failure_and_renders_the_rest(run_cli, write, tmp_path):
    good, bad = write("good.csv", SMALL_CSV), write("bad.csv", "token,a\nx,oops\n")
    result = run_cli("render", bad, good, "-o", tmp_path / "figs", "--shape", "any")
    assert result.exit_code == 1
    one_error_line(result, f"{bad}:2:2:", "'oops' is not a number")
    assert [p.name for p in (tmp_path / "figs").iterdir()] == ["good.png"]


def test_bad_input_one_line_exit_1_nothing_written(run_cli, write, tmp_path):
    bad = write("bad.csv", "token,a,b\nx,1,2\ny,3\n")
    out = tmp_path / "out.png"
    result = run_cli("render", bad, "-o", out, "--shape", "any")
    assert result.exit_code == 1
    one_error_line(result, f"{bad}:3:", "has 1 value,")
    assert not out.exists()
    assert os.listdir(tmp_path) == ["bad.csv"]


def test_bad_input_never_replaces_an_existing_good_figure(run_cli, reference_csv, write, tmp_path):
    out = tmp_path / "fig.png"
    run_cli("render", reference_csv, "-o", out)
    good = out.read_bytes()
    bad = write("bad.yaml", "expressions: [a\n")
    assert run_cli("render", bad, "-o", out).exit_code == 1
    assert out.read_bytes() == good


def test_shape_mismatch_explains_how_to_accept(run_cli, write, tmp_path):
    data = write("small.csv", SMALL_CSV)
    result = run_cli("render", data, "-o", tmp_path / "x.png")
    assert result.exit_code == 1
    error, hint = result.stderr.strip().splitlines()
    assert (
        error == f"attrmap: error: {data}: expected a 13x5 grid (tokens x expressions), found 2x2"
    )
    assert hint.startswith("attrmap: hint: 1 input is not 13x5: ")
    assert "`--shape any`" in hint and 'shape = "any"' in hint
    assert run_cli("render", data, "-o", tmp_path / "x.png", "--shape", "2x2").exit_code == 0


def test_refuses_to_render_onto_its_input(run_cli, write, tmp_path):
    data = write("data.csv", SMALL_CSV)
    link = tmp_path / "fig.png"
    link.symlink_to(data)
    result = run_cli("render", data, "-o", link, "--shape", "any")
    assert result.exit_code == 1
    one_error_line(result, "refusing to write the figure over its own input")
    assert data.read_text() == SMALL_CSV


def test_unknown_output_extension(run_cli, reference_csv, tmp_path):
    result = run_cli("render", reference_csv, "-o", tmp_path / "fig.jpg")
    assert result.exit_code == 1
    one_error_line(result, "unknown figure extension '.jpg'")


def test_output_path_is_a_folder(run_cli, reference_csv, tmp_path):
    folder = tmp_path / "fig.png"
    folder.mkdir()
    result = run_cli("render", reference_csv, "-o", folder)
    assert result.exit_code == 1
    one_error_line(result, "is a folder")


def test_stdin(run_cli, tmp_path):
    out = tmp_path / "stdin.png"
    result = run_cli(
        "render", "-", "--input-format", "csv", "--shape", "any", "-o", out, input=SMALL_CSV
    )
    assert result.exit_code == 0, result.output
    assert out.exists()
    result = run_cli("render", "-", "--shape", "any", "-o", out, input=SMALL_CSV)
    assert result.exit_code == 1
    one_error_line(result, "<stdin>", "--input-format")


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["render"],
        ["render", "x.csv", "--bogus"],
        ["render", "x.csv", "--input-format", "xlsx"],
        ["render", "x.csv", "--shape", "13by5"],
        ["render", "x.csv", "--fmt", ".4z"],
        ["render", "x.csv", "--vmin", "1", "--vmax", "0"],
        ["render", "x.csv", "--dpi", "many"],
        ["validate"],
        ["nosuchcommand"],
    ],
)
def test_usage_errors_exit_2(run_cli, args):
    result = run_cli(*args)
    assert result.exit_code == 2, result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [("cmap: [oops]\n", "cmap must be str"), ("vmax: .inf\n", "must be finite")],
)
def test_bad_config_file_exit_1_names_it(run_cli, reference_csv, write, tmp_path, content, message):
    style = write("style.yaml", content)
    result = run_cli("render", reference_csv, "--config", style, "-o", tmp_path / "x.png")
    assert result.exit_code == 1
    one_error_line(result, str(style), message)
    assert not (tmp_path / "x.png").exists()


def test_unknown_cmap_exit_1(run_cli, reference_csv, tmp_path):
    result = run_cli("render", reference_csv, "--cmap", "nope", "-o", tmp_path / "x.png")
    assert result.exit_code == 1
    one_error_line(result, "unknown colormap 'nope'")


def test_flags_override_the_config_file(write):
    style = write("style.yaml", "cmap: RdBu\nfmt: .2f\ntitle: From file\n")
    render = cli.get_command(click.Context(cli), "render")
    assert render is not None
    ctx = render.make_context(
        "render",
        [
            "x.csv",
            "--config",
            str(style),
            "--fmt",
            ".3f",
            "--vmin",
            "-2",
            "--dpi",
            "300",
            "--colorbar-label",
            "IG score",
            "--shape",
            "any",
        ],
    )
    config = resolve_config(ctx.params)
    assert config.style.cmap == "RdBu"
    assert config.style.fmt == ".3f"
    assert config.style.title == "From file"
    assert (config.style.vmin, config.style.vmax) == (-2.0, 1.0)
    assert config.style.dpi == 300
    assert config.style.colorbar_label == "IG score"
    assert config.shape is None


def test_validate_all_good(run_cli, reference_csv, reference_yaml):
    result = run_cli("validate", reference_csv, reference_yaml)
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"ok {reference_csv} (13x5)",
        f"ok {reference_yaml} (13x5)",
    ]


def test_validate_one_line_per_problem(run_cli, reference_csv, write):
    bad1 = write("bad1.csv", "token,a\nx,nan\n")
    bad2 = write("bad2.yaml", "expressions: [a]\ntokens: [t]\nvalues: [[1]]\n")
    result = run_cli("validate", bad1, reference_csv, bad2)
    assert result.exit_code == 1
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 3 and errors[2].startswith("attrmap: hint: 1 input is not 13x5")
    assert errors[0].startswith(f"attrmap: error: {bad1}:2:2: ")
    assert errors[1].startswith(f"attrmap: error: {bad2}: expected a 13x5 grid")
    assert result.stdout.strip() == f"ok {reference_csv} (13x5)"


def test_convert_round_trip(run_cli, reference_csv, tmp_path):
    yaml_path, csv_path = tmp_path / "m.yaml", tmp_path / "m.csv"
    assert run_cli("convert", reference_csv, yaml_path).exit_code == 0
    assert run_cli("convert", yaml_path, csv_path).exit_code == 0
    assert load_matrix(csv_path) == load_matrix(reference_csv)


def test_version_and_help(run_cli):
    result = run_cli("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith(f"attrmap {attrmap.__version__} (matplotlib ")
    for args in (["--help"], ["-h"], ["render", "--help"], ["validate", "-h"]):
        result = run_cli(*args)
        assert result.exit_code == 0
        assert "Examples:" in result.stdout


def test_python_dash_m_and_console_script_agree():
    out = subprocess.run(
        [sys.executable, "-m", "attrmap", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.startswith("attrmap ")


def test_real_process_error_has_no_traceback(write):
    bad = write("bad.csv", "token,a\nx,\n")
    proc = subprocess.run(
        [sys.executable, "-m", "attrmap", "validate", str(bad), "--shape", "any"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        f"attrmap: error: {bad}:2:2: token 'x', expression 'a': "
        "empty cell; every cell needs a number (missing cells need --allow-missing)"
    )


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["render", "--help"],
        ["describe", "--help"],
        ["show", "--help"],
        ["validate", "{csv}"],
        ["convert", "{csv}", "{out}"],
    ],
)
def test_commands_that_draw_nothing_never_import_matplotlib(args, reference_csv, tmp_path):
    argv = [a.format(csv=reference_csv, out=tmp_path / "m.yaml") for a in args]
    code = (
        "import sys\n"
        "from attrmap.cli import cli\n"
        f"try:\n    cli({argv!r}, prog_name='attrmap')\nexcept SystemExit as e:\n"
        "    assert not e.code, e.code\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib was imported'\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


#: What a one-file render of a CSV never needs: other commands and their machinery
#: (batch's process pools), PyYAML, and pyplot. Importing them cost tens of ms a run.
NOT_FOR_ONE_CSV = (
    "yaml",
    "multiprocessing",
    "concurrent.futures",
    "attrmap.batch",
    "attrmap.cli.batch",
    "attrmap.cli.check",
    "attrmap.cli.config",
    "attrmap.cli.views",
    "attrmap.views.describe",
    "attrmap.views.html",
    "matplotlib.pyplot",
)


@pytest.mark.parametrize("warned", [False, True])
def test_rendering_one_csv_loads_only_what_it_needs(reference_csv, tmp_path, warned):
    """Also when it warns: a warning's ``range="auto"`` becomes ``--range auto`` from the
    settings table, without loading every command to look for other options."""
    out, source, extra = tmp_path / "fig.png", reference_csv, []
    if warned:  # values past the colour range, in a grid long enough to be split
        source = tmp_path / "long.csv"
        rows = "".join(f"w{i},{1.5 * (-1) ** i:.4f},0.2\n" for i in range(1200))
        source.write_text("token,a,b\n" + rows, encoding="utf-8")
        extra = ["--shape", "any", "--dpi", "20"]
    code = (
        "import sys\n"
        "from attrmap.cli import main\n"
        f"sys.argv = ['attrmap', 'render', {str(source)!r}, '-o', {str(out)!r}, *{extra!r}]\n"
        "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
        f"print(sorted(set({NOT_FOR_ONE_CSV!r}) & set(sys.modules)))\n"
    )
    # No MPLBACKEND, as most users run it (CI sets it): reading an unset backend through
    # rcParams resolves it by importing pyplot.
    env = {key: value for key, value in os.environ.items() if key != "MPLBACKEND"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert out.is_file() or (warned and (tmp_path / "fig-1.png").is_file())
    assert proc.stdout.splitlines()[-1] == "[]"
    assert ("try --range auto" in proc.stderr) == warned


def test_the_cli_leaves_its_objects_to_the_os_at_exit(reference_csv, tmp_path):
    """The interpreter's sweep for cycles at exit is skipped (frozen): a checker that
    runs after the CLI's exit handlers sees the objects frozen, and the figure written."""
    out = tmp_path / "fig.png"
    code = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0))\n"
        "from attrmap.cli import main\n"
        f"sys.argv = ['attrmap', 'render', {str(reference_csv)!r}, '-o', {str(out)!r}]\n"
        "main()\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "frozen True"
    assert out.stat().st_size > 0


def test_each_command_is_loaded_from_the_module_the_group_names():
    """``attrmap.cli.app.COMMAND_MODULES`` lists every command and where it lives: a
    command missing from it would be missing from --help and unknown to the group."""
    from attrmap.cli.app import COMMAND_MODULES

    for module in set(COMMAND_MODULES.values()):
        importlib.import_module(f"attrmap.cli.{module}")
    assert set(cli.commands) == set(COMMAND_MODULES)
    for name, command in cli.commands.items():
        assert command.callback is not None
        assert command.callback.__module__ == f"attrmap.cli.{COMMAND_MODULES[name]}", name


def test_a_mistyped_command_gets_a_suggestion():
    """In a fresh process (no command loaded yet), as a user would meet it."""
    proc = subprocess.run(
        [sys.executable, "-m", "attrmap", "rendr"], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert "No such command 'rendr'. Did you mean 'render'?" in proc.stderr


def test_importing_attrmap_does_not_import_matplotlib():
    code = "import sys, attrmap; assert 'matplotlib' not in sys.modules; attrmap.render"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_finished_figure_gets_the_usual_umask_mode(run_cli, reference_csv, tmp_path):
    out = tmp_path / "fig.png"
    run_cli("render", reference_csv, "-o", out)
    mask = os.umask(0)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask


def test_missing_input_with_an_existing_output_is_a_clean_error(run_cli, tmp_path):
    existing = tmp_path / "existing.png"
    existing.write_bytes(b"old")
    for args in (
        ["render", tmp_path / "nosuch.csv", "-o", existing],
        ["convert", tmp_path / "nosuch.csv", tmp_path / "existing.yaml"],
    ):
        (tmp_path / "existing.yaml").write_text("old")
        result = run_cli(*args)
        assert result.exit_code == 1
        one_error_line(result, "nosuch.csv: cannot read")
    assert existing.read_bytes() == b"old"


@pytest.mark.parametrize(
    "args", [["--vmax", "inf"], ["--vmin", "-1e308", "--vmax", "1e308"], ["--vmin", "nan"]]
)
def test_non_finite_ranges_are_usage_errors(run_cli, reference_csv, tmp_path, args):
    result = run_cli("render", reference_csv, "-o", tmp_path / "x.png", *args)
    assert result.exit_code == 2, result.output
    assert not (tmp_path / "x.png").exists()


def test_several_inputs_that_would_write_one_figure_are_refused_up_front(run_cli, write, tmp_path):
    a, b = write("a/x.csv", SMALL_CSV), write("b/x.csv", SMALL_CSV)
    result = run_cli("render", a, b, "-o", tmp_path / "figs", "--shape", "any")
    assert result.exit_code == 1
    one_error_line(result, "would write this figure")
    assert not (tmp_path / "figs").exists()


def test_several_inputs_in_another_format(run_cli, write, tmp_path):
    a, b = write("a.csv", SMALL_CSV), write("b.csv", SMALL_CSV)
    result = run_cli("render", a, b, "-o", tmp_path / "figs", "--shape", "any", "--format", "svg")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "figs").iterdir()) == ["a.svg", "b.svg"]


def test_a_hostile_matplotlibrc_changes_nothing(reference_csv, tmp_path):
    rc_dir = tmp_path / "mplconfig"
    rc_dir.mkdir()
    (rc_dir / "matplotlibrc").write_text(
        "text.usetex: True\nsavefig.bbox: tight\ntext.color: red\nfont.size: 22\n"
        "font.family: serif\naxes.linewidth: 4\nsavefig.dpi: 40\nimage.cmap: jet\n"
    )
    outputs = {}
    for name, env_extra in (("clean", {}), ("hostile", {"MPLCONFIGDIR": str(rc_dir)})):
        out = tmp_path / f"{name}.png"
        env = {**os.environ, **env_extra, "PYTHONPATH": str(Path(attrmap.__file__).parents[1])}
        proc = subprocess.run(
            [sys.executable, "-m", "attrmap", "render", str(reference_csv), "-o", str(out)],
            capture_output=True,
            text=True,
            env=env,
        )
        assert proc.returncode == 0, proc.stderr
        outputs[name] = out.read_bytes()
    assert outputs["clean"] == outputs["hostile"]


def test_missing_glyphs_are_one_line_per_figure_naming_the_file(run_cli, write, tmp_path):
    # Linear B: no font attrmap's CI installs has it (CJK falls back to an installed font).
    data = write("linear_b.csv", "token,\U00010000,b\n\U00010001,0.1,0.2\n\U00010000,0.3,0.4\n")
    result = run_cli("render", data, "-o", tmp_path / "cjk.png", "--shape", "any")
    assert result.exit_code == 0, result.output
    [warning] = result.stderr.strip().splitlines()  # both characters, drawn three times
    assert warning.startswith(f"attrmap: warning: {data}: no installed font has ")
    assert "U+10000" in warning and "U+10001" in warning and "drawn as boxes" in warning
    assert warning.count("e.g. ") == 1  # one suggested package
    # A batch: one summary line for the kind, not one per figure (nor per worker).
    folder = tmp_path / "many"
    folder.mkdir()
    for number in range(4):
        (folder / f"b{number}.csv").write_text(data.read_text(encoding="utf-8"), encoding="utf-8")
    result = run_cli("batch", folder, "-o", tmp_path / "out", "--shape", "any")
    warned = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warned) == 1 and warned[0].count("drawn as boxes") == 1, warned
    assert "4 figures have characters no font has" in warned[0]


#: A data file name a pull request could add: a GitHub workflow command on a line of its
#: own, an OSC 52 clipboard write, a bidi override.
HOSTILE_NAME = "evil\n::add-mask::secret\x1b]52;c;aGk=\x07\u202ex"
HOSTILE_SHOWN = "evil\\n::add-mask::secret\\x1b]52;c;aGk=\\x07\\u202ex"


def assert_nothing_raw(text: str) -> None:
    """No line a terminal or GitHub's runner would act on: the escaped name only."""
    assert not any(char in text for char in "\x1b\x07\u202e\r"), repr(text)
    for line in text.splitlines():
        assert not line.startswith("::") or line.startswith("::error file="), repr(text)


@pytest.mark.skipif(sys.platform == "win32", reason="no newline in Windows file names")
def test_file_names_are_escaped_wherever_they_are_printed(tmp_path, run_cli, reference_csv):
    inputs = tmp_path / "in"
    inputs.mkdir()
    good = inputs / f"{HOSTILE_NAME}.csv"
    good.write_bytes(reference_csv.read_bytes())
    bad = inputs / f"bad{HOSTILE_NAME}.csv"
    bad.write_text("token,a\nx,oops\n")
    out = tmp_path / "out"
    github = {"GITHUB_ACTIONS": "true"}
    runs = [
        run_cli("batch", inputs, "-o", out, "--check", env=github),  # missing: ...
        run_cli("batch", inputs, "-o", out, env=github),  # error lines, annotations
        run_cli("validate", good, bad, env=github),  # ok ...
        run_cli("render", good, "-o", tmp_path / f"{HOSTILE_NAME}.png"),  # wrote ...
        run_cli("show", good, good, "--color", "never"),  # the heading of each
        run_cli("describe", good, good),  # Data: ...
        run_cli("describe", good, "--alt", good),  # NAME: alt text
    ]
    runs.append(run_cli("batch", inputs, "-o", out, "--check", "--cmap", "viridis"))  # stale
    for result in runs:
        assert_nothing_raw(result.stdout)
        assert_nothing_raw(result.stderr)
        # The name is there, escaped (Markdown escapes the backslashes once more).
        assert "evil\\n::add-mask" in result.output.replace("\\\\", "\\"), result.output
    assert f"::error file={tmp_path}/in/badevil\\n%3A%3Aadd-mask" in runs[1].stdout
    assert f"out of date: {out}/{HOSTILE_SHOWN}.png" in runs[-1].stdout
