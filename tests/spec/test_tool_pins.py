"""The Node tools that check the spec (Spectral, its OWASP ruleset) and mock it (Prism) are pinned exactly.

A caret range would let ``npm install`` bring a different linter or mock than the one this suite was
written against; the lock must agree with the pins so ``npm ci --prefix mocks`` installs just those.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = json.loads((ROOT / "mocks" / "package.json").read_text())
LOCK = json.loads((ROOT / "mocks" / "package-lock.json").read_text())
EXACT = re.compile(r"^\d+\.\d+\.\d+$")


def _pins() -> dict[str, str]:
    return {**PACKAGE.get("dependencies", {}), **PACKAGE.get("devDependencies", {})}


def test_tools_are_pinned_exactly() -> None:
    pins = _pins()

    assert {"@stoplight/prism-cli", "@stoplight/spectral-cli", "@stoplight/spectral-owasp-ruleset"} <= set(
        pins
    )
    assert {name: version for name, version in pins.items() if not EXACT.match(version)} == {}


def test_lock_agrees_with_the_pins() -> None:
    root = LOCK["packages"][""]
    locked = {**root.get("dependencies", {}), **root.get("devDependencies", {})}

    assert locked == _pins()
    for name, version in _pins().items():
        assert LOCK["packages"][f"node_modules/{name}"]["version"] == version


def _locked(name: str) -> dict[str, str]:
    """Package -> version of a requirements lock (``name==version \\`` lines)."""
    pins = re.findall(r"^([A-Za-z0-9_.-]+)==([^\s;\\]+)", (ROOT / "requirements" / name).read_text(), re.M)
    return {package.lower().replace("_", "-"): version for package, version in pins}


def test_the_python_locks_pin_every_requirement_within_its_range_with_hashes() -> None:
    """./run and CI install from requirements/*.txt: they must satisfy pyproject.toml's ranges."""
    tomllib = __import__("tomllib")
    from packaging.requirements import Requirement
    from packaging.version import Version

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for lock, requirements in (
        ("contract.txt", project["dependencies"]),
        ("dev.txt", project["dependencies"] + project["optional-dependencies"]["dev"]),
    ):
        locked = _locked(lock)
        for text in requirements:
            requirement = Requirement(text)
            name = requirement.name.lower().replace("_", "-")
            assert name in locked, f"{lock} lacks {name}"
            assert Version(locked[name]) in requirement.specifier, (
                f"{lock}: {name}=={locked[name]} not {text}"
            )
        assert (ROOT / "requirements" / lock).read_text().count("--hash=sha256:") >= len(locked)
