"""Text views of a matrix: ``attrmap describe`` (Markdown, text, JSON, alt text) and
``attrmap show`` (the heatmap in a terminal)."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attrmap import AttributionMatrix, Style, load_matrix
from attrmap.prepared import prepare_data
from attrmap.scale import cell_colors
from attrmap.views.alt_text import ALT_TEXT_LIMIT, alt_text
from attrmap.views.colour_names import colour_name
from attrmap.views.describe import describe
from attrmap.views.facts import compute_facts, facts_from_data
from attrmap.views.terminal import ColorMode, TerminalOptions, color_mode, show, xterm_256
from attrmap.views.text_width import display_width, shorten
from conftest import EXAMPLES, ROOT

ANSI = re.compile(r"\x1b\[[0-9;]*m")
UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


@pytest.fixture(scope="module")
def reference_facts():
    return compute_facts(load_matrix(EXAMPLES / "token_attribution.csv"))


# --------------------------------------------------------------------------- describe


def test_describe_states_the_reference_descriptions_key_facts(reference_csv, run_cli):
    result = run_cli("describe", reference_csv)
    assert result.exit_code == 0, result.output
    text = result.stdout
    # _x has the largest value, for 8 x 48 = 384
    assert 'Largest value: 1.3714, token "\\_x" for "8 x 48 = 384".' in text
    # ... is also high for 3 x 4 = 12 and 50(10x5), and negative for $35 ($85 - $50)
    (standout,) = [line for line in text.splitlines() if line.startswith('  * "\\_x" has')]
    assert "largest magnitude in 4 of 5 expressions" in standout
    assert '"3 x 4 = 12" 0.6865' in standout
    assert '"50(10x5)" 0.6837' in standout
    assert 'negative for "\\$35 (\\$85 - \\$50)" (-0.3675)' in standout
    assert 'Most negative value: -0.3675, token "\\_x" for "\\$35 (\\$85 - \\$50)".' in text
    # most other tokens are near zero
    assert "10 of 13 tokens have every value near zero" in text
    assert "56 of 65 cells" in text


def test_describe_follows_the_reference_descriptions_order(reference_csv, run_cli):
    text = run_cli("describe", reference_csv).stdout
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings == [
        "## Heatmap: Token Attribution",
        "### Overview",
        "### Components/Axes",
        "### Detailed Analysis",
        "### Key Observations",
    ]
    assert "Interpretation" not in text
    assert "13 tokens (rows, down the left) by 5 expressions" in text
    assert '"Token Attribution" from -1.0 (red) to 1.0 (green), centred on 0.0 (yellow)' in text
    assert "ticks at -1.0, -0.5, 0.0, 0.5, 1.0" in text
    assert '1 value above 1.0 (1.3714, token "\\_x" for "8 x 48 = 384")' in text


def test_describe_table_holds_every_value_as_drawn(reference_csv, reference_facts, run_cli):
    lines = run_cli("describe", reference_csv).stdout.splitlines()
    start = lines.index(
        "| Token | 8 x 48 = 384 | 3 x 4 = 12 | 6 - 4 = 2 | 50(10x5) | \\$35 (\\$85 - \\$50) |"
    )
    rows = lines[start + 2 : start + 15]
    assert rows[4] == "| 0 | -0.0009 | 0.0008 | -0.0015 | -0.0010 | -0.0000 |"
    assert rows[7] == "| \\_x | 1.3714 | 0.6865 | 0.1771 | 0.6837 | -0.3675 |"
    values = load_matrix(EXAMPLES / "token_attribution.csv").values
    for row, line in zip(values, rows, strict=True):
        cells = [c.strip() for c in UNESCAPED_PIPE.split(line)[2:-1]]
        assert [float(c) for c in cells] == pytest.approx(row.tolist(), abs=5e-5)


def test_describe_is_byte_identical_across_processes(reference_csv):
    outputs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT / "src")}
        for fmt in ("markdown", "json"):
            proc = subprocess.run(
                [sys.executable, "-m", "attrmap", "describe", str(reference_csv), "--format", fmt],
                capture_output=True,
                env=env,
                check=True,
            )
            outputs.add((fmt, proc.stdout))
    assert len(outputs) == 2


def test_markdown_escapes_labels_so_the_table_keeps_its_columns():
    labels = ["a|b", "*bold*", "_x_", "`code`", "$5", "back\\slash", " pad "]
    matrix = AttributionMatrix(labels, labels, np.eye(len(labels)) * 0.5)
    text = describe(compute_facts(matrix), "markdown")
    table = [line for line in text.splitlines() if line.startswith("| ")]
    assert len(table) == len(labels) + 1
    for line in table:
        assert len(UNESCAPED_PIPE.split(line)) == len(labels) + 3, line
    assert (
        "| a\\|b | \\*bold\\* | \\_x\\_ | \\`code\\` | \\$5 | back\\\\slash | &#32;pad&#32; |"
        in (table[0])
    )
    plain = describe(compute_facts(matrix), "text")
    assert "a|b" in plain and "\\|" not in plain


def test_ties_go_to_the_first_cell_in_reading_order():
    matrix = AttributionMatrix(["p", "q"], ["a", "b"], [[0.2, 0.9], [0.9, -0.5]])
    facts = compute_facts(matrix)
    assert (facts.largest.row, facts.largest.column) == (0, 1)
    twin = AttributionMatrix(["t", "t"], ["a", "b"], [[0.9, 0.1], [0.9, -0.1]])
    text = describe(compute_facts(twin), "text")
    assert 'Largest value: 0.9000, token "t" (row 1) for "a".' in text


def test_describe_json_gives_the_same_facts_as_data(reference_csv, run_cli):
    data = json.loads(run_cli("describe", reference_csv, "--format", "json").stdout)
    obs = data["observations"]
    assert obs["largest"] == {
        "token": "_x",
        "row": 8,
        "expression": "8 x 48 = 384",
        "column": 1,
        "value": 1.3714,
        "text": "1.3714",
    }
    assert obs["smallest"]["expression"] == "$35 ($85 - $50)"
    assert obs["smallest"]["value"] == -0.3675
    (x_token, dash) = obs["standout_tokens"]
    assert x_token["token"] == "_x" and len(x_token["positive"]) == 4
    assert [c["expression"] for c in x_token["negative"]] == ["$35 ($85 - $50)"]
    assert dash["row"] == 1
    assert obs["near_zero"]["cells"] == 56 and len(obs["near_zero"]["tokens_all_near_zero"]) == 10
    assert [c["value"] for c in obs["outside_range"]["above"]] == [1.3714]
    assert data["table"]["annotations"][4][4] == "-0.0000"
    assert data["axes"]["colorbar"]["tick_labels"] == ["-1.0", "-0.5", "0.0", "0.5", "1.0"]
    several = json.loads(
        run_cli("describe", reference_csv, reference_csv, "--format", "json").stdout
    )
    assert several == [data, data]


def test_describe_honours_the_style_options(reference_csv, write, run_cli):
    wide = run_cli("describe", reference_csv, "--fmt", ".2f", "--vmin", "-2", "--vmax", "2")
    assert "| \\_x | 1.37 | 0.69 | 0.18 | 0.68 | -0.37 |" in wide.stdout
    assert "Every value lies within the colour range -2 to 2." in wide.stdout
    assert "|value| < 0.2" in wide.stdout
    config = write("c.yaml", "cmap: RdBu\ncolorbar_label: Saliency\n")
    blue = run_cli("describe", reference_csv, "--config", config, "--format", "text").stdout
    assert '"Saliency" from -1.0 (red) to 1.0 (blue), centred on 0.0 (white)' in blue
    assert run_cli("describe", reference_csv, "--cmap", "nope").exit_code == 1


def test_describe_and_show_follow_the_resolved_scale(reference_csv, run_cli):
    auto = run_cli("describe", reference_csv, "--range", "auto").stdout
    assert '"Token Attribution" from -2 (red) to 2 (green)' in auto
    assert "ticks at -2, -1, 0, 1, 2" in auto
    assert "Every value lies within the colour range -2 to 2." in auto
    normalised = run_cli("describe", reference_csv, "--normalize", "column", "--alt").stdout
    assert normalised.startswith("Heatmap of token attribution (normalised per column), ")
    shown = run_cli("show", reference_csv, "--range", "auto", "--color", "never").stdout
    assert shown.splitlines()[-1].startswith("Token Attribution: -2 (red) to 2 (green)")


def test_describe_and_show_share_one_range_over_their_inputs(write, run_cli):
    small = write("small.csv", "token,a\nx,0.4\n")
    large = write("large.csv", "token,a\nx,-3\n")
    args = ["--shape", "any", "--range", "shared", "--format", "json"]
    described = json.loads(run_cli("describe", small, large, *args).stdout)
    ranges = {(d["axes"]["colorbar"]["vmin"], d["axes"]["colorbar"]["vmax"]) for d in described}
    assert len(ranges) == 1 and max(ranges.pop()) >= 3
    shown = run_cli("show", small, large, "--shape", "any", "--range", "shared").stdout
    scale_lines = [line for line in shown.splitlines() if line.startswith("Token Attribution")]
    assert len(scale_lines) == 2 and scale_lines[0] == scale_lines[1]
    assert shown.startswith(f"{small}\n") and f"\n\n{large}\n" in shown


@pytest.mark.parametrize(
    ("cmap", "low", "high"),
    [
        ("RdYlGn", "red", "green"),
        ("RdBu", "red", "blue"),
        ("PuOr", "brown", "purple"),
        ("BrBG", "brown", "teal"),
        ("viridis", "purple", "yellow"),
        ("Greys", "white", "black"),
    ],
)
def test_colour_names_of_colormap_ends(cmap, low, high):
    import matplotlib as mpl

    colormap = mpl.colormaps[cmap]
    assert (colour_name(colormap(0.0)), colour_name(colormap(1.0))) == (low, high)


def test_describe_says_when_cells_are_not_annotated(reference_csv, run_cli):
    text = run_cli("describe", reference_csv, "--annotate", "never").stdout
    assert "65 cells, without annotations." in text
    assert "**Cells**: coloured by value only, without annotations." in text
    assert "each annotated" not in text


def test_describe_follows_transpose(reference_csv, run_cli):
    text = run_cli("describe", reference_csv, "--transpose", "--format", "text").stdout
    assert "13 tokens (columns, across the top) by 5 expressions (rows, down the left)" in text
    x_axis, y_axis = [line for line in text.splitlines() if "-axis" in line]
    assert x_axis.startswith("- X-axis (top): 13 tokens:")
    assert y_axis.startswith("- Y-axis (left): 5 expressions:")


def test_describe_to_a_file_and_nothing_for_a_failed_input(reference_csv, write, tmp_path, run_cli):
    out = tmp_path / "desc.md"
    result = run_cli("describe", reference_csv, "-o", out)
    assert result.exit_code == 0 and result.stdout == ""
    assert out.read_text(encoding="utf-8") == run_cli("describe", reference_csv).stdout
    as_json = tmp_path / "desc.json"
    assert run_cli("describe", reference_csv, "-o", as_json).exit_code == 0
    assert json.loads(as_json.read_text(encoding="utf-8"))["overview"]["cells"] == 65
    bad = write("bad.csv", "token,a\nx,oops\n")
    failed = run_cli("describe", reference_csv, bad, "--shape", "any", "-o", tmp_path / "no.md")
    assert failed.exit_code == 1
    assert failed.stderr.startswith(f"attrmap: error: {bad}:2:2:")
    assert not (tmp_path / "no.md").exists()


def test_describe_alt_prints_the_short_alt_text(reference_csv, run_cli):
    result = run_cli("describe", reference_csv, "--alt")
    assert result.stdout == (
        "Heatmap of token attribution, 13 tokens by 5 expressions; colour: red at -1.0, "
        'yellow at 0.0, green at 1.0. Strongest positive: "_x" for "8 x 48 = 384" (1.3714). '
        'Strongest negative: "_x" for "$35 ($85 - $50)" (-0.3675).\n'
    )
    assert len(result.stdout) - 1 <= ALT_TEXT_LIMIT


def test_alt_text_shortens_long_labels_to_stay_short():
    long = "a very long expression label " * 20
    matrix = AttributionMatrix(["token " * 30, "b"], [long, "c"], [[0.5, -0.2], [0.1, 0.0]])
    text = alt_text(compute_facts(matrix))
    assert len(text) <= ALT_TEXT_LIMIT
    assert "…" in text and "Strongest negative" in text


# --------------------------------------------------------------------------- show

REFERENCE_ROW_X = "_x     1.3714       0.6865      0.1771    0.6837       -0.3675"


def test_show_without_colour_is_plain_aligned_text(reference_csv, run_cli):
    result = run_cli("show", reference_csv, "--color", "never", env={"COLUMNS": "100"})
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert "\x1b" not in result.stdout
    assert lines[0] == "   8 x 48 = 384  3 x 4 = 12  6 - 4 = 2  50(10x5)  $35 ($85 - $50)"
    assert REFERENCE_ROW_X in lines
    assert lines[-1] == "Token Attribution: -1.0 (red) to 1.0 (green), centred on 0.0 (yellow)"


def test_show_always_colours_cells_as_the_figure_does(reference_csv, run_cli):
    env = {"COLUMNS": "100", "COLORTERM": "truecolor", "NO_COLOR": None}
    result = run_cli("show", reference_csv, "--color", "always", env=env)
    matrix = load_matrix(reference_csv)
    rgb = np.rint(cell_colors(matrix.values, Style())[..., :3] * 255).astype(int)
    red, green, blue = rgb[7, 0]  # _x, 8 x 48 = 384: beyond vmax, the end colour
    assert f"\x1b[48;2;{red};{green};{blue}m\x1b[38;2;255;255;255m    1.3714    " in result.stdout
    red, green, blue = rgb[0, 0]
    assert f"\x1b[48;2;{red};{green};{blue}m\x1b[38;2;0;0;0m    0.3452    " in result.stdout
    plain = [ANSI.sub("", line) for line in result.stdout.splitlines()]
    assert REFERENCE_ROW_X in [line.rstrip() for line in plain]
    table = plain[1:14]
    assert len({display_width(line) for line in table}) == 1
    assert plain[-1].startswith("-1.0 ") and plain[-1].endswith(" 1.0  Token Attribution")


def test_show_uses_256_colours_without_colorterm(reference_csv, run_cli):
    env = {"COLUMNS": "100", "COLORTERM": None, "NO_COLOR": None}
    out = run_cli("show", reference_csv, "--color", "always", env=env).stdout
    assert "\x1b[48;5;" in out and "\x1b[48;2;" not in out
    assert xterm_256(255, 255, 255) == 231 and xterm_256(0, 0, 0) == 16
    assert xterm_256(128, 128, 128) == 244


@pytest.mark.parametrize(
    ("choice", "env", "tty", "mode"),
    [
        ("auto", {}, False, ColorMode.NONE),
        ("auto", {}, True, ColorMode.PALETTE_256),
        ("auto", {"COLORTERM": "truecolor"}, True, ColorMode.TRUECOLOR),
        ("auto", {"NO_COLOR": "1"}, True, ColorMode.NONE),
        ("auto", {"NO_COLOR": ""}, True, ColorMode.PALETTE_256),
        ("auto", {"TERM": "dumb"}, True, ColorMode.NONE),
        ("auto", {"FORCE_COLOR": "1"}, False, ColorMode.PALETTE_256),
        ("auto", {"FORCE_COLOR": "3"}, False, ColorMode.TRUECOLOR),
        ("auto", {"FORCE_COLOR": "0"}, False, ColorMode.NONE),
        ("auto", {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False, ColorMode.NONE),
        ("always", {"NO_COLOR": "1"}, False, ColorMode.PALETTE_256),
        ("never", {"FORCE_COLOR": "1"}, True, ColorMode.NONE),
    ],
)
def test_colour_mode_resolution(choice, env, tty, mode):
    assert color_mode(choice, env, tty) is mode


def test_show_honours_no_color_and_force_color(reference_csv, run_cli):
    env = {"COLUMNS": "100", "NO_COLOR": "1", "FORCE_COLOR": None}
    assert "\x1b" not in run_cli("show", reference_csv, env=env).stdout
    env = {"COLUMNS": "100", "NO_COLOR": None, "FORCE_COLOR": "1"}
    assert "\x1b[48;" in run_cli("show", reference_csv, env=env).stdout


def _show_in_pty(args: list[str], env: dict[str, str]) -> str:
    leader, follower = pty.openpty()
    full_env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), **env}
    for name in ("NO_COLOR", "FORCE_COLOR", "COLORTERM"):
        if name not in env:
            full_env.pop(name, None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "attrmap", "show", *args],
        stdout=follower,
        stderr=follower,
        env=full_env,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert proc.wait(timeout=60) == 0
    return b"".join(chunks).decode("utf-8")


def test_show_detects_a_terminal(reference_csv):
    coloured = _show_in_pty([str(reference_csv)], {"COLUMNS": "100", "TERM": "xterm"})
    assert "\x1b[48;5;" in coloured
    true = _show_in_pty(
        [str(reference_csv)], {"COLUMNS": "100", "TERM": "xterm", "COLORTERM": "truecolor"}
    )
    assert "\x1b[48;2;" in true
    plain = _show_in_pty([str(reference_csv)], {"COLUMNS": "100", "NO_COLOR": "1"})
    assert "\x1b[" not in plain and "1.3714" in plain


def test_show_splits_columns_into_blocks_with_token_labels(reference_csv, run_cli):
    out = run_cli("show", reference_csv, "--color", "never", env={"COLUMNS": "40"}).stdout
    blocks = out.split("\n\n")
    assert len(blocks) == 3  # two blocks of columns, then the colour scale
    for block in blocks[:2]:
        rows = block.splitlines()[1:]
        assert [row.split()[0] for row in rows] == [
            "-",
            "1",
            "6",
            ",",
            "0",
            "0",
            "0",
            "_x",
            "-",
            "0",
            ".",
            "8",
            "_=",
        ]
    assert all(display_width(line) <= 40 for line in out.splitlines())
    assert "…" in blocks[0].splitlines()[0]  # long expression labels shortened


def test_show_aligns_wide_characters_by_display_width():
    matrix = AttributionMatrix(
        ["猫", "🙂 smile", "e\u0301", "plain"], ["表达式一", "b"], [[0.5, -0.5]] * 4
    )
    data = prepare_data(matrix, Style())
    out = show(data, Style(), TerminalOptions(width=60, color=ColorMode.TRUECOLOR))
    rows = [ANSI.sub("", line) for line in out.splitlines()[1:5]]
    assert len({display_width(row) for row in rows}) == 1, rows
    assert display_width("猫") == 2 and display_width("e\u0301") == 1
    assert display_width("👩\u200d💻") == 2  # one emoji, joined by ZWJ
    assert display_width("❤\ufe0f") == 2 and display_width("❤") == 1
    assert display_width("🇩🇪") == 2
    assert shorten("ab👩\u200d💻cd", 5) == "ab👩\u200d💻…"
    assert shorten("表达式一二三", 5) == "表达…"


def test_text_views_never_import_pyplot_or_a_backend(reference_csv):
    for command in (["describe"], ["describe", "--alt"], ["show", "--color", "always"]):
        argv = [command[0], str(reference_csv), *command[1:]]
        code = (
            "import sys\nfrom attrmap.cli import cli\n"
            f"try:\n    cli({argv!r}, prog_name='attrmap')\nexcept SystemExit as e:\n"
            "    assert not e.code, e.code\n"
            "loaded = [m for m in sys.modules if m == 'matplotlib.pyplot'\n"
            "          or m.startswith('matplotlib.backends.backend_')]\n"
            "assert not loaded, loaded\n"
        )
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
        assert proc.returncode == 0, proc.stderr


# --------------------------------------------------------------------------- properties


def _matrix(tokens, expressions, values):
    """A matrix through the API; NaN cells are missing cells."""
    return AttributionMatrix(tokens, expressions, values, allow_missing=True)


labels = st.text(min_size=0, max_size=12)
cell_values = st.one_of(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    st.just(float("nan")),
    st.sampled_from([0.0, -0.0, 1e-9, -1e-9, 1.0, -1.0]),
)


@st.composite
def matrices(draw):
    rows = draw(st.integers(1, 6))
    cols = draw(st.integers(1, 6))
    tokens = draw(st.lists(labels, min_size=rows, max_size=rows))
    expressions = draw(st.lists(labels, min_size=cols, max_size=cols))
    values = np.array(
        draw(st.lists(cell_values, min_size=rows * cols, max_size=rows * cols))
    ).reshape(rows, cols)
    if np.isnan(values).all():  # the model refuses a matrix with nothing to show
        values[0, 0] = 0.0
    return _matrix(tokens, expressions, values)


@st.composite
def styles(draw):
    """The style options that change what the text views say."""
    from attrmap.style import ScaleOptions

    low = draw(st.sampled_from([-1.0, -0.05, 0.0, 2.0]))
    return Style(
        vmin=low,
        vmax=low + draw(st.sampled_from([0.1, 1.0, 2.0, 50.0])),
        fmt=draw(st.sampled_from([".4f", ".2f", ".3g", ".1e", "+.0f"])),
        cmap=draw(st.sampled_from(["RdYlGn", "RdBu", "viridis", "Greys"])),
        scale=ScaleOptions(
            range=draw(st.sampled_from(["fixed", "auto", "p99"])),
            normalize=draw(st.sampled_from(["none", "max-abs", "row", "column"])),
        ),
    )


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(matrices(), styles(), st.integers(24, 120), st.sampled_from(list(ColorMode)))
def test_text_views_never_fail_on_any_valid_matrix(matrix, style, width, mode):
    data = prepare_data(matrix, style)
    facts = facts_from_data(data, style)
    rows, cols = facts.shape
    markdown = describe(facts, "markdown")
    table = [line for line in markdown.splitlines() if line.startswith("| ")]
    assert len(table) == rows + 1
    assert all(len(UNESCAPED_PIPE.split(line)) == cols + 3 for line in table)
    assert json.loads(describe(facts, "json"))["overview"]["cells"] == rows * cols
    assert describe(facts, "text")
    assert len(alt_text(facts)) <= ALT_TEXT_LIMIT
    out = show(data, style, TerminalOptions(width=width, color=mode))
    assert all(display_width(ANSI.sub("", line)) <= width for line in out.splitlines())


def test_missing_cells_from_a_file(write, run_cli):
    data = write("gaps.csv", "token,a,b\nx,0.5,\ny,,-0.25\n")
    args = ["--shape", "any", "--allow-missing"]
    table = run_cli("describe", data, *args).stdout
    assert "| x | 0.5000 | missing |" in table and "| y | missing | -0.2500 |" in table
    assert "2 missing." in run_cli("describe", data, "--alt", *args).stdout
    assert "missing" in run_cli("show", data, "--color", "never", *args).stdout


def test_missing_cells_are_described_and_shown_as_missing():
    values = np.array([[0.5, np.nan], [np.nan, -0.25]])
    matrix = _matrix(["a", "b"], ["x", "y"], values)
    data = prepare_data(matrix, Style())
    facts = facts_from_data(data, Style())
    text = describe(facts, "text")
    assert "2 cells missing, drawn grey without a value" in text
    assert "a       0.5000  missing" in text
    assert "2 missing." in alt_text(facts)
    plain = show(data, Style(), TerminalOptions(width=60))
    assert "missing" in plain
    coloured = show(data, Style(), TerminalOptions(width=60, color=ColorMode.TRUECOLOR))
    assert "\x1b[48;2;189;189;189m" in coloured and "missing" not in coloured


def test_docs_show_the_current_show_output(reference_csv, run_cli):
    page = (ROOT / "docs" / "commands" / "show.md").read_text(encoding="utf-8")
    out = run_cli("show", reference_csv, "--color", "never", env={"COLUMNS": "80"}).stdout
    assert out in page


def test_help_of_text_views_lists_examples(run_cli):
    for command in ("describe", "show"):
        assert "Examples:" in run_cli(command, "--help").stdout
