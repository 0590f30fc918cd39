"""Imports point one way, spec <- mock <- suite <- plugin <- cli, and no module imports itself round.

The installed package is one name, ``oauth2_token_contract``; its layers are its subpackages, each in
the folder of its import name (the repository's ``openapi/`` and ``mocks/`` hold data shipped inside
it, and no code: a test below keeps them so). Every import
counts, at module level or inside a function (a lazy import is still a dependency), as read from the
source by ``ast``. A failure names the offending import, so the fix is where it says. The old top-level
names (``mocks``, ``token_spec``, ``token_contract``) are never imported: a user's own ``mocks``
package must not meet ours.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "oauth2_token_contract"
# Each layer (a subpackage) and the layers it may import.
LAYERS = {
    "spec": set(),
    "openapi": set(),
    "mock": {"spec", "openapi"},
    "suite": {"spec", "openapi", "mock"},
    "plugin": {"spec", "openapi", "mock", "suite"},
    "cli": {"spec", "openapi", "mock", "suite", "plugin"},
    "__main__": {"cli"},
    "": set(),
}
# Folders outside the package that ship inside it as data: no code may live there.
DATA = {
    "oauth2_token_contract.openapi": ROOT / "openapi",
    "oauth2_token_contract.mock.assets": ROOT / "mocks",
}
PROJECT = {PACKAGE, "tests", "benchmarks", "selfcheck"}
RETIRED = {"mocks", "token_spec", "token_contract"}


def _modules() -> dict[str, Path]:
    found = {f"{PACKAGE}": ROOT / PACKAGE / "__init__.py"}
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


MODULES = _modules()


def layer_of(module: str) -> str:
    """``oauth2_token_contract.suite.checks`` -> ``suite``; the package itself -> ``""``."""
    return module.split(".")[1] if module.count(".") >= 1 else ""


def _imports(name: str, path: Path) -> set[str]:
    """The project modules ``name`` imports (a package's submodule when ``from pkg import sub``)."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")[: len(name.split(".")) - node.level + (1 if is_package else 0)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            for alias in node.names:
                child = f"{module}.{alias.name}"
                found.add(child if child in MODULES else module)
    return {m for m in found if m.partition(".")[0] in PROJECT | RETIRED}


GRAPH = {name: _imports(name, path) - {name} for name, path in MODULES.items()}


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_a_module_imports_only_its_layer_and_those_below(module: str) -> None:
    layer = layer_of(module)
    allowed = {layer, *LAYERS[layer]}
    wrong = sorted(m for m in GRAPH[module] if m.partition(".")[0] != PACKAGE or layer_of(m) not in allowed)
    assert not wrong, (
        f"{module} imports {wrong}: the {layer or 'package'} layer may import only {sorted(allowed)}"
    )


def test_the_data_folders_hold_no_code() -> None:
    """Code lives under the folder of its import name; the data folders keep only the docstring that
    makes them packages for ``importlib.resources``."""
    for name, folder in DATA.items():
        sources = sorted(p for p in folder.rglob("*.py") if "node_modules" not in p.parts)
        assert [p.name for p in sources] == ["__init__.py"], f"{name}: move {sources} under {PACKAGE}/"
        body = ast.parse(sources[0].read_text(encoding="utf-8")).body
        assert len(body) == 1 and isinstance(body[0], ast.Expr), f"{sources[0]}: only a docstring here"


def test_nothing_imports_the_retired_top_level_names() -> None:
    """A user's own ``mocks`` (or anything) must never be mistaken for ours: one name ships."""
    sources = [*MODULES.values()]
    for folder in ("tests", "selfcheck", "benchmarks"):
        sources += sorted((ROOT / folder).rglob("*.py"))
    wrong = sorted(
        f"{path.relative_to(ROOT)} imports {m}"
        for path in sources
        for m in _imports(path.stem, path)
        if m.partition(".")[0] in RETIRED
    )
    assert not wrong, wrong


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """The first import cycle of ``graph`` (a path that returns to its start), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for target in sorted(graph.get(module, ())):
            if target not in graph:
                continue
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


def test_no_two_modules_import_each_other_even_through_others() -> None:
    """A cycle makes import order matter and the layers meaningless."""
    cycle = find_cycle(GRAPH)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_finder_finds_one_through_a_third_module() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_the_graph_is_read_at_all() -> None:
    """The walk must see the arrows it guards, or the tests above pass on nothing."""
    assert "oauth2_token_contract.spec.contract" in GRAPH["oauth2_token_contract.mock.settings"]
    assert "oauth2_token_contract.mock.embedded" in GRAPH["oauth2_token_contract.suite.targets"]
    # an import under TYPE_CHECKING counts too
    assert "oauth2_token_contract.mock.components" in GRAPH["oauth2_token_contract.mock.endpoint"]
    assert len(GRAPH) >= 35
