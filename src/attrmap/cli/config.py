"""``attrmap config``: the resolved settings and where each came from."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..project import DEFAULT_ORIGIN, find_project_file, project_layer
from ..settings import BY_NAME
from .app import cli
from .options import config_options, page_options, style_options
from .reporting import printable, say
from .resolve import OPTION_ORIGIN, resolve_settings


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
@page_options
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
    say(f"# project file: {found}; searched from {Path.cwd()}")
    for name, value in resolved.settings().items():
        origin = resolved.origin(name)
        setting = BY_NAME[name]
        if origin == OPTION_ORIGIN:
            origin = f"option {setting.option}"
        elif origin == DEFAULT_ORIGIN and setting.note is not None:
            origin = f"default: {setting.note}"
        click.echo(f"{name}: {yaml_value(value)}  # {printable(origin)}")


def yaml_value(value: Any) -> str:
    """``value`` as YAML, on one line."""
    import yaml

    return (
        yaml.safe_dump(value, default_flow_style=True, width=2**16).removesuffix("\n...\n").strip()
    )
