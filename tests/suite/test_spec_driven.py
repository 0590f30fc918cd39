"""The suite follows the spec it is given, and so does the mock: "spec-driven" measured end to end.

For each edit of the project's spec the issue names, the embedded mock (a correct server that follows
the edited spec) passes the whole suite run with that spec. Moov's published contract, served by the
mock, passes the suite run with the same contract and fails the one run with the documentation
page's, naming ``token_type``: the suite reads its spec, it does not merely pass.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from oauth2_token_contract.mock.settings import load_settings
from oauth2_token_contract.spec import contract
from oauth2_token_contract.spec.names import Check
from selfcheck.suite_run import run_suite
from tests.support.mock_process import mock_process, serve_command

OURS = yaml.safe_load(contract.DEFAULT_SPEC.read_text(encoding="utf-8"))
SEED = next(iter(load_settings().clients.values()))
BUDGET = {"TOKEN_API_MAX_REQUESTS": "400", "TOKEN_API_ALLOW_BURST": "1"}
CREDENTIALS = {
    "TOKEN_API_CLIENT_ID": SEED.client_id,
    "TOKEN_API_CLIENT_SECRET": SEED.client_secret,
    "TOKEN_API_SCOPE": " ".join(sorted(SEED.scopes)),
}


def _operation(document: dict[str, Any]) -> dict[str, Any]:
    return document["paths"]["/oauth2/token"]["post"]


def _limits(document: dict[str, Any]) -> None:
    document["components"]["schemas"]["Token"]["maxLength"] = 512
    document["components"]["schemas"]["IssuedToken"]["maxLength"] = 256


def _no_refresh_limit(document: dict[str, Any]) -> None:
    del document["components"]["schemas"]["Token"]["maxLength"]


def _bearer(document: dict[str, Any]) -> None:
    document["components"]["schemas"]["TokenResponse"]["properties"]["token_type"]["enum"].append("Bearer")


def _added_422(document: dict[str, Any]) -> None:
    fields = {name: {"type": "string", "maxLength": 200} for name in ("scope", "refresh_token")}
    schema = {"type": "object", "properties": fields, "additionalProperties": False}
    _operation(document)["responses"]["422"] = {
        "description": "the contents failed validation",
        "content": {"application/json": {"schema": schema}},
    }


def _no_429(document: dict[str, Any]) -> None:
    _operation(document)["responses"].pop("429")


def _retry_after(document: dict[str, Any]) -> None:
    headers = _operation(document)["responses"]["429"]["headers"]
    del headers["X-Retry-In"]
    headers["Retry-After"] = {"required": True, "schema": {"type": "string", "pattern": "^[0-9]+$"}}


def _another_path(document: dict[str, Any]) -> None:
    document["paths"]["/oauth/token"] = document["paths"].pop("/oauth2/token")


def _form_only(document: dict[str, Any]) -> None:
    del _operation(document)["requestBody"]["content"]["application/json"]


EDITS: dict[str, Callable[[dict[str, Any]], None]] = {
    "token-limits-changed": _limits,
    "refresh-token-unlimited": _no_refresh_limit,
    "token-type-added": _bearer,
    "422-added": _added_422,
    "429-removed": _no_429,
    "retry-after-in-seconds": _retry_after,
    "another-path": _another_path,
    "form-bodies-only": _form_only,
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_a_correct_server_of_an_edited_spec_passes_the_suite_run_with_it(tmp_path: Path, edit: str) -> None:
    document = copy.deepcopy(OURS)
    EDITS[edit](document)
    spec = tmp_path / f"{edit}.yaml"
    spec.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    run = run_suite("mock", tmp_path / "junit.xml", env={"TOKEN_API_SPEC": str(spec), **BUDGET})
    assert run.returncode == 0, run.output[-5000:]
    assert "token contract summary" in run.output
    if edit == "429-removed":
        assert "the spec documents no 429" in run.output
    if edit == "refresh-token-unlimited":
        # Without a limit, long, padded and extended tokens are still tested: 3 of the 4 checks judge.
        assert re.search(r"^token_limit .* 3/3$", run.output, re.MULTILINE), run.output[-3000:]


@pytest.fixture(scope="module")
def published_mock(tmp_path_factory: pytest.TempPathFactory) -> Any:
    command = serve_command(None, "--spec", "moov-published")
    with mock_process(command, tmp_path_factory.mktemp("published")) as started:
        yield started


def test_the_published_contract_against_its_mock_is_green(published_mock: Any, tmp_path: Path) -> None:
    env = {"TOKEN_API_SPEC": "moov-published", **CREDENTIALS, **BUDGET}
    run = run_suite(published_mock.url, tmp_path / "junit.xml", env=env)
    assert run.returncode == 0, run.output[-5000:]


def test_the_documentation_page_against_the_published_mock_fails_naming_token_type(
    published_mock: Any, tmp_path: Path
) -> None:
    run = run_suite(published_mock.url, tmp_path / "junit.xml", env={**CREDENTIALS, **BUDGET})
    assert run.returncode == 1, run.output[-5000:]
    assert Check.TOKEN_RESPONSE_CONFORMS in run.failing_checks()
    assert "'Bearer' is not one of ['opaque', 'jwt']" in run.output
