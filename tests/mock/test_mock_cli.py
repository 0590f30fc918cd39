"""The command line: ``token-contract-mock serve`` starts, announces, serves, stops; ``prism`` dispatches."""

from __future__ import annotations

import subprocess
import sys
import types

import httpx
import pytest

from oauth2_token_contract import mock
from oauth2_token_contract.mock.cli import main
from oauth2_token_contract.mock.embedded import default_client
from oauth2_token_contract.mock.server import running_mock_process
from tests.support.mock_http import TIMEOUT, TOKEN


def test_serve_on_port_zero_announces_and_serves(body_creds):
    with running_mock_process(rate_limit="off") as url:
        assert url.startswith("http://127.0.0.1:")
        response = httpx.post(
            url + TOKEN, json={"grant_type": "client_credentials", **body_creds}, timeout=TIMEOUT
        )
        assert response.status_code == 200
    with pytest.raises(httpx.TransportError):
        httpx.post(url + TOKEN, json={}, timeout=TIMEOUT)


def test_running_mock_subprocess_flag(body_creds):
    with mock.running_mock(in_process=False, rate_limit="1000/second") as url:
        response = httpx.post(
            url + TOKEN, json={"grant_type": "client_credentials", **body_creds}, timeout=TIMEOUT
        )
        assert response.status_code == 200


BAD_CONFIG = (
    "defaults:\n  expires_in: 900\n  refresh_expires_in: 9000\n"
    "clients:\n  - client_id: x\n    client_secret: y\n    token_type: bearer\n"
)
# No defaults: block, and a client without its secret: every missing field is named.
NO_DEFAULTS = "clients:\n  - client_id: abcdefgh12345678\n    scopes: [/accounts.read]\n"


@pytest.mark.parametrize(
    ("option", "value", "named"),
    [
        ("--rate-limit", "banana", "banana"),
        ("--config", BAD_CONFIG, "token_type"),
        ("--config", NO_DEFAULTS, "missing client_secret, expires_in, refresh_expires_in"),
        ("--port", "99999", "'99999' is not a port: expected 0 to 65535"),
        ("--port", "-1", "'-1' is not a port: expected 0 to 65535"),
        ("--port", "http", "'http' is not a port"),
    ],
    ids=["bad-rate-limit", "bad-config", "missing-fields", "port-too-high", "port-negative", "port-name"],
)
def test_bad_settings_exit_with_a_message(tmp_path, option, value, named):
    """A setting the mock cannot use stops it at start with exit 2 and a message naming the problem."""
    if option == "--config":
        config = tmp_path / "clients.yaml"
        config.write_text(value)
        value = str(config)
    port = [] if option == "--port" else ["--port", "0"]
    result = subprocess.run(
        [sys.executable, "-m", "oauth2_token_contract.mock", "serve", *port, f"{option}={value}"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert named in result.stderr


def test_the_startup_line_names_the_url_the_token_path_and_the_example_client():
    """What a user needs to send a first request, in the line the mock starts with; never the secret."""
    command = [sys.executable, "-m", "oauth2_token_contract.mock", "serve", "--port", "0"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
        finally:
            process.terminate()
    client = default_client()
    assert line.startswith("listening on http://127.0.0.1:"), line
    assert TOKEN in line and client.client_id in line and "clients.yaml" in line, line
    assert client.client_secret not in line


def test_prism_subcommand_dispatches_to_mocks_prism(monkeypatch):
    seen: list[list[str]] = []
    fake = types.ModuleType("oauth2_token_contract.mock.prism")
    fake.main = lambda argv: seen.append(argv) or 7  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "oauth2_token_contract.mock.prism", fake)
    monkeypatch.setattr(mock, "prism", fake, raising=False)
    assert main(["prism", "--port", "4011", "--", "x"]) == 7
    assert seen == [["--port", "4011", "--", "x"]]
