"""``attrmap batch``: a folder of inputs to a folder of figures, incrementally."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ..batch import (
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
from ..pipeline import refuse_report_over
from ..reports import Record
from .app import cli
from .exits import ExitCode
from .options import (
    alt_text_option,
    figure_format_option,
    input_options,
    page_options,
    report_option,
    selection_options,
    style_options,
)
from .reporting import Reporter, cli_message, say
from .resolve import resolve_config, resolve_input_options


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
@page_options
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
        raise click.BadParameter(cli_message(str(error)), param_hint="--shard") from None
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
    refuse_report_over(report_path, [i.source for i in items], [i.output for i in items])
    reporter = Reporter("batch", report_path)
    show_bar = sys.stderr.isatty()
    with click.progressbar(
        length=len(items), label="rendering", file=sys.stderr, hidden=not show_bar
    ) as bar:

        def on_outcome(outcome: Outcome) -> None:
            item, status = outcome.item, outcome.status
            if status in (Status.MISSING, Status.STALE):
                say(f"{status.value}: {item.output} (from {item.source})")
            elif status in (Status.ORPHAN, Status.PRUNED):
                say(f"{status.value}: {item.output}")
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


def dask_executor(ctx: click.Context, address: str) -> ExecutorFactory:
    """``--dask``: the cluster's workers draw; -j (local workers) would mean nothing."""
    if ctx.get_parameter_source("jobs") is click.core.ParameterSource.COMMANDLINE:
        raise click.UsageError("-j/--jobs sets local workers; with --dask the cluster's draw")
    from ..batch.dask_executor import dask_executor_factory  # Dask itself only when drawing starts

    try:
        return dask_executor_factory(address)
    except ValueError as error:
        raise click.BadParameter(cli_message(str(error)), param_hint="--dask") from None
