"""How large a text is, in inches, from font metrics (no renderer, dpi-independent):
measured in the figure's font chain (``measuring_in``), cached, and a grid's label
extents at one font size (``LabelExtents``)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass

from matplotlib.font_manager import FontProperties, fontManager, get_font
from matplotlib.ft2font import LoadFlags
from matplotlib.textpath import TextToPath

from ..fonts import DEJAVU_SANS
from ..prepared import HeatmapData

#: The font chain labels are measured in while a figure is laid out (``plan_pages``).
MEASURING_FONTS: ContextVar[tuple[str, ...]] = ContextVar(
    "attrmap_layout_fonts", default=(DEJAVU_SANS,)
)


@contextlib.contextmanager
def measuring_in(fonts: Sequence[str]) -> Iterator[None]:
    """Within this block, labels are measured in ``fonts`` (the figure's font chain)."""
    token = MEASURING_FONTS.set(tuple(fonts))
    try:
        yield
    finally:
        MEASURING_FONTS.reset(token)


def text_size(text: str, size: float) -> tuple[float, float]:
    """Width and height in inches of ``text`` in the figure's fonts."""
    return text_size_in(text, size, MEASURING_FONTS.get())


def text_size_in(text: str, size: float, families: tuple[str, ...]) -> tuple[float, float]:
    """Width and height in inches, from font metrics (no renderer, dpi-independent)."""
    width, height, _ = text_extent_in(text, size, families)
    return width, height


def text_widths_in(texts: Sequence[str], size: float, families: tuple[str, ...]) -> list[float]:
    """``text_size_in(text, size, families)[0]`` of each text, measured together."""
    extents = _extents(texts, families)
    return [_inches(w, size) if t else 0.0 for t, (w, _, _) in zip(texts, extents, strict=True)]


def text_extent(text: str, size: float) -> tuple[float, float, float]:
    """Width, height and descent in inches of ``text`` in the figure's fonts: for placing
    text on a baseline (the text-flow layout)."""
    return text_extent_in(text, size, MEASURING_FONTS.get())


def text_extent_in(text: str, size: float, families: tuple[str, ...]) -> tuple[float, float, float]:
    if not text:
        return 0.0, 0.0, 0.0
    width, height, descent = _extents([text], families)[0]
    return _inches(width, size), _inches(height, size), _inches(descent, size)


def _inches(points: float, size: float) -> float:
    """A length measured at TextToPath's font size, at ``size`` and in inches (scaled as
    TextToPath scales its measurement)."""
    return points * (size / _TEXT_TO_PATH.FONT_SCALE) / 72


def _extents(texts: Sequence[str], families: tuple[str, ...]) -> list[tuple[float, float, float]]:
    """Width, height and descent (points) of each text at TextToPath's font size, as its
    ``get_text_width_height_descent`` measures them (the same calls, unhinted): kept per
    text, since the size only scales them, and the texts not yet kept measured with one
    font lookup (a long grid's thousand labels took 30 ms more one by one)."""
    missing = {text for text in texts if (text, families) not in _EXTENTS}
    if missing:
        if len(_EXTENTS) + len(missing) > _KEPT_EXTENTS:
            _EXTENTS.clear()
        prop = FontProperties(family=list(families), size=_TEXT_TO_PATH.FONT_SCALE)
        font = get_font(fontManager._find_fonts_by_props(prop))  # as TextToPath finds it
        font.set_size(_TEXT_TO_PATH.FONT_SCALE, _TEXT_TO_PATH.DPI)
        for text in missing:
            font.set_text(text, 0.0, flags=LoadFlags.NO_HINTING)
            width, height = font.get_width_height()
            _EXTENTS[(text, families)] = (width / 64.0, height / 64.0, font.get_descent() / 64.0)
    return [_EXTENTS[(text, families)] for text in texts]


_EXTENTS: dict[tuple[str, tuple[str, ...]], tuple[float, float, float]] = {}
_KEPT_EXTENTS = 262144


_TEXT_TO_PATH = TextToPath()


@dataclass(frozen=True)
class LabelExtents:
    """Label extents of a grid at one font size."""

    row_width: float
    column_sizes: tuple[tuple[float, float], ...]
    line_height: float
    tick_width: float
    colorbar_label: tuple[float, float]
    title_width: float

    @property
    def column_width(self) -> float:
        return max(w for w, _ in self.column_sizes)


def measure_labels(data: HeatmapData, size: float) -> LabelExtents:
    """Label extents at ``size``; remembered per grid, as fitting tries many sizes."""
    labels = (data.tokens, data.expressions)
    key = (
        *map(id, labels),
        data.title,
        data.tick_labels,
        data.colorbar_label,
        size,
        MEASURING_FONTS.get(),
    )
    cached = _MEASURED.get(key)
    if cached is None or any(a is not b for a, b in zip(cached[0], labels, strict=True)):
        if len(_MEASURED) > 256:
            _MEASURED.clear()
        cached = _MEASURED[key] = (labels, _measure_uncached(data, size))
    return cached[1]


_MEASURED: dict[tuple, tuple[tuple[list[str], list[str]], LabelExtents]] = {}


def _measure_uncached(data: HeatmapData, size: float) -> LabelExtents:
    ticks = [text_size(label, size)[0] for label in data.tick_labels]
    # 1.0's reference layout measured "-" + each tick at 2 decimals; keep that width as
    # a floor so the reference figure keeps its exact size.
    legacy = [text_size(f"\u2212{t:.2f}", size)[0] for t in data.ticks]
    return LabelExtents(
        row_width=max(text_widths_in(data.tokens, size, MEASURING_FONTS.get())),
        column_sizes=tuple(text_size(e, size) for e in data.expressions),
        line_height=text_size("Ag", size)[1],
        tick_width=max(ticks + legacy),
        colorbar_label=text_size(data.colorbar_label, size),
        title_width=text_size(data.title or "", size * 1.2)[0],
    )


def annotation_width(data: HeatmapData, size: float) -> float:
    # Digits share one advance width, so "-0.1234" is as wide as "-0.0000": measuring
    # each number's shape, not each number, keeps this cheap and its cache small.
    return max(text_size(shape, size)[0] for shape in annotation_shapes(data.annotations))


def annotation_shapes(annotations: list[str]) -> frozenset[str]:
    """The distinct shapes of the numbers (digits as 0), remembered for the list last
    asked about: fitting tries many sizes, and a 250,000-cell grid has as many numbers."""
    cached = _SHAPES.get(id(annotations))
    if cached is not None and cached[0] is annotations:
        return cached[1]
    shapes = frozenset(a.translate(_ZEROS) for a in set(annotations) if a) or frozenset({"0"})
    _SHAPES.clear()
    _SHAPES[id(annotations)] = (annotations, shapes)
    return shapes


_ZEROS = str.maketrans("123456789", "000000000")
_SHAPES: dict[int, tuple[list[str], frozenset[str]]] = {}
