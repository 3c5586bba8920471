"""PDF: the title and alt text in the document's ``/Title`` and ``/Subject``, then the
key in ``/Keywords`` (read from the file's end); every page in one file."""

from __future__ import annotations

from pathlib import Path
from typing import IO, TYPE_CHECKING

from ..atomic import atomic_write
from .base import KEY_PREFIX, Pages, page_provenance
from .drawn import DrawnWriter, Metadata, creator

if TYPE_CHECKING:
    from ..plotting import Canvases, Page
    from ..style import Style
    from ..views.alt_text import FigureText

#: zlib level for a multi-page (long) PDF instead of matplotlib's 6: its thousands of
#: cells and numbers compress ~2x faster (1.6 s less for 1,000x8) for ~20 % more bytes.
PAGED_PDF_COMPRESSION = 1


class PdfWriter(DrawnWriter):
    name = "pdf"
    extensions = (".pdf",)
    pages = Pages.ONE_FILE

    def metadata(self, key: str | None, text: FigureText | None) -> Metadata:
        name = creator()
        metadata: Metadata = {
            "Creator": name,
            "Producer": name,
            "CreationDate": None,
            "ModDate": None,
        }
        if text is not None:
            metadata.update({"Title": text.title, "Subject": text.alt_text})
        if key is not None:
            metadata["Keywords"] = KEY_PREFIX + key
        return metadata

    def write_pages(
        self,
        plans: list[Page],
        style: Style,
        target: Path,
        key: str,
        text: FigureText,
        canvases: Canvases | None,
        workers: int,
    ) -> list[Path]:
        """Several pages: one document, each page its own (new) figure."""
        if len(plans) == 1:
            return super().write_pages(plans, style, target, key, text, canvases, workers)
        from matplotlib import rc_context
        from matplotlib.backends.backend_pdf import PdfPages

        from ..plotting import draw_pages
        from ..plotting.rc import isolated_rc

        figures = draw_pages(plans, style)
        metadata = self.metadata(page_provenance(key, len(figures)), text)

        def write(handle: IO[bytes]) -> None:
            fast_zlib = rc_context({"pdf.compression": PAGED_PDF_COMPRESSION})
            with isolated_rc(), fast_zlib, PdfPages(handle, metadata=metadata) as pdf:
                for figure in figures:
                    pdf.savefig(figure)

        atomic_write(target, write)
        return [Path(target)]


WRITER = PdfWriter()
