"""The library's imports, read from the source with ``ast`` (nothing is imported): no
import circles, no module importing a layer above its own, no Prefect or command-line code
in ``claims/``, and an import inside a function only with a comment saying why it is lazy.

    .venv/bin/pytest tests/test_import_graph.py -q

The layers, lowest first. A module may import its own package and lower layers; two
packages of one layer do not import each other. Module-level and function-level imports
count alike (and those under ``TYPE_CHECKING``: a type is a dependency too).
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

LAYERS: list[set[str]] = [
    {"claims.errors", "claims.models", "claims.progress", "claims.redact"},  # value objects, errors, progress counting, secrets scrubbed
    {"claims.settings"},  # the one typed settings object
    {"claims.store"},  # all SQL
    {"claims.embed"},  # the sentence encoder, its cache, the vector index
    {"claims.extract", "claims.sources"},  # text -> claims; claims -> documents
    {"claims.score", "claims.ingest", "claims.runner"},  # passages -> verdicts; the input; how stages run
    {"claims.pipeline"},  # the stage sequence, written once
    {"claims.monitor", "claims.reverify", "claims.search", "claims.report", "claims.eval"},  # uses of it
    {"claims.api"},  # the HTTP API (claims serve) over the uses
]
NOT_IN_THE_LIBRARY = {"prefect", "prefect_dask", "flows", "claims_cli", "typer"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules(package: str) -> dict[str, Path]:
    return {_module_name(p): p for p in sorted((ROOT / package).rglob("*.py"))}


def _imports(path: Path, modules: dict[str, Path]) -> list[tuple[str, int, bool]]:
    """(imported module, line, inside a function) for every import in ``path``; ``from a
    import b`` names the module ``a.b`` when that is a module, else ``a``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    in_function: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            in_function |= {id(n) for n in ast.walk(node) if n is not node}
    found = []
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's package
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
        else:
            continue
        found += [(name, node.lineno, id(node) in in_function) for name in names]
    return found


def _layer(module: str) -> tuple[int, str] | None:
    for level, packages in enumerate(LAYERS):
        for package in packages:
            if module == package or module.startswith(package + "."):
                return level, package
    return None


def _layer_of(module: str) -> tuple[int, str]:
    """The layer of a module that has one (every library module does: the test below)."""
    layer = _layer(module)
    assert layer is not None, module
    return layer


def _graph() -> dict[str, set[str]]:
    modules = _modules("claims")
    return {name: {m for m, _, _ in _imports(path, modules) if m in modules and m != name}
            for name, path in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
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

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_every_library_module_has_a_layer() -> None:
    assert [m for m in _modules("claims") if m != "claims" and _layer(m) is None] == []


def test_no_import_circles_between_modules_or_between_packages() -> None:
    graph = _graph()
    assert _cycles(graph) == []
    packages: dict[str, set[str]] = {}
    for module, imported in graph.items():
        if module != "claims":
            source = _layer_of(module)[1]
            packages.setdefault(source, set()).update(
                _layer_of(t)[1] for t in imported if _layer_of(t)[1] != source)
    assert _cycles(packages) == []


def test_no_module_imports_a_layer_above_its_own_or_a_sibling_package() -> None:
    wrong = []
    for module, imported in _graph().items():
        if module == "claims":
            continue
        level, package = _layer_of(module)
        for target in sorted(imported):
            target_level, target_package = _layer_of(target)
            if target_level > level or (target_level == level and target_package != package):
                wrong.append(f"{module} -> {target}")
    assert wrong == []


def test_the_library_never_imports_prefect_or_the_command_line() -> None:
    modules = _modules("claims")
    found = [f"{name}:{line} {imported}" for name, path in modules.items()
             for imported, line, _ in _imports(path, modules) if imported.split(".")[0] in NOT_IN_THE_LIBRARY]
    assert found == []


def test_the_flows_never_import_the_command_line() -> None:
    modules = _modules("flows")
    found = [f"{name}:{line} {imported}" for name, path in modules.items()
             for imported, line, _ in _imports(path, modules) if imported.split(".")[0] == "claims_cli"]
    assert found == []


def test_imports_inside_functions_say_why_they_are_lazy() -> None:
    """Imports belong at the top of a module; one inside a function (a heavy dependency
    needed on one path only) has a comment with the word "lazy" on its line or the three
    lines above."""
    unexplained = []
    for package in ("claims", "claims_cli", "flows"):
        modules = _modules(package)
        for name, path in modules.items():
            lines = path.read_text(encoding="utf-8").splitlines()
            for imported, line, in_function in _imports(path, modules):
                if in_function and not _says_lazy(lines, line - 1):
                    unexplained.append(f"{name}:{line} {imported}")
    assert unexplained == []


def _says_lazy(lines: list[str], index: int) -> bool:
    """Whether the import on ``lines[index]``, or the block of imports and comments above
    it up to the first other line (included: a ``try:`` may carry the comment), has a
    comment with the word "lazy"."""
    for text in reversed(lines[:index + 1]):
        stripped = text.strip()
        if "#" in stripped and "lazy" in stripped.split("#", 1)[1].lower():
            return True
        if stripped and not stripped.startswith(("#", "from ", "import ")) and text is not lines[index]:
            return False
    return False
