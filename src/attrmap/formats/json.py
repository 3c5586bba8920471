"""JSON: the same document as YAML, ``{"expressions": [...], "tokens": [...],
"values": [[...], ...], "title": ...}``.

Parsed into the same positioned node tree as YAML (``document.py``), so a bad cell is
reported at its line and column. Syntax errors are Python's own ``json`` messages and
positions. Labels keep the text they are written with (``1.50`` stays ``1.50``).
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left

from ..errors import InputError, LimitError
from ..labels import TOKEN_MODES
from ..model import AttributionMatrix
from .base import (
    Format,
    InputOptions,
    Limits,
    WriteOptions,
    decode_text,
    rows_for_writing,
    too_many_cells,
)
from .cells import parse_plain_numbers
from .document import KEYS, Map, Node, Scalar, Seq, matrix_from_document
from .long import matrix_from_records, record_label, record_number

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
# Python's json reads these too (inseq writes NaN); they stay text, and a cell's text
# decides whether it is missing or an error.
_LITERALS = ("true", "false", "null", "NaN", "Infinity", "-Infinity")


class _Invalid(Exception):
    """Not JSON here: ``json.loads`` then says why, in its own words and position."""


class _Parser:
    """A small recursive-descent JSON parser that remembers where each value starts."""

    def __init__(self, text: str, source: str, limits: Limits) -> None:
        self.text = text
        self.source = source
        self.limits = limits
        self.newlines = [match.start() for match in re.finditer("\n", text)]
        self.budget = 2 * limits.max_cells + 1000
        self.scan_string = json.decoder.scanstring  # type: ignore[attr-defined]  # not in typeshed

    def where(self, pos: int) -> tuple[int, int]:
        before = bisect_left(self.newlines, pos)
        line_start = self.newlines[before - 1] + 1 if before else 0
        return before + 1, pos - line_start + 1

    def skip(self, pos: int) -> int:
        return _WHITESPACE.match(self.text, pos).end()  # type: ignore[union-attr]

    def document(self) -> Node | None:
        pos = self.skip(0)
        if pos == len(self.text):
            return None
        node, pos = self.value(pos, 0)
        if self.skip(pos) != len(self.text):
            raise _Invalid
        return node

    def value(self, pos: int, depth: int) -> tuple[Node, int]:
        self.budget -= 1
        if self.budget < 0:
            raise too_many_cells(self.source, self.limits)
        text = self.text
        char = text[pos : pos + 1]
        line, column = self.where(pos)
        if char == '"':
            try:
                string, end = self.scan_string(text, pos + 1, True)
            except ValueError:
                raise _Invalid from None
            return Scalar(string, line, column), end
        if char in ("[", "{"):
            if depth >= self.limits.max_yaml_depth:
                raise LimitError(self.source, "JSON is nested too deeply", line, column)
            return self.container(pos, depth, line, column)
        match = _NUMBER.match(text, pos)
        if match:
            return Scalar(match.group(), line, column, plain=True), match.end()
        for literal in _LITERALS:
            if text.startswith(literal, pos):
                return Scalar(literal, line, column, plain=True), pos + len(literal)
        raise _Invalid

    def container(self, pos: int, depth: int, line: int, column: int) -> tuple[Node, int]:
        closing = "]" if self.text[pos] == "[" else "}"
        items: list[Node] = []
        pos = self.skip(pos + 1)
        if self.text.startswith(closing, pos):
            pos += 1
        else:
            while True:
                if closing == "}":
                    if not self.text.startswith('"', pos):
                        raise _Invalid
                    key, pos = self.value(pos, depth + 1)
                    pos = self.skip(pos)
                    if not self.text.startswith(":", pos):
                        raise _Invalid
                    items.append(key)
                    pos = self.skip(pos + 1)
                node, pos = self.value(pos, depth + 1)
                items.append(node)
                pos = self.skip(pos)
                if self.text.startswith(",", pos):
                    pos = self.skip(pos + 1)
                elif self.text.startswith(closing, pos):
                    pos += 1
                    break
                else:
                    raise _Invalid
        node = Seq(items, line, column) if closing == "]" else Map(items, line, column)
        return node, pos


def read_json(data: bytes, source: str, options: InputOptions) -> list[AttributionMatrix]:
    text = decode_text(data, source)
    matrix = _read_plain(text, source, options)
    if matrix is not None:
        return [matrix]
    matrix = _read_pandas(text, source, options)
    if matrix is not None:
        return [matrix]
    try:
        root = _Parser(text, source, options.limits).document()
    except _Invalid:
        raise _syntax_error(text, source) from None
    return [matrix_from_document(root, source, options)]


def _read_plain(text: str, source: str, options: InputOptions) -> AttributionMatrix | None:
    """The usual file (right keys, string labels, plain numbers) at the ``json`` module's
    C speed, about ten times the positioned parser's. Anything else returns None, and the
    positioned parser reads the file again: it finds every problem and says where."""
    limits = options.limits
    if text.count(",") > 3 * limits.max_cells + 1000:  # the positioned parser stops early
        return None
    try:
        document = json.loads(
            text,
            object_pairs_hook=_unique_keys,
            parse_int=str,  # numbers keep their text, as labels and as cells
            parse_float=str,
            parse_constant=str,
        )
    except (ValueError, RecursionError):
        return None
    if not isinstance(document, dict) or not set(KEYS[:3]) <= set(document) <= set(KEYS):
        return None
    tokens, expressions = document["tokens"], document["expressions"]
    rows, title = document["values"], document.get("title")
    labels_ok = all(
        isinstance(labels, list)
        and labels
        and all(isinstance(label, str) and len(label) <= limits.max_label_chars for label in labels)
        for labels in (tokens, expressions)
    )
    if not labels_ok or not (title is None or isinstance(title, str)):
        return None
    if len(tokens) * len(expressions) > limits.max_cells or not isinstance(rows, list):
        return None
    if len(rows) != len(tokens):
        return None
    values = []
    for row in rows:
        if not isinstance(row, list) or len(row) != len(expressions):
            return None
        if not all(isinstance(cell, str) for cell in row):
            return None
        numbers = parse_plain_numbers(row)
        if numbers is None:
            return None
        values.append(numbers)
    style, allow = document.get("token_style"), document.get("allow_missing", False)
    if (style is not None and style not in TOKEN_MODES) or not isinstance(allow, bool):
        return None  # the positioned parser says where and why
    return AttributionMatrix(
        tokens,
        expressions,
        values,
        title,
        source,
        token_style=style,
        allow_missing=options.allow_missing or allow,
    )


_SPLIT_KEYS = ({"columns", "index", "data"}, {"columns", "data"})
_LONG_ROLES = ("token", "expression", "value", "position")


def _read_pandas(text: str, source: str, options: InputOptions) -> AttributionMatrix | None:
    """What pandas' ``DataFrame.to_json`` writes: ``orient="split"`` (index, columns,
    data: the one orient that keeps repeated tokens) as a wide grid, or as long form
    when its columns are a long table's; ``orient="records"`` of a long (tidy) frame;
    ``orient="table"`` (a schema, then records) either way. None for anything else."""
    if text.count(",") > 4 * options.limits.max_cells + 1000:
        return None
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if isinstance(document, dict) and set(document) - {"name"} in _SPLIT_KEYS:
        columns, data = document["columns"], document["data"]
        if not isinstance(columns, list) or not isinstance(data, list):
            return None
        if not all(isinstance(row, list) and len(row) == len(columns) for row in data):
            raise InputError(
                source, 'pandas orient="split": every row of data needs a value per column'
            )
        index = document.get("index", list(range(len(data))))
        rows = [dict(zip(map(str, columns), row, strict=True)) for row in data]
        long = _long_records(rows, [str(c) for c in columns], source, options)
        if long is not None:
            return long
        return _wide(index, columns, data, source, options)
    if isinstance(document, dict) and set(document) == {"schema", "data"}:
        schema, data = document["schema"], document["data"]
        if not isinstance(schema, dict) or not isinstance(data, list):
            return None
        fields = [str(f.get("name")) for f in schema.get("fields", []) if isinstance(f, dict)]
        if not all(isinstance(row, dict) for row in data):
            return None
        keys = [name for name in schema.get("primaryKey") or [] if name in fields]
        long = _long_records(
            data, [f for f in fields if f not in keys or f in _LONG_ROLES], source, options
        )
        if long is not None:
            return long
        index = keys[0] if keys else "index"
        columns = [f for f in fields if f != index]
        try:
            cells = [[row[c] for c in columns] for row in data]
            tokens = [row[index] for row in data] if index in fields else list(range(len(data)))
        except KeyError as error:
            raise InputError(source, f'pandas orient="table": a row has no {error}') from None
        return _wide(tokens, columns, cells, source, options)
    if isinstance(document, list) and document and all(isinstance(r, dict) for r in document):
        long = _long_records(document, [str(k) for k in document[0]], source, options)
        if long is None:
            raise InputError(
                source,
                'pandas orient="records": a record per cell needs token, expression and value '
                f"(and optionally position) keys, not {', '.join(map(repr, document[0]))}; "
                'name them with columns="token=KEY,expression=KEY,value=KEY", or write the '
                'frame with orient="split"',
            )
        return long
    return None


def _long_records(
    rows: list[dict], names: list[str], source: str, options: InputOptions
) -> AttributionMatrix | None:
    """Records as long form, by the ``columns`` setting or by the usual names (any case);
    None when the names are not a long table's."""
    if options.columns is not None:
        roles = dict(options.columns)
        absent = [name for name in roles.values() if name not in names]
        if absent:
            return None
    else:
        lowered = {name.strip().lower(): name for name in names}
        if not set(_LONG_ROLES[:3]) <= set(lowered) <= set(_LONG_ROLES):
            return None
        roles = {role: lowered[role] for role in _LONG_ROLES if role in lowered}
    order = [roles[role] for role in _LONG_ROLES if role in roles]
    try:
        records = [tuple(row[name] for name in order) for row in rows]
    except KeyError as error:
        raise InputError(source, f"a record has no {error}") from None
    return matrix_from_records(
        records,
        source,
        "position" in roles,
        allow_missing=options.allow_missing,
        max_cells=options.limits.max_cells,
    )


def _wide(
    tokens: list, columns: list, data: list, source: str, options: InputOptions
) -> AttributionMatrix:
    if len(tokens) * max(len(columns), 1) > options.limits.max_cells:
        raise too_many_cells(source, options.limits)
    values = [
        [record_number(cell, source, f"token {record_label(t)!r}") for cell in row]
        for t, row in zip(tokens, data, strict=True)
    ]
    return AttributionMatrix(
        [record_label(t) for t in tokens],
        [record_label(c) for c in columns],
        values,
        source=source,
        allow_missing=options.allow_missing,
    )


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("duplicate key")  # the positioned parser names it and its place
    return dict(pairs)


def _syntax_error(text: str, source: str) -> InputError:
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        return InputError(source, f"invalid JSON: {error.msg}", error.lineno, error.colno)
    except RecursionError:
        return LimitError(source, "JSON is nested too deeply")
    return InputError(source, "invalid JSON")  # json itself accepts it: a bug of ours


def write_json(matrix: AttributionMatrix, options: WriteOptions) -> bytes:
    """One line per row of values; floats in full precision; missing cells as null."""

    def dump(value: object) -> str:
        return json.dumps(value, ensure_ascii=False, allow_nan=False)

    rows = ",\n    ".join(dump(row) for row in rows_for_writing(matrix))
    head = f'  "title": {dump(matrix.title)},\n' if matrix.title is not None else ""
    if matrix.token_style is not None:  # read back with the same label display
        head += f'  "token_style": {dump(matrix.token_style)},\n'
    if matrix.missing.any():  # read back without --allow-missing
        head += '  "allow_missing": true,\n'
    text = (
        "{\n"
        f"{head}"
        f'  "expressions": {dump(list(matrix.expressions))},\n'
        f'  "tokens": {dump(list(matrix.tokens))},\n'
        f'  "values": [\n    {rows}\n  ]\n'
        "}\n"
    )
    return text.encode("utf-8")


FORMAT = Format(
    name="json",
    extensions=(".json",),
    read=read_json,
    write=write_json,
    description='{"expressions": [...], "tokens": [...], "values": [[...]], "title": ...}',
)
