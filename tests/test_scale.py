"""Automatic colour ranges, round colorbar ticks, normalisation and scale warnings.

Checked on the drawn artists (colorbar ticks and labels, annotations, extend arrows) and
through the CLI, as a user would see them.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import attrmap
from attrmap import AttributionMatrix, Style, StyleError
from attrmap.errors import FaintRangeWarning, SaturationWarning
from attrmap.prepared import prepare_data
from attrmap.provenance import read_figure_key
from attrmap.scale import (
    auto_limit,
    colorbar_ticks,
    nice_ceiling,
    normalized,
    resolve_scale,
    scale_warnings,
    tick_labels,
)
from attrmap.style import ScaleOptions, build_config


def matrix(values, source="<matrix>") -> AttributionMatrix:
    values = np.asarray(values, dtype=float)
    rows, cols = values.shape
    return AttributionMatrix(
        [f"t{i}" for i in range(rows)], [f"e{j}" for j in range(cols)], values, source=source
    )


def colorbar(figure):
    return figure.axes[1]


def tick_texts(figure) -> list[str]:
    axis = colorbar(figure).yaxis
    if not axis.get_ticklabels() or not axis.get_ticklabels()[0].get_text():
        axis = colorbar(figure).xaxis  # a short grid's colorbar lies below it
    return [t.get_text() for t in axis.get_ticklabels()]


@pytest.mark.parametrize(
    ("value", "nice"),
    [(1.3714, 2.0), (0.04, 0.05), (31, 50.0), (2.0, 2.0), (2.1, 2.5), (0.003, 0.005), (7, 10.0)],
)
def test_nice_ceiling_rounds_up_to_1_2_2_5_or_5(value, nice):
    assert nice_ceiling(value) == nice


@pytest.mark.parametrize(
    ("vmin", "vmax", "labels"),
    [
        (-1, 1, ["\u22121.0", "\u22120.5", "0.0", "0.5", "1.0"]),
        (-0.05, 0.05, ["\u22120.050", "\u22120.025", "0.000", "0.025", "0.050"]),
        (-50, 50, ["\u221250", "\u221225", "0", "25", "50"]),
        (-0.0511, 0.0511, ["\u22120.04", "\u22120.02", "0.00", "0.02", "0.04"]),
        (-0.3, 1, ["\u22120.25", "0.00", "0.25", "0.50", "0.75", "1.00"]),
    ],
)
def test_ticks_are_round_with_one_number_of_decimals(vmin, vmax, labels):
    ticks = colorbar_ticks(vmin, vmax)
    assert tick_labels(ticks) == labels
    assert len(ticks) <= 6
    assert all(vmin <= t <= vmax for t in ticks)


def test_auto_range_is_symmetric_nice_and_ignores_missing_cells():
    values = np.array([[0.003, -0.031], [np.nan, 0.02]])
    assert auto_limit([values]) == 0.05
    assert auto_limit([np.array([[np.nan]])]) == 1.0  # nothing to measure: the default
    style = resolve_scale(Style(scale=ScaleOptions(range="auto")), [values])
    assert (style.vmin, style.vmax, style.scale.range) == (-0.05, 0.05, "fixed")


def test_p99_saturates_the_outliers_with_arrows():
    values = np.concatenate([np.linspace(-0.9, 0.9, 199), [40.0]]).reshape(20, 10)
    figure = attrmap.render(matrix(values), Style(scale=ScaleOptions(range="p99")))
    assert tick_texts(figure)[0] == "\u22121.0" and tick_texts(figure)[-1] == "1.0"
    assert figure.axes[0].collections[0].colorbar.extend == "max"


def test_auto_range_on_small_values_draws_round_ticks():
    values = np.array([[0.003, -0.031, 0.04], [0.01, 0.0, -0.02]])
    figure = attrmap.render(matrix(values), Style(scale=ScaleOptions(range="auto")))
    labels = tick_texts(figure)
    assert labels[0] == "\u22120.050" and labels[-1] == "0.050"
    assert figure.axes[0].collections[0].colorbar.extend == "neither"
    assert figure.axes[0].collections[0].norm.vmax == 0.05


def test_vmin_vmax_auto_takes_only_that_end_from_the_data():
    values = np.array([[3.1, -0.5]])
    style = resolve_scale(Style(vmax="auto"), [values])
    assert (style.vmin, style.vmax) == (-1.0, 5.0)
    with pytest.raises(StyleError, match="vmin and vmax must be numbers or 'auto'"):
        Style(vmin="lots")


def test_default_range_keeps_the_reference_ticks():
    data = prepare_data(matrix([[0.5, -0.2]]), Style())
    assert data.ticks == (-1.0, -0.5, 0.0, 0.5, 1.0)
    assert data.tick_labels == ("\u22121.0", "\u22120.5", "0.0", "0.5", "1.0")


@pytest.mark.parametrize(
    ("mode", "expected", "label"),
    [
        ("max-abs", [[0.5, -1.0], [0.25, 0.0]], "Token Attribution (normalised by the largest"),
        ("row", [[0.5, -1.0], [1.0, 0.0]], "Token Attribution (normalised per row)"),
        ("column", [[1.0, -1.0], [0.5, 0.0]], "Token Attribution (normalised per column)"),
    ],
)
def test_normalize_divides_and_says_so(mode, expected, label):
    values = [[2.0, -4.0], [1.0, 0.0]]
    figure = attrmap.render(matrix(values), Style(scale=ScaleOptions(normalize=mode)))
    texts = [t.get_text() for t in figure.axes[0].texts]
    assert texts == [format(v, ".4f") for v in np.ravel(expected)]
    bar = colorbar(figure)
    shown = bar.get_ylabel() or bar.get_xlabel()
    assert shown.startswith(label)


def test_normalize_leaves_missing_cells_and_zero_rows_alone():
    values = np.array([[np.nan, 2.0], [0.0, 0.0]])
    result = normalized(values, "row")
    assert np.isnan(result[0, 0]) and result[0, 1] == 1.0
    assert (result[1] == 0).all()


def test_scale_warnings_faint_and_saturated_ignore_missing_cells():
    faint = scale_warnings(np.array([[0.01, np.nan]]), -1, 1, "a.csv")
    assert [type(w) for w in faint] == [FaintRangeWarning]
    assert 'try range="auto"' in str(faint[0])
    values = np.array([[2.0, 0.1] + [np.nan] * 30])
    saturated = scale_warnings(values, -1, 1, "b.csv")
    assert [type(w) for w in saturated] == [SaturationWarning]
    assert "1 of 2 cells" in str(saturated[0])
    assert scale_warnings(np.full((13, 5), 0.5), -1, 1, "c.csv") == []


def test_reference_figure_raises_no_scale_warning(reference_csv):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        attrmap.render(attrmap.load_matrix(reference_csv))


def write_csv(path, values):
    rows = ["t," + ",".join(f"e{j}" for j in range(len(values[0])))]
    rows += [f"r{i}," + ",".join(str(v) for v in row) for i, row in enumerate(values)]
    path.write_text("\n".join(rows) + "\n")
    return path


def test_cli_range_auto_and_one_line_warnings(tmp_path, run_cli):
    small = write_csv(tmp_path / "small.csv", [[0.01, -0.02], [0.003, 0.0]])
    result = run_cli("render", small, "-o", tmp_path / "fixed.png", "--shape", "any")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if "warning" in line]
    assert lines == [
        f"attrmap: warning: {small}: the values (|value| <= 0.02) use less than a tenth of "
        "the colour range -1..1 and look flat; try --range auto"
    ]
    result = run_cli(
        "render", small, "-o", tmp_path / "auto.png", "--shape", "any", "--range", "auto"
    )
    assert result.exit_code == 0 and "warning" not in result.stderr
    assert run_cli("render", small, "--vmax", "lots").exit_code == 2


def test_config_file_takes_flat_scale_settings(write):
    path = write("style.yaml", "range: p99\nnormalize: column\nvmin: auto\n")
    config = attrmap.load_config(path)
    assert config.style.scale == ScaleOptions(range="p99", normalize="column")
    assert config.style.vmin == "auto"
    bad = write("bad.yaml", "range: wide\n")
    with pytest.raises(StyleError, match="range must be one of fixed, auto, p99, shared"):
        attrmap.load_config(bad)


def test_new_settings_at_their_defaults_keep_old_keys():
    assert (
        Style().fingerprint()
        == build_config(attrmap.Config(), {"range": "fixed"}).style.fingerprint()
    )
    assert Style().fingerprint() != Style(scale=ScaleOptions(normalize="row")).fingerprint()


def test_render_shared_range_spans_every_input(tmp_path, run_cli):
    quiet = write_csv(tmp_path / "quiet.csv", [[0.1, -0.2]])
    loud = write_csv(tmp_path / "loud.csv", [[3.0, -0.2]])
    out = tmp_path / "out"
    result = run_cli("render", quiet, loud, "-o", out, "--shape", "any", "--range", "shared")
    assert result.exit_code == 0, result.output
    shared = read_figure_key(out / "quiet.png")
    run_cli("render", quiet, "-o", out / "alone.png", "--shape", "any", "--range", "shared")
    assert read_figure_key(out / "alone.png") != shared  # alone, its range is 0.2 not 5


def test_batch_shared_range_restales_every_figure_whose_range_moved(tmp_path, run_cli):
    data, out = tmp_path / "data", tmp_path / "out"
    data.mkdir()
    write_csv(data / "a.csv", [[0.1, -0.2]])
    write_csv(data / "b.csv", [[0.3, -0.4]])
    args = ["batch", data, "-o", out, "--shape", "any", "--range", "shared", "-j", "1"]
    assert run_cli(*args).exit_code == 0
    assert run_cli(*args, "--check").exit_code == 0
    write_csv(data / "b.csv", [[3.0, -0.4]])  # only b changes, but the shared range moves
    check = run_cli(*args, "--check")
    assert check.exit_code == 1
    assert "out of date" in check.output and "a.png" in check.output and "b.png" in check.output
    write_csv(data / "b.csv", [[0.31, -0.4]])  # b changes, the range (0.5) does not
    check = run_cli(*args, "--check")
    assert "a.png" not in check.output and "b.png" in check.output


def test_batch_sums_up_each_kind_of_warning_in_one_line(tmp_path, run_cli):
    data, out = tmp_path / "data", tmp_path / "out"
    data.mkdir()
    for name in "abc":
        write_csv(data / f"{name}.csv", [[0.01, -0.02]])
    write_csv(data / "d.csv", [[5.0, -5.0]])
    result = run_cli("batch", data, "-o", out, "--shape", "any", "-j", "1")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(lines) == 2, lines
    assert lines[0].startswith("attrmap: warning: 3 figures use less than a tenth")
    assert "try --range auto" in lines[0]
    assert lines[1] == (
        f"attrmap: warning: {data / 'd.csv'}: 2 of 2 cells lie outside the colour range "
        "-1..1 and take the end colours; try --range auto"
    )


def test_missing_cells_never_count_towards_an_automatic_range(tmp_path, run_cli):
    from attrmap.formats import InputOptions
    from attrmap.pipeline import load_checked

    source = tmp_path / "holes.csv"
    source.write_text("t,a,b\nx,0.03,\ny,,-0.01\n")
    args = ["render", source, "-o", tmp_path / "holes.png", "--shape", "any"]
    assert run_cli(*args, "--allow-missing", "--range", "auto").exit_code == 0
    config = attrmap.Config(shape=None)
    (loaded,) = load_checked(source, config, InputOptions(allow_missing=True))
    data = prepare_data(loaded, Style(scale=ScaleOptions(range="auto")))
    assert (data.vmin, data.vmax) == (-0.05, 0.05)
    assert data.annotations[1] == "" and data.annotations[2] == ""


def test_resolved_colormaps_are_made_once_and_handed_out_as_copies():
    import matplotlib
    from matplotlib.colors import ListedColormap

    from attrmap.scale import resolve_cmap

    first, second = resolve_cmap(Style()), resolve_cmap(Style())
    assert first is not second  # a caller changing its copy changes no other figure
    first.set_over("blue")
    assert second(2.0) == second(1.0) and resolve_cmap(Style())(2.0) == second(1.0)
    assert resolve_cmap(Style())(np.nan) != second(0.5)  # missing cells stay grey
    name = "attrmap-test-two-colours"
    for colours in (["red", "blue"], ["black", "white"]):  # registered again: the new one
        matplotlib.colormaps.register(ListedColormap(colours, name=name), force=True)
        assert resolve_cmap(Style(cmap=name))(0.0) == matplotlib.colors.to_rgba(colours[0])
    matplotlib.colormaps.unregister(name)
    with pytest.raises(StyleError, match="unknown colormap"):
        resolve_cmap(Style(cmap=name))
