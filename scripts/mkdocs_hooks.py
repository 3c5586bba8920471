"""MkDocs hooks: draw the gallery (``scripts/gallery.py``) into the build.

The gallery page and its pictures are generated into a temporary folder and added to the
site as generated files, so no figure is committed and every picture shows what this
checkout draws.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gallery

_folder = tempfile.TemporaryDirectory(prefix="attrmap-gallery-")


def on_files(files: Files, config: Any) -> Files:
    out = Path(_folder.name)
    for path in gallery.build(out):
        uri = path.relative_to(out).as_posix()
        files.append(File.generated(config, uri, abs_src_path=str(path)))
    return files
