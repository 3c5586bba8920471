"""The keyed document formats (YAML, JSON) share one shape: a mapping with
``expressions``, ``tokens``, ``values`` and an optional ``title``.

Their parsers build the same light node tree, each node knowing its line and column, so
every problem found while turning the tree into a matrix points at its place in the file.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import GridError, LimitError
from ..labels import TOKEN_MODES
from ..model import AttributionMatrix
from .base import InputOptions, Limits, count, parse_cell, too_many_cells

KEYS = ("expressions", "tokens", "values", "title", "token_style", "allow_missing")
_NULLS = {"", "~", "null", "Null", "NULL"}


@dataclass(frozen=True)
class Scalar:
    value: str
    line: int
    column: int
    plain: bool = False  # unquoted: only then can it mean null


@dataclass(frozen=True)
class Seq:
    items: list
    line: int
    column: int = 0


@dataclass(frozen=True)
class Map:
    pairs: list  # key, value, key, value, ...
    line: int
    column: int = 0


Node = Scalar | Seq | Map


def _where(node: Node) -> tuple[int, int | None]:
    return node.line, node.column or None


def matrix_from_document(
    root: Node | None, source: str, options: InputOptions
) -> AttributionMatrix:
    """Check the document's keys and grid and build the matrix."""
    limits = options.limits
    if root is None:
        raise GridError(source, "the file is empty; expected expressions, tokens and values")
    if not isinstance(root, Map):
        raise GridError(
            source, "expected a mapping with expressions, tokens and values", *_where(root)
        )
    fields: dict[str, Node] = {}
    for key_node, value_node in zip(root.pairs[::2], root.pairs[1::2], strict=True):
        key = _scalar(key_node, source, "key")
        if key not in KEYS:
            raise GridError(
                source, f"unknown key {key!r}; expected {', '.join(KEYS)}", *_where(key_node)
            )
        if key in fields:
            raise GridError(source, f"duplicate key {key!r}", *_where(key_node))
        fields[key] = value_node
    missing = [key for key in KEYS[:3] if key not in fields]
    if missing:
        raise GridError(source, f"missing key(s): {', '.join(missing)}")
    expressions = _labels(fields["expressions"], source, "expressions", limits)
    tokens = _labels(fields["tokens"], source, "tokens", limits)
    rows_node = fields["values"]
    if not isinstance(rows_node, Seq):
        raise GridError(source, "values must be a list of rows", *_where(rows_node))
    if len(rows_node.items) != len(tokens):
        raise GridError(
            source,
            f"values has {count(len(rows_node.items), 'row')}, but there "
            f"{'is' if len(tokens) == 1 else 'are'} {count(len(tokens), 'token')}",
            *_where(rows_node),
        )
    if len(tokens) * len(expressions) > limits.max_cells:
        raise too_many_cells(source, limits)
    style, allow = _written_by_convert(fields, source)
    allow_missing = options.allow_missing or allow
    rows = [
        _row(row_node, index, tokens, expressions, source, allow_missing)
        for index, row_node in enumerate(rows_node.items)
    ]
    title = _title(fields.get("title"), source)
    return AttributionMatrix(
        tokens,
        expressions,
        rows,
        title=title,
        source=source,
        allow_missing=allow_missing,
        token_style=style,
    )


def _written_by_convert(fields: dict[str, Node], source: str) -> tuple[str | None, bool]:
    """What ``convert`` records so a file reads back as the matrix it wrote: how its
    labels are shown (``token_style: clean`` for tokenizer pieces) and that its missing
    cells are meant (``allow_missing: true``)."""
    style = None
    if "token_style" in fields:
        style = _scalar(fields["token_style"], source, "token_style")
        if style not in TOKEN_MODES:
            raise GridError(
                source,
                f"token_style must be {' or '.join(TOKEN_MODES)}, not {style!r}",
                *_where(fields["token_style"]),
            )
    allow = False
    if "allow_missing" in fields:
        text = _scalar(fields["allow_missing"], source, "allow_missing").lower()
        if text not in ("true", "false"):
            raise GridError(
                source, "allow_missing must be true or false", *_where(fields["allow_missing"])
            )
        allow = text == "true"
    return style, allow


def _title(node: Node | None, source: str) -> str | None:
    """An absent or unquoted null title is no title (as in config files); a quoted
    ``"null"`` is the word."""
    if node is None:
        return None
    title = _scalar(node, source, "title")
    return None if isinstance(node, Scalar) and node.plain and title in _NULLS else title


def _scalar(node: Node, source: str, what: str) -> str:
    if not isinstance(node, Scalar):
        raise GridError(
            source, f"{what} must be a single value, not a list or mapping", *_where(node)
        )
    return node.value


def _labels(node: Node, source: str, key: str, limits: Limits) -> list[str]:
    if not isinstance(node, Seq):
        raise GridError(source, f"{key} must be a list", *_where(node))
    if not node.items:
        raise GridError(source, f"{key} is empty", *_where(node))
    labels = [_scalar(item, source, f"each of {key}") for item in node.items]
    for item, label in zip(node.items, labels, strict=True):
        if len(label) > limits.max_label_chars:  # the same limit as a CSV field
            raise LimitError(
                source,
                f"a label in {key} is longer than {limits.max_label_chars:,} characters",
                *_where(item),
            )
    return labels


def _row(
    node: Node,
    index: int,
    tokens: list[str],
    expressions: list[str],
    source: str,
    allow_missing: bool,
) -> list[float]:
    token = tokens[index]
    if not isinstance(node, Seq):
        raise GridError(
            source, f"values row {index + 1} (token {token!r}) must be a list", *_where(node)
        )
    if len(node.items) != len(expressions):
        raise GridError(
            source,
            f"values row {index + 1} (token {token!r}) has "
            f"{count(len(node.items), 'number')}, but there "
            f"{'is' if len(expressions) == 1 else 'are'} {count(len(expressions), 'expression')}",
            *_where(node),
        )
    row = []
    for col, cell in enumerate(node.items):
        text = _scalar(cell, source, f"value of token {token!r}")
        row.append(
            parse_cell(text, source, cell.line, cell.column, token, expressions[col], allow_missing)
        )
    return row
