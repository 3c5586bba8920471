"""Write files the way inseq's ``FeatureAttributionOutput.save()`` does, for the tests.

Follows inseq 0.7.1's schema (``inseq/data/attribution.py``, ``inseq/utils/serialization.py``,
``inseq/utils/torch_utils.py``) without inseq or torch: JSON with ``sort_keys=True``,
``indent=4`` and ``NaN`` literals; every object as ``{"__instance_type__": [module, class],
"attributes": {...}}``; tokens as ``TokenWithId``; arrays as base64 safetensors (0.7) or
json_tricks ``__ndarray__`` objects (before 0.7); ``compress=True`` gzips the whole file.
"""

from __future__ import annotations

import base64
import gzip
import json
import struct
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

SAFETENSORS_DTYPES = {"F32": "<f4", "F16": "<f2", "F8_E4M3": "u1"}
ENCODINGS = ("F32", "F16", "F8_E4M3", "b64", "b64.gz", "lists")


def instance(module: str, cls: str, **attributes: Any) -> dict[str, Any]:
    return {"__instance_type__": [module, cls], "attributes": attributes}


def tokens(pieces: Sequence[str], first_id: int = 100) -> list[dict[str, Any]]:
    return [
        instance("inseq.utils.typing", "TokenWithId", id=first_id + i, token=piece)
        for i, piece in enumerate(pieces)
    ]


def safetensors_bytes(raw: bytes, dtype: str, shape: Sequence[int]) -> bytes:
    """safetensors layout: u64 little-endian header length, JSON header, raw data."""
    header = {"attribution": {"dtype": dtype, "shape": list(shape), "data_offsets": [0, len(raw)]}}
    header_bytes = json.dumps(header, separators=(",", ":")).encode()
    header_bytes += b" " * (-len(header_bytes) % 8)  # safetensors pads to 8 bytes
    return struct.pack("<Q", len(header_bytes)) + header_bytes + raw


def safetensors_b64(array: np.ndarray, dtype: str = "F32") -> str:
    """An array as inseq >= 0.7 stores it. For F8_E4M3 pass the bytes (uint8 codes)."""
    stored = np.ascontiguousarray(array, dtype=SAFETENSORS_DTYPES[dtype])
    return base64.b64encode(safetensors_bytes(stored.tobytes(), dtype, stored.shape)).decode()


def ndarray(array: np.ndarray, encoding: str = "b64") -> dict[str, Any]:
    """An array as json_tricks (inseq < 0.7) stores it: b64, b64.gz or nested lists."""
    array = np.asarray(array)
    if encoding == "lists":
        data: Any = array.tolist()
    else:
        raw = array.tobytes(order="A")
        if encoding == "b64.gz":
            data = "b64.gz:" + base64.b64encode(gzip.compress(raw, mtime=0)).decode()
        else:
            data = "b64:" + base64.b64encode(raw).decode()
    encoded = {"__ndarray__": data, "dtype": str(array.dtype), "shape": list(array.shape)}
    if array.ndim > 1:
        encoded["Corder"] = bool(array.flags["C_CONTIGUOUS"])
    return encoded


def encode(array: np.ndarray | None, encoding: str) -> Any:
    if array is None:
        return None
    if encoding in SAFETENSORS_DTYPES:
        return safetensors_b64(array, encoding)
    return ndarray(np.asarray(array, dtype=np.float32), encoding)


def sequence(
    target: Sequence[str],
    target_attributions: np.ndarray | None,
    attr_pos_start: int,
    source: Sequence[str] | None = None,
    source_attributions: np.ndarray | None = None,
    encoding: str = "F32",
    cls: str = "GranularFeatureAttributionSequenceOutput",
) -> dict[str, Any]:
    """One entry of ``sequence_attributions``."""
    return instance(
        "inseq.data.attribution",
        cls,
        attr_pos_end=len(target),
        attr_pos_start=attr_pos_start,
        sequence_scores=None,
        source=None if source is None else tokens(source),
        source_attributions=encode(source_attributions, encoding),
        step_scores={
            "probability": encode(np.linspace(0.1, 0.9, len(target) - attr_pos_start), encoding)
        },
        target=tokens(target, first_id=500),
        target_attributions=encode(target_attributions, encoding),
    )


def output(sequences: list[dict[str, Any]], input_texts: list[str] | None = None) -> dict:
    info = {
        "attribution_method": "saliency",
        "generated_texts": ["(generated)"] * len(sequences),
        "model_name": "test/model",
        "step_scores": ["probability"],
    }
    if input_texts is not None:
        info["input_texts"] = input_texts
    return instance(
        "inseq.data.attribution",
        "FeatureAttributionOutput",
        info=info,
        sequence_attributions=sequences,
        step_attributions=None,
    )


def primitives(node: Any) -> Any:
    """What ``save(use_primitives=True)`` writes: every object as its bare attributes and
    every ``__ndarray__`` as its nested lists (safetensors strings stay strings)."""
    if isinstance(node, dict):
        if "__instance_type__" in node:
            return primitives(node["attributes"])
        if "__ndarray__" in node:
            assert isinstance(node["__ndarray__"], list), "use the lists encoding"
            return node["__ndarray__"]
        return {key: primitives(value) for key, value in node.items()}
    if isinstance(node, list):
        return [primitives(item) for item in node]
    return node


def dumps(document: dict, compress: bool = False) -> bytes:
    text = json.dumps(document, sort_keys=True, indent=4, allow_nan=True, ensure_ascii=False)
    data = text.encode("utf-8")
    return gzip.compress(data, mtime=0) if compress else data


def write(path: Path, document: dict, compress: bool = False) -> Path:
    path.write_bytes(dumps(document, compress))
    return path


# --------------------------------------------------------------------------- examples


def target_grid(rows: int, columns: int, start: int, rng: np.random.Generator, *trailing: int):
    """Target attributions: NaN where a token cannot attribute (itself and later ones)."""
    grid = rng.random((rows, columns, *trailing), dtype=np.float64)
    for column in range(columns):
        grid[start + column :, column] = np.nan
    return grid


def encoder_decoder(seed: int = 0, encoding: str = "F32", trailing: tuple[int, ...] = ()):
    """A translation: 5 source tokens, 4 target tokens of which the last 3 are generated."""
    rng = np.random.default_rng(seed)
    source = ["▁Hello", "▁world", ",", "▁world", "</s>"]  # a repeated token on purpose
    target = ["<pad>", "▁Hallo", "▁Welt", "</s>"]
    return sequence(
        target,
        target_grid(4, 3, 1, rng, *trailing),
        attr_pos_start=1,
        source=source,
        source_attributions=rng.random((5, 3, *trailing)),
        encoding=encoding,
    )


def decoder_only(seed: int = 0, encoding: str = "F32", trailing: tuple[int, ...] = ()):
    """GPT-2: a 4-token prompt and 3 generated tokens, target attributions only."""
    rng = np.random.default_rng(seed)
    target = ["The", "Ġcat", "Ġsat", "Ġon", "Ġthe", "Ġmat", "."]
    return sequence(
        target, target_grid(7, 3, 4, rng, *trailing), attr_pos_start=4, encoding=encoding
    )
