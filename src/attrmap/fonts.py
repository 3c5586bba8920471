"""Which font files draw a figure's labels: DejaVu Sans, then installed fonts for what it lacks.

Pure Python (it reads the fonts' ``cmap`` and ``name`` tables itself), so the figure key,
which names the fonts a figure is drawn with, costs ``--check`` no matplotlib import. Only
labels with characters DejaVu Sans lacks look further: the installed font folders are
scanned (once per process), so a font installed after matplotlib built its font cache is
found too. Figures whose labels DejaVu Sans covers are drawn exactly as before.

The choice is deterministic: candidates are ranked (regular upright sans first, then by
path) and every character goes to the best-ranked font that has it. The chain handed to
matplotlib is the chosen fonts in that rank order, so matplotlib's own per-glyph fallback
picks the same font for every character as this module did.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .errors import MissingGlyphsWarning, StyleError
from .font_files import (
    FontFile,
    dejavu_sans_file,
    every_font_file,
    file_digest,
    font_at,
    installed_fonts,
    split_face,
)
from .labels import display_axes, display_label, resolve_token_mode
from .model import AttributionMatrix
from .style import Style

#: matplotlib's bundled default font: always first unless ``--font`` says otherwise.
DEJAVU_SANS = "DejaVu Sans"
_DEJAVU_COVERS_ALL_BELOW = 0x250  # ASCII, Latin-1 and Latin Extended-A/B: no lookup


@dataclass(frozen=True)
class FontChoice:
    """The fonts a figure's labels are drawn in, first choice first.

    ``chain`` holds ``DEJAVU_SANS`` (matplotlib's bundled file) or font file paths
    (``path#N`` for face N > 0 of a collection, see ``font_files.face_entry``);
    ``missing`` the characters no font in the chain has (drawn as boxes).
    """

    chain: tuple[str, ...] = (DEJAVU_SANS,)
    missing: tuple[str, ...] = ()
    requested: bool = False  # the chain is the user's (--font), not chosen automatically

    def missing_messages(self, source: str = "<figure>") -> list[MissingGlyphsWarning]:
        """The characters drawn as boxes, as one warning naming the figure's input (none
        when every character has a font)."""
        if not self.missing:
            return []
        return [missing_glyphs_warning(self.missing, source, self.requested)]

    @property
    def families(self) -> tuple[str, ...]:
        """``font.family`` for matplotlib (see ``register``)."""
        return tuple(entry if entry == DEJAVU_SANS else font_alias(entry) for entry in self.chain)

    @property
    def files(self) -> tuple[str, ...]:
        """The font files besides matplotlib's bundled DejaVu Sans."""
        return tuple(entry for entry in self.chain if entry != DEJAVU_SANS)

    def key(self) -> list[list[str]] | None:
        """What the figure key records: each file's name and content digest (not its
        path, so a committed figure is current on any machine with the same fonts).
        None for DejaVu Sans alone, so such figures keep the key they always had."""
        if self.chain == (DEJAVU_SANS,):
            return None
        return [
            [entry]
            if entry == DEJAVU_SANS
            else [os.path.basename(entry), file_digest(split_face(entry)[0])]
            for entry in self.chain
        ]


DEFAULT_FONTS = FontChoice()


def font_alias(path: str) -> str:
    """The family name a chosen file is registered under with matplotlib: exactly that
    file, whatever other files share its family name (no ``:`` or ``-``, which a
    fontconfig pattern would read)."""
    return (
        "attrmap font " + hashlib.sha256(path.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    )


def fonts_for(matrix: AttributionMatrix, style: Style) -> FontChoice:
    """The fonts a figure of ``matrix`` is drawn in: one answer for the figure key and
    for drawing, from the labels exactly as drawn."""
    mode = resolve_token_mode(style.tokens, matrix.token_style)
    tokens, expressions = display_axes(matrix.tokens, matrix.expressions, mode)
    title = style.title_for(matrix.title)
    texts = [*tokens, *expressions, display_label(title or ""), display_label(style.colorbar_label)]
    return choose_fonts(texts, style.fonts)


def choose_fonts(texts: Iterable[str], requested: Iterable[str] = ()) -> FontChoice:
    """The fonts that draw ``texts``: the requested families (``--font``), else DejaVu
    Sans plus, for characters it lacks, the best installed font that has each."""
    requested = tuple(requested)
    chars = {char for text in texts for char in text if ord(char) >= _DEJAVU_COVERS_ALL_BELOW}
    if not requested:
        if not chars:
            return DEFAULT_FONTS
        dejavu = dejavu_sans_file()
        lacking = sorted(c for c in chars if not _drawn_without_glyph(c) and not dejavu.covers(c))
        if not lacking:
            return DEFAULT_FONTS
        candidates = installed_fonts()
        chosen: set[FontFile] = set()
        missing = []
        for char in lacking:
            font = next((f for f in candidates if f.covers(char)), None)
            if font is None:
                missing.append(char)
            else:
                chosen.add(font)
        ranked = [font.entry for font in candidates if font in chosen]
        return FontChoice((DEJAVU_SANS, *ranked), tuple(missing))
    chain = [_find_family(name) for name in requested]
    if DEJAVU_SANS not in chain:
        chain.append(DEJAVU_SANS)  # a last resort, for what the chosen fonts lack
    fonts = [dejavu_sans_file() if entry == DEJAVU_SANS else font_at(entry) for entry in chain]
    missing = sorted(
        c
        for c in chars
        if not _drawn_without_glyph(c) and not any(font.covers(c) for font in fonts)
    )
    return FontChoice(tuple(dict.fromkeys(chain)), tuple(missing), requested=True)


#: A missing-glyph warning lists at most this many characters, then "and N more".
LISTED_CHARACTERS = 6


def missing_glyphs_warning(
    chars: Sequence[str], source: str, requested: bool = False
) -> MissingGlyphsWarning:
    """One line for the characters of a figure drawn as boxes, naming one font (of those
    installed, for a ``fonts=...`` chain) or one package that has them."""
    where = "none of the fonts chosen (fonts=...)" if requested else "no installed font"
    listed = ", ".join(
        f"{char!r} (U+{ord(char):04X} {unicodedata.name(char, 'unnamed character')})"
        for char in chars[:LISTED_CHARACTERS]
    )
    if len(chars) > LISTED_CHARACTERS:
        listed += f" and {len(chars) - LISTED_CHARACTERS} more"
    installed = next((font for font in installed_fonts() if font.covers(chars[0])), None)
    if requested and installed is not None:
        remedy = f"add {installed.family!r} to fonts=..., which has {chars[0]!r}"
    else:
        packages = Counter(_suggested_package(char) for char in chars)
        remedy = f"install a font that has them, e.g. {packages.most_common(1)[0][0]}"
    drawn = "it is drawn as a box" if len(chars) == 1 else "they are drawn as boxes"
    return MissingGlyphsWarning(
        source,
        f"{where} has {listed}; {drawn}: {remedy}",
        detail="".join(chars[:LISTED_CHARACTERS]),
    )


def _suggested_package(char: str) -> str:
    script = unicodedata.name(char, "").split(" ")[0]
    if script in {"CJK", "HIRAGANA", "KATAKANA", "HANGUL", "BOPOMOFO", "IDEOGRAPHIC"}:
        return "fonts-noto-cjk (Debian/Ubuntu) or Noto Sans CJK"
    if unicodedata.category(char) == "So":
        return "fonts-symbola (Debian/Ubuntu) or Symbola"
    return "fonts-noto-core (Debian/Ubuntu) or the Noto font for its script"


def _drawn_without_glyph(char: str) -> bool:
    """Joiners, variation selectors and tags: shaped away, never drawn as a box."""
    return unicodedata.category(char) in {"Cf", "Mn"} and (
        char in "\u200c\u200d" or "\ufe00" <= char <= "\ufe0f" or 0xE0000 <= ord(char) <= 0xE01EF
    )


def installed_families() -> list[str]:
    return sorted({font.family for font in installed_fonts()}, key=str.lower)


def check_fonts(families: Iterable[str]) -> None:
    """Refuse a ``--font`` that is not installed, before any input is read."""
    for name in families:
        _find_family(name)


def _find_family(name: str) -> str:
    """The face for ``--font NAME``: its regular upright face if it has several."""
    if name.lower() == DEJAVU_SANS.lower():
        return DEJAVU_SANS
    for font in installed_fonts():  # ranked: regular faces first
        if name.lower() in font.names:
            return font.entry
    if any(name.lower() in font.names for font in every_font_file()):  # only on this error path
        raise StyleError(
            f"font {name!r} is a bitmap font (colour emoji) that figures cannot be drawn "
            f"with; installed outline families: {', '.join(installed_families())}"
        )
    raise StyleError(
        f"font {name!r} is not installed; installed families: {', '.join(installed_families())}"
    )
