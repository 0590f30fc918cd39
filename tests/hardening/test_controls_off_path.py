"""The QA controls stay off the contract path: the contract suite passes against the mock with
``controls: false`` (by URL, as a staging run would), and with controls on while a test of another
client has rules in force and the clock moved (``./run contract`` covers controls on and unused)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import yaml

from oauth2_token_contract.mock.settings import DEFAULT_CONFIG, load_settings
from selfcheck.suite_run import run_suite
from tests.support.mock_process import mock_process, serve_command

CLIENT = next(iter(load_settings().clients.values()))
SUITE_ENV = {
    "TOKEN_API_CLIENT_ID": CLIENT.client_id,
    "TOKEN_API_CLIENT_SECRET": CLIENT.client_secret,
    "TOKEN_API_SCOPE": " ".join(sorted(CLIENT.scopes)),
    "TOKEN_API_MAX_REQUESTS": "20000",
    "TOKEN_API_ALLOW_BURST": "1",
    "TOKEN_API_PROFILE": "ci",
}


def _config(tmp_path: Path, *, controls: bool) -> Path:
    data = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    data["controls"] = controls
    path = tmp_path / "clients.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.mark.parametrize("controls", ["off", "in use for another client"])
def test_the_contract_suite_passes(tmp_path: Path, controls: str) -> None:
    config = _config(tmp_path, controls=controls != "off")
    with mock_process(serve_command(config), tmp_path / "server") as mock:
        if controls != "off":
            with httpx.Client(base_url=mock.url, timeout=10) as http:
                other = {"client_id": "another-team", "client_secret": "another-Secret_4Kq8", "scopes": []}
                assert http.post("/__mock/clients", json=other).status_code == 201
                rule = {"match": {"client_id": "another-team"}, "times": 1000, "answer": {"fault": "reset"}}
                assert http.post("/__mock/rules", json=rule).status_code == 201
                assert http.post("/__mock/clock", json={"advance_seconds": 3600}).status_code == 200
        else:
            assert httpx.get(mock.url + "/__mock/requests", timeout=10).status_code == 404
        run = run_suite(mock.url, tmp_path / "junit.xml", env=SUITE_ENV)
    assert run.returncode == 0, run.output[-6000:]
    assert run.cases(), "the suite ran no tests"
