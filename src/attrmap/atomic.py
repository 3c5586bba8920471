"""Files: atomic writes (a reader sees the old file or the whole new one, never a torn
one), and reads that never wait on a FIFO or a device."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import socket
import stat
import tempfile
import time
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


#: A leftover older than this is removed whoever wrote it: no figure takes an hour to
#: write, so its writer (on this machine or another sharing the folder) is gone.
ABANDONED_AFTER_SECONDS = 3600.0


def _boot_id() -> str:
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as handle:
            return handle.read().strip()
    except OSError:  # not Linux: the host name alone
        return ""


def _pid_namespace() -> str:
    try:
        return os.readlink("/proc/self/ns/pid")  # "pid:[4026531836]"
    except OSError:  # not Linux
        return ""


@functools.lru_cache(maxsize=1)
def host_tag() -> str:
    """This machine since its last boot, and this PID namespace, as 12 hex digits safe
    in a file name.

    Process ids are only unique on one machine, one boot and one PID namespace: the tag
    makes a temporary name say whose it is when machines share an output folder (NFS,
    Lustre), and when containers on one host (same host name and boot id, their own
    process ids) share one.
    """
    identity = f"{socket.gethostname()}\0{_boot_id()}\0{_pid_namespace()}"
    return hashlib.sha256(identity.encode("utf-8", "surrogateescape")).hexdigest()[:12]


def temp_prefix(target: Path) -> str:
    """``.NAME.HOSTTAG-PID.``; mkstemp adds a random part and ``TEMP_SUFFIX``."""
    return f".{target.name}.{host_tag()}-{os.getpid()}."


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def _writer(leftover: Path) -> tuple[str, int] | None:
    """The (host tag, pid) in a temporary file's name, or None if it has none."""
    writer = leftover.name[: -len(TEMP_SUFFIX)].rsplit(".", 2)[-2]
    tag, _, pid = writer.rpartition("-")
    return (tag, int(pid)) if tag and pid.isdigit() else None


def is_abandoned(leftover: Path, now: float | None = None) -> bool:
    """A leftover of a dead writer on this machine, or one of any machine over an hour old.

    A writer on another machine cannot be asked whether it still runs, so its files are
    only taken once nobody could still be writing them.
    """
    writer = _writer(leftover)
    if writer is not None and writer[0] == host_tag() and not _pid_alive(writer[1]):
        return True
    try:
        age = (time.time() if now is None else now) - leftover.stat().st_mtime
    except OSError:
        return False
    return age > ABANDONED_AFTER_SECONDS


def remove_stale_temp_files(folders: Iterable[Path], inside: Path) -> None:
    """Remove temporary files left by killed writers (never one still being written) in
    those of ``folders`` that are ``inside`` or below it once symlinks are resolved: a
    symlinked folder leads elsewhere, where nothing is ours to delete.

    Runs sharing a folder (parallel shards, on one machine or several) never remove each
    other's files in flight; see ``is_abandoned``.
    """
    try:
        top = inside.resolve()
    except OSError:
        return
    for folder in folders:
        try:
            if not folder.resolve().is_relative_to(top):
                continue
            candidates = list(folder.glob(f".*{TEMP_SUFFIX}"))
        except OSError:
            continue
        for leftover in candidates:
            if is_abandoned(leftover):
                with contextlib.suppress(OSError):
                    leftover.unlink()


_KINDS = {
    stat.S_IFIFO: "a FIFO",
    stat.S_IFCHR: "a device",
    stat.S_IFBLK: "a device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
}


class NotRegularFile(OSError):
    """A path that is not a regular file where one is read (``describe_os_error`` words it)."""


def _refuse_non_regular(mode: int, name: str) -> None:
    if not stat.S_ISREG(mode):
        kind = _KINDS.get(stat.S_IFMT(mode), "a special file")
        raise NotRegularFile(0, f"not a regular file ({kind})", name)


def open_regular(path: str | os.PathLike[str]) -> IO[bytes]:
    """``path`` opened for reading if it is a regular file; anything else raises
    ``NotRegularFile`` without being opened: reading a FIFO waits for a writer for ever.

    The open itself does not block either (``O_NONBLOCK``), in case a FIFO took the
    file's place after the check; the handle blocks as usual once it is known regular.
    """
    name = os.fspath(path)
    _refuse_non_regular(os.stat(name).st_mode, name)
    fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        _refuse_non_regular(os.fstat(fd).st_mode, name)
        if hasattr(os, "O_NONBLOCK"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def special_file_kind(path: str | os.PathLike[str]) -> str | None:
    """``"a FIFO"`` (device, socket) if ``path`` exists and is neither a regular file nor
    a folder; else None. Only ``stat``: nothing is opened."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return _KINDS.get(stat.S_IFMT(mode), "a special file")


def describe_os_error(error: OSError) -> str:
    return error.strerror or str(error)


def atomic_write(path: str | os.PathLike[str], write: Callable[[IO[bytes]], object]) -> None:
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
            dir=target.parent, prefix=temp_prefix(target), suffix=TEMP_SUFFIX
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
