"""The import rules, read from the source with ``ast`` (every import, also inside functions):

1. no import circle among the modules of ``jobsmgmt`` and ``workers``;
2. nothing in ``jobsmgmt`` imports ``workers`` (the RQ process layer imports the app);
3. no import runs up a floor: models and the ground modules < services < the rest.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("jobsmgmt", "workers")
# Floors, lowest first: a module may import its own floor or lower ones only.
FLOORS = (
    ("jobsmgmt.config", "jobsmgmt.extensions", "jobsmgmt.database", "jobsmgmt.models",
     "jobsmgmt.tasks", "jobsmgmt.queue", "jobsmgmt.schemas"),
    ("jobsmgmt.services", "jobsmgmt.portals"),
    ("jobsmgmt.demo", "jobsmgmt.schedule", "jobsmgmt.backup", "jobsmgmt.auth", "jobsmgmt.errors",
     "jobsmgmt.login_throttle"),
    ("jobsmgmt.blueprints", "jobsmgmt.desktop", "jobsmgmt.cli", "jobsmgmt.logs"),
    ("jobsmgmt",),
    ("jobsmgmt.__main__", "workers"),
)  # fmt: skip


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            found[module_name(path)] = path
    return found


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            bases = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            bases = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for candidate in bases:  # the module itself, or the package that holds the name
            while candidate and candidate not in known:
                candidate = candidate.rpartition(".")[0]
            if candidate and candidate != name:
                targets.add(candidate)
    return targets


def graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imports_of(name, path, set(found)) for name, path in found.items()}


def floor(name: str) -> int:
    best = None
    for number, prefixes in enumerate(FLOORS):
        for prefix in prefixes:
            if name == prefix or name.startswith(prefix + "."):
                if best is None or len(prefix) > best[1]:
                    best = (number, len(prefix))
    assert best is not None, f"{name} has no floor in tests/test_architecture.py"
    return best[0]


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components of more than one module."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_import_circle():
    assert circles(graph()) == []


def test_the_app_never_imports_the_process_layer():
    upward = [
        (name, target)
        for name, targets in graph().items()
        if name.startswith("jobsmgmt")
        for target in targets
        if target.startswith("workers")
    ]
    assert upward == []


def test_no_import_runs_up_a_floor():
    upward = [
        (name, target)
        for name, targets in graph().items()
        for target in targets
        if floor(target) > floor(name)
    ]
    assert upward == []


def test_the_checker_sees_a_circle():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
