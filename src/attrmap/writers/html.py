"""HTML: a page written from the prepared data by ``views.html``, with no drawing and no
backend; the key in the page, the alt text as the table's own text. Never paged."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .base import KEY_PREFIX, Pages, Writer, save_bytes

if TYPE_CHECKING:
    from ..comparison import Comparison
    from ..model import AttributionMatrix
    from ..plotting import Canvases
    from ..style import Style


class HtmlWriter(Writer):
    name = "html"
    extensions = (".html",)
    pages = Pages.NONE
    draws = False
    carries_text = False

    def write(
        self,
        matrix: AttributionMatrix,
        style: Style,
        target: Path,
        key: str,
        canvases: Canvases | None = None,
        workers: int = 1,
    ) -> list[Path]:
        from ..prepared import prepare_data
        from ..views.html import heatmap_html

        page = heatmap_html(prepare_data(matrix, style), style, KEY_PREFIX + key)
        return [save_bytes(page, target)]

    def write_comparison(self, comparison: Comparison, target: Path, key: str) -> Path:
        from ..views.html import comparison_html

        return save_bytes(comparison_html(comparison, KEY_PREFIX + key), target)


WRITER = HtmlWriter()
