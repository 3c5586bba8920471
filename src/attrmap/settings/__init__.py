"""Every setting, declared once: its name, type, default, group, help and command-line
spelling.

The option objects (``style.Style`` and its groups, ``style.Config``), the config-file
reader and its type checks, ``attrmap config`` and the command-line options are all
generated from (or checked against) ``SETTINGS``. A new setting is one row here plus
the field that carries it and the code that uses it.

Kept free of click and matplotlib: the library and the CLI both read it.
"""

from __future__ import annotations

from typing import Any

from ..errors import StyleError
from ..labels import TOKEN_MODES
from ..model import DEFAULT_SHAPE, declared_default, format_shape
from .declaration import GROUPS, Flag, Setting, check_value
from .values import (
    ANNOTATE_MODES,
    AUTO,
    LAYOUT_MODES,
    MAX_FMT_PRECISION,
    MAX_FMT_WIDTH,
    MAX_TEXT_CHARS,
    NORMALIZE_MODES,
    PAPER_SIZES,
    RANGE_MODES,
    SVG_TEXT_MODES,
    Auto,
    brief,
    check_format_spec,
    format_columns,
    format_page,
    number_or_auto,
    parse_cell_size,
    parse_columns,
    parse_page,
    shape_value,
    to_float,
)

__all__ = [
    "ANNOTATE_MODES",
    "AUTO",
    "BY_NAME",
    "DEFAULTS",
    "GROUPS",
    "LAYOUT_MODES",
    "MAX_FMT_PRECISION",
    "MAX_FMT_WIDTH",
    "MAX_TEXT_CHARS",
    "NORMALIZE_MODES",
    "PAPER_SIZES",
    "RANGE_MODES",
    "SETTINGS",
    "SETTING_NAMES",
    "SVG_TEXT_MODES",
    "Auto",
    "Flag",
    "Setting",
    "brief",
    "check_choices",
    "check_fields",
    "check_format_spec",
    "check_value",
    "format_page",
    "in_group",
    "parse_cell_size",
    "parse_page",
    "setting",
]


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
        declared_default(-1.0),
        "Value drawn in the first colour; 'auto' from the data",
        Flag(number_or_auto=True),
        convert=lambda value, origin: number_or_auto(value, origin, "vmin"),
    ),
    Setting(
        "vmax",
        "style",
        (int, float, str),
        declared_default(1.0),
        "Value drawn in the last colour; 'auto' from the data",
        Flag(number_or_auto=True),
        convert=lambda value, origin: number_or_auto(value, origin, "vmax"),
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
        convert=to_float,
    ),
    Setting(
        "annotation_font_size",
        "style",
        _NUMBER,
        9.0,
        "Size of the numbers in the cells, in points",
        Flag(low=1, high=72),
        convert=to_float,
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
        declared_default("fixed"),
        "Colour range: fixed (--vmin/--vmax), auto (+-largest |value| rounded up to 1, "
        "2, 2.5 or 5 x 10^k; 0..largest when no value is negative, drawn in the "
        "colormap's upper half), p99 (99th percentile, the rest saturates), shared "
        "(one auto range over all inputs of the call)",
        choices=RANGE_MODES,
        note="fixed; auto for exports (inseq files, captum, pandas) when vmin/vmax are unset",
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
        convert=to_float,
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
        note="13x5; an export's own (inseq files, captum, pandas)",
        convert=shape_value,
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
    Setting(
        "columns",
        "input",
        (str, dict),
        None,
        "Read a CSV/TSV (or pandas JSON records) as a long table whose columns have "
        "other names: token=COL,expression=COL,value=COL[,position=COL]; other "
        "columns are ignored",
        Flag(stack="select", metavar="token=COL,expression=COL,value=COL"),
        note="token, expression, value (and position) by those names",
        expects="token=COL,expression=COL,value=COL[,position=COL]",
        convert=parse_columns,
        spell=format_columns,
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
