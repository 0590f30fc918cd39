"""A package docstring that draws its modules draws all of them, and only them.

A hand-drawn list goes stale the day a module is added or renamed, and a reader trusts it over the
tree. So a package either leaves the list to the tree, or lists every module and subpackage it has
(``__init__`` and ``__main__`` aside); this test says which names are missing or gone.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "oauth2_token_contract"
# "    ├── name   what it does" or "    name        what it does": a name, then two spaces or more.
ENTRY = re.compile(r"^ {4}[ │├└─]*(?P<name>[a-z_]+) {2,}\S")
# Data packages mapped from other folders (pyproject.toml), children of the package all the same.
DATA = {PACKAGE: {"openapi"}, PACKAGE / "mock": {"assets"}}


def _children(folder: Path) -> set[str]:
    modules = {p.stem for p in folder.glob("*.py") if p.stem not in {"__init__", "__main__", "conftest"}}
    packages = {p.name for p in folder.iterdir() if (p / "__init__.py").is_file()}
    return modules | packages | DATA.get(folder, set())


def listed(docstring: str) -> set[str]:
    """The names a docstring draws as the package's entries."""
    return {m["name"] for line in docstring.splitlines() if (m := ENTRY.match(line))}


PACKAGES = sorted(init.parent for init in PACKAGE.rglob("__init__.py"))


@pytest.mark.parametrize("folder", PACKAGES, ids=lambda p: ".".join(p.relative_to(ROOT).parts))
def test_a_drawn_package_names_every_module_it_has(folder: Path) -> None:
    docstring = ast.get_docstring(ast.parse((folder / "__init__.py").read_text(encoding="utf-8"))) or ""
    drawn = listed(docstring)
    if not drawn:
        return  # the package leaves its list to the tree
    children = _children(folder)
    assert drawn - children == set(), f"{folder}/__init__.py draws modules that are gone: {drawn - children}"
    assert children - drawn == set(), f"{folder}/__init__.py leaves out: {children - drawn}"


def test_the_reader_sees_a_drawn_list() -> None:
    """The check above must read the lists it guards, or it passes on nothing."""
    from oauth2_token_contract import mock

    assert {"endpoint", "shared", "rendering", "clients"} <= listed(mock.__doc__ or "")
    assert listed("    ├── spec      the reading\n    └── mock  the mock\n") == {"spec", "mock"}
    assert (
        sum(
            1
            for folder in PACKAGES
            if listed(ast.get_docstring(ast.parse((folder / "__init__.py").read_text())) or "")
        )
        >= 5
    )
