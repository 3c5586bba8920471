"""SIGTERM handled like Ctrl-C: an exception, so ``finally`` blocks and temp-file cleanup
run; and worker processes that leave Ctrl-C to their parent."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator


class Terminated(BaseException):
    """Raised in the main thread when SIGTERM arrives (a BaseException, like KeyboardInterrupt)."""


class Interrupted(Exception):
    """A signal stopped the work after it cleaned up; ``done()`` says what it had done.

    The CLI's error funnel catches this base, so it need not import the module of the
    work (a one-file render then never loads the batch machinery)."""

    def __init__(self, message: str, signum: int) -> None:
        super().__init__(message)
        self.signum = signum

    def done(self) -> str:
        return str(self)


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated


@contextlib.contextmanager
def sigterm_raises() -> Iterator[None]:
    try:
        previous = signal.signal(signal.SIGTERM, _raise_terminated)
    except ValueError:  # not the main thread: leave SIGTERM alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def ctrl_c_kept_from_children() -> Iterator[None]:
    """Processes (and threads) started inside never see SIGINT: the parent stops them.

    A terminal's Ctrl-C goes to the whole process group; workers that got it would each
    print a KeyboardInterrupt traceback. SIGINT is blocked meanwhile, and child
    processes keep the blocked mask; a Ctrl-C pressed here is delivered when the block
    ends, so it is late, never lost.
    """
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not (
        threading.main_thread()
    ):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
