"""How a matrix shows itself in Jupyter: its heatmap as the HTML view (``html.py``), not
a matplotlib figure, cut to its first tokens when long.

Installed on ``AttributionMatrix`` here, as ``interop`` installs the constructors: the
model sits below the views and imports none of them.
"""

from __future__ import annotations

from ..model import AttributionMatrix
from ..style import Style


def matrix_html(matrix: AttributionMatrix) -> str:
    """The matrix as its heatmap, in the default style and its own token style."""
    from ..prepared import prepare_data  # colours load matplotlib's colormaps: on display
    from .html import notebook_html

    style = Style()
    return notebook_html(prepare_data(matrix, style), style)


AttributionMatrix._repr_html_ = matrix_html
