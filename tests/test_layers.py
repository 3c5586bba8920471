"""The package's layers, read from its source: no import cycle, nothing imports upward.

Every ``import`` counts, also those inside functions and under ``TYPE_CHECKING``: a
deferred import is still a dependency. Importing ``a.b.c`` runs ``a.b``'s ``__init__``
too, so it counts as importing the package as well.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

#: Bottom to top, as in the layer table of docs/development.md: a module may import its
#: own layer and the ones before it. A name covers a module and, for a package, everything under it.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("base", ("_version", "errors", "atomic", "interrupts")),
    ("model", ("model", "labels")),
    ("reading and writing", ("formats", "interop")),
    ("style", ("settings", "style", "project", "font_files", "fonts")),
    ("colour and scale", ("scale",)),
    ("prepared data", ("prepared", "comparison")),
    ("drawing and text views", ("plotting", "views")),
    ("saving", ("writers", "provenance")),
    ("public API", ("",)),  # attrmap/__init__.py
    ("orchestration", ("pipeline", "batch", "reports")),
    ("command line", ("cli", "__main__")),
]


def _modules(root: Path) -> dict[str, tuple[Path, bool]]:
    """Dotted module name: (file, whether it is a package's ``__init__``)."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


def import_graph(root: Path) -> dict[str, set[str]]:
    """Each attrmap module: the attrmap modules it imports (packages included)."""
    modules = _modules(root)
    graph: dict[str, set[str]] = {}
    for name, (path, is_package) in modules.items():
        package = name if is_package else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                for alias in node.names:  # ``from . import csv`` imports the module csv
                    full = f"{target}.{alias.name}"
                    targets.add(full if full in modules else target)
            elif isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
        own = {".".join(name.split(".")[:i]) for i in range(2, name.count(".") + 1)}
        implied = {  # importing a.b.c runs a.b's __init__ too (not a module's own package's)
            ".".join(parts[:i])
            for parts in (target.split(".") for target in targets)
            for i in range(2, len(parts))
        }
        graph[name] = {t for t in targets | (implied - own) if t in modules and t != name}
    return graph


def layer_of(module: str) -> int | None:
    """The layer of the longest name in ``LAYERS`` that covers ``module``."""
    relative = module.removeprefix("attrmap").removeprefix(".")
    matches = [
        (len(name), index)
        for index, (_, names) in enumerate(LAYERS)
        for name in names
        if relative == name or (name and relative.startswith(name + "."))
    ]
    return max(matches)[1] if matches else None


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle (its modules in order, the first repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for target in sorted(graph.get(module, ())):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[module] = 2
        return None

    for module in sorted(graph):
        if module not in state and (cycle := visit(module)):
            return cycle
    return None


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph(SRC / "attrmap")


def test_the_graph_sees_imports_of_every_kind(graph):
    # Known edges of each form: relative, from-a-package, deferred inside a function, and
    # the implicit one into a package whose submodule is imported.
    assert "attrmap.model" in graph["attrmap.formats.long"]  # from ..model import ...
    assert "attrmap.formats.csv" in graph["attrmap.formats"]  # from . import csv
    assert "attrmap.plotting" in graph["attrmap"]  # deferred, in __getattr__
    assert {"attrmap.formats", "attrmap.formats.long"} <= graph["attrmap.interop"]
    assert len(graph) > 40


def test_the_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_there_is_no_import_cycle(graph):
    assert find_cycle(graph) is None


def test_every_module_has_a_layer(graph):
    unplaced = sorted(module for module in graph if layer_of(module) is None)
    where = "to LAYERS here and to the layer table in docs/development.md"
    assert not unplaced, f"add these {where}: {unplaced}"


def test_nothing_imports_upward(graph):
    upward = sorted(
        f"{module} ({LAYERS[mine][0]}) imports {target} ({LAYERS[theirs][0]})"
        for module, targets in graph.items()
        for target in targets
        if (mine := layer_of(module)) is not None
        and (theirs := layer_of(target)) is not None
        and theirs > mine
    )
    assert not upward, "\n".join(upward)
