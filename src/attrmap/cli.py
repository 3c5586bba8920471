"""The ``attrmap`` command: parses options and calls library functions, nothing more.

Exit codes are decided here and only here (see ``ExitCode``).
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import enum
import functools
import math
import re
import signal
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import click

from . import __version__
from .atomic import atomic_write
from .batch import (
    BatchInterrupted,
    BatchOptions,
    ExecutorFactory,
    Outcome,
    Status,
    local_executor,
    parse_shard,
    plan,
    run_batch,
)
from .comparison import LAYOUTS, CompareOptions
from .errors import AttrmapError, StyleError
from .fonts import check_fonts
from .formats import (
    AGGREGATES,
    DEFAULT_LIMITS,
    PARTS,
    InputOptions,
    Limits,
    WriteOptions,
    format_names,
    load_matrix,
    save_matrix,
)
from .interrupts import Terminated, sigterm_raises
from .labels import TOKEN_MODES
from .model import AttributionMatrix, format_shape
from .output import FIGURE_FORMATS
from .pipeline import (
    compare_files,
    draw_to,
    figure_targets,
    load_checked,
    load_for_render,
    refuse_collisions,
    refuse_overwriting_input,
    shared_scale,
)
from .project import (
    DEFAULT_ORIGIN,
    Layer,
    ResolvedConfig,
    find_project_file,
    project_layer,
    resolve_files,
)
from .provenance import read_figure_key
from .reports import HintTally, Record, RunReport, github_annotation, in_github_actions
from .style import ANNOTATE_MODES, NORMALIZE_MODES, RANGE_MODES, SVG_TEXT_MODES, Config
from .views import COLOR_CHOICES, DESCRIPTION_FORMATS


class ExitCode(enum.IntEnum):
    OK = 0
    FAILURE = 1  # a bad input, style or output; or a figure out of date (--check)
    USAGE = 2  # click's own code for bad options
    INTERRUPTED = 130  # SIGINT (Ctrl-C)
    TERMINATED = 143  # SIGTERM


class AttrmapCommandError(click.ClickException):
    """An ``AttrmapError`` shown as one line, exit code 1, no traceback."""

    exit_code = ExitCode.FAILURE

    def show(self, file: Any = None) -> None:
        click.echo(f"attrmap: error: {self.format_message()}", err=True)


class AttrmapGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            with sigterm_raises(), one_line_warnings():
                return super().invoke(ctx)
        except AttrmapError as error:
            raise AttrmapCommandError(str(error)) from None
        except BatchInterrupted as stop:
            click.echo(f"attrmap: interrupted: {stop.summary.line()}", err=True)
            ctx.exit(_exit_for_signal(stop.signum))
        except KeyboardInterrupt:
            click.echo("attrmap: interrupted", err=True)
            ctx.exit(ExitCode.INTERRUPTED)
        except Terminated:
            click.echo("attrmap: terminated", err=True)
            ctx.exit(ExitCode.TERMINATED)


@contextlib.contextmanager
def one_line_warnings() -> Iterator[None]:
    """Library warnings (a glyph missing from the font, say) as one line each, once,
    instead of Python's two-line format repeated for every glyph and file."""
    seen: set[str] = set()

    def show(message: Warning | str, *args: Any, **kwargs: Any) -> None:
        text = " ".join(str(message).split())
        if MATPLOTLIB_MISSING_GLYPH.match(text):
            return  # attrmap's own warning names the character and a font that has it
        if text not in seen:
            seen.add(text)
            click.echo(f"attrmap: warning: {text}", err=True)

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = show
        yield


MATPLOTLIB_MISSING_GLYPH = re.compile(r"Glyph \d+ \(.*\) missing from font\(s\)")


def _exit_for_signal(signum: int) -> ExitCode:
    return ExitCode.TERMINATED if signum == signal.SIGTERM else ExitCode.INTERRUPTED


class Reporter:
    """Where a command's per-input results go: one error line each on stderr (plus a
    GitHub annotation in GitHub Actions), shared advice once at the end, and the
    ``--report`` JSON file if asked for."""

    def __init__(self, command: str, report_path: str | None = None) -> None:
        self.hints = HintTally()
        self.github = in_github_actions()
        self.report_path = report_path
        self.run_report = RunReport(command)
        self.failed = False

    def record(self, record: Record, bar_active: bool = False) -> None:
        self.run_report.add(record)
        if record.error is not None:
            self.error(record.error, record.input, bar_active)

    def error(self, error: AttrmapError, source: str | None = None, bar_active: bool = False):
        self.failed = True
        text = error.brief if self.hints.add(error) else str(error)
        prefix = "\n" if bar_active else ""  # start below a progress bar drawn on this line
        click.echo(f"{prefix}attrmap: error: {text}", err=True)
        if self.github:  # GitHub reads workflow commands from stdout
            click.echo(github_annotation(error, source))

    def finish(self, summary: dict[str, Any] | None = None) -> None:
        """The advice shared by several errors, once; then the JSON report, if asked."""
        for line in self.hints.closing_lines():
            click.echo(f"attrmap: hint: {line}", err=True)
        if self.report_path is not None:
            self.run_report.write(self.report_path, summary or self.run_report.counts())


def _version_message() -> str:
    try:
        mpl = metadata.version("matplotlib")  # without importing it
    except metadata.PackageNotFoundError:
        mpl = "not installed"
    return f"attrmap {__version__} (matplotlib {mpl})"


EPILOG = """\b
Examples:
  attrmap render examples/token_attribution.csv -o token_attribution.png
  attrmap render scores.yaml -o fig.pdf --title "Layer 12" --cmap RdBu
  attrmap validate data/*.csv --shape any
  attrmap convert scores.csv scores.yaml
"""


@click.group(
    cls=AttrmapGroup, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.version_option(__version__, "-V", "--version", message=_version_message())
def cli() -> None:
    """Render token-attribution matrices as annotated heatmaps.

    Input is CSV or TSV (wide: corner cell, one column per expression, one row per
    token; or long: token, expression, value), YAML or JSON (expressions, tokens,
    values) or NumPy .npz, by its extension. Output is PNG, SVG, PDF or HTML by the
    extension of -o.
    """


# --------------------------------------------------------------------------- options


def reading_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """How single inputs are read (``InputOptions``): their format, then as in batch."""
    option = click.option(
        "--input-format",
        type=click.Choice(format_names()),
        help="Format of the input; needed for '-' (stdin) [default: from the extension].",
    )
    return option(selection_options(command))


def selection_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Which matrices of a file are read, and how (missing cells, inseq files)."""
    options = [
        click.option(
            "--allow-missing",
            is_flag=True,
            default=None,
            help="Let empty, nan or null cells (and absent long-form rows) be missing: "
            "drawn grey, no annotation [default: they are errors; config allow_missing].",
        ),
        click.option(
            "--sequence",
            type=click.IntRange(min=0),
            help="Only matrix N (0-based) of a file that holds several, such as an inseq "
            "export with several sequences [default: all, one figure each].",
        ),
        click.option(
            "--part",
            type=click.Choice(PARTS),
            help="inseq files: rows from the source tokens, the target tokens or both "
            "[default: source if the file has it, else target].",
        ),
        click.option(
            "--aggregate",
            type=click.Choice(AGGREGATES),
            help="inseq files: how per-dimension scores are reduced to one per cell "
            f"[default: {AGGREGATES[0]}, as inseq shows them].",
        ),
    ]
    return _apply(options, command)


def figure_format_option(help_text: str) -> Callable[..., Any]:
    return click.option(
        "--format",
        "figure_format",
        type=click.Choice(FIGURE_FORMATS),
        default="png",
        show_default=True,
        help=help_text,
    )


def input_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Options that decide how inputs are validated."""
    return limit_options(config_options(command))


def config_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The expected grid and the config file (on top of the project's defaults)."""
    options = [
        click.option(
            "--shape",
            metavar="ROWSxCOLS|any",
            help="Expected grid, tokens x expressions [default: 13x5].",
        ),
        click.option(
            "--config",
            "config_path",
            type=click.Path(dir_okay=False),
            help="YAML style file (see configs/); flags override it.",
        ),
    ]
    return _apply(options, command)


def limit_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The safety limits on inputs, for the rare real matrix that needs more."""
    options = [
        click.option(
            "--max-mb",
            type=click.FloatRange(min=0, min_open=True),
            help=f"Refuse inputs larger than this [default: {DEFAULT_LIMITS.max_bytes // 2**20}].",
        ),
        click.option(
            "--max-cells",
            type=click.IntRange(min=1),
            help=f"Refuse grids larger than this [default: {DEFAULT_LIMITS.max_cells}].",
        ),
    ]
    return _apply(options, command)


def _apply(options: list[Callable[..., Any]], command: Callable[..., Any]) -> Callable[..., Any]:
    return functools.reduce(lambda cmd, option: option(cmd), reversed(options), command)


class NumberOrAuto(click.ParamType):
    """A finite number, or ``auto``: take this end of the colour range from the data."""

    name = "NUMBER|auto"

    def convert(self, value: Any, param: Any, ctx: Any) -> float | str:
        if isinstance(value, float) or value == "auto":
            return value
        try:
            number = float(value)
        except ValueError:
            self.fail(f"{value!r} is not a number or 'auto'", param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number


def style_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Options that decide how the figure looks; they override --config."""
    options = [
        click.option("--title", help="Title above the heatmap [default: the matrix's title]."),
        click.option("--cmap", help="Matplotlib colormap name [default: RdYlGn]."),
        click.option(
            "--vmin",
            type=NumberOrAuto(),
            help="Value drawn in the first colour; 'auto' from the data [default: -1].",
        ),
        click.option(
            "--vmax",
            type=NumberOrAuto(),
            help="Value drawn in the last colour; 'auto' from the data [default: 1].",
        ),
        click.option("--fmt", help="Annotation number format spec [default: .4f]."),
        click.option("--dpi", type=int, help="Resolution of PNG output [default: 150]."),
        click.option("--colorbar-label", help="Colorbar label [default: Token Attribution]."),
        click.option(
            "--tokens",
            type=click.Choice(TOKEN_MODES),
            help="Labels as written (raw), or the text tokenizer pieces stand for (clean: "
            "Ġ, ▁ and ## decoded) [default: raw; clean for inseq files].",
        ),
        click.option(
            "--font",
            "fonts",
            multiple=True,
            metavar="FAMILY",
            help="Font family for labels; repeat for a fallback chain [default: DejaVu Sans, "
            "then any installed font that has a character it lacks].",
        ),
    ]
    return _apply(options + scale_options + layout_options, command)


# Scale, size and layout (issue 8): flat flags, grouped inside Style (ScaleOptions,
# LayoutOptions, OutputOptions).
scale_options = [
    click.option(
        "--range",
        type=click.Choice(RANGE_MODES),
        help="Colour range: fixed (--vmin/--vmax), auto (symmetric, +-largest |value| "
        "rounded up to 1, 2, 2.5 or 5 x 10^k), p99 (99th percentile, the rest saturates), "
        "shared (one auto range over all inputs of the call) [default: fixed].",
    ),
    click.option(
        "--normalize",
        type=click.Choice(NORMALIZE_MODES),
        help="Divide values by the largest |value| of the matrix, of each row or of each "
        "column before drawing; annotations and colorbar label say so [default: none].",
    ),
]
layout_options = [
    click.option(
        "--width",
        type=click.FloatRange(min=0.5, max=200),
        help="Make the figure at most this many inches wide: cells shrink, then fonts "
        "(never below 6 pt), labels rotate.",
    ),
    click.option(
        "--cell-size", metavar="WxH", help="Cell width and height in inches, e.g. 0.6x0.3."
    ),
    click.option(
        "--font-size", type=click.FloatRange(min=1, max=72), help="Label size in points [10]."
    ),
    click.option(
        "--annotation-font-size",
        type=click.FloatRange(min=1, max=72),
        help="Size of the numbers in the cells, in points [default: 9].",
    ),
    click.option(
        "--annotate",
        type=click.Choice(ANNOTATE_MODES),
        help="Numbers in the cells: auto drops them (with a warning) when they would be "
        "under 5 pt; never allows compact cells [default: auto].",
    ),
    click.option(
        "--transpose/--no-transpose",
        default=None,
        help="Tokens across the top, expressions down the side.",
    ),
    click.option(
        "--rows-per-page",
        type=click.IntRange(min=1),
        help="Split the tokens into pages of N: one multi-page PDF, or NAME-1.png, "
        "NAME-2.png, ... [default: split only past 200 in].",
    ),
    click.option(
        "--svg-text",
        type=click.Choice(SVG_TEXT_MODES),
        help="SVG labels as paths (look the same everywhere) or as editable <text> "
        "(fonts are named, not embedded: the reader needs DejaVu Sans) [default: path].",
    ),
]


STYLE_KEYS = (
    "title",
    "cmap",
    "vmin",
    "vmax",
    "fmt",
    "dpi",
    "colorbar_label",
    "tokens",
    "alt_text",
    "fonts",
)
#: Settings whose option is not named after them.
OPTION_NAMES = {"fonts": "--font"}
SCALE_LAYOUT_KEYS = (
    "range",
    "normalize",
    "width",
    "cell_size",
    "font_size",
    "annotation_font_size",
    "annotate",
    "transpose",
    "rows_per_page",
    "svg_text",
)

alt_text_option = click.option(
    "--alt-text",
    metavar="TEXT",
    help="Alt text embedded in the figure file (PNG, SVG, PDF), replacing the generated "
    "one (see attrmap describe --alt).",
)


def resolve_config(options: dict[str, Any]) -> Config:
    """Default config, then the project's [tool.attrmap], then --config, then the flags."""
    return resolve_settings(options).config


def resolve_settings(options: dict[str, Any]) -> ResolvedConfig:
    """``resolve_config`` remembering where each setting came from.

    A bad value in a file is the file's error (exit 1); a bad flag is a usage error.
    """
    resolved = resolve_files(options.get("config_path"))
    keys = (*STYLE_KEYS, *SCALE_LAYOUT_KEYS, "shape", "allow_missing")
    given = {key: options.get(key) for key in keys}
    flags = Layer(
        OPTION_ORIGIN, {key: None if value == () else value for key, value in given.items()}
    )
    try:
        resolved = resolved.with_layer(flags)
    except StyleError as error:
        raise click.UsageError(str(error).removeprefix(f"{OPTION_ORIGIN}: ")) from None
    check_fonts(resolved.config.style.fonts)
    return resolved


OPTION_ORIGIN = "option"


def resolve_limits(options: dict[str, Any]) -> Limits:
    max_mb, max_cells = options.get("max_mb"), options.get("max_cells")
    if max_mb is not None and not math.isfinite(max_mb):
        raise click.BadParameter("must be a finite number of megabytes", param_hint="--max-mb")
    return Limits(
        max_bytes=int(max_mb * 2**20) if max_mb else DEFAULT_LIMITS.max_bytes,
        max_cells=max_cells or DEFAULT_LIMITS.max_cells,
    )


def resolve_input_options(options: dict[str, Any], config: Config) -> InputOptions:
    """Everything that decides how inputs are read, from the command's options (and the
    config's ``allow_missing``, already merged with its flag)."""
    return dataclasses.replace(
        config.input,
        input_format=options.get("input_format"),
        limits=resolve_limits(options),
        sequence=options.get("sequence"),
        part=options.get("part"),
        aggregate=options.get("aggregate"),
    )


def run_each(
    sources: Iterable[str], action: Callable[[str], Record], reporter: Reporter
) -> ExitCode:
    """Do ``action`` for every input, reporting each outcome; FAILURE if any failed."""
    for source in sources:
        try:
            record = action(source)
        except AttrmapError as error:
            record = Record(source, "failed", error=error)
        reporter.record(record)
    reporter.finish()
    return ExitCode.FAILURE if reporter.failed else ExitCode.OK


report_option = click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False),
    help="Also write one JSON record per input (status, figures, key, error) to this file.",
)


def refuse_file_output_for_several_inputs(inputs: tuple[str, ...], output: str | None) -> None:
    """``render a.csv b.csv -o one.png`` is a mistake, not a request for a folder."""
    if (
        len(inputs) > 1
        and output is not None
        and Path(output).suffix.lower().lstrip(".") in FIGURE_FORMATS
        and not Path(output).is_dir()
    ):
        raise click.UsageError(
            f"-o {output} is a figure file, but there are {len(inputs)} inputs: "
            "give a folder (e.g. -o figs/), or render each input on its own"
        )


# --------------------------------------------------------------------------- commands


@cli.command(
    epilog="""\b
Examples:
  attrmap render data.csv                      # writes data.png beside it
  attrmap render data.yaml -o figs/data.pdf --title "Integrated gradients"
  attrmap render a.csv b.csv c.yaml -o figs/   # several inputs: -o is a folder
  cat data.csv | attrmap render - --input-format csv -o out.svg
"""
)
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option(
    "-o",
    "--output",
    type=click.Path(),
    help="Figure file (.png, .svg, .pdf, .html); a folder for several inputs.",
)
@figure_format_option("Format of figures named after their input (no -o, or several inputs).")
@reading_options
@input_options
@style_options
@alt_text_option
@report_option
@click.pass_context
def render(
    ctx: click.Context,
    inputs: tuple[str, ...],
    output: str | None,
    figure_format: str,
    report_path: str | None,
    **options: Any,
) -> None:
    """Render INPUT to a heatmap figure.

    Without -o the figure is INPUT with a .png extension (or --format's), beside it. An
    input that holds several matrices gives NAME-0.png, NAME-1.png, ...
    """
    refuse_file_output_for_several_inputs(inputs, output)
    config = resolve_config(options)
    input_opts = resolve_input_options(options, config)
    targets = dict(zip(inputs, figure_targets(inputs, output, figure_format), strict=True))
    # Load everything first: an input with several matrices writes NAME-0.png, ..., and
    # those must not collide with another input's figure. Nothing is drawn before this.
    loaded: dict[str, list[tuple[AttributionMatrix, Path]]] = {}
    failed: dict[str, AttrmapError] = {}
    for source in inputs:
        try:
            loaded[source] = load_for_render(source, targets[source], config, input_opts)
        except AttrmapError as error:
            failed[source] = error
    refuse_collisions(
        [(source, [target for _, target in pairs]) for source, pairs in loaded.items()]
    )
    # --range shared: one range over every matrix of the call, before any is keyed.
    config = shared_scale(config, [matrix for pairs in loaded.values() for matrix, _ in pairs])

    def render_one(source: str) -> Record:
        if source in failed:
            raise failed[source]
        written = [
            path for matrix, target in loaded[source] for path in draw_to(matrix, target, config)
        ]
        for path in written:
            click.echo(f"wrote {path}")
        key = read_figure_key(written[0]) if len(written) == 1 else None
        return Record(source, "rendered", tuple(map(str, written)), key)

    ctx.exit(run_each(inputs, render_one, Reporter("render", report_path)))


@cli.command(
    epilog="""\b
Examples:
  attrmap compare ig.csv saliency.csv shap.csv -o methods.png
  attrmap compare ig.csv saliency.csv -o methods.pdf --titles "IG,Saliency" --diff
  attrmap compare layer6.yaml layer12.yaml -o layers.html --layout column
"""
)
@click.argument("inputs", nargs=-1, required=True, metavar="A B [C ...]")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False),
    help="Figure file (.png, .svg, .pdf, .html).",
)
@click.option(
    "--layout",
    type=click.Choice(LAYOUTS),
    default="row",
    show_default=True,
    help="Panels side by side (row) or stacked (column).",
)
@click.option(
    "--titles",
    metavar="T1,T2,...",
    help="Panel titles, comma-separated (quote one holding a comma: '\"a, b\",c') "
    "[default: each matrix's title, else its file name].",
)
@click.option("--diff", is_flag=True, help="Add a panel of B - A on its own scale (two inputs).")
@click.option("--diff-only", is_flag=True, help="Show only the B - A panel.")
@click.option("--diff-cmap", default="PuOr", show_default=True, help="Colormap of the difference.")
@reading_options
@input_options
@style_options
@alt_text_option
def compare(
    inputs: tuple[str, ...],
    output: str,
    layout: str,
    titles: str | None,
    diff: bool,
    diff_only: bool,
    diff_cmap: str,
    **options: Any,
) -> None:
    """Draw several matrices (A, B, C…) as panels of one figure on one colour scale.

    The inputs must have the same tokens in the same order; their expressions may differ.
    The token labels are drawn once, on the left, with one shared colorbar.
    """
    if len(inputs) < 2:
        raise click.UsageError("compare needs at least two inputs")
    if (diff or diff_only) and len(inputs) != 2:
        raise click.UsageError(f"--diff needs exactly two inputs (A and B), not {len(inputs)}")
    panel_titles = parse_titles(titles)
    if panel_titles is not None and len(panel_titles) != len(inputs):
        raise click.BadParameter(
            f"{len(panel_titles)} titles for {len(inputs)} inputs; give one per input",
            param_hint="--titles",
        )
    try:
        compare_options = CompareOptions(
            layout=layout,
            titles=panel_titles,
            diff="only" if diff_only else "extra" if diff else "none",
            diff_cmap=diff_cmap,
        )
    except StyleError as error:
        raise click.UsageError(str(error)) from None
    config = resolve_config(options)
    input_opts = resolve_input_options(options, config)
    click.echo(f"wrote {compare_files(inputs, output, config, compare_options, input_opts)}")


def parse_titles(text: str | None) -> tuple[str, ...] | None:
    """``IG,Saliency`` -> ("IG", "Saliency"); CSV quoting lets a title hold a comma."""
    if text is None:
        return None
    return tuple(next(csv.reader([text], skipinitialspace=True)))


@cli.command(
    epilog="""\b
Examples:
  attrmap validate examples/token_attribution.csv
  attrmap validate runs/*.yaml --shape 20x8
"""
)
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@reading_options
@input_options
@report_option
@click.pass_context
def validate(
    ctx: click.Context, files: tuple[str, ...], report_path: str | None, **options: Any
) -> None:
    """Check that each FILE is a valid matrix of the expected shape.

    Prints one line per problem on stderr and exits 1 if any; exits 0 when all are valid.
    """
    config = resolve_config(options)
    input_opts = resolve_input_options(options, config)

    def validate_one(path: str) -> Record:
        matrices = load_checked(path, config, input_opts)
        shapes = ", ".join(format_shape(matrix.shape) for matrix in matrices)
        many = f"{len(matrices)} matrices: " if len(matrices) > 1 else ""
        click.echo(f"ok {matrices[0].source} ({many}{shapes})")
        return Record(path, "valid")

    ctx.exit(run_each(files, validate_one, Reporter("validate", report_path)))


@cli.command(
    epilog="""\b
Examples:
  attrmap convert scores.csv scores.yaml
  attrmap convert scores.yaml scores.csv     # the title is dropped: CSV has none
  attrmap convert scores.csv scores.npz      # or .tsv, .json
  attrmap convert scores.csv tidy.csv --long # one token,expression,value row per cell
"""
)
@click.argument("source", metavar="IN")
@click.argument("target", metavar="OUT")
@click.option(
    "--long",
    is_flag=True,
    help="Write the long form: one token,expression,value row per cell (CSV, TSV).",
)
@reading_options
@limit_options
def convert(source: str, target: str, long: bool, **options: Any) -> None:
    """Convert a matrix between formats (by the extensions), losslessly.

    Writes CSV, TSV, YAML, JSON or NPZ; CSV and TSV have no title.
    """
    refuse_overwriting_input(source, Path(target))
    input_opts = resolve_input_options(options, resolve_config(options))
    save_matrix(load_matrix(source, options=input_opts), target, options=WriteOptions(long=long))
    click.echo(f"wrote {target}")


@cli.command(
    "config",
    epilog="""\b
Examples:
  attrmap config                              # what render/batch would use here
  attrmap config --config configs/paper.yaml --dpi 600
""",
)
@config_options
@style_options
def show_config(**options: Any) -> None:
    """Print the resolved settings and where each came from.

    Lowest to highest precedence: default, the [tool.attrmap] table of the nearest
    pyproject.toml, --config FILE, options. The output is itself a valid config file.
    """
    resolved = resolve_settings(options)
    project = find_project_file()
    found = "none" if project is None else str(project)
    if project is not None and project_layer(project) is None:
        found += " (no [tool.attrmap] table)"
    click.echo(f"# project file: {found}; searched from {Path.cwd()}")
    for name, value in resolved.settings().items():
        origin = resolved.origin(name)
        if origin == OPTION_ORIGIN:
            origin = "option " + OPTION_NAMES.get(name, f"--{name.replace('_', '-')}")
        elif origin == DEFAULT_ORIGIN and name in DEFAULT_NOTES:
            origin = f"default: {DEFAULT_NOTES[name]}"
        click.echo(f"{name}: {yaml_value(value)}  # {origin}")


#: What a setting left at None means, for ``attrmap config``.
DEFAULT_NOTES = {
    "title": "the matrix's own title",
    "tokens": "the input's own, raw (clean for inseq files)",
    "fonts": "DejaVu Sans, then an installed font for each character it lacks",
}


def yaml_value(value: Any) -> str:
    """``value`` as YAML, on one line."""
    import yaml

    return (
        yaml.safe_dump(value, default_flow_style=True, width=2**16).removesuffix("\n...\n").strip()
    )


@cli.command(
    epilog="""\b
Examples:
  attrmap batch figures/data -o figures                 # render what changed
  attrmap batch figures/data -o figures --check         # CI: fail if any figure is stale
  attrmap batch data -o out --format pdf -j 4 --force   # re-render everything as PDF
  attrmap batch data -o out --shard 2/4                 # the 2nd of 4 parallel CI jobs
"""
)
@click.argument("in_dir", type=click.Path(file_okay=False), metavar="IN_DIR")
@click.option(
    "-o",
    "--output",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder for the figures; mirrors IN_DIR's layout.",
)
@figure_format_option("Figure format.")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=0),
    default=0,
    help="Worker processes [default: 0 = one per core].",
)
@click.option("--force", is_flag=True, help="Render every figure, even up-to-date ones.")
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 listing figures that are missing or out of date.",
)
@click.option(
    "--dask",
    "dask_address",
    metavar="ADDRESS|local:N",
    help="Draw on a Dask cluster (pip install 'attrmap[dask]'): its scheduler's address, "
    "or local:N for N local worker processes. The workers must share OUT_DIR.",
)
@click.option(
    "--prune",
    is_flag=True,
    help="Delete orphans: figures made by attrmap whose input is gone (--check lists them).",
)
@click.option("--fail-fast", is_flag=True, help="Stop at the first input that fails.")
@click.option(
    "--shard",
    metavar="K/N|auto",
    help="Only the K-th of N stable slices of the inputs; auto: from a Slurm job array "
    "or a Kubernetes Indexed Job.",
)
@selection_options
@input_options
@style_options
@alt_text_option
@report_option
@click.pass_context
def batch(
    ctx: click.Context,
    in_dir: str,
    out_dir: str,
    figure_format: str,
    jobs: int,
    force: bool,
    check: bool,
    dask_address: str | None,
    prune: bool,
    fail_fast: bool,
    shard: str | None,
    report_path: str | None,
    **options: Any,
) -> None:
    """Render every matrix file below IN_DIR (every extension attrmap reads) into OUT_DIR.

    Each figure goes to the same relative path with the new extension. Figures already
    up to date for their input's bytes, the style and the versions are left untouched.
    A broken input is reported and skipped; the exit code is then 1.
    """
    for flag, given in (("--force", force), ("--prune", prune)):
        if check and given:
            raise click.UsageError(f"--check writes nothing, so it cannot be combined with {flag}")
    executor_factory = dask_executor(ctx, dask_address) if dask_address else local_executor
    try:
        shard_k_n = parse_shard(shard) if shard else (1, 1)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--shard") from None
    batch_config = resolve_config(options)
    batch_options = BatchOptions(
        config=batch_config,
        figure_format=figure_format,
        jobs=jobs,
        force=force,
        check=check,
        prune=prune,
        fail_fast=fail_fast,
        shard=shard_k_n,
        input_options=resolve_input_options(options, batch_config),
    )
    items = plan(Path(in_dir), Path(out_dir), batch_options)
    reporter = Reporter("batch", report_path)
    show_bar = sys.stderr.isatty()
    with click.progressbar(
        length=len(items), label="rendering", file=sys.stderr, hidden=not show_bar
    ) as bar:

        def on_outcome(outcome: Outcome) -> None:
            item, status = outcome.item, outcome.status
            if status in (Status.MISSING, Status.STALE):
                click.echo(f"{status.value}: {item.output} (from {item.source})")
            elif status in (Status.ORPHAN, Status.PRUNED):
                click.echo(f"{status.value}: {item.output}")
            figures = () if status is Status.FAILED and not item.orphan else (str(item.output),)
            source = None if item.orphan else str(item.source)
            reporter.record(
                Record(source, status.value, figures, outcome.key, outcome.error), show_bar
            )
            if not item.orphan:
                bar.update(1)

        try:
            summary = run_batch(in_dir, out_dir, batch_options, on_outcome, items, executor_factory)
        except BatchInterrupted as stop:
            reporter.finish(stop.summary.as_json())
            raise
    click.echo(f"attrmap batch: {summary.line()}", err=True)
    reporter.finish(summary.as_json())
    ctx.exit(ExitCode.OK if summary.ok else ExitCode.FAILURE)


# --------------------------------------------------------------------------- text views
# describe and show draw no figure: they import the views (colormaps, no pyplot and no
# backend) only when they run, so --help stays free of matplotlib.


@cli.command(
    epilog="""\b
Examples:
  attrmap describe examples/token_attribution.csv               # Markdown on stdout
  attrmap describe data.yaml --format json -o data.json
  attrmap describe data.csv --alt                               # just the alt text
"""
)
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option(
    "--format",
    "description_format",
    type=click.Choice(DESCRIPTION_FORMATS),
    help="Markdown, plain text, or the same facts as JSON (a list for several inputs) "
    "[default: from -o's extension (.json, .txt), else markdown].",
)
@click.option("--alt", is_flag=True, help="Print only the short alt text, one line per input.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE, not stdout.")
@reading_options
@input_options
@style_options
@click.pass_context
def describe(
    ctx: click.Context,
    inputs: tuple[str, ...],
    description_format: str | None,
    alt: bool,
    output: str | None,
    **options: Any,
) -> None:
    """Describe the figure of each INPUT in words: overview, axes, values, observations.

    Every observation is computed from the data, and the same input gives the same text.
    Style options (range, format, colormap) change the description as they change the figure.
    """
    from .views.describe import describe_matrix, join_descriptions

    config = resolve_config(options)
    input_opts = resolve_input_options(options, config)
    if output is not None:
        for path in inputs:
            refuse_overwriting_input(path, Path(output))
    code, config, matrices = load_for_text_view(inputs, config, input_opts, "describe")
    fmt = "alt" if alt else description_format or description_format_for(output)
    several = len(inputs) > 1 or len(matrices) > 1
    texts = [describe_matrix(m, config.style, fmt, name_source=several) for m in matrices]
    text = join_descriptions(texts, fmt, several)
    if output is None:
        click.echo(text, nl=False)
    elif code == ExitCode.OK:  # never a file that silently lacks a failed input
        atomic_write(output, lambda handle: handle.write(text.encode("utf-8")))
        click.echo(f"wrote {output}", err=True)
    ctx.exit(code)


@cli.command(
    epilog="""\b
Examples:
  attrmap show examples/token_attribution.csv
  attrmap show data.csv --color always | less -R
  COLUMNS=60 attrmap show wide.csv --shape any     # columns in blocks of 60
"""
)
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option(
    "--color",
    type=click.Choice(COLOR_CHOICES),
    default="auto",
    show_default=True,
    help="Colour the cells: auto (a terminal, unless NO_COLOR; FORCE_COLOR forces it).",
)
@reading_options
@input_options
@style_options
@click.pass_context
def show(ctx: click.Context, inputs: tuple[str, ...], color: str, **options: Any) -> None:
    """Draw the heatmap of each INPUT in the terminal, in the figure's colours.

    Truecolor when COLORTERM says so, else 256 colours. Columns that do not fit the
    terminal's width (COLUMNS, or its real size) are printed in blocks.
    """
    import os
    import shutil

    from .heatmap import prepare_data
    from .views.terminal import TerminalOptions, color_mode
    from .views.terminal import show as show_heatmap

    config = resolve_config(options)
    input_opts = resolve_input_options(options, config)
    terminal = TerminalOptions(
        width=shutil.get_terminal_size().columns,
        color=color_mode(color, os.environ, sys.stdout.isatty()),
    )

    code, config, matrices = load_for_text_view(inputs, config, input_opts, "show")
    several = len(inputs) > 1 or len(matrices) > 1
    for number, matrix in enumerate(matrices):
        heading = ("\n" if number else "") + f"{matrix.source}\n" if several else ""
        text = show_heatmap(prepare_data(matrix, config.style), config.style, terminal)
        click.echo(heading + text, nl=False, color=True)  # colour was decided above
    ctx.exit(code)


def description_format_for(output: str | None) -> str:
    """``-o notes.json`` means JSON and ``-o notes.txt`` plain text; anything else Markdown."""
    suffix = Path(output).suffix.lower() if output else ""
    return {".json": "json", ".txt": "text"}.get(suffix, "markdown")


def load_for_text_view(
    inputs: tuple[str, ...], config: Config, input_opts: InputOptions, command: str
) -> tuple[ExitCode, Config, list[AttributionMatrix]]:
    """Every matrix of the inputs (each failure reported), and the config with a shared
    range resolved over all of them, as ``render`` resolves it."""
    loaded: list[AttributionMatrix] = []

    def load_one(path: str) -> Record:
        loaded.extend(load_checked(path, config, input_opts))
        return Record(path, "read")

    code = run_each(inputs, load_one, Reporter(command))
    return code, shared_scale(config, loaded), loaded


def dask_executor(ctx: click.Context, address: str) -> ExecutorFactory:
    """``--dask``: the cluster's workers draw; -j (local workers) would mean nothing."""
    if ctx.get_parameter_source("jobs") is click.core.ParameterSource.COMMANDLINE:
        raise click.UsageError("-j/--jobs sets local workers; with --dask the cluster's draw")
    from .distributed import dask_executor_factory  # Dask itself only when drawing starts

    try:
        return dask_executor_factory(address)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--dask") from None


def main() -> None:
    cli(prog_name="attrmap")
