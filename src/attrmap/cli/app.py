"""The ``attrmap`` group, and the one place where exceptions become exit codes."""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
from importlib import metadata
from typing import Any

import click

from .. import __version__
from ..batch import BatchInterrupted
from ..errors import AttrmapError
from ..interrupts import Terminated, sigterm_raises
from .exits import ExitCode, exit_for_signal
from .reporting import cli_message, one_line_warnings, printable, say


class AttrmapCommandError(click.ClickException):
    """An ``AttrmapError`` shown as one line, exit code 1, no traceback."""

    exit_code = ExitCode.FAILURE

    def show(self, file: Any = None) -> None:
        say(f"attrmap: error: {self.format_message()}", err=True)


class AttrmapGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            with sigterm_raises(), one_line_warnings():
                return super().invoke(ctx)
        except AttrmapError as error:
            raise AttrmapCommandError(cli_message(str(error))) from None
        except click.ClickException as error:  # click quotes file names as they are
            # click >= 8.5 types message as Final; escaping it in place is still what it prints
            error.message = printable(error.message)  # type: ignore[misc]
            raise
        except BatchInterrupted as stop:
            click.echo(f"attrmap: interrupted: {stop.summary.line()}", err=True)
            ctx.exit(exit_for_signal(stop.signum))
        except KeyboardInterrupt:
            click.echo("attrmap: interrupted", err=True)
            ctx.exit(ExitCode.INTERRUPTED)
        except Terminated:
            click.echo("attrmap: terminated", err=True)
            ctx.exit(ExitCode.TERMINATED)


def version_message() -> str:
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
@click.version_option(__version__, "-V", "--version", message=version_message())
def cli() -> None:
    """Render token-attribution matrices as annotated heatmaps.

    Input is CSV or TSV (wide: corner cell, one column per expression, one row per
    token; or long: token, expression, value), YAML or JSON (expressions, tokens,
    values) or NumPy .npz, by its extension. Output is PNG, SVG, PDF or HTML by the
    extension of -o.
    """


def main() -> None:
    try:
        cli(prog_name="attrmap")
    except SystemExit as stop:
        if stop.code in (ExitCode.INTERRUPTED, ExitCode.TERMINATED):
            end_now(int(stop.code))
        raise


def end_now(code: int) -> None:
    """After Ctrl-C or SIGTERM, once everything is stopped and cleaned up: run the exit
    handlers (multiprocessing's, Dask's), flush, and end without the interpreter's
    teardown, which took most of a second on a busy machine once Dask was loaded."""
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)
