"""How a figure looks, and the YAML config files that set it.

Kept free of matplotlib imports so that validating inputs and checking whether figures
are up to date stay fast; colormap names are checked when drawing.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
from dataclasses import dataclass, field
from typing import Any

import yaml

from .errors import StyleError
from .labels import TOKEN_MODES
from .model import DEFAULT_SHAPE, Shape, is_utf8, parse_shape

# How a setting added after 1.0 enters the style's fingerprint: only when it is not
# its default, so figures made with the defaults keep the key (and bytes) they had; or
# not at all, when ``provenance.figure_key`` keys it after resolving it against the input.
# Grouped settings (ScaleOptions, ...) are keyed when set, each on its own.
_KEYED_WHEN_SET = {"keyed": "when set"}
_KEYED_ELSEWHERE = {"keyed": "elsewhere"}

#: Value range modes: ``fixed`` uses vmin/vmax; the others are symmetric around 0.
RANGE_MODES = ("fixed", "auto", "p99", "shared")
NORMALIZE_MODES = ("none", "max-abs", "row", "column")
ANNOTATE_MODES = ("auto", "always", "never")
SVG_TEXT_MODES = ("path", "text")
AUTO = "auto"  # vmin/vmax: take this end from the data


def _choice(name: str, value: object, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise StyleError(f"{name} must be one of {', '.join(choices)}, not {value!r}")


@dataclass(frozen=True)
class ScaleOptions:
    """How values become colours beyond fixed limits: automatic ranges, normalisation.

    ``range`` other than ``fixed`` decides both ends (symmetric around 0) and overrides
    vmin/vmax; it is resolved into plain numbers (``scale.resolve_scale``) before a
    figure is keyed or drawn.
    """

    range: str = "fixed"
    normalize: str = "none"

    def __post_init__(self) -> None:
        _choice("range", self.range, RANGE_MODES)
        _choice("normalize", self.normalize, NORMALIZE_MODES)


@dataclass(frozen=True)
class LayoutOptions:
    """Size and arrangement: width limit, cell size, annotations, orientation, pages."""

    width: float | None = None  # inches; None: as wide as the grid needs
    cell_size: tuple[float, float] | None = None  # inches (width, height); None: automatic
    annotate: str = "auto"
    transpose: bool = False
    rows_per_page: int | None = None  # tokens per page; None: one page unless too long

    def __post_init__(self) -> None:
        _choice("annotate", self.annotate, ANNOTATE_MODES)
        if self.width is not None and not (math.isfinite(self.width) and 0.5 <= self.width <= 200):
            raise StyleError(f"width must be between 0.5 and 200 inches, not {self.width}")
        if self.cell_size is not None and not all(
            math.isfinite(side) and 0.05 <= side <= 10 for side in self.cell_size
        ):
            raise StyleError(
                f"cell size sides must be between 0.05 and 10 inches: {self.cell_size}"
            )
        if self.rows_per_page is not None and self.rows_per_page < 1:
            raise StyleError(f"rows per page must be at least 1, not {self.rows_per_page}")


@dataclass(frozen=True)
class OutputOptions:
    """How a figure file stores what it draws."""

    svg_text: str = "path"  # "text": editable <text> elements, fonts named not embedded

    def __post_init__(self) -> None:
        _choice("svg_text", self.svg_text, SVG_TEXT_MODES)


#: The longest ``--alt-text`` accepted (generated alt text stays under 250 characters).
MAX_ALT_TEXT = 1000


@dataclass(frozen=True)
class Style:
    """Everything that decides a figure's pixels, apart from the matrix itself."""

    cmap: str = "RdYlGn"
    vmin: float | str = -1.0  # a number, or "auto": from the data (see ScaleOptions)
    vmax: float | str = 1.0
    fmt: str = ".4f"
    dpi: int = 150
    colorbar_label: str = "Token Attribution"
    title: str | None = None
    font_size: float = 10.0
    annotation_font_size: float = 9.0
    #: ``raw`` or ``clean`` (see ``labels``); None: the input's own default (``raw``,
    #: ``clean`` for tokenizer output such as inseq files).
    tokens: str | None = field(default=None, metadata=_KEYED_ELSEWHERE)
    #: Replaces the generated alt text embedded in the figure file (not its pixels).
    alt_text: str | None = field(default=None, metadata=_KEYED_WHEN_SET)
    #: Font families to draw labels in, first choice first (``--font``); empty: DejaVu
    #: Sans, then any installed font that has a character it lacks (see ``fonts``).
    fonts: tuple[str, ...] = field(default=(), metadata=_KEYED_WHEN_SET)
    scale: ScaleOptions = field(default_factory=ScaleOptions)
    layout: LayoutOptions = field(default_factory=LayoutOptions)
    output: OutputOptions = field(default_factory=OutputOptions)

    def title_for(self, matrix_title: str | None) -> str | None:
        """The title shown: ``title`` if set, else the matrix's own."""
        return self.title if self.title is not None else matrix_title

    def __post_init__(self) -> None:
        ends = [v for v in (self.vmin, self.vmax) if v != AUTO]
        if any(isinstance(v, str) for v in ends):
            raise StyleError(f"vmin and vmax must be numbers or 'auto', not {ends!r}")
        if not all(math.isfinite(v) for v in ends):
            raise StyleError(f"vmin ({self.vmin}) and vmax ({self.vmax}) must be finite")
        if self.vmin != AUTO and self.vmax != AUTO:
            if not math.isfinite(self.vmax - self.vmin):
                raise StyleError(f"vmin ({self.vmin}) and vmax ({self.vmax}) must be finite")
            if not self.vmin < self.vmax:
                raise StyleError(f"vmin ({self.vmin}) must be less than vmax ({self.vmax})")
        for name in ("cmap", "fmt", "colorbar_label", "title", "alt_text"):
            value = getattr(self, name)
            if value is not None and not is_utf8(value):
                raise StyleError(f"{name} {value!r} is not valid UTF-8 text")
        try:
            sample = format(-1.23456, self.fmt)
        except (ValueError, TypeError):
            raise StyleError(
                f"fmt {self.fmt!r} is not a number format spec (try .4f, .2f or .3g)"
            ) from None
        if not sample:
            raise StyleError(f"fmt {self.fmt!r} formats numbers as empty text")
        if not 10 <= self.dpi <= 1200:
            raise StyleError(f"dpi must be between 10 and 1200, not {self.dpi}")
        if self.tokens is not None and self.tokens not in TOKEN_MODES:
            raise StyleError(f"tokens must be {' or '.join(TOKEN_MODES)}, not {self.tokens!r}")
        if isinstance(self.fonts, (str, list)):  # one family, or a list from a config file
            fonts = (self.fonts,) if isinstance(self.fonts, str) else tuple(self.fonts)
            object.__setattr__(self, "fonts", fonts)
        if not isinstance(self.fonts, tuple) or not all(
            isinstance(name, str) and name.strip() and is_utf8(name) for name in self.fonts
        ):
            raise StyleError(f"fonts must be a list of font family names, not {self.fonts!r}")
        if not (0 < self.font_size <= 72 and 0 < self.annotation_font_size <= 72):
            raise StyleError("font sizes must be between 0 and 72 points")
        if self.alt_text is not None and len(self.alt_text) > MAX_ALT_TEXT:
            # Alt text is read aloud: keep it short (and the figure key near the file's start).
            raise StyleError(
                f"alt text has {len(self.alt_text)} characters; at most {MAX_ALT_TEXT} "
                "(write a longer description with attrmap describe)"
            )

    @property
    def range_is_resolved(self) -> bool:
        """True when vmin and vmax are plain numbers a figure can be drawn with."""
        return self.scale.range == "fixed" and AUTO not in (self.vmin, self.vmax)

    def fingerprint(self) -> str:
        """A stable digest of the resolved style, for knowing when a figure is stale.

        Grouped settings count only when they differ from their defaults, so figures
        made before those settings existed (the reference figure) keep their keys.
        """
        settings = {}
        for setting in dataclasses.fields(self):
            value, keyed = getattr(self, setting.name), setting.metadata.get("keyed")
            if setting.name in _GROUPS:
                default = _GROUPS[setting.name]()
                for part in dataclasses.fields(value):
                    if getattr(value, part.name) != getattr(default, part.name):
                        settings[f"{setting.name}.{part.name}"] = getattr(value, part.name)
                continue
            if keyed == "elsewhere" or (keyed == "when set" and value == setting.default):
                continue
            settings[setting.name] = value
        text = json.dumps(settings, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


_GROUPS: dict[str, type] = {"scale": ScaleOptions, "layout": LayoutOptions, "output": OutputOptions}


@dataclass(frozen=True)
class Config:
    """A style plus the grid shape inputs must have (``None`` accepts any)."""

    style: Style = field(default_factory=Style)
    shape: Shape = DEFAULT_SHAPE
    #: Empty, nan or null cells (and absent long-form rows) are missing, not errors.
    allow_missing: bool = False


_STYLE_FIELDS = {f.name: f for f in dataclasses.fields(Style) if f.name not in _GROUPS}
_TYPES: dict[str, tuple[type, ...]] = {
    "cmap": (str,),
    "vmin": (int, float, str),
    "vmax": (int, float, str),
    "fmt": (str,),
    "dpi": (int,),
    "colorbar_label": (str,),
    "title": (str, type(None)),
    "font_size": (int, float),
    "annotation_font_size": (int, float),
    "tokens": (str, type(None)),
    "alt_text": (str, type(None)),
    "fonts": (list, tuple, str),
}
#: Grouped settings stay flat in config files and flags (``range: auto``, ``width: 6``):
#: each name's group inside Style, and the types a config file may give.
_GROUPED: dict[str, tuple[str, tuple[type, ...]]] = {
    "range": ("scale", (str,)),
    "normalize": ("scale", (str,)),
    "width": ("layout", (int, float)),
    "cell_size": ("layout", (str, list)),
    "annotate": ("layout", (str,)),
    "transpose": ("layout", (bool,)),
    "rows_per_page": ("layout", (int,)),
    "svg_text": ("output", (str,)),
}
SETTING_NAMES = (*_STYLE_FIELDS, *_GROUPED, "shape", "allow_missing")


def flat_settings(style: Style) -> dict[str, Any]:
    """Every style setting by its flat config-file name (``range``, not ``scale.range``)."""
    values = {name: getattr(style, name) for name in _STYLE_FIELDS}
    for name, (group, _) in _GROUPED.items():
        values[name] = getattr(getattr(style, group), name)
    return values


def build_config(base: Config, overrides: dict[str, Any], origin: str = "option") -> Config:
    """Apply overrides (``None`` means "not given") on top of ``base``, checking types."""
    style_changes: dict[str, Any] = {}
    group_changes: dict[str, dict[str, Any]] = {group: {} for group in _GROUPS}
    shape = base.shape
    allow_missing = base.allow_missing
    for key, value in overrides.items():
        if value is None:  # not given
            continue
        name = key.replace("-", "_")
        if name == "shape":
            shape = _shape_value(value, origin)
            continue
        if name == "allow_missing":
            if not isinstance(value, bool):
                raise StyleError(f"{origin}: allow_missing must be true or false, not {value!r}")
            allow_missing = value
            continue
        if name in _GROUPED:
            group, types = _GROUPED[name]
            _check_type(key, value, types, origin)
            group_changes[group][name] = _grouped_value(name, value, origin)
            continue
        if name not in _STYLE_FIELDS:
            known = ", ".join(SETTING_NAMES)
            raise StyleError(f"{origin}: unknown setting {key!r}; known settings: {known}")
        _check_type(key, value, _TYPES[name], origin)
        if isinstance(value, str) and name in ("vmin", "vmax"):
            if value != AUTO:
                raise StyleError(f"{origin}: {key} must be a number or 'auto', not {value!r}")
            style_changes[name] = value
        else:
            style_changes[name] = float(value) if float in _TYPES[name] else value
    try:
        for group, changes in group_changes.items():
            if changes:
                style_changes[group] = dataclasses.replace(getattr(base.style, group), **changes)
        style = dataclasses.replace(base.style, **style_changes)
    except StyleError as error:
        raise StyleError(f"{origin}: {error}") from None
    return Config(style=style, shape=shape, allow_missing=allow_missing)


def _check_type(key: str, value: Any, types: tuple[type, ...], origin: str) -> None:
    if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
        expected = " or ".join(t.__name__ for t in types)
        raise StyleError(f"{origin}: {key} must be {expected}, not {value!r}")


def _grouped_value(name: str, value: Any, origin: str) -> Any:
    if name == "width":
        return float(value)
    if name == "cell_size":
        return parse_cell_size(value, origin)
    return value


def parse_cell_size(value: Any, origin: str = "option") -> tuple[float, float]:
    """``0.6x0.3`` or ``[0.6, 0.3]``: a cell's width and height in inches."""
    parts = value.lower().split("x") if isinstance(value, str) else value
    try:
        width, height = (float(part) for part in parts)
    except (TypeError, ValueError):
        raise StyleError(
            f"{origin}: cell size must be WIDTHxHEIGHT in inches (e.g. 0.6x0.3), not {value!r}"
        ) from None
    return width, height


def _shape_value(value: Any, origin: str) -> Shape:
    if isinstance(value, (list, tuple)) and len(value) == 2:
        value = f"{value[0]}x{value[1]}"
    if not isinstance(value, str):
        raise StyleError(f"{origin}: shape must be ROWSxCOLS or 'any', not {value!r}")
    try:
        return parse_shape(value)
    except ValueError as error:
        raise StyleError(f"{origin}: {error}") from None


def load_config(path: str | os.PathLike[str], base: Config | None = None) -> Config:
    """Read a YAML style file (see ``configs/``) on top of ``base`` (default style)."""
    return build_config(base or Config(), read_config_file(path), origin=os.fspath(path))


def read_config_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The settings a YAML config file holds, not yet checked (``build_config`` does)."""
    name = os.fspath(path)
    try:
        with open(name, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except OSError as error:
        raise StyleError(f"{name}: cannot read config: {error.strerror or error}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise StyleError(f"{name}: invalid YAML config: {_one_line(error)}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise StyleError(f"{name}: a config file must be a mapping of setting: value")
    return {str(k): v for k, v in data.items()}


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())
