"""The ``attrmap`` command: parses options and calls library functions, nothing more.

``app`` holds the group and the one place exceptions become exit codes (``exits``);
``options`` the option stacks (the settings' generated from the settings table);
``resolve`` turns options into the library's config and input options; ``reporting``
prints outcomes in the command line's words. Each other module is a command family.
"""

from __future__ import annotations

from . import batch, check, config, render, views  # noqa: F401  (registers the commands)
from .app import cli, main
from .exits import ExitCode
from .resolve import resolve_config

__all__ = ["ExitCode", "cli", "main", "resolve_config"]
