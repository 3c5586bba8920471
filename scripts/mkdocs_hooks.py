r"""MkDocs hooks: the generated pages of the documentation.

- The gallery (``scripts/gallery.py``): its page and pictures are drawn into a temporary
  folder and added to the site, so no figure is committed and every picture shows what
  this checkout draws.
- Tables: GitHub needs ``\|`` for a pipe inside a code span in a table, Python-Markdown
  shows the backslash; the pages are written for GitHub and unescaped here.
- The API reference: one mkdocstrings entry for every name in ``attrmap.__all__``, grouped,
  so a name added to or removed from the public API is documented without editing a page.
"""

from __future__ import annotations

import ast
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gallery

_folder = tempfile.TemporaryDirectory(prefix="attrmap-gallery-")

API_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Reading and writing matrices",
        ("load_matrix", "load_matrices", "save_matrix", "InputOptions", "Limits"),
    ),
    ("The matrix", ("AttributionMatrix", "check_shape", "parse_shape", "DEFAULT_SHAPE")),
    ("Drawing", ("render", "heatmap", "compare", "save_figure", "figure_text")),
    ("Style and configuration", ("Style", "Config", "load_config")),
    (
        "Errors",
        (
            "AttrmapError",
            "InputError",
            "GridError",
            "ShapeError",
            "LimitError",
            "StyleError",
            "OutputError",
            "BatchError",
        ),
    ),
)

# Objects whose members are installed at import time (attrmap.interop puts the notebook
# constructors on AttributionMatrix), so the source alone does not show them.
INSPECTED = {
    "AttributionMatrix": (
        "    options:",
        "      force_inspection: true",
        "      members: [shape, missing, from_frame, from_long, from_captum]",
    )
}


def public_names() -> list[str]:
    """``attrmap.__all__``, read from the source without importing it."""
    tree = ast.parse((gallery.ROOT / "src" / "attrmap" / "__init__.py").read_text("utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "__all__" for target in node.targets
        ):
            return [ast.literal_eval(item) for item in node.value.elts]  # type: ignore[attr-defined]
    raise RuntimeError("attrmap/__init__.py has no __all__")


def api_page() -> str:
    names = [name for name in public_names() if not name.startswith("_")]
    lines = [
        "# API reference",
        "",
        "Everything `import attrmap` exports (`attrmap.__all__`), from the docstrings. How",
        "to use it: [Python](python.md).",
        "",
    ]
    placed: set[str] = set()
    sections = [*API_SECTIONS, ("Other", tuple(names))]
    for heading, members in sections:
        chosen = [name for name in members if name in names and name not in placed]
        if not chosen:
            continue
        lines += [f"## {heading}", ""]
        for name in chosen:
            lines += [f"::: attrmap.{name}", *INSPECTED.get(name, ()), ""]
        placed.update(chosen)
    return "\n".join(lines)


def on_files(files: Files, config: Any) -> Files:
    out = Path(_folder.name)
    for path in gallery.build(out):
        uri = path.relative_to(out).as_posix()
        files.append(File.generated(config, uri, abs_src_path=str(path)))
    files.append(File.generated(config, "api.md", content=api_page()))
    return files


_CODE_IN_TABLE_ROW = re.compile(r"`[^`\n]*`")


def on_page_markdown(markdown: str, **_: Any) -> str:
    r"""``\|`` inside code spans of table rows as ``|`` (see the module docstring)."""
    lines = markdown.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("|"):
            lines[i] = _CODE_IN_TABLE_ROW.sub(lambda m: m[0].replace("\\|", "|"), line)
    return "\n".join(lines)
