"""What the CLI prints about a run: one line per error or warning, shared advice once,
the ``--report`` file; and the library's messages in the command line's words.

The library names settings as Python does (``range="auto"``); ``cli_message``
rewrites each such name to the flag that sets it (``--range auto``), using the options
of the command being run and the settings table, which know both spellings.
"""

from __future__ import annotations

import contextlib
import re
import warnings
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import click

from ..errors import AttrmapError
from ..labels import display_label
from ..pipeline import refuse_report_over
from ..reports import HintTally, Record, RunReport, github_annotation, in_github_actions
from ..settings import SETTINGS
from .exits import ExitCode

#: A Python spelling in a library message: ``name=True``, ``name="value"``, ``name=3``,
#: ``name=N`` (a placeholder) or ``name=...`` (any value). Only names the CLI knows count.
PYTHON_SPELLING = re.compile(
    r"(?<![\w./-])(?P<name>[a-z][a-z_]*)="
    r'(?P<value>True|False|\.\.\.|"[^"\n]*"|[A-Z]+(?:/[A-Z]+)?\b|\d+(?:\.\d+)?\b)'
)
#: Python names whose option is spelled otherwise (``Limits(max_bytes=...)`` is ``--max-mb``).
ALIASES = {"max_bytes": "--max-mb"}


def flag_names(everywhere: bool = True) -> dict[str, tuple[str, str | None]]:
    """Python name -> (flag, its negative or None), for every setting and every option
    of the running command (whose spelling wins) and, if ``everywhere``, the group's other
    commands (which loads their modules)."""
    names: dict[str, tuple[str, str | None]] = {
        name: (option, None) for name, option in ALIASES.items()
    }
    for setting in SETTINGS:
        negative = "--no-" + setting.option.removeprefix("--") if setting.flag.switch else None
        names[setting.name] = (setting.option, negative)
    context = click.get_current_context(silent=True)
    commands: list[click.Command] = []
    if context is not None:
        root = context.find_root()
        group = root.command
        if everywhere and isinstance(group, click.Group):  # loads the commands not loaded yet
            found = (group.get_command(root, name) for name in group.list_commands(root))
            commands.extend(command for command in found if command is not None)
        commands.append(context.command)
    for command in commands:
        for param in command.params:
            longs = [opt for opt in param.opts if opt.startswith("--")]
            if param.name and longs and param.name not in names:
                negatives = getattr(param, "secondary_opts", [])
                names[param.name] = (longs[0], negatives[0] if negatives else None)
    return names


def cli_message(text: str) -> str:
    """``text`` with each Python spelling of a setting or option as its flag:
    ``range="auto"`` is ``--range auto``, ``allow_missing=True`` is ``--allow-missing``."""
    if "=" not in text:
        return text
    names = flag_names(everywhere=False)  # the settings and this command's options
    if any(match["name"] not in names for match in PYTHON_SPELLING.finditer(text)):
        names = flag_names()  # another command's option: load them all

    def flag(match: re.Match[str]) -> str:
        known = names.get(match["name"])
        if known is None:
            return match[0]
        option, negative = known
        value = match["value"]
        if value in ("True", "..."):
            return option
        if value == "False":
            return negative or match[0]
        return f"{option} {value.strip(chr(34))}"

    return PYTHON_SPELLING.sub(flag, text)


def printable(line: str) -> str:
    """A line as it may reach a terminal or a CI log: file names (and anything else)
    with newlines, ESC sequences, other control characters and bidi overrides shown as
    escapes, exactly as labels are shown (``display_label``). A data file named
    ``"x\n::add-mask::..."`` cannot start a GitHub workflow command, nor one holding
    ``ESC ] 52`` write to the clipboard."""
    return display_label(line)


def say(line: str, err: bool = False) -> None:
    """Print one line of the CLI's own (``printable``)."""
    click.echo(printable(line), err=err)


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
            say(f"attrmap: warning: {cli_message(text)}", err=True)

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        # Python's own note of an object left unclosed (a Dask socket torn down by
        # Ctrl-C) says nothing about the user's data: hidden, as Python hides it.
        warnings.simplefilter("ignore", ResourceWarning)
        warnings.showwarning = show
        yield


MATPLOTLIB_MISSING_GLYPH = re.compile(r"Glyph \d+ \(.*\) missing from font\(s\)")


class Reporter:
    """Where a command's per-input results go: one error line each on stderr (plus a
    GitHub annotation in GitHub Actions), shared advice once at the end, and the
    ``--report`` JSON file if asked for."""

    def __init__(self, command: str, report_path: str | None = None) -> None:
        self.hints = HintTally()
        self.github = in_github_actions()
        self.report_path = report_path
        if report_path is not None:
            RunReport.refuse_replacing(report_path)
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
        click.echo(prefix + printable(f"attrmap: error: {cli_message(text)}"), err=True)
        if self.github:  # GitHub reads workflow commands from stdout
            click.echo(cli_message(github_annotation(error, source)))

    def finish(self, summary: dict[str, Any] | None = None) -> None:
        """The advice shared by several errors, once; then the JSON report, if asked."""
        for line in self.hints.closing_lines():
            say(f"attrmap: hint: {cli_message(line)}", err=True)
        if self.report_path is not None:
            records = self.run_report.records  # page files too, known only once written
            inputs = [record.input for record in records if record.input is not None]
            figures = [figure for record in records for figure in record.figures]
            refuse_report_over(self.report_path, inputs, figures)
            self.run_report.write(
                self.report_path, summary or self.run_report.counts(), message=cli_message
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
