"""A mock others can reach: its controls need a token beyond loopback, and it serves https.

Binding beyond loopback is tested on 0.0.0.0, but every request goes to 127.0.0.1: nothing here
sends traffic off this machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from oauth2_token_contract.mock import ControlRefused, MockControls
from tests.shared.conftest import EXAMPLE, token_body
from tests.shared.test_shared_contract import suite_against
from tests.support.tls import Certificates, make_certificates

TOKEN = "controls-token-for-this-test-only"
TIMEOUT = 10.0


def _serve_refused(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "oauth2_token_contract.mock", "serve", "--port", "0", *args]
    base = {k: v for k, v in os.environ.items() if k != "TOKEN_CONTRACT_MOCK_CONTROLS_TOKEN"}
    return subprocess.run(command, capture_output=True, text=True, timeout=30, check=False,
                          env={**base, **(env or {})})  # fmt: skip


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return make_certificates(tmp_path_factory.mktemp("tls"))


def test_beyond_loopback_without_a_controls_token_the_mock_refuses_to_start() -> None:
    done = _serve_refused("--host", "0.0.0.0")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1, done.stderr
    assert "--controls-token" in done.stderr and "TOKEN_CONTRACT_MOCK_CONTROLS_TOKEN" in done.stderr


def test_a_short_controls_token_is_refused() -> None:
    done = _serve_refused("--controls-token", "short")
    assert done.returncode == 2
    assert "at least 16 characters" in done.stderr


def test_tls_needs_both_certificate_and_key(certificates: Certificates) -> None:
    done = _serve_refused("--tls-cert", str(certificates.cert))
    assert done.returncode == 2
    assert "--tls-cert and --tls-key go together" in done.stderr


def test_beyond_loopback_the_controls_need_the_token_the_token_path_does_not(serve, monkeypatch) -> None:
    monkeypatch.setenv("TOKEN_CONTRACT_MOCK_CONTROLS_TOKEN", TOKEN)
    with serve("--host", "0.0.0.0") as mock:
        local = "http://127.0.0.1:" + mock.url.rsplit(":", 1)[1]
        with httpx.Client(base_url=local, timeout=TIMEOUT) as http:
            refused = http.post("/__mock/reset")
            assert refused.status_code == 401
            assert refused.headers["WWW-Authenticate"].startswith("Bearer")
            wrong = http.get("/__mock/requests", headers={"Authorization": "Bearer " + TOKEN[:-1] + "x"})
            assert wrong.status_code == 401
            assert (
                http.post("/oauth2/token", json=token_body(grant_type="client_credentials")).status_code
                == 200
            )
        with MockControls(local) as anonymous, pytest.raises(ControlRefused) as refused_call:
            anonymous.clients()
        assert refused_call.value.status == 401
        with MockControls(local, token=TOKEN) as controls:
            controls.reset()
            assert controls.count() == 0


def test_over_https_an_oauth_client_library_gets_a_token(serve, certificates: Certificates) -> None:
    import ssl

    from authlib.integrations.requests_client import OAuth2Session

    tls = ["--tls-cert", str(certificates.cert), "--tls-key", str(certificates.key)]
    with serve(*tls, "--controls-token", TOKEN) as mock:
        assert mock.url.startswith("https://127.0.0.1:")
        with OAuth2Session(EXAMPLE.client_id, EXAMPLE.client_secret) as client:
            token = client.fetch_token(
                mock.url + "/oauth2/token", grant_type="client_credentials", verify=str(certificates.ca)
            )
        assert token["access_token"] and token["token_type"]
        trusted = ssl.create_default_context(cafile=str(certificates.ca))
        with MockControls(mock.url, token=TOKEN, verify=trusted) as controls:
            assert controls.count(grant_type="client_credentials") == 1
        with pytest.raises(httpx.ConnectError):  # a client that does not trust the test's CA refuses
            httpx.post(mock.url + "/oauth2/token", timeout=TIMEOUT)


def test_over_https_the_contract_suite_is_green(
    serve, certificates: Certificates, tmp_path: Path, monkeypatch
) -> None:
    tls = ["--tls-cert", str(certificates.cert), "--tls-key", str(certificates.key)]
    with serve(*tls) as mock:
        monkeypatch.setenv("SSL_CERT_FILE", str(certificates.ca))
        run = suite_against(mock.url, tmp_path / "junit.xml")
    assert run.returncode == 0, run.output[-4000:]
    assert run.cases()


def test_the_token_mock_fixture_sends_the_token_to_a_shared_mock(serve, state_args, tmp_path: Path) -> None:
    tests = tmp_path / "client-library"
    tests.mkdir()
    (tests / "test_client.py").write_text(
        "def test_clean_and_usable(token_mock):\n"
        "    assert token_mock.controls.count() == 0\n"
        "    token_mock.controls.rule(times=1, code=429, retry_in=100)\n"
        "    assert len(token_mock.controls.rules()) == 1\n"
        "\n"
        "def test_the_reset_cleared_the_rule(token_mock):\n"
        "    assert token_mock.controls.rules() == []\n",
        encoding="utf-8",
    )
    with serve(*state_args, "--controls-token", TOKEN) as mock:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TOKEN_", "PYTEST_"))}
        command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "test_client.py",
                   "--token-mock-url", mock.url, "--token-mock-controls-token", TOKEN]  # fmt: skip
        done = subprocess.run(command, cwd=tests, env={**env, "PYTHONPATH": ""}, capture_output=True,
                              text=True, timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert "2 passed" in done.stdout
