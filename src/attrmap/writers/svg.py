"""SVG: the key in ``dc:identifier``; the title and alt text as the root's ``<title>``
and ``<desc>``, named by ``aria-labelledby``; pages are files of their own."""

from __future__ import annotations

import io
import re
from typing import IO, TYPE_CHECKING

from .base import KEY_PREFIX, Pages
from .drawn import DrawnWriter, Metadata, creator

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..views.alt_text import FigureText

_SVG_ROOT = re.compile(rb"<svg\b[^>]*>")


class SvgWriter(DrawnWriter):
    name = "svg"
    extensions = (".svg",)
    pages = Pages.FILES

    def metadata(self, key: str | None, text: FigureText | None) -> Metadata:
        metadata: Metadata = {"Creator": creator(), "Date": None}
        if key is not None:
            metadata["Identifier"] = KEY_PREFIX + key
        return metadata

    def savefig(
        self,
        figure: Figure,
        handle: IO[bytes],
        dpi: float,
        metadata: Metadata,
        text: FigureText | None,
    ) -> None:
        if text is None:
            figure.savefig(handle, format="svg", dpi=dpi, metadata=metadata)
            return
        buffer = io.BytesIO()
        figure.savefig(buffer, format="svg", dpi=dpi, metadata=metadata)
        handle.write(accessible_svg(buffer.getvalue(), text))


def accessible_svg(svg: bytes, text: FigureText) -> bytes:
    """``<title>`` and ``<desc>`` as the root's first children; the root gets
    ``role="img"`` and ``aria-labelledby`` naming both, as screen readers expect."""
    # Imported here: xml.sax.saxutils brings urllib.request, http.client and ssl, which
    # every other figure format would load for nothing (~25 ms of a one-file render).
    from xml.sax.saxutils import escape as xml_escape

    root = _SVG_ROOT.search(svg)
    if root is None:  # not matplotlib's SVG: a bug, not a user's mistake
        raise ValueError("no <svg> element to describe")
    opening = root[0][:-1] + b' role="img" aria-labelledby="attrmap-title attrmap-desc">'
    children = (
        f'\n <title id="attrmap-title">{xml_escape(text.title)}</title>'
        f'\n <desc id="attrmap-desc">{xml_escape(text.alt_text)}</desc>'
    ).encode()
    return svg[: root.start()] + opening + children + svg[root.end() :]


WRITER = SvgWriter()
