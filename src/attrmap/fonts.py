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

import bisect
import hashlib
import importlib.util
import mmap
import os
import struct
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from pathlib import Path

from .errors import MissingGlyphsWarning, StyleError
from .labels import display_axes, display_label, resolve_token_mode
from .model import AttributionMatrix
from .style import Style

#: matplotlib's bundled default font: always first unless ``--font`` says otherwise.
DEJAVU_SANS = "DejaVu Sans"
FONT_EXTENSIONS = (".ttf", ".otf", ".ttc")
_DEJAVU_COVERS_ALL_BELOW = 0x250  # ASCII, Latin-1 and Latin Extended-A/B: no lookup
#: Fonts whose "glyphs" are placeholder boxes for whole blocks (matplotlib ships one).
_PLACEHOLDER_FONTS = frozenset({"last resort", "last resort high-efficiency"})


@dataclass(frozen=True)
class FontChoice:
    """The fonts a figure's labels are drawn in, first choice first.

    ``chain`` holds ``DEJAVU_SANS`` (matplotlib's bundled file) or font file paths;
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
            [entry] if entry == DEJAVU_SANS else [os.path.basename(entry), _file_digest(entry)]
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
        dejavu = _dejavu_sans()
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
        ranked = [font.path for font in candidates if font in chosen]
        return FontChoice((DEJAVU_SANS, *ranked), tuple(missing))
    chain = [_find_family(name) for name in requested]
    if DEJAVU_SANS not in chain:
        chain.append(DEJAVU_SANS)  # a last resort, for what the chosen fonts lack
    fonts = [_dejavu_sans() if entry == DEJAVU_SANS else _font_at(entry) for entry in chain]
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


# --------------------------------------------------------------------------- installed fonts


class FontFile:
    """One installed font file (its first face, as matplotlib uses it)."""

    def __init__(
        self, path: str, families: list[str], weight: int, italic: bool, scalable: bool = True
    ) -> None:
        self.path = path
        self.family = families[0] if families else os.path.basename(path)
        self.names = frozenset(name.lower() for name in families)  # for matching --font
        self.weight = weight
        self.italic = italic
        self.scalable = scalable  # outlines; bitmap-only (colour emoji) fonts cannot be drawn

    @cached_property
    def _cmap(self) -> _Cmap:
        return _read_cmap(self.path)

    def covers(self, char: str) -> bool:
        return self._cmap.covers(ord(char))

    @property
    def rank(self) -> tuple:
        """Regular upright sans-serif text faces first; then by path, for determinism."""
        names = " ".join(sorted(self.names))
        decorative = any(word in names for word in ("mono", "math", "serif", "condensed"))
        sans = "sans" in names
        return (self.italic, abs(self.weight - 400), decorative and not sans, decorative, self.path)


#: Folders (``os.pathsep``-separated) searched instead of the system's font folders:
#: figures drawn only with the fonts a project ships, whatever else a machine has.
FONT_PATH_VARIABLE = "ATTRMAP_FONT_PATH"


def font_folders() -> list[Path]:
    """Where fonts are installed on this platform (matplotlib's own folder first), or
    the folders ``$ATTRMAP_FONT_PATH`` names (matplotlib's own folder still first)."""
    folders = []
    spec = importlib.util.find_spec("matplotlib")  # finds it without importing it
    if spec is not None and spec.submodule_search_locations:
        folders.append(Path(spec.submodule_search_locations[0]) / "mpl-data" / "fonts" / "ttf")
    chosen = os.environ.get(FONT_PATH_VARIABLE)
    if chosen is not None:
        return list(dict.fromkeys([*folders, *(Path(d) for d in chosen.split(os.pathsep) if d)]))
    home = Path.home()
    if sys.platform == "win32":
        windir = os.environ.get("WINDIR", r"C:\Windows")
        folders.append(Path(windir) / "Fonts")
        local = os.environ.get("LOCALAPPDATA")
        if local:
            folders.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
    elif sys.platform == "darwin":
        folders += [Path("/Library/Fonts"), Path("/System/Library/Fonts"), home / "Library/Fonts"]
    else:
        data_home = os.environ.get("XDG_DATA_HOME") or str(home / ".local" / "share")
        data_dirs = os.environ.get("XDG_DATA_DIRS", "").split(":")
        # The standard folders too: a desktop session may set XDG_DATA_DIRS without them.
        data_dirs += ["/usr/local/share", "/usr/share"]
        folders += [Path(d) / "fonts" for d in [data_home, *data_dirs] if d]
        folders.append(home / ".fonts")
    return list(dict.fromkeys(folders))


@lru_cache(maxsize=1)
def installed_fonts() -> tuple[FontFile, ...]:
    """Every readable font file in the font folders that matplotlib can draw, best
    candidates first. Bitmap-only fonts (colour emoji: CBDT, sbix) are left out: FreeType
    cannot scale them and matplotlib refuses them, so they are never a fallback."""
    return tuple(font for font in _font_files() if font.scalable)


def _font_files() -> tuple[FontFile, ...]:
    fonts = {}
    for folder in font_folders():
        for root, dirs, files in os.walk(folder):
            dirs.sort()
            for name in sorted(files):
                if name.lower().endswith(FONT_EXTENSIONS):
                    path = os.path.realpath(os.path.join(root, name))
                    if path not in fonts:
                        font = _try_font(path)
                        if font is not None and not font.names & _PLACEHOLDER_FONTS:
                            fonts[path] = font
    return tuple(sorted(fonts.values(), key=lambda font: font.rank))


def installed_families() -> list[str]:
    return sorted({font.family for font in installed_fonts()}, key=str.lower)


def check_fonts(families: Iterable[str]) -> None:
    """Refuse a ``--font`` that is not installed, before any input is read."""
    for name in families:
        _find_family(name)


def _find_family(name: str) -> str:
    """The file for ``--font NAME``: its regular upright face if it has several."""
    if name.lower() == DEJAVU_SANS.lower():
        return DEJAVU_SANS
    for font in installed_fonts():  # ranked: regular faces first
        if name.lower() in font.names:
            return font.path
    if any(name.lower() in font.names for font in _font_files()):  # only on this error path
        raise StyleError(
            f"font {name!r} is a bitmap font (colour emoji) that figures cannot be drawn "
            f"with; installed outline families: {', '.join(installed_families())}"
        )
    raise StyleError(
        f"font {name!r} is not installed; installed families: {', '.join(installed_families())}"
    )


@cache
def _font_at(path: str) -> FontFile:
    font = _try_font(path)
    if font is None:
        raise StyleError(f"{path}: cannot read this font file")
    return font


@lru_cache(maxsize=1)
def _dejavu_sans() -> FontFile:
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise StyleError("matplotlib is not installed: its DejaVu Sans is attrmap's font")
    folder = Path(spec.submodule_search_locations[0]) / "mpl-data" / "fonts" / "ttf"
    return _font_at(str(folder / "DejaVuSans.ttf"))


@lru_cache(maxsize=64)
def _digest(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def _file_digest(path: str) -> str:
    stat = os.stat(path)
    return _digest(path, stat.st_size, stat.st_mtime_ns)


# --------------------------------------------------------------------------- OpenType tables


class _Cmap:
    """A font's character map: format 12 (all planes) or format 4 (BMP) segments."""

    def __init__(self, starts: list[int], ends: list[int], lookup=None) -> None:
        self.starts, self.ends, self.lookup = starts, ends, lookup

    def covers(self, codepoint: int) -> bool:
        index = bisect.bisect_left(self.ends, codepoint)
        if index == len(self.ends) or self.starts[index] > codepoint:
            return False
        return self.lookup is None or self.lookup(index, codepoint) != 0


def _tables(data: bytes | mmap.mmap) -> dict[bytes, tuple[int, int]]:
    """The table directory (of a collection's first face): tag -> (start, length), only
    tables that lie within the file (a damaged entry is as good as absent)."""
    offset = struct.unpack_from(">I", data, 12)[0] if data[:4] == b"ttcf" else 0
    count = struct.unpack_from(">H", data, offset + 4)[0]
    tables = {}
    for index in range(count):
        tag, _, start, length = struct.unpack_from(">4sIII", data, offset + 12 + 16 * index)
        if start + length <= len(data):
            tables[tag] = (start, length)
    return tables


#: Tables FreeType needs to open a face at all, and, for outlines, to lay them out.
_REQUIRED_TABLES = (b"head", b"maxp", b"cmap")
_OUTLINE_TABLES = ((b"glyf", b"loca"), (b"CFF ",), (b"CFF2",))
_HEAD_MAGIC = 0x5F0F3CF5


def _open(path: str) -> tuple[mmap.mmap, dict[bytes, tuple[int, int]]]:
    with open(path, "rb") as handle:
        data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    return data, _tables(data)


def _try_font(path: str) -> FontFile | None:
    """A font file's names, weight and slant; None if it is not a font we can read."""
    try:
        data, tables = _open(path)
        with data:
            if not all(tag in tables for tag in _REQUIRED_TABLES):
                return None
            if struct.unpack_from(">I", data, tables[b"head"][0] + 12)[0] != _HEAD_MAGIC:
                return None  # not a font, or a damaged one FreeType would refuse
            names = _family_names(data, tables[b"name"][0]) if b"name" in tables else []
            weight, italic = 400, False
            scalable = b"hhea" in tables and any(
                all(tag in tables for tag in outline) for outline in _OUTLINE_TABLES
            )
            if b"OS/2" in tables:
                start = tables[b"OS/2"][0]
                weight = struct.unpack_from(">H", data, start + 4)[0]
                italic = bool(struct.unpack_from(">H", data, start + 62)[0] & 1)
    except (OSError, ValueError, struct.error, KeyError):
        return None
    return FontFile(path, names, weight, italic, scalable)


def _family_names(data, start: int) -> list[str]:
    """Family names (IDs 1 and 16), Windows English first: the name fonts are known by."""
    _, count, strings = struct.unpack_from(">HHH", data, start)
    names: list[str] = []
    for index in range(count):
        platform, encoding, language, name_id, length, offset = struct.unpack_from(
            ">HHHHHH", data, start + 6 + 12 * index
        )
        if name_id not in (1, 16):
            continue
        raw = bytes(data[start + strings + offset : start + strings + offset + length])
        if platform in (0, 3):
            text = raw.decode("utf-16-be", "replace")
        elif platform == 1 and encoding == 0:
            text = raw.decode("mac_roman", "replace")
        else:
            continue
        if platform == 3 and language == 0x409 and name_id == 1:
            names.insert(0, text.strip())
        else:
            names.append(text.strip())
    return list(dict.fromkeys(names))


def _read_cmap(path: str) -> _Cmap:
    """The best Unicode subtable of the font's ``cmap``; empty if it has none."""
    try:
        data, tables = _open(path)
    except (OSError, ValueError, struct.error):
        return _Cmap([], [])
    with data:
        try:
            return _best_cmap(data, tables)
        except (ValueError, struct.error, KeyError, IndexError):  # a damaged table
            return _Cmap([], [])


def _best_cmap(data: mmap.mmap, tables: dict[bytes, tuple[int, int]]) -> _Cmap:
    start = tables[b"cmap"][0]
    _, count = struct.unpack_from(">HH", data, start)
    subtables: dict[int, int] = {}
    for index in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", data, start + 4 + 8 * index)
        form = struct.unpack_from(">H", data, start + offset)[0]
        if platform == 0 or (platform == 3 and encoding in (1, 10)):
            subtables.setdefault(form, start + offset)
    if 12 in subtables:
        return _cmap_format_12(data, subtables[12])
    if 4 in subtables:
        return _cmap_format_4(data, subtables[4], start + tables[b"cmap"][1])
    return _Cmap([], [])


def _cmap_format_12(data, start: int) -> _Cmap:
    groups = struct.unpack_from(">I", data, start + 12)[0]
    flat = struct.unpack_from(f">{3 * groups}I", data, start + 16)
    return _Cmap(list(flat[0::3]), list(flat[1::3]))


def _cmap_format_4(data, start: int, table_end: int) -> _Cmap:
    segments = struct.unpack_from(">H", data, start + 6)[0] // 2
    ends = list(struct.unpack_from(f">{segments}H", data, start + 14))
    starts = list(struct.unpack_from(f">{segments}H", data, start + 16 + 2 * segments))
    deltas = struct.unpack_from(f">{segments}H", data, start + 16 + 4 * segments)
    range_at = start + 16 + 6 * segments
    ranges = struct.unpack_from(f">{segments}H", data, range_at)
    # To the end of the cmap table: the subtable's 16-bit length overflows in big fonts.
    glyph_ids = bytes(data[range_at:table_end])

    def lookup(index: int, codepoint: int) -> int:
        if ranges[index] == 0:
            return (codepoint + deltas[index]) & 0xFFFF
        at = 2 * index + ranges[index] + 2 * (codepoint - starts[index])
        glyph = struct.unpack_from(">H", glyph_ids, at)[0] if at + 2 <= len(glyph_ids) else 0
        return (glyph + deltas[index]) & 0xFFFF if glyph else 0

    return _Cmap(starts, ends, lookup)
