"""Several matrices in one figure: what must line up, the panel titles, the difference.

Independent of drawing: the matplotlib figure (``plotting.compare``) and the HTML page
(``views.html``) take the same ``Comparison`` and show the same panels, titles and scales.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .errors import MismatchError, StyleError
from .fonts import FontChoice, choose_fonts
from .formats import input_stem
from .labels import display_axes, display_label, resolve_token_mode
from .model import AttributionMatrix
from .scale import normalized, resolve_scale
from .settings import AUTO
from .style import Style

if TYPE_CHECKING:
    from .prepared import HeatmapData

LAYOUTS = ("row", "column")
DIFF_MODES = ("none", "extra", "only")  # no difference panel, one more panel, only it
DIFF_LABEL = "Difference (B \u2212 A)"
MINUS = "\u2212"


@dataclass(frozen=True)
class CompareOptions:
    """How matrices are put side by side (the style says how each panel looks)."""

    layout: str = "row"  # row: side by side; column: stacked
    titles: tuple[str, ...] | None = None  # None: each matrix's title, else its file's stem
    diff: str = "none"
    diff_cmap: str = "PuOr"

    def __post_init__(self) -> None:
        if self.layout not in LAYOUTS:
            raise StyleError(f"layout must be one of {', '.join(LAYOUTS)}, not {self.layout!r}")
        if self.diff not in DIFF_MODES:
            raise StyleError(f"diff must be one of {', '.join(DIFF_MODES)}, not {self.diff!r}")


@dataclass(frozen=True)
class Panel:
    """One heatmap of a comparison: its matrix, title and the style it is drawn with."""

    matrix: AttributionMatrix
    title: str
    style: Style


@dataclass(frozen=True)
class Comparison:
    """Checked inputs and everything decided about them before drawing."""

    matrices: tuple[AttributionMatrix, ...]
    titles: tuple[str, ...]
    options: CompareOptions
    style: Style  # the input panels' one resolved scale; its title is the figure's

    @property
    def source(self) -> str:
        """The inputs, as a warning about the whole comparison names them."""
        return " and ".join(matrix.source for matrix in self.matrices)

    @property
    def panels(self) -> list[Panel]:
        """The input panels on the shared scale (none with ``diff == "only"``)."""
        if self.options.diff == "only":
            return []
        return [
            Panel(matrix, title, self.style)
            for matrix, title in zip(self.matrices, self.titles, strict=True)
        ]

    @property
    def difference(self) -> Panel | None:
        """B - A (of the values as shown, normalised if asked) on its own symmetric
        scale, in the difference colormap."""
        if self.options.diff == "none":
            return None
        a, b = self.matrices
        mode = self.style.scale.normalize
        values = normalized(b.values, mode) - normalized(a.values, mode)
        matrix = AttributionMatrix(
            a.tokens,
            a.expressions,
            values,
            source=f"{b.source} {MINUS} {a.source}",
            token_style=a.token_style,
            allow_missing=True,  # missing where either input is
        )
        title = f"{self.titles[1]} {MINUS} {self.titles[0]}"
        return Panel(matrix, title, difference_style(self.style, self.options, values))


def prepare_panel(panel: Panel) -> HeatmapData:
    """A panel's labels, annotations and colours, titled with the panel's title."""
    from .prepared import prepare_data  # colours need matplotlib: only when drawing

    return prepare_data(panel.matrix, dataclasses.replace(panel.style, title=panel.title or None))


def merged_extend(extends: Sequence[str]) -> str:
    """One colorbar for several panels: an arrow wherever any panel needs one."""
    below = any(e in ("min", "both") for e in extends)
    above = any(e in ("max", "both") for e in extends)
    return ("neither", "min", "max", "both")[below + 2 * above]


def difference_style(style: Style, options: CompareOptions, values: np.ndarray) -> Style:
    """The difference's own scale: symmetric around 0, up to its largest |value| rounded
    to a nice number (``--range auto`` on the difference alone)."""
    auto = dataclasses.replace(
        style,
        cmap=options.diff_cmap,
        colorbar_label=DIFF_LABEL,
        vmin=AUTO,
        vmax=AUTO,
        scale=dataclasses.replace(style.scale, range="auto", normalize="none"),
    )
    return resolve_scale(auto, [values])


def check_same_tokens(matrices: Sequence[AttributionMatrix]) -> None:
    """Every matrix has the first one's tokens, in order; else name the first difference."""
    for other in matrices[1:]:
        _check_same_labels("token", matrices[0], other, "compared matrices need")


def check_same_expressions(a: AttributionMatrix, b: AttributionMatrix) -> None:
    """A difference needs both matrices on one grid: the same expressions too."""
    _check_same_labels("expression", a, b, "diff=... needs")


def _check_same_labels(
    kind: str, first: AttributionMatrix, other: AttributionMatrix, who: str
) -> None:
    mine_all, theirs_all = getattr(first, kind + "s"), getattr(other, kind + "s")
    need = f"{who} the same {kind}s in the same order"
    for index, (mine, theirs) in enumerate(zip(mine_all, theirs_all, strict=False)):
        if mine != theirs:
            raise MismatchError(
                other.source,
                f"{kind} {index + 1} is {theirs!r}, but {first.source} has {mine!r} there; {need}",
            )
    if len(mine_all) != len(theirs_all):
        raise MismatchError(
            other.source,
            f"{len(theirs_all)} {kind}s, but {first.source} has {len(mine_all)}; {need}",
        )


def panel_titles(
    matrices: Sequence[AttributionMatrix], titles: Sequence[str] | None
) -> tuple[str, ...]:
    """The given titles, or each matrix's own title, or its file's stem."""
    if titles is not None:
        if len(titles) != len(matrices):
            raise StyleError(
                f"{len(titles)} titles for {len(matrices)} inputs; give one title per input"
            )
        return tuple(titles)
    return tuple(
        matrix.title
        or (input_stem(Path(matrix.source).name) if not matrix.source.startswith("<") else "")
        or f"Panel {index + 1}"
        for index, matrix in enumerate(matrices)
    )


def make_comparison(
    matrices: Sequence[AttributionMatrix], style: Style, options: CompareOptions
) -> Comparison:
    """Check that ``matrices`` can be compared as ``options`` asks, and resolve their one
    colour scale: the style's range, or an automatic one over all of them."""
    if not matrices:
        raise StyleError("compare needs at least one matrix")
    if style.layout.transpose or style.layout.rows_per_page is not None:
        raise StyleError(
            "compare draws every panel with its tokens down the side on one page; "
            "transpose=True and rows_per_page=... do not apply"
        )
    check_same_tokens(matrices)
    if options.diff != "none":
        if len(matrices) != 2:
            raise StyleError(f"a difference needs exactly two inputs, not {len(matrices)}")
        check_same_expressions(*matrices)
    shared = resolve_scale(
        style,
        [matrix.values for matrix in matrices],
        export=all(matrix.export is not None for matrix in matrices),
    )
    titles = panel_titles(matrices, options.titles)
    return Comparison(tuple(matrices), titles, options, shared)


def comparison_fonts(comparison: Comparison) -> FontChoice:
    """The fonts every label, title and colorbar label of the comparison is drawn in."""
    style = comparison.style
    texts = [*comparison.titles, display_label(style.title or ""), DIFF_LABEL]
    texts.append(display_label(style.colorbar_label))
    for matrix in comparison.matrices:
        mode = resolve_token_mode(style.tokens, matrix.token_style)
        tokens, expressions = display_axes(matrix.tokens, matrix.expressions, mode)
        texts += [*tokens, *expressions]
    return choose_fonts(texts, style.fonts)
