"""Every third-party module the code imports is a declared dependency in pyproject.toml:
the library's and the commands' in ``dependencies``, the tests', scripts' and benchmarks'
there or in an extra (``dev``, or ``spacy-compare`` for the one benchmark that measures a
library the project does not use); an import that only works because something else pulled
the package in breaks on the next upgrade."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions

from tests.conftest import ROOT

PROJECT_PACKAGES = {"claims", "claims_cli", "flows", "tests"}


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> tuple[set[str], set[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    def names(requirements: list[str]) -> set[str]:
        return {_normalise(re.split(r"[\s<>=!~\[;]", r, maxsplit=1)[0]) for r in requirements}

    extras = [r for group in project["optional-dependencies"].values() for r in group]
    return names(project["dependencies"]), names(extras)


def _third_party_imports(*folders: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    modules = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    modules = [node.module]
                else:
                    continue
                for module in modules:
                    top = module.split(".")[0]
                    if top not in sys.stdlib_module_names and top not in PROJECT_PACKAGES \
                            and not (path.parent / f"{top}.py").is_file():  # a sibling script
                        found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def _undeclared(imports: dict[str, set[str]], declared: set[str]) -> dict[str, list[str]]:
    owners = packages_distributions()
    missing = {}
    for module, paths in imports.items():
        distributions = {_normalise(d) for d in owners.get(module, [module])}
        if not distributions & declared:
            missing[module] = sorted(paths)[:3]
    return missing


def test_library_and_command_imports_are_runtime_dependencies() -> None:
    runtime, _ = _declared()
    assert _undeclared(_third_party_imports("claims", "claims_cli", "flows"), runtime) == {}


def test_test_script_and_benchmark_imports_are_declared() -> None:
    runtime, dev = _declared()
    assert _undeclared(_third_party_imports("tests", "scripts", "benchmarks"), runtime | dev) == {}
