"""The installed font files: where they are, and what each one is (family names, weight,
slant, which characters it has), read from its OpenType tables in pure Python: no
matplotlib import, so ``--check`` can key a figure by its fonts cheaply.

The folders are scanned once per process; ``fonts.py`` chooses among what is found.
"""

from __future__ import annotations

import bisect
import hashlib
import importlib.util
import mmap
import os
import struct
import sys
from functools import cache, cached_property, lru_cache
from pathlib import Path

from .errors import StyleError

FONT_EXTENSIONS = (".ttf", ".otf", ".ttc", ".otc")
#: A collection's face after its first is named ``path#index`` in a font chain and key;
#: its first face is named by the bare path, as it always was (its keys stay the same).
_FACE_MARK = "#"
#: Fonts whose "glyphs" are placeholder boxes for whole blocks (matplotlib ships one).
_PLACEHOLDER_FONTS = frozenset({"last resort", "last resort high-efficiency"})


# --------------------------------------------------------------------------- installed fonts


def face_entry(path: str, index: int = 0) -> str:
    """How a chain names face ``index`` of the file at ``path`` (see ``split_face``)."""
    return path if index == 0 else f"{path}{_FACE_MARK}{index}"


def split_face(entry: str) -> tuple[str, int]:
    """The file and face index a chain entry names: ``path#N`` only where ``path`` is a
    font file's name, so a bare path containing ``#`` is still that path."""
    head, mark, tail = entry.rpartition(_FACE_MARK)
    if mark and tail.isdigit() and head.lower().endswith(FONT_EXTENSIONS):
        return head, int(tail)
    return entry, 0


class FontFile:
    """One face of an installed font file (a collection, ``.ttc``/``.otc``, has several)."""

    def __init__(
        self,
        path: str,
        families: list[str],
        weight: int,
        italic: bool,
        scalable: bool = True,
        index: int = 0,
    ) -> None:
        self.path = path
        self.index = index  # the face in a collection
        self.entry = face_entry(path, index)  # what a font chain names it by
        self.family = families[0] if families else os.path.basename(path)
        self.names = frozenset(name.lower() for name in families)  # for matching --font
        self.weight = weight
        self.italic = italic
        self.scalable = scalable  # outlines; bitmap-only (colour emoji) fonts cannot be drawn

    @cached_property
    def _cmap(self) -> _Cmap:
        return _read_cmap(self.path, self.index)

    def covers(self, char: str) -> bool:
        return self._cmap.covers(ord(char))

    @property
    def rank(self) -> tuple:
        """Regular upright sans-serif text faces first; then by path, for determinism."""
        names = " ".join(sorted(self.names))
        decorative = any(word in names for word in ("mono", "math", "serif", "condensed"))
        sans = "sans" in names
        return (
            self.italic,
            abs(self.weight - 400),
            decorative and not sans,
            decorative,
            self.path,
            self.index,
        )


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
    return tuple(font for font in every_font_file() if font.scalable)


def every_font_file() -> tuple[FontFile, ...]:
    """Every face of every font file in the font folders, best candidates first."""
    fonts: list[FontFile] = []
    seen: set[str] = set()
    for folder in font_folders():
        for root, dirs, files in os.walk(folder):
            dirs.sort()
            for name in sorted(files):
                if name.lower().endswith(FONT_EXTENSIONS):
                    path = os.path.realpath(os.path.join(root, name))
                    if path in seen:
                        continue
                    seen.add(path)
                    for font in _try_faces(path):
                        if not font.names & _PLACEHOLDER_FONTS:
                            fonts.append(font)
    return tuple(sorted(fonts, key=lambda font: font.rank))


@cache
def font_at(entry: str) -> FontFile:
    """The face a chain entry names (a path, or ``path#N`` for a collection's face N)."""
    path, index = split_face(entry)
    font = _try_font(path, index)
    if font is None:
        raise StyleError(f"{path}: cannot read this font file")
    return font


@lru_cache(maxsize=1)
def dejavu_sans_file() -> FontFile:
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise StyleError("matplotlib is not installed: its DejaVu Sans is attrmap's font")
    folder = Path(spec.submodule_search_locations[0]) / "mpl-data" / "fonts" / "ttf"
    return font_at(str(folder / "DejaVuSans.ttf"))


@lru_cache(maxsize=64)
def _digest(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def file_digest(path: str) -> str:
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


def _face_count(data: bytes | mmap.mmap) -> int:
    """How many faces a file holds: a collection's count, else one."""
    return struct.unpack_from(">I", data, 8)[0] if data[:4] == b"ttcf" else 1


def _tables(data: bytes | mmap.mmap, index: int = 0) -> dict[bytes, tuple[int, int]]:
    """The table directory of face ``index``: tag -> (start, length), only tables that lie
    within the file (a damaged entry is as good as absent)."""
    offset = struct.unpack_from(">I", data, 12 + 4 * index)[0] if data[:4] == b"ttcf" else 0
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


def _open(path: str, index: int = 0) -> tuple[mmap.mmap, dict[bytes, tuple[int, int]]]:
    with open(path, "rb") as handle:
        data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    try:
        return data, _tables(data, index)
    except (ValueError, struct.error):
        data.close()
        raise


#: More faces than any real collection has: a damaged count is not read on and on.
_MAX_FACES = 256


def _try_faces(path: str) -> list[FontFile]:
    """Every readable face of a font file (one, unless it is a collection)."""
    try:
        with open(path, "rb") as handle:
            count = _face_count(handle.read(12).ljust(12, b"\0"))
    except (OSError, struct.error):
        return []
    faces = (_try_font(path, index) for index in range(min(count, _MAX_FACES)))
    return [font for font in faces if font is not None]


def _try_font(path: str, index: int = 0) -> FontFile | None:
    """A face's names, weight and slant; None if it is not a font we can read."""
    try:
        data, tables = _open(path, index)
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
    return FontFile(path, names, weight, italic, scalable, index)


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


def _read_cmap(path: str, index: int = 0) -> _Cmap:
    """The best Unicode subtable of the face's ``cmap``; empty if it has none."""
    try:
        data, tables = _open(path, index)
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
