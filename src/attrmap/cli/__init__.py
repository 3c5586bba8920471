"""The ``attrmap`` command: parses options and calls library functions, nothing more.

``app`` holds the group and the one place exceptions become exit codes (``exits``);
``options`` the option stacks (the settings' generated from the settings table);
``resolve`` turns options into the library's config and input options; ``reporting``
prints outcomes in the command line's words. Each other module is a command family.
"""

from __future__ import annotations

from .app import cli, main  # each command's module is imported when it runs (app.py)
from .exits import ExitCode
from .resolve import resolve_config

__all__ = ["ExitCode", "cli", "main", "resolve_config"]
