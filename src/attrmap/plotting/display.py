"""Figures that show themselves in Jupyter.

attrmap draws without pyplot, so Jupyter's inline backend never sees its figures: a
figure left as a cell's value printed as ``<Figure size ... with 2 Axes>``. These give
IPython the picture itself, drawn under the fixed rc settings as a saved figure is, and
at most ``MAX_PREVIEW_PIXELS``, so a long figure keeps a notebook small.
"""

from __future__ import annotations

import io
import math
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .rc import isolated_rc

#: The most pixels a notebook preview has: past it, the preview is drawn at a lower dpi.
MAX_PREVIEW_PIXELS = 4_000_000
_CSS_DPI = 96  # a browser's inch: the preview is shown at the figure's size in inches


class NotebookFigure(Figure):
    """A matplotlib Figure that IPython shows as a PNG (every figure attrmap makes)."""

    def _repr_png_(self) -> tuple[bytes, dict[str, int]]:
        """PNG bytes and the size to show them at (CSS pixels: sharp on HiDPI screens)."""
        width, height = self.get_size_inches()
        dpi = min(self.dpi, math.sqrt(MAX_PREVIEW_PIXELS / (width * height)))
        buffer = io.BytesIO()
        with isolated_rc():
            self.savefig(buffer, format="png", dpi=dpi)
        return buffer.getvalue(), {
            "width": round(width * _CSS_DPI),
            "height": round(height * _CSS_DPI),
        }

    def _repr_mimebundle_(
        self, include: Any = None, exclude: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        # IPython asks this before any formatter registered for Figure (pyplot's inline
        # backend would redraw it with the user's rc and a tight bounding box).
        png, size = self._repr_png_()
        return {"image/png": png, "text/plain": repr(self)}, {"image/png": size}


class FigureAxes(Axes):
    """The heatmap's Axes in a figure ``attrmap.heatmap`` made itself: shown in a
    notebook as that figure, as seaborn's Axes are shown by pyplot."""

    def _repr_mimebundle_(
        self, include: Any = None, exclude: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        figure = self.get_figure(root=True)
        if isinstance(figure, NotebookFigure):
            return figure._repr_mimebundle_(include, exclude)
        return {"text/plain": repr(self)}, {}
