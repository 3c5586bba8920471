"""What a figure was made from, recorded in the figure itself.

A figure is up to date when the key in its metadata equals the key of its matrix (labels,
title and values), the resolved style, the output format, the drawing version (not the
package version: a release that draws nothing differently keeps every key) and the
matplotlib version. Keeping the key inside the figure (PNG text chunk, SVG
``dc:identifier``, PDF ``/Keywords``) means no side file: when an input changes, only its
own figure changes. Reading the key needs neither matplotlib nor a full read of the figure.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
from functools import lru_cache
from importlib import metadata

from ._version import DRAWING_VERSION
from .atomic import open_regular
from .comparison import Comparison, comparison_fonts
from .fonts import fonts_for
from .labels import display_axes, resolve_token_mode
from .model import AttributionMatrix
from .style import Style
from .writers import get_writer, page_paths, paged_key

#: Version of the title and alt text embedded in figures that carry them
#: (``views.alt_text``): change it when their wording changes, so figures are redrawn.
FIGURE_TEXT_VERSION = 1
_KEY_RE = re.compile(rb"attrmap:([0-9a-f]{64})(?:;pages=([0-9]+))?")
_PEEK_BYTES = 8192  # the key sits near the start (PNG, SVG) or the end (PDF)


@lru_cache(maxsize=1)
def matplotlib_version() -> str:
    """matplotlib's version without importing it (that costs half a second)."""
    try:
        return metadata.version("matplotlib")
    except metadata.PackageNotFoundError:
        return "unknown"


def matrix_digest(matrix: AttributionMatrix) -> str:
    """What the figure shows, not how the file spells it: line endings, a BOM, comments,
    quoting or CSV versus YAML do not change it; a label, a value or its sign does."""
    digest = hashlib.sha256()
    labels = [list(matrix.tokens), list(matrix.expressions), matrix.title]
    digest.update(json.dumps(labels, ensure_ascii=False).encode("utf-8"))
    digest.update(repr(matrix.shape).encode())
    digest.update(matrix.values.astype("<f8").tobytes())
    return digest.hexdigest()


@lru_cache(maxsize=64)
def _fingerprint(style: Style) -> str:
    """Once per style, not per figure: a batch keys thousands of figures with one style."""
    return style.fingerprint()


def figure_key(matrix: AttributionMatrix, style: Style, figure_format: str) -> str:
    recipe: dict[str, object] = {
        "matrix_sha256": matrix_digest(matrix),
        "style": _fingerprint(style),
        "format": figure_format,
        "attrmap": DRAWING_VERSION,  # "1.0.0" up to 1.1.0 too: 1.0's keys still hold
        "matplotlib": matplotlib_version(),
    }
    # Added after 1.0: only when they differ from 1.0's drawing, so 1.0's keys still hold.
    if matrix.groups:  # labelled groups (part="both"), drawn since 1.1
        recipe["groups"] = [list(group) for group in matrix.groups]
    tokens = resolve_token_mode(style.tokens, matrix.token_style)
    if tokens != "raw":
        recipe["tokens"] = tokens
        # Cleaned labels are worked out from tokenizer pieces by rules that grow (1.1.0
        # marks a character's continuation pieces): key the labels as shown, so such a
        # figure is redrawn exactly when its labels read differently.
        shown = display_axes(matrix.tokens, matrix.expressions, tokens)
        recipe["labels"] = hashlib.sha256(json.dumps(shown).encode()).hexdigest()
    if get_writer(figure_format).carries_text:
        # The title and alt text are part of the file. They follow from the matrix, the
        # style (an --alt-text is in its fingerprint) and this generator's version;
        # keying the version, not the text, keeps --check free of colormaps.
        recipe["figure_text"] = FIGURE_TEXT_VERSION
    fonts = fonts_for(matrix, style).key()  # None for DejaVu Sans alone
    if fonts is not None:
        recipe["fonts"] = fonts
    return hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()


def _read_record(path: str | os.PathLike[str]) -> tuple[str, int] | None:
    try:
        with open_regular(path) as handle:  # a FIFO in OUT is no figure, and never read
            head = handle.read(_PEEK_BYTES)
            size = os.fstat(handle.fileno()).st_size
            tail = b""
            if size > _PEEK_BYTES:
                handle.seek(max(size - _PEEK_BYTES, _PEEK_BYTES))
                tail = handle.read()
    except OSError:
        return None
    match = _KEY_RE.search(head) or _KEY_RE.search(tail)
    if not match:
        return None
    return match[1].decode(), int(match[2] or 1)


def read_figure_key(path: str | os.PathLike[str]) -> str | None:
    """The key recorded in a figure, or None if it is missing or has none."""
    record = _read_record(path)
    return record[0] if record else None


def figure_is_current(target: str | os.PathLike[str], key: str) -> bool:
    """Every file of the figure for ``target`` exists and records ``key``: the single
    file, or (PNG, SVG) each of the pages its first page announces (a paged figure
    records ``key`` bound to the paged drawing's version, ``paged_key``)."""
    record = _read_record(target)
    if record is not None and record[1] == 1:
        return record[0] == key
    if record is not None:  # a PDF of several pages
        return record[0] == paged_key(key)
    first = page_paths(target, 2)[0]
    record = _read_record(first)
    if record is None or record[0] != paged_key(key) or record[1] < 2:
        return False
    return all(_read_record(path) == record for path in page_paths(target, record[1])[1:])


def comparison_key(comparison: Comparison, figure_format: str) -> str:
    """The figure key of a comparison: each input's key (matrix, style, format, drawing
    and matplotlib versions) plus how they are arranged."""
    options = dataclasses.asdict(comparison.options)
    options["titles"] = list(comparison.titles)
    recipe: dict[str, object] = {
        "compare": [figure_key(m, comparison.style, figure_format) for m in comparison.matrices],
        "options": options,
    }
    fonts = comparison_fonts(comparison).key()  # the titles' fonts too
    if fonts is not None:
        recipe["fonts"] = fonts
    return hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()
