"""``attrmap describe`` and ``attrmap show``: the figure in words, or in the terminal.

They draw no figure: they import the views (colormaps, no pyplot and no backend) only
when they run, so --help stays free of matplotlib.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ..atomic import atomic_write
from ..formats import InputOptions
from ..model import AttributionMatrix
from ..pipeline import load_checked, refuse_overwriting_input, shared_scale
from ..reports import Record
from ..style import Config
from ..views import COLOR_CHOICES, DESCRIPTION_FORMATS
from .app import cli
from .exits import ExitCode
from .options import input_options, page_options, reading_options, style_options
from .reporting import Reporter, printable, run_each, say
from .resolve import resolve_config, resolve_input_options


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
@page_options
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
    from ..views.describe import describe_matrix, join_descriptions

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
        say(f"wrote {output}", err=True)
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

    from ..prepared import prepare_data
    from ..views.terminal import TerminalOptions, color_mode
    from ..views.terminal import show as show_heatmap

    config = resolve_config(options)
    input_opts = resolve_input_options(options, config)
    terminal = TerminalOptions(
        width=shutil.get_terminal_size().columns,
        color=color_mode(color, os.environ, sys.stdout.isatty()),
    )

    code, config, matrices = load_for_text_view(inputs, config, input_opts, "show")
    several = len(inputs) > 1 or len(matrices) > 1
    for number, matrix in enumerate(matrices):
        heading = ("\n" if number else "") + f"{printable(matrix.source)}\n" if several else ""
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
