"""YAML: a mapping with ``expressions``, ``tokens``, ``values`` and an optional ``title``.

Labels stay exactly as written (no YAML 1.1 booleans, octals or nulls), tags are refused
and never constructed, and aliases share nodes so an alias bomb stays small.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

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
from .document import Map, Node, Scalar, Seq, matrix_from_document

if TYPE_CHECKING:
    import yaml  # imported when YAML is read or written: other inputs never load PyYAML

_TAG = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {None, *(_TAG + name for name in ("str", "int", "float", "seq", "map"))}


@cache
def _not_yaml_char() -> re.Pattern[str]:
    """What YAML 1.1 allows unescaped in a stream (PyYAML and libyaml refuse anything
    else). Compiled on first use: a class over most of Unicode takes ~5 ms to compile."""
    return re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@cache
def _loader() -> type[yaml.BaseLoader]:
    """libyaml's parser when present: ~4x faster on large files. BaseLoader resolves every
    plain scalar as a string, so labels stay as written and numbers are ours to parse."""
    import yaml

    return getattr(yaml, "CBaseLoader", yaml.BaseLoader)


def _compose(text: str, source: str, limits: Limits) -> Node | None:
    """Build a light node tree from YAML events, refusing what a matrix never needs.

    Streaming events (instead of ``yaml.compose``) lets a huge grid be refused after
    reading only as much as the cell limit allows. Aliases share the anchored node rather
    than copying it, so an alias bomb stays small; tags other than the standard ones are
    refused, never constructed.
    """
    import yaml

    budget = 2 * limits.max_cells + 1000
    anchors: dict[str, Node] = {}
    # Sharing keeps memory small, but each use of a shared label or number still costs
    # work later: count what the document would be with every alias copied out.
    expanded = 0
    anchor_sizes: dict[str, int] = {}
    opened: list[tuple[int, str | None]] = []  # (expanded at start, anchor) per open node
    stack: list[Seq | Map] = []
    root: Node | None = None
    documents = 0
    for number, event in enumerate(yaml.parse(text, Loader=_loader())):
        if number > budget:
            raise too_many_cells(source, limits)
        mark = event.start_mark
        assert mark is not None  # the parser marks every event it yields
        line = mark.line + 1
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
                node = Scalar(event.value, line, mark.column + 1, plain)
                expanded += len(event.value) + 1
                if event.anchor is not None:
                    anchor_sizes[event.anchor] = len(event.value) + 1
            else:
                opened.append((expanded, event.anchor))
                expanded += 1
                sequence = isinstance(event, yaml.SequenceStartEvent)
                node = Seq([], line) if sequence else Map([], line)
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
        elif isinstance(stack[-1], Seq):
            stack[-1].items.append(node)
        else:
            stack[-1].pairs.append(node)
    return root


def read_yaml(data: bytes, source: str, options: InputOptions) -> list[AttributionMatrix]:
    import yaml

    text = decode_text(data, source)
    limits = options.limits
    bad = _not_yaml_char().search(text)
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
        at = mark.line + 1 if mark is not None else None
        problem = error.problem or error.context or "invalid YAML"
        if "nesting depth" in problem:  # PyYAML >= 6.0.4 has a depth limit of its own
            raise LimitError(source, "YAML is nested too deeply", at) from None
        raise InputError(source, f"invalid YAML: {problem}", at) from None
    except yaml.YAMLError as error:
        raise InputError(source, f"invalid YAML: {' '.join(str(error).split())}") from None
    return [matrix_from_document(root, source, options)]


@cache
def _quoting_dumper() -> type[yaml.SafeDumper]:
    import yaml

    class QuotingDumper(yaml.SafeDumper):
        """Double-quotes every string so labels like ``no`` or ``007`` stay strings."""

    QuotingDumper.add_representer(
        str, lambda dumper, data: dumper.represent_scalar(_TAG + "str", data, style='"')
    )
    return QuotingDumper


def write_yaml(matrix: AttributionMatrix, options: WriteOptions) -> bytes:
    """YAML that ``read_yaml`` gives back exactly (floats in full precision)."""
    import yaml

    document: dict[str, object] = {}
    if matrix.title is not None:
        document["title"] = matrix.title
    if matrix.token_style is not None:  # read back with the same label display
        document["token_style"] = matrix.token_style
    if matrix.missing.any():  # read back without --allow-missing
        document["allow_missing"] = True
    document["expressions"] = list(matrix.expressions)
    document["tokens"] = list(matrix.tokens)
    document["values"] = rows_for_writing(matrix)
    text = yaml.dump(
        document,
        Dumper=_quoting_dumper(),
        sort_keys=False,
        allow_unicode=True,
        width=float("inf"),
        default_flow_style=None,
    )
    return text.encode("utf-8")


FORMAT = Format(
    name="yaml",
    extensions=(".yaml", ".yml"),
    read=read_yaml,
    write=write_yaml,
    description="mapping with expressions, tokens, values, optional title",
)
