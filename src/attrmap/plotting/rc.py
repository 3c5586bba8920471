"""The fixed matplotlib settings every attrmap figure is drawn and saved under."""

from __future__ import annotations

import contextlib

import matplotlib.style

#: Fixed rc settings: the same input gives the same file on every machine with the same
#: versions, whatever the user's matplotlibrc says.
RC = {
    "font.family": "DejaVu Sans",
    "text.parse_math": False,
    "axes.unicode_minus": True,
    "svg.hashsalt": "attrmap",
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
    "path.simplify": True,
}


def isolated_rc() -> contextlib.AbstractContextManager:
    """matplotlib's defaults plus ``RC``: a user's matplotlibrc (``text.usetex``,
    ``savefig.bbox``, colours, fonts) never changes a figure or its bytes."""
    return matplotlib.style.context(["default", RC])
