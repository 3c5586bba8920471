"""Option stacks shared by the commands.

The settings' options are generated from the settings table (``attrmap.settings``):
flag, type, choices, metavar, help and the ``[default: ...]`` it shows. Only options
that are not settings (how inputs are read, limits, the config file, the report) are
written out here.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from typing import Any

import click

from ..formats import AGGREGATES, DEFAULT_LIMITS, PARTS, format_names
from ..settings import SETTINGS, Setting
from ..writers import writer_names

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


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


def help_text(setting: Setting) -> str:
    """The setting's help, with the default the table declares (never retyped)."""
    default = setting.default_text()
    return f"{setting.help} [default: {default}]." if default else f"{setting.help}."


def setting_option(setting: Setting) -> Decorator:
    """The click option of one setting, as the table spells it."""
    flag = setting.flag
    declarations = [setting.option, setting.name]
    kwargs: dict[str, Any] = {"help": help_text(setting), "metavar": flag.metavar}
    if flag.switch:
        declarations[0] = f"{setting.option}/--no-{setting.option.removeprefix('--')}"
        kwargs["default"] = None
    elif setting.types == (bool,):
        kwargs.update(is_flag=True, default=None)
    elif setting.choices is not None:
        kwargs["type"] = click.Choice(setting.choices)
    elif flag.number_or_auto:
        kwargs["type"] = NumberOrAuto()
    elif flag.low is not None or flag.high is not None:
        if float in setting.types:
            kwargs["type"] = click.FloatRange(flag.low, flag.high, min_open=flag.low_open)
        else:
            low, high = (None if end is None else int(end) for end in (flag.low, flag.high))
            kwargs["type"] = click.IntRange(low, high, min_open=flag.low_open)
    elif setting.types == (int,):
        kwargs["type"] = int
    kwargs["multiple"] = flag.multiple
    return click.option(*declarations, **kwargs)


def stack(name: str) -> list[Decorator]:
    """The options of every setting the table puts in stack ``name``, in table order."""
    return [setting_option(setting) for setting in SETTINGS if setting.flag.stack == name]


def apply(
    options: Sequence[Callable[[Any], Any]], command: Callable[..., Any]
) -> Callable[..., Any]:
    return functools.reduce(lambda cmd, option: option(cmd), reversed(options), command)


def style_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Options that decide how the figure looks; they override --config."""
    return apply(stack("style"), command)


def page_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """How one matrix is laid out on pages (``--layout``, ``--page``): for the commands
    that draw or describe one figure per matrix."""
    return apply(stack("pages"), command)


def alt_text_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """For commands that write a figure file: the alt text it embeds."""
    return apply(stack("figure"), command)


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
        *stack("select"),
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
    return apply(options, command)


def input_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Options that decide how inputs are validated."""
    return limit_options(config_options(command))


def config_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The expected grid and the config file (on top of the project's defaults)."""
    options = [
        *stack("config"),
        click.option(
            "--config",
            "config_path",
            type=click.Path(dir_okay=False),
            help="YAML style file (see configs/); flags override it.",
        ),
    ]
    return apply(options, command)


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
    return apply(options, command)


def figure_format_option(help_text: str) -> Decorator:
    return click.option(
        "--format",
        "figure_format",
        type=click.Choice(writer_names()),
        default="png",
        show_default=True,
        help=help_text,
    )


report_option = click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False),
    help="Also write one JSON record per input (status, figures, key, error) to this file.",
)
