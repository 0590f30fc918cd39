"""Check names are identifiers: no module spells one as a bare string, so a typo cannot hide.

A check's name appears as a :class:`~oauth2_token_contract.spec.names.Check` member everywhere but in
``__all__`` lists (where a function may share its check's name) and in ``oauth2_token_contract/spec/names.py``
itself.
"""

from __future__ import annotations

import ast
from pathlib import Path

from oauth2_token_contract.spec.names import Check

ROOT = Path(__file__).resolve().parents[2]
NAMES = {check.value for check in Check}
SKIPPED = {ROOT / "oauth2_token_contract" / "spec" / "names.py"}


def _sources() -> list[Path]:
    return [
        path
        for folder in ("oauth2_token_contract", "selfcheck", "tests", "benchmarks")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path not in SKIPPED and "node_modules" not in path.parts
    ]


def _exported(tree: ast.Module) -> set[int]:
    """ids of the string constants inside ``__all__`` assignments."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in node.targets):
            found |= {id(c) for c in ast.walk(node.value) if isinstance(c, ast.Constant)}
    return found


def test_no_check_name_is_a_bare_string() -> None:
    bare = []
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        exported = _exported(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and node.value in NAMES and id(node) not in exported:
                bare.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}")
    assert not bare, "use the Check member instead:\n" + "\n".join(bare)


def test_every_check_value_is_its_member_name_in_lower_case() -> None:
    assert all(check.value == check.name.lower() for check in Check)
