"""Reading and writing attribution matrices, one module per format, plus a registry.

Each format module defines a ``FORMAT`` (see ``base.Format``): its name, extensions, an
optional content ``sniff``, a reader returning the file's matrices and, where it makes
sense, a writer. Everything else (the CLI's ``--input-format`` choices, batch discovery,
``convert``) asks this registry, so adding a format is one module and one line below.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ..atomic import atomic_write
from ..errors import InputError, LimitError, OutputError
from ..model import AttributionMatrix
from . import csv, inseq, json, npz, tsv, yaml
from .base import (
    AGGREGATES,
    DEFAULT_INPUT,
    DEFAULT_LIMITS,
    DEFAULT_WRITE,
    PARTS,
    STDIN,
    Format,
    InputOptions,
    Limits,
    WriteOptions,
    count,
    read_input_bytes,
    refuse_binary,
    source_name,
)

__all__ = [
    "AGGREGATES",
    "DEFAULT_INPUT",
    "DEFAULT_LIMITS",
    "PARTS",
    "STDIN",
    "Format",
    "InputOptions",
    "Limits",
    "WriteOptions",
    "dump_matrix",
    "format_for",
    "format_names",
    "get_format",
    "input_stem",
    "input_suffixes",
    "load_matrices",
    "load_matrix",
    "parse_matrices",
    "parse_matrix",
    "register",
    "save_matrix",
    "writable_format_names",
]

_REGISTRY: dict[str, Format] = {}


def register(fmt: Format) -> Format:
    """Add a format. Registration order matters only where formats share an extension."""
    if fmt.name in _REGISTRY:
        raise ValueError(f"a format named {fmt.name!r} is already registered")
    _REGISTRY[fmt.name] = fmt
    return fmt


# The built-in formats. A new format: its module with a FORMAT, and one line here.
register(csv.FORMAT)
register(tsv.FORMAT)
register(yaml.FORMAT)
register(inseq.FORMAT)  # before json: both read .json, inseq's sniff decides
register(json.FORMAT)
register(npz.FORMAT)


def get_format(name: str) -> Format:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise InputError(
            name, f"unknown input format; use one of {', '.join(format_names())}"
        ) from None


def format_names() -> tuple[str, ...]:
    """Every registered format, for ``--input-format``."""
    return tuple(_REGISTRY)


def writable_format_names() -> tuple[str, ...]:
    return tuple(name for name, fmt in _REGISTRY.items() if fmt.write is not None)


def input_suffixes() -> tuple[str, ...]:
    """Every extension some format reads (lower-case), for finding inputs in a folder."""
    return tuple(dict.fromkeys(ext for fmt in _REGISTRY.values() for ext in fmt.extensions))


def input_stem(name: str) -> str:
    """The name without its input extension: ``a.csv`` -> ``a``, ``a_0.json.gz`` -> ``a_0``
    (the longest registered extension; otherwise just the last suffix)."""
    lowered = name.lower()
    matching = [ext for ext in input_suffixes() if lowered.endswith(ext) and ext != lowered]
    if matching:
        return name[: -max(map(len, matching))]
    return Path(name).stem if Path(name).suffix else name


def _candidates(name: str) -> list[Format]:
    """The formats whose longest matching extension ends ``name``: ``x.json.gz`` is a
    ``.json.gz`` file, not a ``.gz`` one."""
    lowered = name.lower()
    best: list[Format] = []
    best_length = 0
    for fmt in _REGISTRY.values():
        matching = [ext for ext in fmt.extensions if lowered.endswith(ext) and ext != lowered]
        length = max(map(len, matching), default=0)
        if length > best_length:
            best, best_length = [fmt], length
        elif length and length == best_length:
            best.append(fmt)
    return best


def format_for(
    path: str | os.PathLike[str], input_format: str | None = None, head: bytes | None = None
) -> Format:
    """The input's format: explicit, else from the extension (stdin needs it explicit).

    When several formats read the extension, ``head`` (the file's first bytes) decides:
    the first format whose ``sniff`` recognises it, else the first without a sniff.
    """
    name = os.fspath(path)
    if input_format is not None:
        if input_format not in _REGISTRY:
            raise InputError(
                source_name(name),
                f"unknown input format {input_format!r}; use {_or(format_names())}",
            )
        return _REGISTRY[input_format]
    if name == STDIN:
        raise InputError(
            source_name(name), f'reading stdin needs input_format="{"|".join(format_names())}"'
        )
    candidates = _candidates(Path(name).name)
    if not candidates:
        suffix = Path(name).suffix.lower()
        raise InputError(
            name, f"unknown extension {suffix or '(none)'!r}; expected {_or(input_suffixes())}"
        )
    if len(candidates) > 1 and head is not None:
        for fmt in candidates:
            if fmt.sniff is not None and fmt.sniff(head):
                return fmt
        for fmt in candidates:
            if fmt.sniff is None:
                return fmt
    return candidates[0]


def _or(items: Iterable[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"


# --------------------------------------------------------------------------- reading


def load_matrices(
    path: str | os.PathLike[str], options: InputOptions = DEFAULT_INPUT
) -> list[AttributionMatrix]:
    """Every matrix in a file (``-`` is standard input): most formats hold one, an inseq
    export one per sequence. ``options.sequence`` keeps only that one."""
    name = os.fspath(path)
    if options.input_format is None:
        format_for(name)  # an unknown extension fails before anything is read
    data = read_input_bytes(name, options.limits)
    return parse_matrices(data, format_for(name, options.input_format, data), name, options)


def parse_matrices(
    data: bytes, fmt: Format | str, name: str, options: InputOptions = DEFAULT_INPUT
) -> list[AttributionMatrix]:
    """The matrices in bytes already in memory, read as ``fmt``."""
    fmt = get_format(fmt) if isinstance(fmt, str) else fmt
    source = source_name(name)
    if fmt.text:
        refuse_binary(data, source, fmt.name.upper())
    try:
        matrices = fmt.read(data, source, options)
    except RecursionError:
        raise LimitError(source, "input is nested too deeply to parse") from None
    if not matrices:
        raise InputError(source, "the file holds no matrix")
    if options.sequence is None:
        return matrices
    if options.sequence >= len(matrices):
        raise InputError(
            source,
            f"sequence={options.sequence} is out of range: the file holds "
            f"{count(len(matrices), 'matrix', 'matrices')} (0 to {len(matrices) - 1})",
        )
    return [matrices[options.sequence]]


def _only(matrices: list[AttributionMatrix], source: str) -> AttributionMatrix:
    if len(matrices) != 1:
        raise InputError(
            source,
            f"the file holds {count(len(matrices), 'matrix', 'matrices')}; pick one with "
            f"sequence=N or read them all with load_matrices",
        )
    return matrices[0]


def load_matrix(
    path: str | os.PathLike[str],
    input_format: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    *,
    options: InputOptions | None = None,
) -> AttributionMatrix:
    """Read one matrix from a file (``-`` is standard input).

    ``options`` carries every input setting; ``input_format`` and ``limits`` are the
    older spelling of two of them. A file holding several matrices needs
    ``options.sequence`` (or use ``load_matrices``).
    """
    if options is None:
        options = InputOptions(input_format=input_format, limits=limits)
    return _only(load_matrices(path, options), source_name(os.fspath(path)))


def parse_matrix(
    data: bytes, fmt: Format | str, source: str, limits: Limits = DEFAULT_LIMITS
) -> AttributionMatrix:
    """Parse one matrix from bytes already in memory."""
    matrices = parse_matrices(data, fmt, source, InputOptions(limits=limits))
    return _only(matrices, source_name(source))


# --------------------------------------------------------------------------- writing


def dump_matrix(
    matrix: AttributionMatrix, fmt: Format | str, options: WriteOptions = DEFAULT_WRITE
) -> bytes:
    """Serialise a matrix so that reading it back gives it exactly."""
    fmt = get_format(fmt) if isinstance(fmt, str) else fmt
    if fmt.write is None:
        raise OutputError(
            f"attrmap cannot write {fmt.name}; write one of {_or(writable_format_names())}"
        )
    if options.long and not fmt.writes_long:
        writers = [name for name, f in _REGISTRY.items() if f.writes_long]
        raise OutputError(f"{fmt.name} has no long form; long=True writes {_or(writers)}")
    return fmt.write(matrix, options)


def _writer_for(path: str | os.PathLike[str], output_format: str | None) -> Format:
    """The format a file is written in: explicit, else the first that reads its extension
    and has a writer (``.json`` is attrmap's JSON; inseq exports are only read)."""
    if output_format is None:
        for fmt in _candidates(Path(os.fspath(path)).name):
            if fmt.write is not None:
                return fmt
    return format_for(path, output_format)


def save_matrix(
    matrix: AttributionMatrix,
    path: str | os.PathLike[str],
    output_format: str | None = None,
    options: WriteOptions = DEFAULT_WRITE,
) -> None:
    """Write a matrix in the format its extension names, atomically (CSV drops the title)."""
    try:
        fmt = _writer_for(path, output_format)
    except InputError as error:
        raise OutputError(str(error)) from None
    payload = dump_matrix(matrix, fmt, options)
    atomic_write(path, lambda handle: handle.write(payload))
