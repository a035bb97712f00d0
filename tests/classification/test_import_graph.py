"""The classification app's modules import one another without a cycle: each can be
read on its own, top to bottom, and none hides a cycle behind an import inside a
function."""

from __future__ import annotations

import ast
from pathlib import Path

import kenal.classification

APP = Path(kenal.classification.__file__).parent
PACKAGE = "kenal.classification"


def _module_name(path: Path) -> str:
    parts = path.relative_to(APP).with_suffix("").parts
    parts = parts[:-1] if parts[-1] == "__init__" else parts
    return ".".join((PACKAGE, *parts))


def _imports(path: Path) -> set[str]:
    """Every module of the app that ``path`` imports, wherever the import statement
    is, except under ``if TYPE_CHECKING``."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            node.body = []
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(path): path for path in APP.rglob("*.py") if "migrations" not in path.parts}
    return {name: {m for m in _imports(path) if m in modules and m != name} for name, path in modules.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_it_has_no_import_cycle_inside_the_classification_app():
    graph = _graph()
    assert f"{PACKAGE}.rules" in graph and f"{PACKAGE}.engine" in graph
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_it_finds_a_cycle_when_there_is_one():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
