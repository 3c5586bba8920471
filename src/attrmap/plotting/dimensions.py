"""The fixed sizes of a figure's parts, in inches (``_PT``: points), apart from the code
that measures text: ``sizing.py`` and ``text_flow.py`` lay pages out with them, and
``page_limits.surely_one_page`` bounds a page's size with them without loading fonts."""

from __future__ import annotations

# A grid (``sizing.py``, ``placement.py``).
PAD = 0.15  # inches of white space around everything
LABEL_PAD_PT = 3.5  # heatmap labels: no tick marks (as seaborn), just matplotlib's pad
TICK_OFFSET_PT = 3.5 + 3.5  # colorbar: tick length + label pad, matplotlib's defaults
COLORBAR_GAP = 0.2
COLORBAR_WIDTH = 0.22
MAX_COLORBAR_LENGTH = 6.0  # extend arrows are 5 % of it: at most 0.3 in
MIN_CELL_WIDTH = 0.9
MIN_CELL_HEIGHT = 0.45
COMPACT_CELL = 0.12  # without annotations cells may be this small

# Running text (``text_flow.py``).
#: Width of a text layout without ``--page`` or ``--width``: a page's text width, plus margins.
DEFAULT_TEXT_WIDTH = 8.0
TEXT_MARGIN = 0.25  # inches around everything without a paper size
TEXT_PAD_X, TEXT_PAD_Y = 0.012, 0.03  # inside a token's box, per 10 pt
LINE_GAP = 0.06  # between lines of boxes, per 10 pt
BLOCK_GAP = 0.22  # between expression blocks
TEXT_COLORBAR_GAP = 0.25
TEXT_COLORBAR_THICKNESS = 0.18
