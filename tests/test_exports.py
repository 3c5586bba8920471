"""Exports of attribution libraries (inseq files, captum results, pandas frames) give a
readable figure with no flags: drawn at their own shape, on a range that fits them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import inseq_files as inseq
from attrmap import AttributionMatrix, Config, ShapeError, Style, check_shape, load_matrices
from attrmap.model import DEFAULT_SHAPE, is_default
from attrmap.prepared import prepare_data
from attrmap.provenance import figure_key, read_figure_key
from attrmap.scale import cell_colors, resolve_cmap, resolve_scale
from attrmap.style import ScaleOptions, build_config


def exports(folder: Path) -> list[Path]:
    """inseq files as ``save()`` writes them: every encoding, decoder-only and
    encoder-decoder, several sequences per file, gzip and split files."""
    paths = [
        inseq.write(
            folder / "marian.json",
            inseq.output([inseq.encoder_decoder(s, "F32", (8,)) for s in range(2)], ["a", "b"]),
        ),
        inseq.write(
            folder / "gpt2.json.gz",
            inseq.output([inseq.decoder_only(s, "F16", (8,)) for s in range(3)]),
            compress=True,
        ),
        inseq.write(folder / "old.json", inseq.output([inseq.decoder_only(0, "b64.gz", (4,))])),
        inseq.write(folder / "split_0.json", inseq.output([inseq.encoder_decoder(3, "b64")])),
    ]
    return paths


def test_an_export_keeps_its_own_shape_unless_one_is_set(tmp_path):
    [matrix, _] = load_matrices(exports(tmp_path)[0])
    assert matrix.export == "inseq" and matrix.shape != (13, 5)
    assert is_default(Config().shape) and Config().shape == DEFAULT_SHAPE == (13, 5)
    check_shape(matrix, Config().shape)  # the default: its own shape
    for explicit in ((13, 5), "13x5"):  # set on purpose, even to the default value
        shape = build_config(Config(), {"shape": explicit}).shape
        assert not is_default(shape)
        with pytest.raises(ShapeError, match="expected a 13x5 grid"):
            check_shape(matrix, shape)
    grid = AttributionMatrix(["a"], ["x"], [[0.5]])
    with pytest.raises(ShapeError):  # a grid a person wrote keeps the 13x5 default
        check_shape(grid, Config().shape)


def test_render_batch_and_validate_of_exports_need_no_flags(tmp_path, run_cli, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no pyproject.toml, no config
    inputs = tmp_path / "in"
    inputs.mkdir()
    paths = exports(inputs)
    result = run_cli("validate", *paths)
    assert result.output.count("ok ") == 4, result.output
    for path in paths:
        run_cli("render", path, "-o", tmp_path / f"{path.name}.png")
    counts = {"marian.json": 2, "gpt2.json.gz": 3, "old.json": 1, "split_0.json": 1}
    for name, count in counts.items():
        written = sorted(tmp_path.glob(f"{name}*.png"))
        assert len(written) == count, (name, written)
    run_cli("batch", inputs, "-o", tmp_path / "out")
    assert len(list((tmp_path / "out").glob("*.png"))) == 7


def test_non_negative_exports_get_the_upper_half_of_a_range_from_zero(tmp_path):
    [matrix, _] = load_matrices(exports(tmp_path)[0])  # L2, columns summing to 1
    assert np.nanmin(matrix.values) >= 0 and np.nanmax(matrix.values) < 0.3
    style = resolve_scale(Style(), [matrix.values], export=True)
    assert style.limits == (0.0, 0.2) or style.limits == (0.0, 0.25)
    colours = cell_colors(np.array([0.0, style.vmax]), style)
    full = resolve_cmap(Style())  # 0 draws the neutral middle, the top the last colour
    assert np.allclose(colours[0], full(0.5), atol=0.01)
    assert np.allclose(colours[1], full(1.0), atol=0.01)
    # All <= 0 mirrored: -max..0 in the lower half.
    negative = resolve_scale(Style(scale=ScaleOptions(range="auto")), [-matrix.values])
    assert negative.vmin == -style.vmax and negative.vmax == 0.0
    low = cell_colors(np.array([negative.vmin]), negative)
    assert np.allclose(low[0], full(0.0), atol=0.01)
    # A range set explicitly (or vmin/vmax) is kept for exports too.
    fixed = Style(scale=ScaleOptions(range="fixed"))
    assert resolve_scale(fixed, [matrix.values], export=True).limits == (-1, 1)
    assert resolve_scale(Style(vmin=-0.5), [matrix.values], export=True).limits == (-0.5, 1)
    # Grids people write keep the fixed -1..1 range by default.
    assert resolve_scale(Style(), [matrix.values]).limits == (-1.0, 1.0)
    # Mixed signs stay symmetric.
    mixed = np.array([[-0.1, 0.3]])
    assert resolve_scale(Style(scale=ScaleOptions(range="auto")), [mixed]).limits == (-0.5, 0.5)


def test_the_figure_key_records_the_resolved_range(tmp_path, run_cli):
    path = exports(tmp_path)[0]
    run_cli("render", path, "-o", tmp_path / "fig.png")
    matrix = load_matrices(path)[0]
    resolved = resolve_scale(Style(), [matrix.values], export=True)
    assert read_figure_key(tmp_path / "fig-0.png") == figure_key(matrix, resolved, "png")
    assert figure_key(matrix, resolved, "png") != figure_key(matrix, Style(), "png")
    data = prepare_data(matrix, Style())
    assert (data.vmin, data.vmax) == resolved.limits


class CaptumResult:
    """captum 0.9's LLMAttributionResult as it comes out of a byte-level BPE model:
    raw input pieces, decoded output tokens (one empty), token_attr outputs x inputs."""

    def __init__(self) -> None:
        self.input_tokens = ["<|begin_of_text|>", "Die", "ĠB", "rÃ¼", "cke", "Ġist", "Ġsch", "Ã¶n"]
        self.output_tokens = [" Sie", " ist", ""]
        rng = np.random.default_rng(3)
        self.token_attr = rng.normal(0, 0.03, (3, len(self.input_tokens)))
        self.seq_attr = self.token_attr.sum(axis=0)


def test_a_captum_result_is_drawn_with_clean_tokens_and_a_title(tmp_path):
    import attrmap

    matrix = AttributionMatrix.from_captum(CaptumResult())
    assert matrix.title == "Die Brücke ist schön" and matrix.export == "captum"
    assert matrix.shape == (8, 3)  # its own shape with the default config
    check_shape(matrix, Config().shape)
    data = prepare_data(matrix, Style())
    assert data.tokens == ["<|begin_of_text|>", "Die", "␣B", "rü", "cke", "␣ist", "␣sch", "ön"]
    assert data.expressions == ["␣Sie", "␣ist", ""]
    assert data.title == "Die Brücke ist schön"
    assert (data.vmin, data.vmax) != (-1.0, 1.0)  # fitted to the values
    raw = prepare_data(matrix, Style(tokens="raw", title="Mine"))
    assert raw.tokens[2] == "ĠB" and raw.title == "Mine"
    assert AttributionMatrix.from_captum(CaptumResult(), title="T").title == "T"
    figure = attrmap.render(matrix)
    from matplotlib.text import Text

    drawn = [text.get_text() for text in figure.findobj(Text)]
    assert "Die Brücke ist schön" in drawn and "rü" in drawn and "rÃ¼" not in drawn
    figure.savefig(tmp_path / "captum.png")


def test_a_dataframe_is_an_export_wide_or_long():
    frame = pd.DataFrame([[0.1, 0.2], [0.3, 0.0]], index=["a", "b"], columns=["x", "y"])
    assert AttributionMatrix.from_frame(frame).export == "pandas"
    long = frame.stack().rename_axis(["token", "expression"]).reset_index(name="value")
    matrix = AttributionMatrix.from_frame(long)
    assert matrix.export == "pandas" and matrix.shape == (2, 2)


def test_part_both_draws_two_labelled_groups_with_a_rule_in_every_output(tmp_path, run_cli):
    from matplotlib.lines import Line2D
    from matplotlib.text import Text

    import attrmap
    from attrmap.formats import InputOptions
    from attrmap.plotting.canvas import GROUP_RULE_WIDTH
    from attrmap.prepared import groups_within

    path = exports(tmp_path)[0]
    [matrix] = load_matrices(path, InputOptions(part="both", sequence=0))
    assert matrix.groups == (("Source", 0), ("Target", 5))
    [alone] = load_matrices(path, InputOptions(sequence=0))
    assert alone.groups == ()
    for transpose in (False, True):
        figure = attrmap.render(matrix, transpose=transpose)
        texts = [t.get_text() for t in figure.findobj(Text)]
        assert "Source" in texts and "Target" in texts
        rules = [
            line for line in figure.findobj(Line2D) if line.get_linewidth() == GROUP_RULE_WIDTH
        ]
        assert len(rules) == 1
    ungrouped = AttributionMatrix(
        matrix.tokens,
        matrix.expressions,
        matrix.values,
        allow_missing=True,
        token_style="clean",
        export="inseq",
    )
    assert figure_key(matrix, Style(), "png") != figure_key(ungrouped, Style(), "png")
    plain = attrmap.render(alone)
    assert "Source" not in [t.get_text() for t in plain.findobj(Text)]
    # A page of tokens keeps the groups it holds, counted from its first token.
    assert groups_within(matrix.groups, 3, 9) == (("Source", 0), ("Target", 2))
    assert groups_within(matrix.groups, 6, 9) == (("Target", 0),)
    shown = run_cli("show", path, "--part", "both", "--sequence", "0").output
    source_at, target_at = shown.index("── Source"), shown.index("── Target")
    assert source_at < shown.index("␣Hello") < target_at < shown.index("<pad>")
    described = run_cli("describe", path, "--part", "both", "--sequence", "0").output
    assert "**Groups**: Source, tokens 1\u20135; Target, tokens 6\u20139" in described
    assert "| Group | Token |" in described and "| Target | <pad> |" in described.replace("\\", "")
    run_cli("render", path, "--part", "both", "--sequence", "0", "-o", tmp_path / "both.html")
    html = (tmp_path / "both.html").read_text()
    assert html.count('scope="rowgroup"') == 2 and html.count("<tbody>") == 2


def test_long_csv_with_any_column_names_through_columns(tmp_path, run_cli):
    from attrmap import load_config
    from attrmap.formats import InputOptions
    from attrmap.settings import parse_columns

    rows = [
        {"position": i, "token": token, "method": method, "score": 0.1 * i + (method == "ig")}
        for method in ("saliency", "ig")
        for i, token in enumerate(["The", "cat", "The"])
    ]
    path = tmp_path / "long.csv"
    pd.DataFrame(rows).to_csv(path, index=False)  # as pandas writes it
    refused = run_cli("render", path, "-o", tmp_path / "x.png", "--shape", "any")
    assert refused.exit_code == 1
    assert "read as a wide grid" in refused.stderr
    assert "--columns token=COL,expression=COL,value=COL" in refused.stderr
    assert "(position, token, method, score)" in refused.stderr
    spec = "token=token,expression=method,value=score,position=position"
    [matrix] = load_matrices(path, InputOptions(columns=parse_columns(spec)))
    assert matrix.tokens == ("The", "cat", "The") and matrix.expressions == ("saliency", "ig")
    assert matrix.values[:, 1].tolist() == pytest.approx([1.0, 1.1, 1.2])
    result = run_cli("render", path, "--columns", spec, "--shape", "any", "-o", tmp_path / "l.png")
    assert result.exit_code == 0 and (tmp_path / "l.png").exists()
    config = tmp_path / "c.yaml"
    config.write_text("columns: {token: token, expression: method, value: score}\n")
    assert load_config(config).input.columns == (
        ("token", "token"),
        ("expression", "method"),
        ("value", "score"),
    )
    bad = run_cli("validate", path, "--columns", "token=token,expression=meth,value=score")
    assert bad.exit_code == 1 and "no column 'meth' for expression" in bad.stderr
    usage = run_cli("validate", path, "--columns", "token=token")
    assert usage.exit_code == 2 and "token, expression and value" in usage.output


@pytest.mark.parametrize("orient", ["split", "table", "records"])
def test_pandas_json_orients_read_as_pandas_writes_them(tmp_path, orient):
    from attrmap.formats import InputOptions

    frame = pd.DataFrame(
        [[0.1, np.nan], [0.3, 0.4], [0.2, 0.1]],
        index=["The", "cat", "The"],  # a repeated token: kept by split, table and records
        columns=["saliency", "ig"],
    )
    path = tmp_path / f"{orient}.json"
    if orient == "records":  # records of the tidy (long) frame
        tidy = frame.stack(future_stack=True).rename_axis(["token", "expression"])
        tidy.reset_index(name="value").to_json(path, orient="records")
    else:
        frame.to_json(path, orient=orient)
    [matrix] = load_matrices(path, InputOptions(allow_missing=True))
    assert matrix.tokens == ("The", "cat", "The") and matrix.expressions == ("saliency", "ig")
    assert np.array_equal(matrix.values, frame.to_numpy(), equal_nan=True)
    with pytest.raises(Exception, match="allow_missing=True"):
        load_matrices(path)  # a missing cell is still an error unless allowed


def test_pandas_records_with_other_names_need_columns(tmp_path):
    from attrmap import InputError
    from attrmap.formats import InputOptions
    from attrmap.settings import parse_columns

    rows = [{"word": w, "method": "ig", "score": s} for w, s in (("a", 0.1), ("b", 0.2))]
    path = tmp_path / "records.json"
    pd.DataFrame(rows).to_json(path, orient="records")
    with pytest.raises(InputError, match='columns="token=KEY'):
        load_matrices(path)
    options = InputOptions(columns=parse_columns("token=word,expression=method,value=score"))
    [matrix] = load_matrices(path, options)
    assert matrix.tokens == ("a", "b") and matrix.values.ravel().tolist() == [0.1, 0.2]


@pytest.mark.parametrize("extension", [".json", ".yaml"])
def test_convert_keeps_token_style_and_missing_cells(tmp_path, run_cli, extension):
    from attrmap.formats import InputOptions

    path = exports(tmp_path)[1]  # GPT-2: target rows, NaN where a token cannot attribute
    out = tmp_path / f"converted{extension}"
    run_cli("convert", path, out, "--sequence", "1")
    [original] = load_matrices(path, InputOptions(sequence=1))
    [again] = load_matrices(out)  # no allow_missing needed
    assert again == original and again.missing.any()
    assert again.token_style == "clean"
    assert prepare_data(again, Style()).tokens == prepare_data(original, Style()).tokens
    grid = tmp_path / f"grid{extension}"
    run_cli("convert", tmp_path / "marian.json", grid, "--sequence", "0")
    assert "allow_missing" not in grid.read_text()  # nothing missing: nothing said
