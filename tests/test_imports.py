"""Imports point one way: bot → ingest → vectorstore, and no module imports one that imports it.

Imports inside functions count too (they hide circles); imports only for type
checking do not (they never run).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "ingest", "vectorstore")
LAYER = {"bot": 2, "ingest": 1, "vectorstore": 0}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _runtime_imports(tree: ast.AST) -> list[str]:
    """Every imported module name, skipping `if TYPE_CHECKING:` blocks."""
    found: list[str] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
            found.extend(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def import_graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")}
    return {name: {m for m in _runtime_imports(ast.parse(path.read_text(encoding="utf-8"))) if m in files} - {name}
            for name, path in files.items()}


def test_packages_import_only_downwards() -> None:
    upward = [(a, b) for a, deps in import_graph().items() for b in deps
              if LAYER[b.split(".")[0]] > LAYER[a.split(".")[0]]]
    assert upward == []


def test_no_module_imports_one_that_imports_it() -> None:
    graph = import_graph()
    circles = []
    for start in graph:
        stack = [(start, (start,))]
        while stack:
            node, path = stack.pop()
            for dep in graph[node]:
                if dep == start:
                    circles.append(" → ".join((*path, start)))
                elif dep not in path and len(path) < 8:
                    stack.append((dep, (*path, dep)))
    assert circles == []
