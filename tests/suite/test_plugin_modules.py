"""pytest registers only the plugin's entry module (``token_contract``): a hook or fixture one of its
modules defines but the entry module does not import is never called, and nothing says so."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from _pytest.fixtures import getfixturemarker  # pytest's own test for "is this a fixture"

import oauth2_token_contract.plugin as entry


def _hooks_and_fixtures() -> dict[str, object]:
    found: dict[str, object] = {}
    for info in pkgutil.iter_modules(entry.__path__):
        module = importlib.import_module(f"{entry.__name__}.{info.name}")
        for name, value in vars(module).items():
            if getattr(value, "__module__", None) != module.__name__:
                continue  # imported from elsewhere
            if (name.startswith("pytest_") and inspect.isfunction(value)) or getfixturemarker(value):
                found[f"{info.name}.{name}"] = value
    return found


def test_every_hook_and_fixture_of_the_plugin_is_in_its_entry_module() -> None:
    found = _hooks_and_fixtures()
    missing = sorted(
        where for where, value in found.items() if vars(entry).get(where.split(".")[1]) is not value
    )
    assert not missing, f"not imported by {entry.__name__}, so pytest never sees them: {missing}"


def test_the_walk_sees_the_plugin() -> None:
    """The check above must look at something: the fixtures and the hooks of several modules."""
    found = _hooks_and_fixtures()
    assert {"fixtures.token_target", "mock_fixtures.token_mock", "failures.pytest_runtest_makereport"} <= set(
        found
    )
    assert len(found) >= 14
