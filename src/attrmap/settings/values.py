"""The values settings take: the typed ``auto``, the choices, and the parsers that turn
what a config file or a flag gives into what the option objects store (each raising a
``StyleError`` that names where the value came from)."""

from __future__ import annotations

import enum
import math
import re
import reprlib
from typing import Any

from ..errors import StyleError
from ..model import parse_shape


class Auto(str, enum.Enum):
    """``vmin``/``vmax`` taken from the data: a typed value, spelled ``auto`` in files and
    flags (and equal to the string, so ``Style(vmin="auto")`` keeps working)."""

    AUTO = "auto"

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:  # f"{AUTO}" is "auto", as for the string
        return format(self.value, spec)


AUTO = Auto.AUTO

#: Value range modes: ``fixed`` uses vmin/vmax; the others are symmetric around 0.
RANGE_MODES = ("fixed", "auto", "p99", "shared")
NORMALIZE_MODES = ("none", "max-abs", "row", "column")
ANNOTATE_MODES = ("auto", "always", "never")
SVG_TEXT_MODES = ("path", "text")

_BRIEF = reprlib.Repr()  # (keyword arguments only from Python 3.12)
_BRIEF.maxstring = _BRIEF.maxother = 60
_BRIEF.maxlist = _BRIEF.maxtuple = _BRIEF.maxdict = 6


def brief(value: Any) -> str:
    """``repr(value)`` cut to a line: a message never reprs a megabyte of config."""
    return _BRIEF.repr(value)


#: Longest text setting (title, labels, alt text): as long as an input's longest label.
MAX_TEXT_CHARS = 10_000
#: Bounds of ``fmt``: a precision of a billion digits took gigabytes to format one number.
MAX_FMT_PRECISION = 20
MAX_FMT_WIDTH = 40
_FORMAT_SPEC = re.compile(
    r"(?:.?[<>=^])?[-+ ]?z?#?0?(?P<width>\d*)[,_]?(?:\.(?P<precision>\d*))?[a-zA-Z%]?",
    re.DOTALL,
)


def check_format_spec(fmt: str) -> None:
    """Refuse a ``fmt`` whose width or precision is out of bounds, before anything is
    formatted with it (whether it is a valid spec at all is ``format``'s to say)."""
    match = _FORMAT_SPEC.fullmatch(fmt)
    if match is None:
        return
    width, precision = match["width"], match["precision"]
    if precision and (len(precision) > 3 or int(precision) > MAX_FMT_PRECISION):
        raise StyleError(
            f"fmt {brief(fmt)}: a precision over {MAX_FMT_PRECISION} digits shows nothing "
            "float64 holds (try .4f, .2f or .3g)"
        )
    if width and (len(width) > 3 or int(width) > MAX_FMT_WIDTH):
        raise StyleError(f"fmt {brief(fmt)}: a width over {MAX_FMT_WIDTH} characters")


def number_or_auto(value: Any, origin: str, name: str) -> float | Auto:
    if isinstance(value, str):
        if value != AUTO.value:
            raise StyleError(f"{origin}: {name} must be a number or 'auto', not {brief(value)}")
        return AUTO
    return float(value)


def to_float(value: Any, origin: str) -> float:
    return float(value)


def parse_cell_size(value: Any, origin: str = "option") -> tuple[float, float]:
    """``0.6x0.3`` or ``[0.6, 0.3]``: a cell's width and height in inches."""
    parts = value.lower().split("x") if isinstance(value, str) else value
    try:
        width, height = (float(part) for part in parts)
    except (TypeError, ValueError):
        raise StyleError(
            f"{origin}: cell size must be WIDTHxHEIGHT in inches (e.g. 0.6x0.3), not {brief(value)}"
        ) from None
    return width, height


#: ``--page`` names: width x height in inches, portrait.
PAPER_SIZES = {
    "a3": (11.69, 16.54),
    "a4": (8.27, 11.69),
    "a5": (5.83, 8.27),
    "letter": (8.5, 11.0),
    "legal": (8.5, 14.0),
}
#: Text flows as a grid of cells or as running text (``--layout``).
LAYOUT_MODES = ("grid", "text")


def parse_page(value: Any, origin: str = "option") -> tuple[float, float]:
    """``a4``, ``letter`` (see ``PAPER_SIZES``), ``8.5x11`` or ``[8.5, 11]``: a page's
    width and height in inches, margins included."""
    if isinstance(value, str) and value.lower() in PAPER_SIZES:
        return PAPER_SIZES[value.lower()]
    try:
        width, height = parse_cell_size(value, origin)
    except StyleError:
        names = ", ".join(PAPER_SIZES)
        raise StyleError(
            f"{origin}: page must be {names} or WIDTHxHEIGHT in inches (e.g. 8.5x11), not {value!r}"
        ) from None
    if not all(math.isfinite(side) and 2 <= side <= 200 for side in (width, height)):
        raise StyleError(
            f"{origin}: page sides must be between 2 and 200 inches, not {brief(value)}"
        )
    return width, height


def format_page(value: tuple[float, float] | None) -> str | None:
    """A page as ``--page`` spells it: its paper name, or ``WxH`` (None: no paper)."""
    if value is None:
        return None
    names = {size: name for name, size in PAPER_SIZES.items()}
    return names.get((value[0], value[1]), f"{value[0]:g}x{value[1]:g}")


def shape_value(value: Any, origin: str) -> Any:
    if isinstance(value, (list, tuple)) and len(value) == 2:
        value = f"{value[0]}x{value[1]}"
    if not isinstance(value, str):
        raise StyleError(f"{origin}: shape must be ROWSxCOLS or 'any', not {brief(value)}")
    try:
        return parse_shape(value)
    except ValueError as error:
        raise StyleError(f"{origin}: {error}") from None


#: The roles ``columns`` names a long table's columns for (position optional).
COLUMN_ROLES = ("token", "expression", "value", "position")


def parse_columns(value: Any, origin: str = "option") -> tuple[tuple[str, str], ...]:
    """``token=word,expression=method,value=score[,position=i]`` (or a mapping of the
    same): which columns of a long table hold what, by their header names."""
    if isinstance(value, dict):
        pairs = [(str(role), str(column)) for role, column in value.items()]
    elif isinstance(value, str):
        pairs = []
        for part in value.split(","):
            role, equals, column = part.partition("=")
            if not equals or not column.strip():
                raise StyleError(
                    f"{origin}: columns must be token=COL,expression=COL,value=COL"
                    f"[,position=COL], not {brief(value)}"
                )
            pairs.append((role.strip().lower(), column.strip()))
    else:
        raise StyleError(f"{origin}: columns must be text or a mapping, not {brief(value)}")
    roles = [role for role, _ in pairs]
    unknown = [role for role in roles if role not in COLUMN_ROLES]
    if unknown:
        raise StyleError(
            f"{origin}: columns: unknown role {unknown[0]!r}; the roles are "
            f"{', '.join(COLUMN_ROLES)}"
        )
    if len(set(roles)) != len(roles) or not set(COLUMN_ROLES[:3]) <= set(roles):
        raise StyleError(
            f"{origin}: columns must name token, expression and value once each "
            f"(position optional), not {brief(value)}"
        )
    return tuple(pairs)


def format_columns(value: tuple[tuple[str, str], ...] | None) -> str | None:
    """``columns`` as the flag spells it."""
    return None if value is None else ",".join(f"{role}={column}" for role, column in value)
