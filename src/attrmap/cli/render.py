"""``attrmap render`` and ``attrmap compare``: inputs to figure files."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import click

from ..comparison import LAYOUTS, CompareOptions
from ..errors import AttrmapError, StyleError
from ..model import AttributionMatrix
from ..pipeline import (
    compare_files,
    draw_to,
    figure_targets,
    load_for_render,
    refuse_collisions,
    refuse_report_over,
    shared_scale,
)
from ..provenance import read_figure_key
from ..reports import Record
from ..writers import is_figure_path
from .app import cli
from .options import (
    alt_text_option,
    figure_format_option,
    input_options,
    page_options,
    reading_options,
    report_option,
    style_options,
)
from .reporting import Reporter, cli_message, run_each, say
from .resolve import resolve_config, resolve_input_options


def refuse_file_output_for_several_inputs(inputs: tuple[str, ...], output: str | None) -> None:
    """``render a.csv b.csv -o one.png`` is a mistake, not a request for a folder."""
    if (
        len(inputs) > 1
        and output is not None
        and is_figure_path(output)
        and not Path(output).is_dir()
    ):
        raise click.UsageError(
            f"-o {output} is a figure file, but there are {len(inputs)} inputs: "
            "give a folder (e.g. -o figs/), or render each input on its own"
        )


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
@page_options
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
    figures = [*targets.values(), *(target for pairs in loaded.values() for _, target in pairs)]
    refuse_report_over(report_path, inputs, figures)
    # --range shared: one range over every matrix of the call, before any is keyed.
    config = shared_scale(config, [matrix for pairs in loaded.values() for matrix, _ in pairs])

    def render_one(source: str) -> Record:
        if source in failed:
            raise failed[source]
        written = [
            path for matrix, target in loaded[source] for path in draw_to(matrix, target, config)
        ]
        for path in written:
            say(f"wrote {path}")
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
        raise click.UsageError(cli_message(str(error))) from None
    config = resolve_config(options)
    input_opts = resolve_input_options(options, config)
    say(f"wrote {compare_files(inputs, output, config, compare_options, input_opts)}")


def parse_titles(text: str | None) -> tuple[str, ...] | None:
    """``IG,Saliency`` -> ("IG", "Saliency"); CSV quoting lets a title hold a comma."""
    if text is None:
        return None
    return tuple(next(csv.reader([text], skipinitialspace=True)))
