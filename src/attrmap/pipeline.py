"""One input file to one figure: load, validate, draw, save. Used by the CLI and batch."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import OutputError
from .matrix_io import (
    DEFAULT_LIMITS,
    STDIN,
    Limits,
    format_for,
    parse_matrix,
    read_input_bytes,
)
from .model import AttributionMatrix, check_shape
from .output import figure_format_for, save_figure
from .provenance import figure_key
from .style import Config


def default_output_for(input_path: str | os.PathLike[str]) -> Path:
    """``data/x.csv`` -> ``data/x.png``: the figure beside its input."""
    if os.fspath(input_path) == STDIN:
        raise OutputError("reading stdin needs -o OUTPUT")
    return Path(input_path).with_suffix(".png")


def read_checked(
    path: str | os.PathLike[str],
    config: Config,
    input_format: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[bytes, AttributionMatrix]:
    """Read an input once: its bytes (for the figure key) and its validated matrix."""
    name = os.fspath(path)
    data = read_input_bytes(name, limits)
    source = "<stdin>" if name == STDIN else name
    matrix = parse_matrix(data, format_for(name, input_format), source, limits)
    check_shape(matrix, config.shape)
    return data, matrix


def load_checked(
    path: str | os.PathLike[str],
    config: Config,
    input_format: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> AttributionMatrix:
    """Load a matrix and check it has the grid the config expects."""
    return read_checked(path, config, input_format, limits)[1]


def refuse_overwriting_input(input_path: str | os.PathLike[str], output: Path) -> None:
    if os.fspath(input_path) == STDIN or not output.exists():
        return
    if os.path.samefile(input_path, output):
        raise OutputError(f"{output}: refusing to write the figure over its own input")


def render_file(
    input_path: str | os.PathLike[str],
    output: str | os.PathLike[str] | None,
    config: Config,
    input_format: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Path:
    """Render one input to one figure file and return the figure's path."""
    target = Path(output) if output is not None else default_output_for(input_path)
    figure_format_for(target)  # a bad extension fails before any work
    refuse_overwriting_input(input_path, target)
    data, matrix = read_checked(input_path, config, input_format, limits)
    from .plotting import render

    key = figure_key(data, config.style, figure_format_for(target))
    return save_figure(render(matrix, config.style), target, provenance=key)
