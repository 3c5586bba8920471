"""Exit codes: decided by the CLI only (the group's error funnel and the commands)."""

from __future__ import annotations

import enum
import signal


class ExitCode(enum.IntEnum):
    OK = 0
    FAILURE = 1  # a bad input, style or output; or a figure out of date (--check)
    USAGE = 2  # click's own code for bad options
    INTERRUPTED = 130  # SIGINT (Ctrl-C)
    TERMINATED = 143  # SIGTERM


def exit_for_signal(signum: int) -> ExitCode:
    return ExitCode.TERMINATED if signum == signal.SIGTERM else ExitCode.INTERRUPTED
