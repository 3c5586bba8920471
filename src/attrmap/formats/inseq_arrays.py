"""The arrays in an inseq save, decoded without inseq or torch: a base64 string of
safetensors bytes (inseq >= 0.7: F32, F16 or F8_E4M3), a json_tricks ``__ndarray__``
object (``b64:``, ``b64.gz:`` or lists) or plain nested lists; and where the reader is in
the file (``Context``, for messages) with its budget for inflated bytes.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from ..errors import InputError, LimitError
from .base import InputOptions

ToFloat = Callable[[np.ndarray], np.ndarray]  # a block of a stored array -> float64


class Budget:
    """Bytes inflated so far (the file and ``b64.gz`` arrays) against ``max_bytes``."""

    def __init__(self, source: str, max_bytes: int) -> None:
        self.source = source
        self.remaining = max_bytes
        self.max_bytes = max_bytes


def inflate(data: bytes, budget: Budget, where: str = "") -> bytes:
    """Gunzip ``data`` (several members allowed) chunk by chunk within the budget, so a
    gzip bomb is refused after inflating only as much as the limit allows."""
    prefix = f"{where}: " if where else ""
    chunks: list[bytes] = []
    pending = data
    try:
        while pending:
            inflater = zlib.decompressobj(wbits=31)
            while not inflater.eof:
                chunk = inflater.decompress(pending, 1 << 20)
                pending = inflater.unconsumed_tail
                if not chunk and not pending:  # no input left and nothing more comes out
                    raise InputError(budget.source, f"{prefix}gzip data is truncated")
                budget.remaining -= len(chunk)
                if budget.remaining < 0:
                    raise LimitError(
                        budget.source,
                        f"{prefix}decompresses to more than the {budget.max_bytes:,}-byte "
                        "limit (raise it with max_bytes=... if you must)",
                    )
                chunks.append(chunk)
            pending = inflater.unused_data
    except zlib.error as error:
        raise InputError(budget.source, f"{prefix}gzip data is corrupt ({error})") from None
    return b"".join(chunks)


@dataclass(frozen=True)
class Context:
    """Where we are in the file, for messages, plus what the reader was asked for."""

    source: str
    options: InputOptions
    budget: Budget
    aggregation: str
    where: str = ""

    def at(self, where: str) -> Context:
        joined = f"{self.where}, {where}" if self.where else where
        return Context(self.source, self.options, self.budget, self.aggregation, joined)

    def error(self, problem: str, kind: type[InputError] = InputError) -> InputError:
        return kind(self.source, f"{self.where}: {problem}" if self.where else problem)


def as_float64(block: np.ndarray) -> np.ndarray:
    return block.astype(np.float64)


# --------------------------------------------------------------------------- arrays


def read_array(value: Any, context: Context) -> tuple[np.ndarray, ToFloat]:
    """Either encoding inseq has used, as a NumPy array (a view of the decoded bytes
    where possible) and how to turn a block of it into float64 scores."""
    if isinstance(value, str):
        return _safetensors(_b64decode(value, context), context)
    if isinstance(value, dict) and "__ndarray__" in value:
        return _json_tricks_array(value, context), as_float64
    if isinstance(value, list):  # save(use_primitives=True) before inseq 0.7
        return _nested_list_array(value, None, context), as_float64
    raise context.error(
        "is neither a safetensors string (inseq >= 0.7), an __ndarray__ object nor a list"
    )


def _b64decode(text: str, context: Context) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as error:
        raise context.error(f"invalid base64 ({error})") from None


def _f8_e4m3_table() -> np.ndarray:
    """Every F8_E4M3 (``float8_e4m3fn``) byte as a float: 1 sign, 4 exponent and 3
    mantissa bits, bias 7, subnormals at exponent 0, no infinities, and only
    0x7F/0xFF (all exponent and mantissa bits set) NaN."""
    table = np.empty(256, dtype=np.float64)
    for byte in range(256):
        sign = -1.0 if byte & 0x80 else 1.0
        exponent, mantissa = (byte >> 3) & 0x0F, byte & 0x07
        if exponent == 0x0F and mantissa == 0x07:
            table[byte] = math.nan
        elif exponent == 0:
            table[byte] = sign * math.ldexp(mantissa / 8, 1 - 7)
        else:
            table[byte] = sign * math.ldexp(1 + mantissa / 8, exponent - 7)
    return table


F8_E4M3 = _f8_e4m3_table()
F8_E4M3.setflags(write=False)
_SAFETENSORS_DTYPES: dict[str, np.dtype] = {
    "F32": np.dtype("<f4"),
    "F16": np.dtype("<f2"),
    "F8_E4M3": np.dtype("u1"),  # decoded through F8_E4M3
}
_SAFETENSORS_TENSOR = "attribution"


def _f8_to_float64(block: np.ndarray) -> np.ndarray:
    return F8_E4M3[block]


def _safetensors(raw: bytes, context: Context) -> tuple[np.ndarray, ToFloat]:
    """A small reader for safetensors bytes: an 8-byte little-endian header length, a
    JSON header naming each tensor's dtype, shape and byte range, then the raw data."""
    here = context.at("safetensors")
    if len(raw) < 8:
        raise here.error(f"{len(raw)} bytes, too short for a header")
    header_length = int.from_bytes(raw[:8], "little")
    if header_length > len(raw) - 8:
        raise here.error(f"header of {header_length:,} bytes in {len(raw):,} bytes of data")
    try:
        header = json.loads(raw[8 : 8 + header_length].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise here.error("the header is not valid JSON") from None
    tensor = header.get(_SAFETENSORS_TENSOR) if isinstance(header, dict) else None
    if not isinstance(tensor, dict):
        names = [k for k in header if k != "__metadata__"] if isinstance(header, dict) else []
        raise here.error(f"no tensor named {_SAFETENSORS_TENSOR!r} (found {names})")
    dtype_name = tensor.get("dtype")
    if not isinstance(dtype_name, str) or dtype_name not in _SAFETENSORS_DTYPES:
        raise here.error(
            f"dtype {dtype_name!r} is not one inseq writes ({', '.join(_SAFETENSORS_DTYPES)})"
        )
    dtype = _SAFETENSORS_DTYPES[dtype_name]
    shape = _shape(tensor.get("shape"), here)
    offsets = tensor.get("data_offsets")
    body = len(raw) - 8 - header_length
    if not (
        isinstance(offsets, list)
        and len(offsets) == 2
        and all(isinstance(o, int) and not isinstance(o, bool) for o in offsets)
        and 0 <= offsets[0] <= offsets[1] <= body
    ):
        raise here.error(f"data_offsets {offsets!r} do not fit the {body:,} bytes of data")
    _check_size(offsets[1] - offsets[0], dtype_name, dtype, shape, here)
    begin = 8 + header_length + offsets[0]
    array = np.frombuffer(raw, dtype=dtype, count=math.prod(shape), offset=begin)
    to_float = _f8_to_float64 if dtype_name == "F8_E4M3" else as_float64
    return array.reshape(shape), to_float


def _shape(value: Any, context: Context) -> tuple[int, ...]:
    if not (
        isinstance(value, list)
        and all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in value)
    ):
        raise context.error(f"shape {value!r} is not a list of sizes")
    return tuple(value)


def _check_size(
    size: int, dtype_name: str, dtype: np.dtype, shape: tuple[int, ...], context: Context
) -> None:
    needed = math.prod(shape) * dtype.itemsize
    if size != needed:
        raise context.error(
            f"{size:,} bytes of data, but {dtype_name} x {list(shape)} needs {needed:,}"
        )


# json_tricks (inseq < 0.7) writes str(array.dtype); these are the ones it can hold.
_NDARRAY_DTYPES = {
    name: np.dtype(name).newbyteorder("<")
    for name in (
        [
            "float16",
            "float32",
            "float64",
            "int8",
            "int16",
            "int32",
            "int64",
            "uint8",
            "uint16",
            "uint32",
            "uint64",
        ]
    )
}


def _json_tricks_array(value: dict[str, Any], context: Context) -> np.ndarray:
    """``{"__ndarray__": DATA, "dtype", "shape", "Corder"}``: DATA is ``b64:...``,
    ``b64.gz:...`` (base64 of gzip) or nested lists; ``Corder`` false means Fortran order."""
    dtype_name = value.get("dtype")
    if not isinstance(dtype_name, str) or dtype_name not in _NDARRAY_DTYPES:
        raise context.error(f"__ndarray__ dtype {dtype_name!r} is not a number type")
    dtype = _NDARRAY_DTYPES[dtype_name]
    data = value["__ndarray__"]
    if isinstance(data, list):
        return _nested_list_array(data, value.get("shape"), context)
    if not isinstance(data, str) or not data.startswith(("b64:", "b64.gz:")):
        raise context.error("__ndarray__ data is neither b64:, b64.gz: nor a list")
    shape = _shape(value.get("shape"), context)
    prefix, _, encoded = data.partition(":")
    raw = _b64decode(encoded, context)
    if prefix == "b64.gz":
        raw = inflate(raw, context.budget, f"{context.where}, b64.gz data")
    _check_size(len(raw), str(dtype_name), dtype, shape, context)
    order: Literal["C", "F"] = "C" if value.get("Corder", True) is not False else "F"
    return np.frombuffer(raw, dtype=dtype).reshape(shape, order=order)


def _nested_list_array(data: list[Any], shape: Any, context: Context) -> np.ndarray:
    """Nested lists of numbers (``ndarray_compact=False`` or ``use_primitives=True``)."""
    try:
        array = np.array(data, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        raise context.error("the lists are not a rectangular grid of numbers") from None
    kinds = {type(x) for x in _leaves(data)}
    if kinds - {int, float}:
        raise context.error("the lists hold something other than numbers")
    if shape is not None and list(array.shape) != shape:
        raise context.error(f"the lists have shape {list(array.shape)}, not {shape}")
    return array


def _leaves(data: list[Any]) -> list[Any]:
    """Every non-list item of nested lists, iteratively (no recursion limit to trip)."""
    leaves: list[Any] = []
    stack = [data]
    while stack:
        for item in stack.pop():
            (stack if isinstance(item, list) else leaves).append(item)
    return leaves
