"""The ``attrmap`` group, and the one place where exceptions become exit codes."""

from __future__ import annotations

import atexit
import contextlib
import gc
import importlib
import os
import sys
from typing import Any

import click

from .. import __version__
from ..errors import AttrmapError
from ..interrupts import Interrupted, Terminated, sigterm_raises
from .exits import ExitCode, exit_for_signal
from .reporting import cli_message, one_line_warnings, printable, say


class AttrmapCommandError(click.ClickException):
    """An ``AttrmapError`` shown as one line, exit code 1, no traceback."""

    exit_code = ExitCode.FAILURE

    def show(self, file: Any = None) -> None:
        say(f"attrmap: error: {self.format_message()}", err=True)


#: Each command's module (in this package), imported when the command is looked up: a
#: one-file render then never loads the batch machinery, the views or their options.
#: ``--help`` lists every command, so it imports them all (none imports matplotlib).
COMMAND_MODULES = {
    "batch": "batch",
    "compare": "render",
    "config": "config",
    "convert": "check",
    "describe": "views",
    "render": "render",
    "show": "views",
    "validate": "check",
}


class AttrmapGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMAND_MODULES.keys() | self.commands.keys())

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:
            # An unknown name loads them all: click's "Did you mean ...?" looks at them.
            known = cmd_name in COMMAND_MODULES
            for module in {COMMAND_MODULES[cmd_name]} if known else set(COMMAND_MODULES.values()):
                importlib.import_module(f"{__package__}.{module}")  # its decorators add it
        return self.commands.get(cmd_name)

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
        except Interrupted as stop:
            click.echo(f"attrmap: interrupted: {stop.done()}", err=True)
            ctx.exit(exit_for_signal(stop.signum))
        except KeyboardInterrupt:
            click.echo("attrmap: interrupted", err=True)
            ctx.exit(ExitCode.INTERRUPTED)
        except Terminated:
            click.echo("attrmap: terminated", err=True)
            ctx.exit(ExitCode.TERMINATED)


def version_message() -> str:
    from importlib import metadata  # only for --version: it costs a directory scan

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
@click.option(
    "-V",
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=lambda ctx, _, given: show_version(ctx) if given else None,
    help="Show the version and exit.",
)
def cli() -> None:
    """Render token-attribution matrices as annotated heatmaps.

    Input is CSV or TSV (wide: corner cell, one column per expression, one row per
    token; or long: token, expression, value), YAML or JSON (expressions, tokens,
    values) or NumPy .npz, by its extension. Output is PNG, SVG, PDF or HTML by the
    extension of -o.
    """


def show_version(ctx: click.Context) -> None:
    """``--version``, worked out only when asked for (not as each command starts)."""
    if not ctx.resilient_parsing:
        click.echo(version_message(), color=ctx.color)
        ctx.exit()


def main() -> None:
    # At exit the interpreter sweeps every object left (matplotlib's, numpy's...) for
    # reference cycles: 60-110 ms of a one-file render, for memory the OS takes back
    # anyway. Frozen objects are skipped; exit handlers, flushing and closing still run.
    atexit.unregister(gc.freeze)  # once, however often main runs in one process
    atexit.register(gc.freeze)
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
