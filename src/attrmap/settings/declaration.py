"""How a setting is declared (``Setting``, its command-line ``Flag``) and how a config
value is checked against its declaration; the table of every setting is ``SETTINGS`` in
``settings/__init__.py``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import StyleError
from ..model import plain
from .values import Auto, brief

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
        value = plain(value)
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


def check_value(setting: Setting, value: Any, origin: str, key: str | None = None) -> Any:
    """A config value checked against the setting's types and converted for storing."""
    key = key or setting.name
    types = setting.types
    if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
        expected = setting.expects or " or ".join(t.__name__ for t in types)
        raise StyleError(f"{origin}: {key} must be {expected}, not {brief(value)}")
    try:
        return setting.convert(value, origin) if setting.convert is not None else value
    except OverflowError:  # an integer past float64: 1e309 written out
        raise StyleError(f"{origin}: {key} {brief(value)} is too large a number") from None
