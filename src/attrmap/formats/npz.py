"""NumPy ``.npz``: arrays ``values`` (2-D numbers), ``tokens`` and ``expressions`` (1-D
strings) and optionally ``title`` (a 0-d string), as ``numpy.savez`` writes them.

Safe on hostile files: nothing is unpickled (object arrays are refused), and every size
limit applies to the arrays as they would be decompressed. Each array's shape and type
are read from its ``.npy`` header (the first few hundred bytes) before the rest is
inflated, so a small file that would inflate to gigabytes is refused without inflating.
"""

from __future__ import annotations

import io
import math
import zipfile
import zlib
from typing import IO

import numpy as np
from numpy.lib import format as npy

from ..errors import GridError, InputError, LimitError, OutputError
from ..model import AttributionMatrix
from .base import Format, InputOptions, Limits, WriteOptions, count

ARRAYS = ("values", "tokens", "expressions", "title")
_REQUIRED = ARRAYS[:3]
_MAGIC = b"PK\x03\x04"
_EMPTY_ZIP = b"PK\x05\x06"
_FIXED_DATE = (1980, 1, 1, 0, 0, 0)  # the same bytes on every run


def read_npz(data: bytes, source: str, options: InputOptions) -> list[AttributionMatrix]:
    limits = options.limits
    if not data.startswith((_MAGIC, _EMPTY_ZIP)):
        raise InputError(
            source,
            "not an .npz file (a zip archive of .npy arrays, as numpy.savez writes); "
            + (
                "a single .npy array needs its labels: save values, tokens and expressions "
                "together with numpy.savez"
                if data.startswith(b"\x93NUMPY")
                else "is it named right?"
            ),
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            arrays = _read_arrays(archive, source, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError) as error:
        raise InputError(source, f"broken .npz archive: {_one_line(error)}") from None
    except (OSError, ValueError, RuntimeError, zlib.error) as error:  # CRC, .npy headers
        if isinstance(error, InputError):
            raise
        raise InputError(source, f"broken .npz archive: {_one_line(error)}") from None
    values = arrays["values"]
    if values.ndim != 2:
        raise GridError(
            source, f"array 'values' must be 2-D (tokens x expressions), not {values.ndim}-D"
        )
    if values.dtype.kind not in "biuf":
        raise GridError(source, f"array 'values' must hold numbers, not {values.dtype}")
    tokens = _labels(arrays["tokens"], "tokens", source)
    expressions = _labels(arrays["expressions"], "expressions", source)
    if values.shape != (len(tokens), len(expressions)):
        raise GridError(
            source,
            f"array 'values' has shape {values.shape}, but there "
            f"{'is' if len(tokens) == 1 else 'are'} {count(len(tokens), 'token')} and "
            f"{count(len(expressions), 'expression')}",
        )
    for label in (*tokens, *expressions):
        if len(label) > limits.max_label_chars:
            raise LimitError(
                source, f"a label is longer than {limits.max_label_chars:,} characters"
            )
    title = None
    if "title" in arrays:
        title_array = arrays["title"]
        if title_array.ndim != 0 or title_array.dtype.kind != "U":
            raise GridError(source, "array 'title' must be a single string (0-d)")
        title = str(title_array[()])
    return [
        AttributionMatrix(
            tokens,
            expressions,
            values.astype(np.float64),
            title=title,
            source=source,
            allow_missing=options.allow_missing,
        )
    ]


def _read_arrays(archive: zipfile.ZipFile, source: str, limits: Limits) -> dict[str, np.ndarray]:
    members = archive.infolist()
    if len(members) > 2 * len(ARRAYS):
        raise InputError(
            source, f"the archive holds {len(members)} files; expected {', '.join(ARRAYS)}"
        )
    names: list[str] = []
    for member in members:  # names first: nothing is inflated for a wrong archive
        name = member.filename.removesuffix(".npy")
        if name not in ARRAYS or name in names:
            raise GridError(
                source,
                f"unexpected {'duplicate ' if name in names else ''}array {name!r}; "
                f"expected {', '.join(ARRAYS)}",
            )
        names.append(name)
    missing = [name for name in _REQUIRED if name not in names]
    if missing:
        raise GridError(source, f"missing array(s): {', '.join(missing)}")
    arrays: dict[str, np.ndarray] = {}
    total = 0
    for member, name in zip(members, names, strict=True):
        with archive.open(member) as stream:
            shape, fortran, dtype = _header(stream, name, source)
            if dtype.hasobject:
                raise InputError(
                    source,
                    f"array {name!r} holds Python objects, which would need pickle (refused "
                    "for safety); save labels as strings: numpy.array(labels, dtype=str)",
                )
            cells = math.prod(shape)
            nbytes = cells * dtype.itemsize
            total += nbytes
            if total > limits.max_bytes:
                raise LimitError(
                    source,
                    f"array {name!r} would decompress past the {limits.max_bytes:,}-byte limit "
                    "(raise it with max_bytes=... if you must)",
                )
            if cells > limits.max_cells:  # every token and expression has a cell
                raise LimitError(
                    source,
                    f"array {name!r} has more than {limits.max_cells:,} cells "
                    "(raise the limit with max_cells=... if you must)",
                )
            raw = _read_exactly(stream, nbytes, name, source)
            if stream.tell() != member.file_size:  # nothing after the data, unread
                raise InputError(
                    source,
                    f"array {name!r} has {member.file_size - stream.tell():,} bytes more than "
                    "its .npy header describes",
                )
        array = np.frombuffer(raw, dtype=dtype)
        arrays[name] = array.reshape(shape, order="F" if fortran else "C")
    return arrays


def _header(stream: IO[bytes], name: str, source: str) -> tuple[tuple[int, ...], bool, np.dtype]:
    try:
        version = npy.read_magic(stream)
        if version == (1, 0):
            return npy.read_array_header_1_0(stream)
        if version in ((2, 0), (3, 0)):
            return npy.read_array_header_2_0(stream)
    except ValueError as error:
        raise InputError(
            source, f"array {name!r} is not a valid .npy: {_one_line(error)}"
        ) from None
    raise InputError(source, f"array {name!r}: unsupported .npy version {version}")


def _read_exactly(stream: IO[bytes], nbytes: int, name: str, source: str) -> bytes:
    raw = stream.read(nbytes)
    if len(raw) != nbytes:
        raise InputError(
            source, f"array {name!r} is truncated: {len(raw):,} of {nbytes:,} bytes present"
        )
    return raw


def _labels(array: np.ndarray, name: str, source: str) -> list[str]:
    if array.ndim != 1:
        raise GridError(source, f"array {name!r} must be 1-D, not {array.ndim}-D")
    if array.dtype.kind == "S":
        try:
            return [item.decode("utf-8") for item in array.tolist()]
        except UnicodeDecodeError:
            raise GridError(source, f"array {name!r} holds bytes that are not UTF-8") from None
    if array.dtype.kind != "U":
        raise GridError(source, f"array {name!r} must hold strings, not {array.dtype}")
    return array.tolist()


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def write_npz(matrix: AttributionMatrix, options: WriteOptions) -> bytes:
    """A compressed ``.npz`` that ``numpy.load`` reads as well as attrmap; the same bytes
    for the same matrix (fixed timestamps)."""
    arrays: dict[str, np.ndarray] = {
        "values": np.asarray(matrix.values, dtype="<f8"),
        "tokens": _label_array(matrix.tokens, "tokens"),
        "expressions": _label_array(matrix.expressions, "expressions"),
    }
    if matrix.title is not None:
        arrays["title"] = _label_array([matrix.title], "title").reshape(())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            info = zipfile.ZipInfo(name + ".npy", date_time=_FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            member = io.BytesIO()
            npy.write_array(member, array, allow_pickle=False)
            archive.writestr(info, member.getvalue())
    return buffer.getvalue()


def _label_array(labels: tuple[str, ...] | list[str], name: str) -> np.ndarray:
    # NumPy's fixed-width strings drop trailing NULs: refuse rather than change a label.
    if any(label.endswith("\0") for label in labels):
        raise OutputError(f"a label in {name} ends with a NUL character, which .npz cannot keep")
    return np.array(list(labels), dtype=str) if labels else np.array([], dtype="<U1")


FORMAT = Format(
    name="npz",
    extensions=(".npz",),
    read=read_npz,
    write=write_npz,
    sniff=lambda head: head.startswith(_MAGIC),
    text=False,
    description="numpy.savez: values (2-D), tokens and expressions (1-D str), title (0-d str)",
)
