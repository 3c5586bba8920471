"""Style given as keywords to the drawing functions, by the config-file names.

``render(m, range="auto", cmap="RdBu", fmt=".2f")`` takes the same names as a config
file (and, with dashes, as the command line's options), checked by the same table
(``settings.SETTINGS``, through ``style.build_config``). Mistakes a Python caller makes
are ``TypeError``\\ s that name the call to make instead.
"""

from __future__ import annotations

import difflib
from typing import Any

from ..settings import BY_NAME
from ..style import Config, Style, build_config

#: Groups of the settings table that are part of a Style (drawing), not of reading.
_STYLE_GROUPS = ("style", "scale", "layout", "output")
STYLE_KEYWORDS = tuple(name for name, item in BY_NAME.items() if item.group in _STYLE_GROUPS)

#: Settings that decide how inputs are read, not drawn: where a Python caller gives them.
_ELSEWHERE = {
    "shape": "attrmap.check_shape(matrix, (13, 5))",
    "allow_missing": "attrmap.load_matrix(path, options=attrmap.InputOptions(allow_missing=True))"
    " or AttributionMatrix(..., allow_missing=True)",
}


def style_from(call: str, style: object, settings: dict[str, Any], first: str = "matrix") -> Style:
    """``style`` (None: the default) with ``settings`` applied; ``call`` names the
    function for messages (``attrmap.render``) and ``first`` its first argument."""
    if style is not None and not isinstance(style, Style):
        raise TypeError(_not_a_style(call, style, first))
    for name in settings:
        if name not in STYLE_KEYWORDS:
            raise TypeError(_unknown_keyword(call, name))
    values = {name: _python_value(value) for name, value in settings.items()}
    base = style if style is not None else Style()
    return build_config(Config(style=base), values, origin=call).style


def _not_a_style(call: str, style: object, first: str) -> str:
    kind = type(style).__name__
    start = f"{call}'s second argument is a Style or None, not {kind}"
    if hasattr(style, "figure") and hasattr(style, "get_position"):  # an Axes
        return f"{start}; to draw into your own Axes use attrmap.heatmap({first}, ax=ax)"
    if isinstance(style, Config):
        return f"{start}; pass its style: {call}({first}, config.style)"
    if isinstance(style, str):
        return f"{start}; give settings by name, e.g. {call}({first}, cmap={style!r})"
    if isinstance(style, dict):
        return f"{start}; give settings by name: {call}({first}, **settings)"
    return f"{start}; give settings by name, e.g. {call}({first}, cmap='RdBu', fmt='.2f')"


def _unknown_keyword(call: str, name: str) -> str:
    start = f"{call}() got an unexpected keyword argument {name!r}"
    if name in _ELSEWHERE:
        return f"{start}: it is about reading inputs, not drawing; use {_ELSEWHERE[name]}"
    close = difflib.get_close_matches(name, STYLE_KEYWORDS, n=1)
    hint = f"did you mean {close[0]}? " if close else ""
    return f"{start}; {hint}style settings are {', '.join(STYLE_KEYWORDS)}"


def _python_value(value: Any) -> Any:
    """What a config file would hold for a value a Python caller naturally passes: a
    tuple where the file has a list (``cell_size=(0.6, 0.3)``), plain numbers for NumPy
    scalars."""
    if isinstance(value, tuple):
        return list(value)
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        return value.item()
    return value
