"""Reading and writing attribution matrices as wide CSV or YAML.

Both readers keep labels exactly as written (no YAML 1.1 booleans, octals or nulls),
accept numbers the way a user writes them, never construct objects from YAML tags, and
report problems as ``InputError`` with the file and line.
"""

from __future__ import annotations

import csv
import io
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import yaml

from .atomic import atomic_write, describe_os_error
from .errors import GridError, InputError, LimitError, OutputError
from .model import AttributionMatrix, parse_number

CSV_SUFFIXES = (".csv",)
YAML_SUFFIXES = (".yaml", ".yml")
MATRIX_SUFFIXES = CSV_SUFFIXES + YAML_SUFFIXES
FORMATS = ("csv", "yaml")
STDIN = "-"
CSV_CORNER = "token"


@dataclass(frozen=True)
class Limits:
    """Safety limits that stop a hostile or mistaken input before it eats the machine.

    Generous for real attribution matrices (a 13x5 file is ~1 kB); raise them with
    ``--max-mb`` / ``--max-cells`` if you genuinely need more.
    """

    max_bytes: int = 64 * 1024 * 1024
    max_cells: int = 250_000
    max_label_chars: int = 10_000
    max_yaml_depth: int = 32


DEFAULT_LIMITS = Limits()


def format_for(path: str | os.PathLike[str], input_format: str | None = None) -> str:
    """The input format: explicit, else from the extension (stdin needs it explicit)."""
    name = os.fspath(path)
    if input_format is not None:
        if input_format not in FORMATS:
            raise InputError(name, f"unknown input format {input_format!r}; use csv or yaml")
        return input_format
    if name == STDIN:
        raise InputError(source_name(name), "reading stdin needs --input-format csv or yaml")
    suffix = Path(name).suffix.lower()
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix in YAML_SUFFIXES:
        return "yaml"
    raise InputError(
        name, f"unknown extension {suffix or '(none)'!r}; expected .csv, .yaml or .yml"
    )


def source_name(name: str) -> str:
    """How messages name an input: its path, or ``<stdin>`` for ``-``."""
    return "<stdin>" if name == STDIN else name


def load_matrix(
    path: str | os.PathLike[str],
    input_format: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> AttributionMatrix:
    """Read one matrix from a CSV or YAML file (``-`` is standard input)."""
    fmt = format_for(path, input_format)
    name = os.fspath(path)
    data = read_input_bytes(name, limits)
    return parse_matrix(data, fmt, source_name(name), limits)


def parse_matrix(
    data: bytes, fmt: str, source: str, limits: Limits = DEFAULT_LIMITS
) -> AttributionMatrix:
    """Parse a matrix from bytes already in memory."""
    text = _decode(data, source)
    parser = _parse_csv if fmt == "csv" else _parse_yaml
    try:
        return parser(text, source, limits)
    except RecursionError:
        raise LimitError(source, "input is nested too deeply to parse") from None


def read_input_bytes(name: str, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """Read at most ``limits.max_bytes``; refuse larger inputs before reading them."""
    source = source_name(name)
    too_big = (
        f"larger than the {limits.max_bytes:,}-byte limit (raise it with --max-mb if you must)"
    )
    try:
        if name == STDIN:
            data = _read_capped(sys.stdin.buffer, limits.max_bytes)
        else:
            with open(name, "rb") as handle:
                if os.fstat(handle.fileno()).st_size > limits.max_bytes:
                    raise LimitError(source, too_big)
                data = _read_capped(handle, limits.max_bytes)
    except OSError as error:
        raise InputError(source, f"cannot read: {describe_os_error(error)}") from None
    if len(data) > limits.max_bytes:
        raise LimitError(source, too_big)
    return data


def _read_capped(handle: IO[bytes], limit: int) -> bytes:
    """At most ``limit + 1`` bytes, read in chunks (any ``limit``, however large)."""
    chunks: list[bytes] = []
    total = 0
    while total <= limit:
        chunk = handle.read(min(1 << 20, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def _decode(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InputError(
            source,
            f"not UTF-8 text (byte 0x{data[error.start]:02x}); save the file as UTF-8",
            line,
        ) from None


# --------------------------------------------------------------------------- CSV

_QUOTED_RE = re.compile(r'"[^"]*"')


def _parse_csv(text: str, source: str, limits: Limits) -> AttributionMatrix:
    # csv builds a whole row before we can count it (a 64 MB line of commas is 64 million
    # fields, over 1 GB). A grid within the cell limit has at most 2 * max_cells commas
    # outside quotes (header included), so more than that is refused up front.
    if text.count(",") > 2 * limits.max_cells and (
        _QUOTED_RE.sub("", text).count(",") > 2 * limits.max_cells
    ):
        raise _too_many_cells(source, limits)
    previous_limit = csv.field_size_limit(limits.max_label_chars)  # process-wide: restore
    try:
        return _read_csv_rows(text, source, limits)
    finally:
        csv.field_size_limit(previous_limit)


def _read_csv_rows(text: str, source: str, limits: Limits) -> AttributionMatrix:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    expressions: list[str] | None = None
    tokens: list[str] = []
    rows: list[list[float]] = []
    try:
        for row in reader:
            line = reader.line_num
            if not row:  # blank line
                continue
            if expressions is None:
                if len(row) < 2:
                    raise GridError(
                        source,
                        "the header needs a corner cell, then one cell per expression",
                        line,
                    )
                expressions = row[1:]
                continue
            if len(row) != len(expressions) + 1:
                raise GridError(
                    source,
                    f"token {row[0]!r} has {len(row) - 1} values, but the header has "
                    f"{len(expressions)} expressions",
                    line,
                )
            if (len(rows) + 1) * len(expressions) > limits.max_cells:
                raise _too_many_cells(source, limits)
            tokens.append(row[0])
            rows.append(
                [
                    _cell(cell, source, line, row[0], expressions[col], col + 2)
                    for col, cell in enumerate(row[1:])
                ]
            )
    except csv.Error as error:
        raise InputError(source, f"malformed CSV: {error}", reader.line_num) from None
    if expressions is None:
        raise GridError(source, "the file is empty; expected a header row and token rows")
    if not tokens:
        raise GridError(source, "no token rows after the header")
    return AttributionMatrix(tokens, expressions, rows, source=source)


def _cell(text: str, source: str, line: int, token: str, expression: str, column: int) -> float:
    try:
        return parse_number(text)
    except ValueError as error:
        raise GridError(
            source, f"token {token!r}, expression {expression!r}: {error}", line, column
        ) from None


def _too_many_cells(source: str, limits: Limits) -> LimitError:
    return LimitError(
        source,
        f"more than {limits.max_cells:,} cells (raise the limit with --max-cells if you must)",
    )


# --------------------------------------------------------------------------- YAML

_TAG = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {None, *(_TAG + name for name in ("str", "int", "float", "seq", "map"))}
_KEYS = ("expressions", "tokens", "values", "title")
# What YAML 1.1 allows unescaped in a stream (PyYAML and libyaml refuse anything else).
_NOT_YAML_CHAR = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# libyaml's parser when present: ~4x faster on large files. BaseLoader resolves every
# plain scalar as a string, so labels stay as written and numbers are ours to parse.
_Loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)


@dataclass(frozen=True)
class _Scalar:
    value: str
    line: int
    column: int
    plain: bool = False  # unquoted: only then can it mean null


@dataclass(frozen=True)
class _Seq:
    items: list
    line: int


@dataclass(frozen=True)
class _Map:
    pairs: list
    line: int


_Node = _Scalar | _Seq | _Map


def _compose(text: str, source: str, limits: Limits) -> _Node | None:
    """Build a light node tree from YAML events, refusing what a matrix never needs.

    Streaming events (instead of ``yaml.compose``) lets a huge grid be refused after
    reading only as much as the cell limit allows. Aliases share the anchored node rather
    than copying it, so an alias bomb stays small; tags other than the standard ones are
    refused, never constructed.
    """
    budget = 2 * limits.max_cells + 1000
    anchors: dict[str, _Node] = {}
    # Sharing keeps memory small, but each use of a shared label or number still costs
    # work later: count what the document would be with every alias copied out.
    expanded = 0
    anchor_sizes: dict[str, int] = {}
    opened: list[tuple[int, str | None]] = []  # (expanded at start, anchor) per open node
    stack: list[_Seq | _Map] = []
    root: _Node | None = None
    documents = 0
    for count, event in enumerate(yaml.parse(text, Loader=_Loader)):
        if count > budget:
            raise _too_many_cells(source, limits)
        line = event.start_mark.line + 1
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise InputError(source, "expected one YAML document, found several", line)
            continue
        if isinstance(event, yaml.AliasEvent):
            if event.anchor not in anchors:
                raise InputError(source, f"unknown alias *{event.anchor}", line)
            if event.anchor not in anchor_sizes:
                raise InputError(source, f"alias *{event.anchor} is inside its own anchor", line)
            node = anchors[event.anchor]
            expanded += anchor_sizes[event.anchor]
        elif isinstance(event, (yaml.ScalarEvent, yaml.CollectionStartEvent)):
            if event.tag not in _ALLOWED_TAGS:
                raise InputError(
                    source,
                    f"YAML tag {event.tag!r} is not allowed; "
                    "write plain lists, strings and numbers",
                    line,
                )
            if isinstance(event, yaml.ScalarEvent):
                plain = bool(event.implicit[0]) and event.tag is None
                node = _Scalar(event.value, line, event.start_mark.column + 1, plain)
                expanded += len(event.value) + 1
                if event.anchor is not None:
                    anchor_sizes[event.anchor] = len(event.value) + 1
            else:
                opened.append((expanded, event.anchor))
                expanded += 1
                node = (
                    _Seq([], line) if isinstance(event, yaml.SequenceStartEvent) else _Map([], line)
                )
                if len(stack) >= limits.max_yaml_depth:
                    raise LimitError(source, "YAML is nested too deeply", line)
            if event.anchor is not None:
                anchors[event.anchor] = node
        elif isinstance(event, yaml.CollectionEndEvent):
            node = stack.pop()
            start, anchor = opened.pop()
            if anchor is not None:
                anchor_sizes[anchor] = expanded - start
        else:
            continue
        if expanded > limits.max_bytes:
            raise LimitError(
                source,
                f"YAML aliases expand to more than the {limits.max_bytes:,}-byte limit",
                line,
            )
        if isinstance(event, yaml.CollectionStartEvent):
            stack.append(node)  # type: ignore[arg-type]
            continue
        if not stack:
            root = node
        elif isinstance(stack[-1], _Seq):
            stack[-1].items.append(node)
        else:
            stack[-1].pairs.append(node)
    return root


def _parse_yaml(text: str, source: str, limits: Limits) -> AttributionMatrix:
    bad = _NOT_YAML_CHAR.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        column = bad.start() - text.rfind("\n", 0, bad.start())
        raise InputError(
            source,
            f"character U+{ord(bad.group()):04X} is not allowed in YAML; "
            "write it as an escape in a double-quoted string",
            line,
            column,
        )
    try:
        root = _compose(text, source, limits)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = error.problem or error.context or "invalid YAML"
        if "nesting depth" in problem:  # PyYAML >= 6.0.4 has a depth limit of its own
            raise LimitError(source, "YAML is nested too deeply", line) from None
        raise InputError(source, f"invalid YAML: {problem}", line) from None
    except yaml.YAMLError as error:
        raise InputError(source, f"invalid YAML: {' '.join(str(error).split())}") from None
    if root is None:
        raise GridError(source, "the file is empty; expected expressions, tokens and values")
    if not isinstance(root, _Map):
        raise GridError(source, "expected a mapping with expressions, tokens and values", root.line)
    fields: dict[str, _Node] = {}
    for key_node, value_node in zip(root.pairs[::2], root.pairs[1::2], strict=True):
        key = _scalar(key_node, source, "key")
        if key not in _KEYS:
            raise GridError(
                source, f"unknown key {key!r}; expected {', '.join(_KEYS)}", key_node.line
            )
        if key in fields:
            raise GridError(source, f"duplicate key {key!r}", key_node.line)
        fields[key] = value_node
    missing = [key for key in _KEYS[:3] if key not in fields]
    if missing:
        raise GridError(source, f"missing key(s): {', '.join(missing)}")
    expressions = _labels(fields["expressions"], source, "expressions", limits)
    tokens = _labels(fields["tokens"], source, "tokens", limits)
    rows_node = fields["values"]
    if not isinstance(rows_node, _Seq):
        raise GridError(source, "values must be a list of rows", rows_node.line)
    if len(rows_node.items) != len(tokens):
        raise GridError(
            source,
            f"values has {len(rows_node.items)} rows, but there are {len(tokens)} tokens",
            rows_node.line,
        )
    if len(tokens) * len(expressions) > limits.max_cells:
        raise _too_many_cells(source, limits)
    rows = [
        _yaml_row(row_node, index, tokens, expressions, source)
        for index, row_node in enumerate(rows_node.items)
    ]
    title = _title(fields.get("title"), source)
    return AttributionMatrix(tokens, expressions, rows, title=title, source=source)


_NULLS = {"", "~", "null", "Null", "NULL"}


def _title(node: _Node | None, source: str) -> str | None:
    """An absent or unquoted null title is no title (as in config files); a quoted
    ``"null"`` is the word."""
    if node is None:
        return None
    title = _scalar(node, source, "title")
    return None if isinstance(node, _Scalar) and node.plain and title in _NULLS else title


def _scalar(node: _Node, source: str, what: str) -> str:
    if not isinstance(node, _Scalar):
        raise GridError(source, f"{what} must be a single value, not a list or mapping", node.line)
    return node.value


def _labels(node: _Node, source: str, key: str, limits: Limits) -> list[str]:
    if not isinstance(node, _Seq):
        raise GridError(source, f"{key} must be a list", node.line)
    if not node.items:
        raise GridError(source, f"{key} is empty", node.line)
    labels = [_scalar(item, source, f"each of {key}") for item in node.items]
    for item, label in zip(node.items, labels, strict=True):
        if len(label) > limits.max_label_chars:  # the same limit as a CSV field
            raise LimitError(
                source,
                f"a label in {key} is longer than {limits.max_label_chars:,} characters",
                item.line,
            )
    return labels


def _yaml_row(
    node: _Node, index: int, tokens: list[str], expressions: list[str], source: str
) -> list[float]:
    token = tokens[index]
    if not isinstance(node, _Seq):
        raise GridError(
            source, f"values row {index + 1} (token {token!r}) must be a list", node.line
        )
    if len(node.items) != len(expressions):
        raise GridError(
            source,
            f"values row {index + 1} (token {token!r}) has {len(node.items)} numbers, "
            f"but there are {len(expressions)} expressions",
            node.line,
        )
    row = []
    for col, cell in enumerate(node.items):
        text = _scalar(cell, source, f"value of token {token!r}")
        row.append(_cell(text, source, cell.line, token, expressions[col], cell.column))
    return row


# --------------------------------------------------------------------------- writing


class _QuotingDumper(yaml.SafeDumper):
    """Double-quotes every string so labels like ``no`` or ``007`` stay strings."""


_QuotingDumper.add_representer(
    str, lambda dumper, data: dumper.represent_scalar(_TAG + "str", data, style='"')
)


def dump_matrix(matrix: AttributionMatrix, fmt: str) -> bytes:
    """Serialise a matrix so that ``parse_matrix`` gives it back exactly."""
    if fmt == "csv":
        buffer = io.StringIO(newline="")
        # QUOTE_NONNUMERIC quotes every label (so a bare "\r", which the writer would
        # otherwise leave unquoted with an LF terminator, survives) and writes each float
        # unquoted with repr(), which round-trips exactly.
        writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
        writer.writerow([CSV_CORNER, *matrix.expressions])
        for token, row in zip(matrix.tokens, matrix.values.tolist(), strict=True):
            writer.writerow([token, *row])
        return buffer.getvalue().encode("utf-8")
    document: dict[str, object] = {}
    if matrix.title is not None:
        document["title"] = matrix.title
    document["expressions"] = list(matrix.expressions)
    document["tokens"] = list(matrix.tokens)
    document["values"] = matrix.values.tolist()
    text = yaml.dump(
        document,
        Dumper=_QuotingDumper,
        sort_keys=False,
        allow_unicode=True,
        width=float("inf"),
        default_flow_style=None,
    )
    return text.encode("utf-8")


def save_matrix(
    matrix: AttributionMatrix,
    path: str | os.PathLike[str],
    output_format: str | None = None,
) -> None:
    """Write a matrix as CSV or YAML (by extension), atomically. CSV drops the title."""
    fmt = output_format or _output_format(path)
    payload = dump_matrix(matrix, fmt)
    write: Callable[[IO[bytes]], None] = lambda handle: handle.write(payload)  # noqa: E731
    atomic_write(path, write)


def _output_format(path: str | os.PathLike[str]) -> str:
    try:
        return format_for(path)
    except InputError as error:
        raise OutputError(str(error)) from None
