"""inseq's saved attributions: the JSON that ``FeatureAttributionOutput.save()`` writes.

Read without importing inseq or torch. The file is JSON (``NaN`` literals allowed), plain
or gzip-compressed, in which every object is ``{"__instance_type__": [module, class],
"attributes": {...}}``. Each entry of ``sequence_attributions`` becomes one matrix whose
columns are the generated tokens it attributes (``target[attr_pos_start:attr_pos_end]``)
and whose rows are the source tokens, the target tokens (prompt included; NaN where a
token cannot attribute: missing cells), or both.

Arrays come in the two encodings inseq has used: since 0.7 a base64 string of
safetensors bytes (one tensor, ``attribution``, in F32, F16 or F8_E4M3); before, a
json_tricks ``{"__ndarray__": ..., "dtype", "shape"}`` object. Trailing dimensions (one
score per embedding dimension) are reduced as inseq's default aggregation does, so the
figure shows what inseq's ``show()`` shows.
"""

from __future__ import annotations

import json
import re
import reprlib
import zlib
from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import InputError, LimitError
from ..labels import spelled_text, title_line
from ..model import AttributionMatrix
from .base import Format, InputOptions, Limits
from .inseq_arrays import Budget, Context, ToFloat, inflate, read_array

#: inseq's own default (what its ``show()`` draws for gradient methods): the L2 norm over
#: trailing dimensions, then every column scaled to sum to 1. The other aggregates only
#: reduce; scores with no trailing dimension (occlusion, say) are shown as stored, as
#: inseq shows them.
SCALED_AGGREGATE = "l2-scaled"

_INSTANCE = "__instance_type__"
_TOP_CLASS = "FeatureAttributionOutput"
_GZIP_MAGIC = b"\x1f\x8b"
_SNIFF_BYTES = 4096
# save(use_primitives=True) writes plain mappings, sorted: "info" first. attrmap's JSON
# has no "info" key, so that start is inseq's.
_SAVE_START = re.compile(rb'\{\s*"info"\s*:')


# --------------------------------------------------------------------------- recognising


def sniff(head: bytes) -> bool:
    """True when ``head`` (the first bytes of a file) starts an inseq save, even gzipped.

    inseq writes with ``sort_keys=True``, so ``__instance_type__`` is the first key (with
    ``use_primitives=True``, ``info``).
    """
    head = head[:_SNIFF_BYTES]  # the caller may pass the whole file: copy no more
    if head.startswith(_GZIP_MAGIC):
        try:
            head = zlib.decompressobj(wbits=31).decompress(head, _SNIFF_BYTES)
        except zlib.error:
            return False
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return bool(_SAVE_START.match(text)) or (
        text.startswith(b"{") and b'"' + _INSTANCE.encode() + b'"' in text
    )


# --------------------------------------------------------------------------- reading


def read(data: bytes, source: str, options: InputOptions) -> list[AttributionMatrix]:
    """One matrix per sequence of an inseq save, in file order (``InputOptions``
    checked ``part`` and ``aggregate`` already)."""
    aggregation = options.aggregate or SCALED_AGGREGATE
    budget = Budget(source, options.limits.max_bytes)
    text = inflate(data, budget) if data.startswith(_GZIP_MAGIC) else data
    _check_containers(text, source, options.limits)
    document = _parse_json(text, source)
    context = Context(source, options, budget, aggregation)
    attributes = _instance(document, _TOP_CLASS, context, "the file")
    sequences = attributes.get("sequence_attributions")
    if not isinstance(sequences, list) or not sequences:
        raise InputError(source, "an inseq save without sequence_attributions; nothing to draw")
    info = attributes.get("info")
    texts = info.get("input_texts") if isinstance(info, dict) else None
    if not (isinstance(texts, list) and len(texts) == len(sequences)):
        texts = [None] * len(sequences)  # a split file keeps every text: not ours to pick
    # Overflow to infinity (or 0/0) is reported by the matrix as a non-finite value,
    # once and with its place, rather than as NumPy warnings on the way there.
    with np.errstate(all="ignore"):
        return [
            _sequence_matrix(sequence, text, context.at(f"sequence {index}"))
            for index, (sequence, text) in enumerate(zip(sequences, texts, strict=True))
        ]


def _check_containers(data: bytes, source: str, limits: Limits) -> None:
    """Refuse more JSON lists and objects than arrays within the cell limit need, before
    parsing: each is ~70 bytes of Python from 3 bytes of file, so 64 MB of ``[1],`` would
    take gigabytes. A nested-list array has at most two lists per cell (one per cell and
    one per row); tokens take three each. A count of brackets, also inside strings:
    an upper bound, at C speed."""
    budget = 4 * limits.max_cells + 1000
    if data.count(b"[") + data.count(b"{") > budget:
        raise LimitError(
            source,
            f"more than {budget:,} JSON lists and objects, more than arrays of "
            f"{limits.max_cells:,} cells need (raise the limit with max_cells=... if you must)",
        )


def _parse_json(data: bytes, source: str) -> Any:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InputError(source, f"not UTF-8 text (byte 0x{data[error.start]:02x})", line) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(source, f"invalid JSON: {error.msg}", error.lineno, error.colno) from None
    except RecursionError:
        raise LimitError(source, "JSON is nested too deeply to parse") from None


def _instance(value: Any, expected: str | None, context: Context, what: str) -> dict[str, Any]:
    """The attributes of an ``{"__instance_type__": [module, class], "attributes"}``;
    a ``save(use_primitives=True)`` writes the attributes alone, as a plain mapping."""
    if isinstance(value, dict) and _INSTANCE not in value and "attributes" not in value:
        return value
    kind = value.get(_INSTANCE) if isinstance(value, dict) else None
    if not (isinstance(kind, list) and len(kind) == 2 and all(isinstance(k, str) for k in kind)):
        raise context.error(f"{what} is not an inseq object (no {_INSTANCE} [module, class])")
    if expected is not None and kind[1] != expected:
        raise context.error(f"{what} is an inseq {kind[1]}, expected {expected}")
    attributes = value.get("attributes")
    if not isinstance(attributes, dict):
        raise context.error(f"{what} ({kind[1]}) has no attributes mapping")
    return attributes


# --------------------------------------------------------------------------- sequences


def _sequence_matrix(sequence: Any, input_text: Any, context: Context) -> AttributionMatrix:
    attributes = _instance(sequence, None, context, "the entry")
    source = attributes.get("source")
    source_tokens = None if source is None else _tokens(source, context.at("source"))
    target_tokens = _tokens(attributes.get("target"), context.at("target"))
    start, end = _positions(attributes, len(target_tokens), context)
    columns = target_tokens[start:end]
    parts: dict[str, tuple[list[str], np.ndarray]] = {}
    granular = False  # scores per embedding dimension (or more), reduced to one per cell
    for name, rows in (("source", source_tokens), ("target", target_tokens)):
        key = f"{name}_attributions"
        if attributes.get(key) is None:
            continue
        here = context.at(key)
        if rows is None:
            raise here.error(f"there are attributions but no {name} tokens")
        grid, reduced = _attribution_grid(attributes[key], rows, columns, here)
        parts[name] = (rows, grid)
        granular |= reduced
    if not parts:
        raise context.error("neither source_attributions nor target_attributions is present")
    chosen = _chosen_parts(context.options.part, parts, context)
    if granular and context.aggregation == SCALED_AGGREGATE:
        _scale_columns(parts)
    for name in chosen:
        if name != "target" and not context.options.allow_missing:
            _refuse_missing(*parts[name], columns, context.at(f"{name}_attributions"))
    tokens = [token for name in chosen for token in parts[name][0]]
    values = np.concatenate([parts[name][1] for name in chosen])
    prompt = source_tokens if source_tokens is not None else target_tokens[:start]
    title = title_line(input_text if isinstance(input_text, str) else spelled_text(prompt))
    groups = []
    if len(chosen) > 1:  # part="both": two labelled groups
        for name in chosen:
            groups.append(
                (name.capitalize(), sum(len(parts[n][0]) for n in chosen[: chosen.index(name)]))
            )
    return _matrix(tokens, columns, values, title, context, groups)


def _refuse_missing(
    rows: list[str], grid: np.ndarray, columns: list[str], context: Context
) -> None:
    """NaN is expected in the target part (a token cannot attribute itself or later
    ones); elsewhere it is an error unless missing cells are allowed."""
    missing = np.argwhere(np.isnan(grid))
    if missing.size:
        row, col = (int(i) for i in missing[0])
        raise context.error(
            f"token {row} ({rows[row]!r}) has no score (NaN) for generated token {col} "
            f"({columns[col]!r}); pass allow_missing=True to draw such cells as missing"
        )


def _tokens(value: Any, context: Context) -> list[str]:
    """Token strings from ``TokenWithId`` objects (or plain strings), in order."""
    if not isinstance(value, list):
        raise context.error("expected a list of tokens")
    tokens = []
    for index, item in enumerate(value):
        if isinstance(item, dict) and _INSTANCE in item:
            item = _instance(item, None, context, f"token {index}")
        if isinstance(item, dict):
            item = item.get("token")
        if not isinstance(item, str):
            raise context.error(f"token {index} has no token string")
        tokens.append(item)
    return tokens


def _positions(attributes: dict[str, Any], length: int, context: Context) -> tuple[int, int]:
    start, end = attributes.get("attr_pos_start", 0), attributes.get("attr_pos_end", length)
    start = 0 if start is None else start
    end = length if end is None else end
    for name, position in (("attr_pos_start", start), ("attr_pos_end", end)):
        if isinstance(position, bool) or not isinstance(position, int):
            raise context.error(f"{name} is {reprlib.repr(position)}, not a token position")
    if not 0 <= start < end <= length:
        raise context.error(
            f"attr_pos_start {start} and attr_pos_end {end} do not select generated tokens "
            f"from the {length} target tokens"
        )
    return start, end


def _chosen_parts(
    part: str | None, parts: dict[str, tuple[list[str], np.ndarray]], context: Context
) -> list[str]:
    if part is None:
        return ["source"] if "source" in parts else ["target"]
    wanted = ["source", "target"] if part == "both" else [part]
    absent = [name for name in wanted if name not in parts]
    if absent:
        raise context.error(
            f"no {absent[0]} attributions in this file (it has {' and '.join(parts)}); "
            f'use part="{next(iter(parts))}"'
        )
    return wanted


def _attribution_grid(
    value: Any, rows: list[str], columns: list[str], context: Context
) -> tuple[np.ndarray, bool]:
    """The ``[rows, columns]`` float64 grid, and whether trailing dimensions were reduced."""
    _check_cells(len(rows), len(columns), context)
    array, to_float = read_array(value, context)
    if array.ndim < 2:
        raise context.error(f"has shape {list(array.shape)}; expected [tokens, generated, ...]")
    if array.shape[:2] != (len(rows), len(columns)):
        raise context.error(
            f"has shape {list(array.shape)}, but there are {len(rows)} tokens and "
            f"{len(columns)} generated tokens"
        )
    if 0 in array.shape:
        raise context.error(f"has shape {list(array.shape)}; it holds no scores")
    return _reduce(array, to_float, context.aggregation), array.ndim > 2


def _reduce(array: np.ndarray, to_float: ToFloat, aggregation: str) -> np.ndarray:
    """Trailing dimensions to one score per cell, in float64, one token row at a time
    (a float64 copy of a whole [rows, T, 768] array would be up to 8x the file's size)."""
    if array.ndim == 2:
        return to_float(array)
    flat = array.reshape(array.shape[0], array.shape[1], -1)
    reducer = _REDUCERS[aggregation]
    grid = np.empty(flat.shape[:2])
    for row in range(flat.shape[0]):
        grid[row] = reducer(to_float(flat[row]))
    return grid


def _check_cells(rows: int, columns: int, context: Context) -> None:
    """Refuse a grid over the cell limit before anything is decoded or allocated."""
    limit = context.options.limits.max_cells
    if rows * columns > limit:
        raise context.error(
            f"a {rows} x {columns} grid is more than {limit:,} cells "
            "(raise the limit with max_cells=... if you must)",
            LimitError,
        )


def _max_abs(block: np.ndarray) -> np.ndarray:
    """The signed score of largest magnitude (inseq's ``absmax``)."""
    index = np.argmax(np.abs(block), axis=-1)[:, None]
    return np.take_along_axis(block, index, axis=-1)[:, 0]


def _l2(block: np.ndarray) -> np.ndarray:
    return np.linalg.norm(block, axis=-1)


_REDUCERS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    SCALED_AGGREGATE: _l2,
    "l2": _l2,
    "sum": lambda block: block.sum(axis=-1),
    "mean": lambda block: block.mean(axis=-1),
    "max-abs": _max_abs,
}


def _scale_columns(parts: dict[str, tuple[list[str], np.ndarray]]) -> None:
    """Divide every column of the L2 norms by its sum over all rows of every part (NaN
    ignored), as inseq does after its default ``vnorm`` (``normalize``: L1 over the
    concatenated parts), so a part shown alone keeps the proportions ``show()`` gives it.
    A column of zeros stays zeros."""
    totals = sum(np.nansum(grid, axis=0) for _, grid in parts.values())
    totals = np.where(totals == 0, 1.0, totals)
    for _, grid in parts.values():
        grid /= totals


def _matrix(
    tokens: list[str],
    columns: list[str],
    values: np.ndarray,
    title: str,
    context: Context,
    groups: list[tuple[str, int]] | None = None,
) -> AttributionMatrix:
    _check_cells(len(tokens), len(columns), context)
    try:
        return AttributionMatrix(
            tokens,
            columns,
            values,
            title=title,
            source=context.source,
            token_style="clean",  # raw tokenizer pieces: shown as their text by default
            allow_missing=True,
            export="inseq",
            groups=groups or (),
        )
    except InputError as error:  # the model names the file; add the sequence
        raise context.error(error.problem, type(error)) from None


FORMAT = Format(
    name="inseq",
    # split_sequences=True with compress=True names files NAME_0.json.gz; a plain .json
    # is told apart from other JSON by its content (sniff).
    extensions=(".json", ".json.gz"),
    read=read,
    sniff=sniff,
    text=False,
    description="inseq's FeatureAttributionOutput.save() JSON, plain or gzip-compressed",
)
