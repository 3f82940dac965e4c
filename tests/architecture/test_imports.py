"""The house rules of imports, checked on the source (no import is executed).

Layers, from top to bottom: pages and CLI -> the workshop server -> study / events -> briefing -> matching / rural / maps / actors ->
base -> shared helpers (settings, errors, fr, geometry, exports, access, upload, safe_yaml). A module imports only from its own layer
package or from lower layers; sibling feature packages do not import each other; there is no import cycle
between modules (imports inside functions included); only the pages import streamlit, and the workshop server that runs them
(sentiers/server/workers.py).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "sentiers"

SHARED = {"settings", "errors", "fr", "geometry", "exports", "access", "upload", "safe_yaml"}
LAYERS: dict[str, int] = {**dict.fromkeys(SHARED, 0), "base": 1}
LAYERS.update(dict.fromkeys(("rural", "maps", "matching", "actors"), 2))
LAYERS.update({"briefing": 3, "study": 4, "events": 4, "server": 5, "cli": 6, "__main__": 7, "__init__": 7})


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports_of(path: Path, root: Path = ROOT) -> set[str]:
    """Every sentiers module ``path`` imports, at module level or inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return {m for m in found if m == "sentiers" or m.startswith("sentiers.")}


def all_modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


def resolve(target: str, modules: dict[str, Path]) -> str | None:
    """The module an imported name lives in ("sentiers.fr.number" -> "sentiers.fr")."""
    while target and target not in modules:
        target = target.rpartition(".")[0]
    return target or None


def top_package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def graph() -> dict[str, set[str]]:
    modules = all_modules()
    edges: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = {resolve(t, modules) for t in imports_of(path)}
        edges[name] = {t for t in targets if t and t != name and t != "sentiers"}
    return edges


def test_every_package_has_a_layer():
    packages = {top_package(m) for m in all_modules()}
    assert packages <= set(LAYERS), sorted(packages - set(LAYERS))


def test_nothing_imports_upward_or_sideways():
    problems = []
    for source, targets in graph().items():
        src_pkg = top_package(source)
        for target in targets:
            dst_pkg = top_package(target)
            if src_pkg == dst_pkg or (src_pkg in SHARED and dst_pkg in SHARED):
                continue
            if LAYERS[dst_pkg] >= LAYERS[src_pkg]:
                problems.append(f"{source} -> {target}")
    assert not problems, "imports against the layers:\n" + "\n".join(sorted(problems))


def test_no_import_cycles():
    edges = graph()
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


RUNS_THE_PAGES = {PACKAGE / "server" / "workers.py"}


@pytest.mark.parametrize(
    "path", sorted(set(PACKAGE.rglob("*.py")) - RUNS_THE_PAGES), ids=lambda p: str(p.relative_to(ROOT))
)
def test_only_the_pages_import_streamlit(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    assert not names & {"streamlit", "streamlit_folium"}, path


def test_the_checker_sees_a_violation(tmp_path):
    """The rules above can fail: a module of the base importing a feature is reported."""
    bad = tmp_path / "sentiers" / "base" / "bad.py"
    bad.parent.mkdir(parents=True)
    bad.write_text("def f():\n    from sentiers.matching import score\n", encoding="utf-8")
    targets = imports_of(bad, tmp_path)
    assert "sentiers.matching.score" in targets or "sentiers.matching" in targets
