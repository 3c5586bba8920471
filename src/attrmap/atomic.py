"""Atomic file writes: a reader sees the old file or the whole new one, never a torn one."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO

from .errors import OutputError

#: Temporary files end with this, never with a figure's or matrix's extension, so a
#: crash leaves nothing that looks like a finished output.
TEMP_SUFFIX = ".attrmap-tmp"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# mkstemp creates 0600 files; a finished output gets the usual mode. Read once at import:
# os.umask can only be read by setting it, which would race with threads later.
_DEFAULT_MODE = 0o666 & ~_umask()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def remove_stale_temp_files(folders: Iterable[Path]) -> None:
    """Remove temporary files left by killed writers (never one of a live process).

    Temporary names carry the writer's pid, so runs sharing a folder (parallel shards on
    one machine) never remove each other's files in flight.
    """
    for folder in folders:
        try:
            candidates = list(folder.glob(f".*{TEMP_SUFFIX}"))
        except OSError:
            continue
        for leftover in candidates:
            pid = leftover.name[: -len(TEMP_SUFFIX)].rsplit(".", 2)[-2]
            if pid.isdigit() and not _pid_alive(int(pid)):
                with contextlib.suppress(OSError):
                    leftover.unlink()


def describe_os_error(error: OSError) -> str:
    return error.strerror or str(error)


def atomic_write(path: str | os.PathLike[str], write: Callable[[IO[bytes]], None]) -> None:
    """Write ``path`` through ``write(file)`` in a temp file beside it, then rename.

    The folder is created if missing. Any failure removes the temp file, leaves an
    existing ``path`` untouched and raises ``OutputError`` naming ``path``.
    """
    target = Path(path)
    if target.is_dir():
        raise OutputError(f"{target}: is a folder, not a file")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.{os.getpid()}.", suffix=TEMP_SUFFIX
        )
    except OSError as error:
        raise OutputError(f"{target}: cannot write here: {describe_os_error(error)}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, _DEFAULT_MODE)
        os.replace(temp_name, target)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        if isinstance(error, OSError):
            raise OutputError(f"{target}: write failed: {describe_os_error(error)}") from None
        raise
