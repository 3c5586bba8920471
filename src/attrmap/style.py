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
_KEYED_WHEN_SET = {"keyed": "when set"}
_KEYED_ELSEWHERE = {"keyed": "elsewhere"}


#: The longest ``--alt-text`` accepted (generated alt text stays under 250 characters).
MAX_ALT_TEXT = 1000


@dataclass(frozen=True)
class Style:
    """Everything that decides a figure's pixels, apart from the matrix itself."""

    cmap: str = "RdYlGn"
    vmin: float = -1.0
    vmax: float = 1.0
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

    def title_for(self, matrix_title: str | None) -> str | None:
        """The title shown: ``title`` if set, else the matrix's own."""
        return self.title if self.title is not None else matrix_title

    def __post_init__(self) -> None:
        if not all(math.isfinite(v) for v in (self.vmin, self.vmax, self.vmax - self.vmin)):
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
    def colorbar_ticks(self) -> list[float]:
        """Five evenly spaced ticks: -1.0, -0.5, 0.0, 0.5, 1.0 for the default range."""
        step = (self.vmax - self.vmin) / 4
        return [self.vmin + step * i for i in range(5)]

    def fingerprint(self) -> str:
        """A stable digest of the resolved style, for knowing when a figure is stale."""
        settings = {}
        for setting in dataclasses.fields(self):
            value, keyed = getattr(self, setting.name), setting.metadata.get("keyed")
            if keyed == "elsewhere" or (keyed == "when set" and value == setting.default):
                continue
            settings[setting.name] = value
        text = json.dumps(settings, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Config:
    """A style plus the grid shape inputs must have (``None`` accepts any)."""

    style: Style = field(default_factory=Style)
    shape: Shape = DEFAULT_SHAPE


_STYLE_FIELDS = {f.name: f for f in dataclasses.fields(Style)}
_TYPES: dict[str, tuple[type, ...]] = {
    "cmap": (str,),
    "vmin": (int, float),
    "vmax": (int, float),
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


def build_config(base: Config, overrides: dict[str, Any], origin: str = "option") -> Config:
    """Apply overrides (``None`` means "not given") on top of ``base``, checking types."""
    style_changes: dict[str, Any] = {}
    shape = base.shape
    for key, value in overrides.items():
        if value is None:  # not given
            continue
        name = key.replace("-", "_")
        if name == "shape":
            shape = _shape_value(value, origin)
            continue
        if name not in _STYLE_FIELDS:
            known = ", ".join([*_STYLE_FIELDS, "shape"])
            raise StyleError(f"{origin}: unknown setting {key!r}; known settings: {known}")
        if not isinstance(value, _TYPES[name]) or isinstance(value, bool):
            expected = " or ".join(t.__name__ for t in _TYPES[name])
            raise StyleError(f"{origin}: {key} must be {expected}, not {value!r}")
        style_changes[name] = float(value) if float in _TYPES[name] else value
    try:
        style = dataclasses.replace(base.style, **style_changes)
    except StyleError as error:
        raise StyleError(f"{origin}: {error}") from None
    return Config(style=style, shape=shape)


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
