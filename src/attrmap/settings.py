"""Every setting, declared once: its name, type, default, group, help and command-line
spelling.

The option objects (``style.Style`` and its groups, ``style.Config``), the config-file
reader and its type checks, ``attrmap config`` and the command-line options are all
generated from (or checked against) ``SETTINGS``. A new setting is one row here plus
the field that carries it and the code that uses it.

Kept free of click and matplotlib: the library and the CLI both read it.
"""

from __future__ import annotations

import enum
import math
import re
import reprlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import StyleError
from .labels import TOKEN_MODES
from .model import DEFAULT_SHAPE, format_shape, parse_shape


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

#: Where a setting lives: ``style`` fields of ``Style``, its groups (``scale``, ``layout``,
#: ``output``), ``input`` (how inputs are read) and ``config`` (``Config`` itself).
GROUPS = ("style", "scale", "layout", "output", "config", "input")


@dataclass(frozen=True)
class Flag:
    """How a setting appears on the command line (the CLI builds the click option).

    ``stack`` names the option stack that carries it: ``style`` (every command that
    draws or describes), ``figure`` (commands that write a figure file), ``pages`` (how
    one matrix is laid out on pages: not ``compare``, whose ``--layout`` is its own),
    ``select`` (commands that read inputs), ``config`` (the expected grid, with ``--config``).
    ``low``/``high`` bound numbers; ``switch`` gives ``--name/--no-name``.
    """

    stack: str = "style"
    name: str | None = None  # default: --setting-name
    metavar: str | None = None
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    multiple: bool = False
    switch: bool = False
    number_or_auto: bool = False


@dataclass(frozen=True)
class Setting:
    """One setting. ``types`` are what a config file may give; ``convert`` turns a checked
    value into the stored one (and may raise ``StyleError``); ``spell`` turns a stored
    value back into a config file's spelling. ``note`` says in words what the default
    means where its value alone does not. ``keyed`` decides how the value enters a
    figure's fingerprint: ``always``, ``when set`` (only when not the default: added
    after 1.0, so figures made with the defaults keep their keys) or ``elsewhere``
    (``provenance.figure_key`` keys it once resolved against the input)."""

    name: str
    group: str
    types: tuple[type, ...]
    default: Any
    help: str
    flag: Flag = Flag()
    choices: tuple[str, ...] | None = None
    note: str | None = None
    expects: str | None = None  # the type in words, for messages ("true or false")
    convert: Callable[[Any, str], Any] | None = None
    spell: Callable[[Any], Any] | None = None
    keyed: str = "always"

    @property
    def option(self) -> str:
        """The command-line spelling: ``--cell-size``."""
        return self.flag.name or "--" + self.name.replace("_", "-")

    def default_text(self) -> str | None:
        """What ``[default: ...]`` says in help, or None when there is nothing to say."""
        if self.note is not None:
            return self.note
        if self.default is None or self.default is False or self.default == ():
            return None
        return config_text(self, self.default)

    def config_value(self, value: Any) -> Any:
        """``value`` as a config file spells it (lists, ``auto``, ``13x5``)."""
        if self.spell is not None:
            return self.spell(value)
        if isinstance(value, Auto):
            return value.value
        return list(value) if isinstance(value, tuple) else value


def config_text(setting: Setting, value: Any) -> str:
    value = setting.config_value(value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


# --------------------------------------------------------------------------- conversions

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


def _number_or_auto(value: Any, origin: str, name: str) -> float | Auto:
    if isinstance(value, str):
        if value != AUTO.value:
            raise StyleError(f"{origin}: {name} must be a number or 'auto', not {brief(value)}")
        return AUTO
    return float(value)


def _to_float(value: Any, origin: str) -> float:
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


def _shape_value(value: Any, origin: str) -> Any:
    if isinstance(value, (list, tuple)) and len(value) == 2:
        value = f"{value[0]}x{value[1]}"
    if not isinstance(value, str):
        raise StyleError(f"{origin}: shape must be ROWSxCOLS or 'any', not {brief(value)}")
    try:
        return parse_shape(value)
    except ValueError as error:
        raise StyleError(f"{origin}: {error}") from None


# --------------------------------------------------------------------------- the table

_NUMBER = (int, float)
_TEXT = (str,)
_TEXT_OR_NONE = (str, type(None))

SETTINGS: tuple[Setting, ...] = (
    Setting("cmap", "style", _TEXT, "RdYlGn", "Matplotlib colormap name"),
    Setting(
        "vmin",
        "style",
        (int, float, str),
        -1.0,
        "Value drawn in the first colour; 'auto' from the data",
        Flag(number_or_auto=True),
        convert=lambda value, origin: _number_or_auto(value, origin, "vmin"),
    ),
    Setting(
        "vmax",
        "style",
        (int, float, str),
        1.0,
        "Value drawn in the last colour; 'auto' from the data",
        Flag(number_or_auto=True),
        convert=lambda value, origin: _number_or_auto(value, origin, "vmax"),
    ),
    Setting(
        "fmt",
        "style",
        _TEXT,
        ".4f",
        f"Annotation number format spec (precision at most {MAX_FMT_PRECISION})",
    ),
    Setting("dpi", "style", (int,), 150, "Resolution of PNG output"),
    Setting("colorbar_label", "style", _TEXT, "Token Attribution", "Colorbar label"),
    Setting(
        "title",
        "style",
        _TEXT_OR_NONE,
        None,
        "Title above the heatmap",
        note="the matrix's own title",
    ),
    Setting(
        "font_size",
        "style",
        _NUMBER,
        10.0,
        "Label size in points",
        Flag(low=1, high=72),
        convert=_to_float,
    ),
    Setting(
        "annotation_font_size",
        "style",
        _NUMBER,
        9.0,
        "Size of the numbers in the cells, in points",
        Flag(low=1, high=72),
        convert=_to_float,
    ),
    Setting(
        "tokens",
        "style",
        _TEXT_OR_NONE,
        None,
        "Labels as written (raw), or the text tokenizer pieces stand for (clean: "
        "Ġ, ▁ and ## decoded)",
        choices=TOKEN_MODES,
        note="the input's own, raw (clean for inseq files)",
        keyed="elsewhere",
    ),
    Setting(
        "alt_text",
        "style",
        _TEXT_OR_NONE,
        None,
        "Alt text embedded in the figure file (PNG, SVG, PDF), replacing the generated "
        "one (see attrmap describe --alt)",
        Flag(stack="figure", metavar="TEXT"),
        keyed="when set",
    ),
    Setting(
        "fonts",
        "style",
        (list, tuple, str),
        (),
        "Font family for labels; repeat for a fallback chain",
        Flag(name="--font", metavar="FAMILY", multiple=True),
        note="DejaVu Sans, then an installed font for each character it lacks",
        keyed="when set",
    ),
    Setting(
        "range",
        "scale",
        _TEXT,
        "fixed",
        "Colour range: fixed (--vmin/--vmax), auto (symmetric, +-largest |value| "
        "rounded up to 1, 2, 2.5 or 5 x 10^k), p99 (99th percentile, the rest saturates), "
        "shared (one auto range over all inputs of the call)",
        choices=RANGE_MODES,
        keyed="when set",
    ),
    Setting(
        "normalize",
        "scale",
        _TEXT,
        "none",
        "Divide values by the largest |value| of the matrix, of each row or of each "
        "column before drawing; annotations and colorbar label say so",
        choices=NORMALIZE_MODES,
        keyed="when set",
    ),
    Setting(
        "width",
        "layout",
        _NUMBER,
        None,
        "Make the figure at most this many inches wide: cells shrink, then fonts "
        "(never below 6 pt), labels rotate",
        Flag(low=0.5, high=200),
        convert=_to_float,
        keyed="when set",
    ),
    Setting(
        "cell_size",
        "layout",
        (str, list),
        None,
        "Cell width and height in inches, e.g. 0.6x0.3",
        Flag(metavar="WxH"),
        convert=parse_cell_size,
        keyed="when set",
    ),
    Setting(
        "annotate",
        "layout",
        _TEXT,
        "auto",
        "Numbers in the cells: auto drops them (with a warning) when they would be "
        "under 5 pt; never allows compact cells",
        choices=ANNOTATE_MODES,
        keyed="when set",
    ),
    Setting(
        "transpose",
        "layout",
        (bool,),
        False,
        "Tokens across the top, expressions down the side",
        Flag(switch=True),
        keyed="when set",
    ),
    Setting(
        "rows_per_page",
        "layout",
        (int,),
        None,
        "Split the tokens into pages of N: one multi-page PDF, or NAME-1.png, NAME-2.png, ...",
        Flag(low=1),
        note="split only past 200 in",
        keyed="when set",
    ),
    Setting(
        "layout",
        "layout",
        _TEXT,
        "grid",
        "Tokens as a grid of cells, or as running text: each token on a box coloured by "
        "its value, one block per expression (for long documents)",
        Flag(stack="pages"),
        choices=LAYOUT_MODES,
        keyed="when set",
    ),
    Setting(
        "page",
        "layout",
        (str, list),
        None,
        "Paper size of every page, margins included: a4, letter or WxH in inches; a text "
        "layout or a long grid is split into pages of it, each marked with its tokens",
        Flag(stack="pages", metavar="a4|letter|WxH"),
        note="no paper: pages split only past 200 in",
        convert=parse_page,
        spell=format_page,
        keyed="when set",
    ),
    Setting(
        "svg_text",
        "output",
        _TEXT,
        "path",
        "SVG labels as paths (look the same everywhere) or as editable <text> "
        "(fonts are named, not embedded: the reader needs DejaVu Sans)",
        choices=SVG_TEXT_MODES,
        keyed="when set",
    ),
    Setting(
        "shape",
        "config",
        (str, list, tuple),
        DEFAULT_SHAPE,
        "Expected grid, tokens x expressions",
        Flag(stack="config", metavar="ROWSxCOLS|any"),
        expects="ROWSxCOLS or 'any'",
        convert=_shape_value,
        spell=format_shape,
    ),
    Setting(
        "allow_missing",
        "input",
        (bool,),
        False,
        "Let empty, nan or null cells (and absent long-form rows) be missing: "
        "drawn grey, no annotation",
        Flag(stack="select"),
        note="they are errors",
        expects="true or false",
    ),
)

BY_NAME: dict[str, Setting] = {setting.name: setting for setting in SETTINGS}
#: Every config-file key, in the order ``attrmap config`` prints them.
SETTING_NAMES = tuple(BY_NAME)


def setting(name: str) -> Setting:
    return BY_NAME[name]


#: The declared defaults, for the fields that carry the settings.
DEFAULTS: dict[str, Any] = {setting.name: setting.default for setting in SETTINGS}


def in_group(group: str) -> tuple[Setting, ...]:
    return tuple(s for s in SETTINGS if s.group == group)


def check_value(setting: Setting, value: Any, origin: str, key: str | None = None) -> Any:
    """A config value checked against the setting's types and converted for storing."""
    key = key or setting.name
    types = setting.types
    if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
        expected = setting.expects or " or ".join(t.__name__ for t in types)
        raise StyleError(f"{origin}: {key} must be {expected}, not {brief(value)}")
    return setting.convert(value, origin) if setting.convert is not None else value


def check_choices(options: object, group: str) -> None:
    """Every setting of ``group`` with choices holds one of them (``None`` is unset)."""
    for item in in_group(group):
        value = getattr(options, item.name)
        if item.choices is not None and value is not None and value not in item.choices:
            raise StyleError(
                f"{item.name} must be one of {', '.join(item.choices)}, not {brief(value)}"
            )


def check_fields(cls: type, groups: tuple[str, ...], extra: tuple[str, ...] = ()) -> None:
    """The dataclass ``cls`` carries exactly the settings of ``groups`` (plus ``extra``,
    the fields holding nested groups), with the table's defaults: no field redeclares
    a setting the table does not know, and none is missing."""
    import dataclasses

    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    declared = tuple(s.name for s in SETTINGS if s.group in groups)
    if tuple(name for name in fields if name not in extra) != declared:
        raise TypeError(f"{cls.__name__} fields differ from the settings table: {declared}")
    for name in declared:
        if fields[name].default != BY_NAME[name].default:
            raise TypeError(f"{cls.__name__}.{name}: default differs from the settings table")
