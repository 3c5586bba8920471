"""What a cell's text means: the one number grammar every text format reads cells with."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np

from ..model import MISSING_HINT

# What a user means by a number: 1, -1, .5, +0.5, 1e-3, 1.0E+05. Deliberately not
# float()'s grammar, which also takes "nan", "inf", "1_000" and surrounding junk.
_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_NON_FINITE_RE = re.compile(r"[+-]?\.?(?:nan|inf|infinity)", re.IGNORECASE)
#: What a missing cell may be written as (with ``allow_missing``): nothing, NaN, null.
_MISSING_RE = re.compile(r"|[+-]?\.?nan|null|none|~", re.IGNORECASE)
_DECIMAL_COMMA_RE = re.compile(r"[+-]?\d*,\d+")
MINUS_SIGN = "\u2212"  # typographic minus, as papers and some tools write it


def parse_number(text: str, allow_missing: bool = False) -> float:
    """Turn a cell's text into a finite float, or raise ``ValueError`` saying why not.

    The minus sign U+2212 counts as ``-``. With ``allow_missing`` an empty cell, ``nan`` or
    ``null`` is a missing cell (NaN); otherwise those are errors, as is infinity always.
    """
    stripped = text.strip().replace(MINUS_SIGN, "-")
    if allow_missing and _MISSING_RE.fullmatch(stripped):
        return math.nan
    if not stripped:
        raise ValueError(f"empty cell; every cell needs a number ({MISSING_HINT})")
    if _NON_FINITE_RE.fullmatch(stripped):
        hint = "" if "inf" in stripped.lower() else f" ({MISSING_HINT})"
        raise ValueError(f"{stripped!r} is not finite; NaN and infinity are not allowed{hint}")
    if not _NUMBER_RE.fullmatch(stripped):
        hint = f" ({MISSING_HINT})" if _MISSING_RE.fullmatch(stripped) else ""
        if _DECIMAL_COMMA_RE.fullmatch(stripped):
            hint = f" (a decimal comma? write {stripped.replace(',', '.')})"
        raise ValueError(f"{_clip(stripped)!r} is not a number{hint}")
    value = float(stripped)
    if not np.isfinite(value):
        raise ValueError(f"{_clip(stripped)!r} overflows a 64-bit float")
    return value


_ROW_OF_NUMBERS_RE = re.compile(rf"\s*{_NUMBER_RE.pattern}\s*(?:\x00\s*{_NUMBER_RE.pattern}\s*)*")


def parse_plain_numbers(texts: Sequence[str]) -> list[float] | None:
    """Many cells at once when every one is a plain finite number, as nearly all are:
    one regular expression over the row instead of two per cell (``batch --check`` reads
    thousands of files). None if any cell is not: ``parse_number`` then says which."""
    if not texts or not _ROW_OF_NUMBERS_RE.fullmatch("\x00".join(texts)):
        return None
    try:
        values = [float(text) for text in texts]
    except ValueError:  # a cell holding the separator itself
        return None
    return values if all(map(math.isfinite, values)) else None


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
