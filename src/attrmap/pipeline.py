"""One input file to one figure: load, validate, draw, save. Used by the CLI and batch."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from .errors import OutputError
from .matrix_io import (
    DEFAULT_LIMITS,
    STDIN,
    Limits,
    load_matrix,
)
from .model import AttributionMatrix, check_shape
from .output import figure_format_for, save_bytes, save_figure
from .provenance import figure_key
from .style import Config, Style


def default_output_for(input_path: str | os.PathLike[str], figure_format: str = "png") -> Path:
    """``data/x.csv`` -> ``data/x.png``: the figure beside its input."""
    if os.fspath(input_path) == STDIN:
        raise OutputError("reading stdin needs -o OUTPUT")
    return Path(input_path).with_suffix("." + figure_format)


def figure_targets(
    inputs: Sequence[str | os.PathLike[str]],
    output: str | os.PathLike[str] | None,
    figure_format: str = "png",
) -> list[Path]:
    """Each input's figure: ``output`` itself for one input; otherwise ``output/NAME.FMT``
    (or beside each input without ``output``). Two inputs that would write the same
    figure are refused before anything is drawn."""
    if len(inputs) == 1 and output is not None:
        return [Path(output)]
    targets = [
        Path(output) / Path(path).with_suffix("." + figure_format).name
        if output is not None
        else default_output_for(path, figure_format)
        for path in inputs
    ]
    claimed: dict[Path, str] = {}
    for path, target in zip(inputs, targets, strict=True):
        if target in claimed:
            raise OutputError(
                f"{target}: both {claimed[target]} and {os.fspath(path)} would write this "
                "figure; render them separately with -o"
            )
        claimed[target] = os.fspath(path)
    return targets


def load_checked(
    path: str | os.PathLike[str],
    config: Config,
    input_format: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> AttributionMatrix:
    """Load a matrix and check it has the grid the config expects."""
    matrix = load_matrix(path, input_format, limits)
    check_shape(matrix, config.shape)
    return matrix


def refuse_overwriting_input(input_path: str | os.PathLike[str], output: Path) -> None:
    if os.fspath(input_path) == STDIN:
        return
    try:
        same = os.path.samefile(input_path, output)
    except OSError:  # either is missing or unreadable: reading the input reports it
        return
    if same:
        raise OutputError(f"{output}: refusing to write the figure over its own input")


def render_file(
    input_path: str | os.PathLike[str],
    output: str | os.PathLike[str] | None,
    config: Config,
    input_format: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Path:
    """Render one input to one figure file and return the figure's path."""
    target = Path(output) if output is not None else default_output_for(input_path)  # PNG
    figure_format_for(target)  # a bad extension fails before any work
    refuse_overwriting_input(input_path, target)
    matrix = load_checked(input_path, config, input_format, limits)
    figure_format = figure_format_for(target)
    key = figure_key(matrix, config.style, figure_format)
    if figure_format == "html":
        return save_html(matrix, config.style, target, key)
    from .plotting import render

    return save_figure(render(matrix, config.style), target, provenance=key)


def save_html(matrix: AttributionMatrix, style: Style, target: Path, key: str) -> Path:
    """The HTML view of ``matrix``, written atomically; no drawing, no backend."""
    from .heatmap import prepare_data
    from .views.html import heatmap_html

    return save_bytes(heatmap_html(prepare_data(matrix, style), style, key), target)
