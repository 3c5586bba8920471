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
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from .errors import StyleError
from .formats.base import DEFAULT_INPUT, InputOptions
from .labels import TOKEN_MODES
from .model import Shape, is_utf8
from .settings import (
    ANNOTATE_MODES,
    AUTO,
    BY_NAME,
    DEFAULTS,
    MAX_TEXT_CHARS,
    NORMALIZE_MODES,
    RANGE_MODES,
    SETTING_NAMES,
    SETTINGS,
    SVG_TEXT_MODES,
    Auto,
    brief,
    check_choices,
    check_fields,
    check_format_spec,
    check_value,
    parse_cell_size,
    parse_page,
)

if TYPE_CHECKING:
    import yaml  # imported where a config file is read: a render without one skips it

__all__ = [
    "ANNOTATE_MODES",
    "AUTO",
    "NORMALIZE_MODES",
    "RANGE_MODES",
    "SETTING_NAMES",
    "SVG_TEXT_MODES",
    "Auto",
    "Config",
    "LayoutOptions",
    "OutputOptions",
    "ScaleOptions",
    "Style",
    "build_config",
    "config_settings",
    "load_config",
    "parse_cell_size",
    "read_config_file",
]


@dataclass(frozen=True)
class ScaleOptions:
    """How values become colours beyond fixed limits: automatic ranges, normalisation.

    ``range`` other than ``fixed`` decides both ends (symmetric around 0) and overrides
    vmin/vmax; it is resolved into plain numbers (``scale.resolve_scale``) before a
    figure is keyed or drawn.
    """

    range: str = DEFAULTS["range"]
    normalize: str = DEFAULTS["normalize"]

    def __post_init__(self) -> None:
        check_choices(self, "scale")


@dataclass(frozen=True)
class LayoutOptions:
    """Size and arrangement: width limit, cell size, annotations, orientation, pages."""

    width: float | None = DEFAULTS["width"]  # inches; None: as wide as the grid needs
    cell_size: tuple[float, float] | None = DEFAULTS["cell_size"]  # inches (width, height)
    annotate: str = DEFAULTS["annotate"]
    transpose: bool = DEFAULTS["transpose"]
    rows_per_page: int | None = DEFAULTS["rows_per_page"]  # None: one page unless too long
    layout: str = DEFAULTS["layout"]  # "grid", or "text": running text (plotting.text_flow)
    page: tuple[float, float] | None = DEFAULTS["page"]  # paper (width, height), inches

    def __post_init__(self) -> None:
        check_choices(self, "layout")
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
        if self.page is not None:
            object.__setattr__(self, "page", parse_page(self.page))


@dataclass(frozen=True)
class OutputOptions:
    """How a figure file stores what it draws."""

    svg_text: str = DEFAULTS["svg_text"]  # "text": editable <text>, fonts named not embedded

    def __post_init__(self) -> None:
        check_choices(self, "output")


#: The longest ``--alt-text`` accepted (generated alt text stays under 250 characters).
MAX_ALT_TEXT = 1000


@dataclass(frozen=True)
class Style:
    """Everything that decides a figure's pixels, apart from the matrix itself."""

    cmap: str = DEFAULTS["cmap"]
    vmin: float | Auto = DEFAULTS["vmin"]  # a number, or AUTO: from the data (ScaleOptions)
    vmax: float | Auto = DEFAULTS["vmax"]
    fmt: str = DEFAULTS["fmt"]
    dpi: int = DEFAULTS["dpi"]
    colorbar_label: str = DEFAULTS["colorbar_label"]
    title: str | None = DEFAULTS["title"]
    font_size: float = DEFAULTS["font_size"]
    annotation_font_size: float = DEFAULTS["annotation_font_size"]
    #: ``raw`` or ``clean`` (see ``labels``); None: the input's own default (``raw``,
    #: ``clean`` for tokenizer output such as inseq files).
    tokens: str | None = DEFAULTS["tokens"]
    #: Replaces the generated alt text embedded in the figure file (not its pixels).
    alt_text: str | None = DEFAULTS["alt_text"]
    #: Font families to draw labels in, first choice first; empty: DejaVu Sans, then
    #: any installed font that has a character it lacks (see ``fonts``).
    fonts: tuple[str, ...] = DEFAULTS["fonts"]
    scale: ScaleOptions = field(default_factory=ScaleOptions)
    layout: LayoutOptions = field(default_factory=LayoutOptions)
    output: OutputOptions = field(default_factory=OutputOptions)

    def title_for(self, matrix_title: str | None) -> str | None:
        """The title shown: ``title`` if set, else the matrix's own."""
        return self.title if self.title is not None else matrix_title

    def __post_init__(self) -> None:
        for end in ("vmin", "vmax"):  # "auto" from Python code: the typed value
            if isinstance(getattr(self, end), str) and getattr(self, end) == AUTO.value:
                object.__setattr__(self, end, AUTO)
        ends = [v for v in (self.vmin, self.vmax) if not isinstance(v, Auto)]
        if any(isinstance(v, str) for v in ends):
            raise StyleError(f"vmin and vmax must be numbers or 'auto', not {brief(ends)}")
        if not all(math.isfinite(v) for v in ends):
            raise StyleError(f"vmin ({self.vmin}) and vmax ({self.vmax}) must be finite")
        if not isinstance(self.vmin, Auto) and not isinstance(self.vmax, Auto):
            if not math.isfinite(self.vmax - self.vmin):
                raise StyleError(f"vmin ({self.vmin}) and vmax ({self.vmax}) must be finite")
            if not self.vmin < self.vmax:
                raise StyleError(f"vmin ({self.vmin}) must be less than vmax ({self.vmax})")
        for name in ("cmap", "fmt", "colorbar_label", "title", "alt_text"):
            value = getattr(self, name)
            if value is not None and not is_utf8(value):
                raise StyleError(f"{name} {brief(value)} is not valid UTF-8 text")
            if value is not None and len(value) > MAX_TEXT_CHARS:
                raise StyleError(f"{name} is {len(value):,} characters, over {MAX_TEXT_CHARS:,}")
        check_format_spec(self.fmt)
        try:
            sample = format(-1.23456, self.fmt)
        except (ValueError, TypeError):
            raise StyleError(
                f"fmt {brief(self.fmt)} is not a number format spec (try .4f, .2f or .3g)"
            ) from None
        if not sample:
            raise StyleError(f"fmt {brief(self.fmt)} formats numbers as empty text")
        if not 10 <= self.dpi <= 1200:
            raise StyleError(f"dpi must be between 10 and 1200, not {self.dpi}")
        if self.tokens is not None and self.tokens not in TOKEN_MODES:
            raise StyleError(f"tokens must be {' or '.join(TOKEN_MODES)}, not {brief(self.tokens)}")
        if isinstance(self.fonts, (str, list)):  # one family, or a list from a config file
            fonts = (self.fonts,) if isinstance(self.fonts, str) else tuple(self.fonts)
            object.__setattr__(self, "fonts", fonts)
        if not isinstance(self.fonts, tuple) or not all(
            isinstance(name, str) and name.strip() and is_utf8(name) for name in self.fonts
        ):
            raise StyleError(f"fonts must be a list of font family names, not {brief(self.fonts)}")
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
        return self.scale.range == "fixed" and not any(
            isinstance(end, Auto) for end in (self.vmin, self.vmax)
        )

    @property
    def limits(self) -> tuple[float, float]:
        """The resolved colour range as plain numbers (``scale.resolve_scale`` first)."""
        if isinstance(self.vmin, Auto) or isinstance(self.vmax, Auto):
            raise StyleError("the colour range is not resolved yet (vmin or vmax is 'auto')")
        return self.vmin, self.vmax

    def fingerprint(self) -> str:
        """A stable digest of the resolved style, for knowing when a figure is stale.

        Grouped settings count only when they differ from their defaults, so figures
        made before those settings existed (the reference figure) keep their keys.
        """
        settings = {}
        for item in SETTINGS:
            if item.group not in _STYLE_GROUPS or item.keyed == "elsewhere":
                continue
            value = _value_of(self, item.group, item.name)
            if item.keyed == "when set" and value == item.default:
                continue
            key = item.name if item.group == "style" else f"{item.group}.{item.name}"
            settings[key] = value
        text = json.dumps(settings, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


#: The groups nested inside Style, each an options object of its own.
_NESTED = ("scale", "layout", "output")
_STYLE_GROUPS = ("style", *_NESTED)


def _value_of(style: Style, group: str, name: str) -> Any:
    return getattr(style if group == "style" else getattr(style, group), name)


check_fields(ScaleOptions, ("scale",))
check_fields(LayoutOptions, ("layout",))
check_fields(OutputOptions, ("output",))
check_fields(Style, ("style",), extra=_NESTED)


@dataclass(frozen=True)
class Config:
    """A style, the grid shape inputs must have (``None`` accepts any) and how inputs
    are read (``input``: the settings part of it, such as ``allow_missing``; a command
    adds its own reading options to this one object)."""

    style: Style = field(default_factory=Style)
    shape: Shape = DEFAULTS["shape"]
    input: InputOptions = DEFAULT_INPUT


check_fields(Config, ("config",), extra=("style", "input"))


def config_settings(config: Config) -> dict[str, Any]:
    """Every setting by its config-file name and spelling (``range``, not ``scale.range``;
    ``auto``, ``13x5``, lists)."""
    values = {}
    for item in SETTINGS:
        if item.group in _STYLE_GROUPS:
            value = _value_of(config.style, item.group, item.name)
        else:
            value = getattr(config.input if item.group == "input" else config, item.name)
        values[item.name] = item.config_value(value)
    return values


def build_config(base: Config, overrides: dict[str, Any], origin: str = "option") -> Config:
    """Apply overrides (``None`` means "not given") on top of ``base``, checking types."""
    changes: dict[str, dict[str, Any]] = {
        group: {} for group in (*_STYLE_GROUPS, "config", "input")
    }
    for key, value in overrides.items():
        if value is None:  # not given
            continue
        item = BY_NAME.get(key.replace("-", "_"))
        if item is None:
            known = ", ".join(SETTING_NAMES)
            raise StyleError(f"{origin}: unknown setting {brief(key)}; known settings: {known}")
        changes[item.group][item.name] = check_value(item, value, origin, key)
    try:
        style_changes = changes["style"]
        for group in _NESTED:
            if changes[group]:
                style_changes[group] = dataclasses.replace(
                    getattr(base.style, group), **changes[group]
                )
        style = dataclasses.replace(base.style, **style_changes)
    except StyleError as error:
        raise StyleError(f"{origin}: {error}") from None
    reading = dataclasses.replace(base.input, **changes["input"])
    return dataclasses.replace(base, style=style, input=reading, **changes["config"])


def load_config(path: str | os.PathLike[str], base: Config | None = None) -> Config:
    """Read a YAML style file (see ``configs/``) on top of ``base`` (default style)."""
    return build_config(base or Config(), read_config_file(path), origin=os.fspath(path))


#: A config file is a page of settings: more, or deeper, is not one.
MAX_CONFIG_BYTES = 64 * 1024
MAX_CONFIG_DEPTH = 8


@cache
def _config_loader() -> type[yaml.SafeLoader]:
    """libyaml's loader where PyYAML has it (five times the pure-Python one's speed)."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_config_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The settings a YAML config file holds, not yet checked (``build_config`` does).

    Bounded like an input: at most ``MAX_CONFIG_BYTES``, nested at most
    ``MAX_CONFIG_DEPTH`` deep, and no aliases (settings need none; nested ones grew a
    1 kB file past 2 GB)."""
    import yaml  # here, not at the top: a render without a config file never needs it

    name = os.fspath(path)
    try:
        with open(name, "rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)
        if len(raw) > MAX_CONFIG_BYTES:
            raise StyleError(f"{name}: a config file of over {MAX_CONFIG_BYTES:,} bytes")
        text = raw.decode("utf-8")
        _check_config_events(text, name)
        data = yaml.load(text, Loader=_config_loader())  # a safe loader
    except OSError as error:
        raise StyleError(f"{name}: cannot read config: {error.strerror or error}") from None
    except StyleError:  # the bounds above (a ValueError too: not caught below)
        raise
    except (yaml.YAMLError, ValueError, TypeError, OverflowError) as error:
        # ValueError: bad UTF-8, or a tagged value PyYAML cannot build (!!int 0x1F,.21)
        raise StyleError(f"{name}: invalid YAML config: {_one_line(error)}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise StyleError(f"{name}: a config file must be a mapping of setting: value")
    return {str(k): v for k, v in data.items()}


def _check_config_events(text: str, name: str) -> None:
    """Refuse aliases and deep nesting from the parser's events, before anything is
    built (PyYAML's parser is a loop; building is recursive)."""
    import yaml

    try:
        _check_events(yaml.parse(text, Loader=_config_loader()), name)
    except yaml.MarkedYAMLError as error:
        # libyaml >= 0.2.5 stops flow nesting past 1,000 before the events reach 9 deep.
        if "nesting depth" not in (error.problem or ""):
            raise
        mark = error.problem_mark
        line = mark.line + 1 if mark is not None else 0
        raise StyleError(f"{name}:{line}: nested more than {MAX_CONFIG_DEPTH} deep") from None


def _check_events(events: Iterable[yaml.Event], name: str) -> None:
    import yaml

    depth = 0
    for event in events:
        line = event.start_mark.line + 1 if event.start_mark is not None else 0
        if isinstance(event, yaml.AliasEvent):
            raise StyleError(
                f"{name}:{line}: a YAML alias (*{brief(event.anchor)[1:-1]}); "
                "config files take none, write the value out"
            )
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_CONFIG_DEPTH:
                raise StyleError(f"{name}:{line}: nested more than {MAX_CONFIG_DEPTH} deep")
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())
