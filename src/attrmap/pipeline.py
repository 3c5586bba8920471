"""One input file to one figure: load, validate, draw, save. Used by the CLI and batch."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from .comparison import CompareOptions, make_comparison
from .errors import InputError, OutputError
from .formats import DEFAULT_INPUT, STDIN, InputOptions, input_stem, load_matrices
from .model import AttributionMatrix, check_shape
from .provenance import comparison_key, figure_key
from .scale import resolve_scale
from .style import Config
from .writers import get_writer, writer_for


def figure_name(input_path: str | os.PathLike[str], figure_format: str) -> str:
    """``x.csv`` -> ``x.png``; ``x_0.json.gz`` -> ``x_0.png`` (the whole input extension)."""
    return input_stem(Path(input_path).name) + get_writer(figure_format).extensions[0]


def default_output_for(input_path: str | os.PathLike[str], figure_format: str = "png") -> Path:
    """``data/x.csv`` -> ``data/x.png``: the figure beside its input."""
    if os.fspath(input_path) == STDIN:
        raise OutputError("reading stdin needs -o OUTPUT")
    return Path(input_path).with_name(figure_name(input_path, figure_format))


def numbered(target: Path, count: int) -> list[Path]:
    """One figure per matrix: ``NAME.png`` for one, ``NAME-0.png``, ``NAME-1.png``, ...
    for a file that holds several."""
    if count == 1:
        return [target]
    return [target.with_name(f"{target.stem}-{index}{target.suffix}") for index in range(count)]


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
        Path(output) / figure_name(path, figure_format)
        if output is not None
        else default_output_for(path, figure_format)
        for path in inputs
    ]
    refuse_collisions(
        [(os.fspath(path), [target]) for path, target in zip(inputs, targets, strict=True)]
    )
    return targets


def refuse_collisions(claims: Sequence[tuple[str, Sequence[Path]]]) -> None:
    """Refuse, before drawing, two inputs (or two matrices) that would write one figure."""
    claimed: dict[Path, str] = {}
    for path, targets in claims:
        for target in targets:
            if target in claimed:
                raise OutputError(
                    f"{target}: both {claimed[target]} and {path} would write this "
                    "figure; render them separately with -o"
                )
            claimed[target] = path


def load_checked(
    path: str | os.PathLike[str],
    config: Config,
    options: InputOptions = DEFAULT_INPUT,
) -> list[AttributionMatrix]:
    """Load every matrix of a file and check each has the grid the config expects."""
    matrices = load_matrices(path, options)
    for matrix in matrices:
        check_shape(matrix, config.shape)
    return matrices


def refuse_overwriting_input(input_path: str | os.PathLike[str], output: Path) -> None:
    if os.fspath(input_path) == STDIN:
        return
    try:
        same = os.path.samefile(input_path, output)
    except OSError:  # either is missing or unreadable: reading the input reports it
        return
    if same:
        raise OutputError(f"{output}: refusing to write the figure over its own input")


def refuse_report_over(
    report: str | os.PathLike[str] | None,
    inputs: Iterable[str | os.PathLike[str]],
    figures: Iterable[str | os.PathLike[str]] = (),
) -> None:
    """``--report`` must not replace an input or a figure of the same run (as ``-o``
    must not replace its input). Figures may not exist yet, so paths are compared once
    resolved; only those with the report's file name are looked at (a batch has many)."""
    if report is None:
        return
    name = os.path.basename(report).lower()
    target = os.path.realpath(report)
    for kind, paths in (("input", inputs), ("figure", figures)):
        for path in paths:
            if os.fspath(path) == STDIN or os.path.basename(path).lower() != name:
                continue
            if os.path.realpath(path) == target or _same_file(path, report):
                raise OutputError(f"{report}: refusing to write the report over the {kind} {path}")


def _same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def load_for_render(
    input_path: str | os.PathLike[str],
    output: str | os.PathLike[str] | None,
    config: Config,
    options: InputOptions = DEFAULT_INPUT,
) -> list[tuple[AttributionMatrix, Path]]:
    """Each matrix of one input with the figure it goes to (``numbered`` if several)."""
    target = Path(output) if output is not None else default_output_for(input_path)  # PNG
    writer_for(target)  # a bad extension fails before any work
    refuse_overwriting_input(input_path, target)
    matrices = load_checked(input_path, config, options)
    targets = numbered(target, len(matrices))
    for each in targets:
        refuse_overwriting_input(input_path, each)
    return list(zip(matrices, targets, strict=True))


def shared_scale(config: Config, matrices: Iterable[AttributionMatrix]) -> Config:
    """For ``range: shared``, one symmetric range over every matrix of the call, resolved
    into the style before any figure is keyed, so a moved range makes figures stale."""
    if config.style.scale.range != "shared":
        return config
    style = resolve_scale(config.style, [matrix.values for matrix in matrices])
    return dataclasses.replace(config, style=style)


def draw_to(matrix: AttributionMatrix, target: Path, config: Config) -> list[Path]:
    """Draw one matrix and save it (atomically) with its key; return the files written
    (a paged PNG or SVG figure is ``NAME-1.png``, ``NAME-2.png``, ...). A long figure's
    pages are drawn on every core this process may use."""
    style = resolve_scale(config.style, [matrix.values], export=matrix.export is not None)
    writer = writer_for(target)
    key = figure_key(matrix, style, writer.name)
    return writer.write(matrix, style, target, key, workers=available_cores())


def available_cores() -> int:
    """The cores this process may run on (its affinity or container), not the host's."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def render_file(
    input_path: str | os.PathLike[str],
    output: str | os.PathLike[str] | None,
    config: Config,
    options: InputOptions = DEFAULT_INPUT,
) -> list[Path]:
    """Render one input to its figure (or one figure per matrix) and return the paths."""
    return [
        path
        for matrix, target in load_for_render(input_path, output, config, options)
        for path in draw_to(matrix, target, config)
    ]


def compare_files(
    inputs: Sequence[str | os.PathLike[str]],
    output: str | os.PathLike[str],
    config: Config,
    compare: CompareOptions,
    options: InputOptions = DEFAULT_INPUT,
) -> Path:
    """Several inputs (one matrix each) as the panels of one figure; return its path."""
    target = Path(output)
    writer = writer_for(target)  # a bad extension fails before any work
    for source in inputs:
        refuse_overwriting_input(source, target)
    matrices = []
    for source in inputs:
        loaded = load_checked(source, config, options)
        if len(loaded) != 1:
            raise InputError(
                os.fspath(source),
                f"holds {len(loaded)} matrices; compare takes one per input "
                "(choose one with sequence=N)",
            )
        matrices += loaded
    comparison = make_comparison(matrices, config.style, compare)
    return writer.write_comparison(comparison, target, comparison_key(comparison, writer.name))
