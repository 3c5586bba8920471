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
    return AttributionMatrix(
        tokens, expressions, values, title, source, allow_missing=options.allow_missing
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
