"""Views of a prepared heatmap that are not matplotlib figures: HTML (``html.py``), a
written description and alt text (``describe.py``, ``alt_text.py``) and a terminal
heatmap (``terminal.py``).

Each reads ``prepared.HeatmapData`` and the colours of ``scale``, so it shows exactly
what the figure shows, without pyplot or a matplotlib backend. This package file imports
nothing, so the CLI can name the formats without loading colormaps.
"""

from __future__ import annotations

DESCRIPTION_FORMATS = ("markdown", "text", "json")
COLOR_CHOICES = ("auto", "always", "never")
