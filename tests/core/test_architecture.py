"""The layer rules of the package, checked on the source (every import, module level or inside a function).

- data flows one way: core -> io -> store -> analysis -> scenario -> maps/api -> cli;
- no import cycles between modules;
- no module imports another package's private names (``_name``) or private modules.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

from tests.helpers.tools import ROOT

#: Source folder -> import name (api/, maps/ and data/ are installed as geozones.api/maps/data).
SOURCES = {"geozones": "geozones", "api": "geozones.api", "maps": "geozones.maps", "data": "geozones.data"}

#: The layer of each part of the package; a module may import only its own layer or lower ones.
LAYERS = {
    "core": 0,  # geozones.errors, schema, crs, area, indicators, checks, paths
    "io": 1,
    "store": 2,
    "analysis": 2,
    "scenario": 3,
    "maps": 3,
    "api": 4,
    "cli": 5,
}
#: Pairs of parts on the same layer that must not import each other.
FORBIDDEN = {
    ("store", "analysis"),
    ("analysis", "store"),
    ("maps", "store"),
    ("maps", "scenario"),
    ("scenario", "maps"),
}


def _module_name(path: Path) -> str:
    top = path.relative_to(ROOT).parts[0]
    rel = path.relative_to(ROOT / top).with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"]
    return ".".join([SOURCES[top], *parts])


def _modules() -> dict[str, Path]:
    found = {}
    for top in SOURCES:
        for path in sorted((ROOT / top).rglob("*.py")):
            if "static" not in path.parts:
                found[_module_name(path)] = path
    return found


def _part(module: str) -> str:
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in LAYERS:
        return parts[1]
    return "core"


def _imports(module: str, path: Path) -> list[tuple[str, list[str], int]]:
    """(imported module, imported names, line) for every import statement in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(alias.name, [], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            out.append((base, [a.name for a in node.names], node.lineno))
    return out


def _graph() -> tuple[nx.DiGraph, list[str]]:
    modules = _modules()
    graph = nx.DiGraph()
    problems = []
    for module, path in modules.items():
        graph.add_node(module)
        for target, names, line in _imports(module, path):
            if not target.startswith("geozones"):
                continue
            # `from geozones.store import gpkg_sql` imports a module: follow it
            targets = [f"{target}.{n}" if f"{target}.{n}" in modules else target for n in names] or [target]
            for name, resolved in zip(names or [None], targets):
                if resolved in modules and resolved != module:
                    graph.add_edge(module, resolved, line=line)
                private_module = any(p.startswith("_") and p != "__init__" for p in resolved.split(".")[1:])
                private_name = name is not None and name.startswith("_") and resolved == target
                same_package = (
                    resolved.rpartition(".")[0] == module.rpartition(".")[0] or resolved.rpartition(".")[0] == module
                )
                if (private_module or private_name) and not same_package:
                    problems.append(
                        f"{path.relative_to(ROOT)}:{line}: imports private "
                        f"{resolved}{'.' + name if private_name else ''}"
                    )
    return graph, problems


def test_no_import_cycles():
    graph, _ = _graph()
    cycles = list(nx.simple_cycles(graph))
    assert cycles == [], "import cycles: " + "; ".join(" -> ".join(c + [c[0]]) for c in cycles[:5])


def test_no_private_names_across_packages():
    _, problems = _graph()
    assert problems == []


def test_layers_only_import_downwards():
    graph, _ = _graph()
    wrong = []
    for source, target, data in graph.edges(data=True):
        if source == "geozones":  # the package root re-exports the public API of every layer
            continue
        if target == "geozones":
            wrong.append(f"{source} imports the package root on line {data['line']}; import the module")
            continue
        a, b = _part(source), _part(target)
        if LAYERS[b] > LAYERS[a] or (a, b) in FORBIDDEN:
            wrong.append(f"{source} ({a}) imports {target} ({b}) on line {data['line']}")
    assert wrong == []


@pytest.mark.parametrize("package", ["io", "store", "analysis", "scenario", "cli"])
def test_every_subpackage_says_what_it_may_import(package):
    doc = ast.get_docstring(ast.parse((ROOT / "geozones" / package / "__init__.py").read_text(encoding="utf-8")))
    assert doc and "May import" in doc


def test_nothing_installs_a_top_level_api_or_maps():
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert all(p == "geozones" or p.startswith("geozones.") for p in config["packages"])
    assert config["package-dir"] == {"geozones.api": "api", "geozones.maps": "maps", "geozones.data": "data"}


def test_tests_never_import_other_test_modules():
    offenders = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            offenders += [
                f"{path.relative_to(ROOT)}: {n}"
                for n in names
                if n.startswith("tests.") and n.rpartition(".")[2].startswith(("test_", "conftest"))
            ]
    assert offenders == []
