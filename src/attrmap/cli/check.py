"""``attrmap validate`` and ``attrmap convert``: inputs checked, or rewritten."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..formats import WriteOptions, load_matrix, save_matrix
from ..model import format_shape
from ..pipeline import load_checked, refuse_overwriting_input, refuse_report_over
from ..reports import Record
from .app import cli
from .options import input_options, limit_options, reading_options, report_option
from .reporting import Reporter, run_each, say
from .resolve import resolve_config, resolve_input_options


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
    refuse_report_over(report_path, files)
    config = resolve_config(options)
    input_opts = resolve_input_options(options, config)

    def validate_one(path: str) -> Record:
        matrices = load_checked(path, config, input_opts)
        shapes = ", ".join(format_shape(matrix.shape) for matrix in matrices)
        many = f"{len(matrices)} matrices: " if len(matrices) > 1 else ""
        say(f"ok {matrices[0].source} ({many}{shapes})")
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
    say(f"wrote {target}")
