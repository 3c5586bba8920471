"""attrmap: token-attribution matrices to publication-quality annotated heatmaps.

The public API works in notebooks and scripts without the CLI::

    import attrmap
    matrix = attrmap.load_matrix("examples/token_attribution.csv")
    figure = attrmap.render(matrix)            # a matplotlib Figure (Agg)
    attrmap.save_figure(figure, "token_attribution.png")

Importing attrmap does not import matplotlib; ``render`` does, on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# interop installs AttributionMatrix.from_frame, from_long and from_captum.
from . import interop  # noqa: F401
from ._version import __version__
from .errors import (
    AttrmapError,
    BatchError,
    GridError,
    InputError,
    LimitError,
    OutputError,
    ShapeError,
    StyleError,
)
from .formats import InputOptions, Limits, load_matrices, load_matrix, save_matrix
from .model import DEFAULT_SHAPE, AttributionMatrix, check_shape, parse_shape
from .style import Config, Style, load_config
from .views import notebook  # noqa: F401  (installs AttributionMatrix._repr_html_)
from .writers import save_figure

if TYPE_CHECKING:
    from .plotting import heatmap, render
    from .plotting.compare import compare
    from .views.alt_text import figure_text

__all__ = [
    "DEFAULT_SHAPE",
    "AttributionMatrix",
    "AttrmapError",
    "BatchError",
    "Config",
    "GridError",
    "InputError",
    "InputOptions",
    "LimitError",
    "Limits",
    "OutputError",
    "ShapeError",
    "Style",
    "StyleError",
    "__version__",
    "check_shape",
    "compare",
    "figure_text",
    "heatmap",
    "load_config",
    "load_matrices",
    "load_matrix",
    "parse_shape",
    "render",
    "save_figure",
    "save_matrix",
]


def __getattr__(name: str) -> Any:
    # Drawing pulls in matplotlib (~0.5 s): load it only when someone draws.
    if name == "render":
        from .plotting import render

        return render
    if name == "heatmap":
        from .plotting import heatmap

        return heatmap
    if name == "figure_text":  # colour names come from the colormaps (matplotlib.colors)
        from .views.alt_text import figure_text

        return figure_text
    if name == "compare":
        from .plotting.compare import compare

        return compare
    raise AttributeError(f"module 'attrmap' has no attribute {name!r}")
