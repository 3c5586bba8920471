"""From a command's options to the library's objects: the resolved config (defaults,
``[tool.attrmap]``, ``--config``, flags) and the one input-options object."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import click

from ..errors import StyleError
from ..fonts import check_fonts
from ..formats import DEFAULT_LIMITS, InputOptions, Limits
from ..project import Layer, ResolvedConfig, resolve_files
from ..settings import SETTING_NAMES
from ..style import Config
from .reporting import cli_message

#: Where ``attrmap config`` says a flag's value came from.
OPTION_ORIGIN = "option"


def resolve_config(options: dict[str, Any]) -> Config:
    """Default config, then the project's [tool.attrmap], then --config, then the flags."""
    return resolve_settings(options).config


def resolve_settings(options: dict[str, Any]) -> ResolvedConfig:
    """``resolve_config`` remembering where each setting came from.

    A bad value in a file is the file's error (exit 1); a bad flag is a usage error.
    """
    resolved = resolve_files(options.get("config_path"))
    given = {name: options.get(name) for name in SETTING_NAMES}
    flags = Layer(
        OPTION_ORIGIN, {key: None if value == () else value for key, value in given.items()}
    )
    try:
        resolved = resolved.with_layer(flags)
    except StyleError as error:
        message = cli_message(str(error))
        raise click.UsageError(message.removeprefix(f"{OPTION_ORIGIN}: ")) from None
    check_fonts(resolved.config.style.fonts)
    return resolved


def resolve_limits(options: dict[str, Any]) -> Limits:
    max_mb, max_cells = options.get("max_mb"), options.get("max_cells")
    if max_mb is not None and not math.isfinite(max_mb):
        raise click.BadParameter("must be a finite number of megabytes", param_hint="--max-mb")
    return Limits(
        # Past 2**62 bytes is no limit at all; 1e308 MB would overflow to infinity.
        max_bytes=int(min(max_mb * 2**20, 2**62)) if max_mb else DEFAULT_LIMITS.max_bytes,
        max_cells=max_cells or DEFAULT_LIMITS.max_cells,
    )


def resolve_input_options(options: dict[str, Any], config: Config) -> InputOptions:
    """How inputs are read: the config's input settings (``allow_missing``, merged with
    its flag) plus the command's reading options, in one object."""
    return dataclasses.replace(
        config.input,
        input_format=options.get("input_format"),
        limits=resolve_limits(options),
        sequence=options.get("sequence"),
        part=options.get("part"),
        aggregate=options.get("aggregate"),
    )
