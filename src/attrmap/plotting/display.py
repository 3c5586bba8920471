"""Figures that show themselves in Jupyter.

attrmap draws without pyplot, so Jupyter's inline backend never sees its figures: a
figure left as a cell's value printed as ``<Figure size ... with 2 Axes>``. These give
IPython the picture itself, drawn under the fixed rc settings as a saved figure is, and
at most ``MAX_PREVIEW_PIXELS``, so a long figure keeps a notebook small.
"""

from __future__ import annotations

import io
import math
import sys
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .rc import isolated_rc

#: The most pixels a notebook preview has: past it, the preview is drawn at a lower dpi.
MAX_PREVIEW_PIXELS = 4_000_000
_CSS_DPI = 96  # a browser's inch: the preview is shown at the figure's size in inches


class NotebookFigure(Figure):
    """A matplotlib Figure that IPython shows as a PNG (every figure attrmap makes)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _register_with_ipython()

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


_registered_shells: set[int] = set()


def _register_with_ipython() -> None:
    """In IPython, make ``_repr_png_`` this class's PNG printer. pyplot's inline backend
    registers a printer for every Figure, and a registered printer beats any ``_repr_*_``
    method; IPython looks printers up by class, most specific first, so this one wins."""
    ipython = sys.modules.get("IPython")  # never imported here: only if already running
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or id(shell) in _registered_shells:
        return
    formatter = shell.display_formatter.formatters.get("image/png")
    if formatter is not None:
        formatter.for_type(NotebookFigure, NotebookFigure._repr_png_)
    _registered_shells.add(id(shell))


class FigureAxes(Axes):
    """The heatmap's Axes in a figure ``attrmap.heatmap`` made itself: shown in a
    notebook as that figure, as seaborn's Axes are shown by pyplot."""

    def _repr_mimebundle_(
        self, include: Any = None, exclude: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        figure = self.get_figure(root=True)
        if not isinstance(figure, NotebookFigure):
            return {"text/plain": repr(self)}, {}
        png, size = figure._repr_png_()
        return {"image/png": png, "text/plain": repr(self)}, {"image/png": size}
