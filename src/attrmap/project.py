"""Project defaults: a ``[tool.attrmap]`` table in the nearest ``pyproject.toml``, and
settings resolved layer by layer, remembering where each one came from.

Precedence: built-in defaults < project table < ``--config FILE`` < command-line options.
A team sets its defaults once, in the file its project already has; ``attrmap config``
shows what a command would use and why.
"""

from __future__ import annotations

import os
import re
import stat
import sys
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .atomic import open_regular
from .errors import StyleError, UntrustedFileWarning
from .style import Config, build_config, config_settings, read_config_file

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

PROJECT_FILE = "pyproject.toml"
MAX_PROJECT_BYTES = 1 << 20
DEFAULT_ORIGIN = "default"
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)")


@dataclass(frozen=True)
class Layer:
    """Settings from one place (``origin`` names it in messages and ``attrmap config``)."""

    origin: str
    settings: Mapping[str, Any]


@dataclass(frozen=True)
class ResolvedConfig:
    """A config and, for every setting not left at its default, where its value came from."""

    config: Config = field(default_factory=Config)
    origins: Mapping[str, str] = field(default_factory=dict)

    def with_layer(self, layer: Layer) -> ResolvedConfig:
        """This config with ``layer`` on top; a bad value is a ``StyleError`` naming it."""
        config = build_config(self.config, dict(layer.settings), origin=layer.origin)
        given = {
            key.replace("-", "_"): layer.origin
            for key, value in layer.settings.items()
            if value is not None
        }
        return ResolvedConfig(config, {**self.origins, **given})

    def origin(self, setting: str) -> str:
        return self.origins.get(setting, DEFAULT_ORIGIN)

    def settings(self) -> dict[str, Any]:
        """Every setting by its config-file name, as a config file would spell it."""
        return config_settings(self.config)


def find_project_file(start: str | os.PathLike[str] | None = None) -> Path | None:
    """The nearest ``pyproject.toml`` from ``start`` (the current folder) upwards.

    The search stops at the first one found (a parent project's settings never leak into
    a nested project) and at a repository's root (a folder holding ``.git``), as black
    and ruff do. A file another user could have written (see ``untrusted``) is skipped
    with a warning, and the search stops there too.
    """
    folder = Path(start if start is not None else Path.cwd()).absolute()
    for candidate in (folder, *folder.parents):
        path = candidate / PROJECT_FILE
        if path.is_file():
            problem = untrusted(path)
            if problem is None:
                return path
            warnings.warn(
                f"{path}: ignored: {problem}; project settings are read only from files you "
                "own in folders only you can write",
                UntrustedFileWarning,
                stacklevel=2,
            )
            return None
        if (candidate / ".git").exists():
            return None
    return None


def untrusted(path: Path) -> str | None:
    """Why someone else may have written ``path``, or None: another user owns it (root
    aside), or anyone may write it or its folder (a folder under a shared ``/tmp``).
    As git's ``safe.directory``: a ``/tmp/pyproject.toml`` must not restyle your figures."""
    if not hasattr(os, "geteuid"):  # Windows: no owners to compare
        return None
    try:
        file, folder = path.stat(), path.parent.stat()
    except OSError:
        return None
    if file.st_uid not in (os.geteuid(), 0):
        return f"owned by another user (uid {file.st_uid})"
    if file.st_mode & stat.S_IWOTH:
        return "anyone may write it"
    if folder.st_mode & stat.S_IWOTH:
        return f"anyone may write its folder {path.parent}"
    return None


def project_layer(path: str | os.PathLike[str]) -> Layer | None:
    """The ``[tool.attrmap]`` table of a ``pyproject.toml``, or None if it has none."""
    name = os.fspath(path)
    try:
        with open_regular(name) as handle:  # a planted FIFO would hang every command
            raw = handle.read(MAX_PROJECT_BYTES + 1)
        if len(raw) > MAX_PROJECT_BYTES:  # a repository's file, read by every command
            raise StyleError(f"{name}: a pyproject.toml of over {MAX_PROJECT_BYTES:,} bytes")
        data = tomllib.loads(raw.decode("utf-8"))
    except OSError as error:
        raise StyleError(f"{name}: cannot read: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        where = _TOML_POSITION.search(message)
        position = f":{where[1]}:{where[2]}" if where else ""
        text = _TOML_POSITION.sub("", message)
        raise StyleError(f"{name}{position}: invalid TOML: {text}") from None
    except UnicodeDecodeError:
        raise StyleError(f"{name}: invalid TOML: not UTF-8 text") from None
    except RecursionError:
        raise StyleError(f"{name}: invalid TOML: nested too deeply") from None
    tool = data.get("tool")
    table = tool.get("attrmap") if isinstance(tool, dict) else None
    if table is None:
        return None
    origin = f"{name} [tool.attrmap]"
    if not isinstance(table, dict):
        raise StyleError(f"{origin}: must be a table of setting = value")
    return Layer(origin, table)


def resolve_files(
    config_path: str | os.PathLike[str] | None = None,
    start: str | os.PathLike[str] | None = None,
    use_project: bool = True,
) -> ResolvedConfig:
    """Built-in defaults, then the project table (if any), then ``config_path``."""
    layers: list[Layer] = []
    project = find_project_file(start) if use_project else None
    if project is not None:
        layers.extend(filter(None, [project_layer(project)]))
    if config_path is not None:
        layers.append(Layer(os.fspath(config_path), read_config_file(config_path)))
    return apply_layers(ResolvedConfig(), layers)


def apply_layers(resolved: ResolvedConfig, layers: Iterable[Layer]) -> ResolvedConfig:
    for layer in layers:
        resolved = resolved.with_layer(layer)
    return resolved


def project_config(start: str | os.PathLike[str] | None = None) -> Config:
    """The config the ``attrmap`` command uses without options: for notebooks that want
    their project's defaults (``attrmap.render(matrix, project_config().style)``)."""
    return resolve_files(start=start).config
