"""Secrets: compared in constant time, and never written anywhere by a full run.

The leak test runs the whole contract suite, in a child process as a user would, against a mock with
a distinctive client and a seeded fault (so failures, with their messages and curl lines, exist).
Then it reads everything the run produced (its stdout and stderr, the JUnit file, the server's
stdout and stderr, the mock's journal) and looks for the secret, in clear and inside a Basic header,
and for every token the mock issued.
"""

from __future__ import annotations

import base64
import hmac
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from oauth2_token_contract.mock.authentication import Authenticator
from oauth2_token_contract.mock.settings import DEFAULT_CONFIG, load_settings
from selfcheck.suite_run import run_suite
from tests.support.mock_process import mock_process

CLIENT_ID = "LeakCheckClient_Hq7Zt"
SECRET = "LeakCheck-Secret_Vw3Rk9Pq2Xm8Tz4Nb6"
SCOPES = ["/accounts.read", "/accounts.write"]
FAULT = "token-type-bearer"


def test_secrets_are_compared_with_compare_digest(monkeypatch: pytest.MonkeyPatch) -> None:
    """Right, wrong and unknown-id secrets all go through hmac.compare_digest, never ``==``."""
    calls: list[tuple[bytes, bytes]] = []
    compare = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return compare(a, b)

    monkeypatch.setattr("oauth2_token_contract.mock.authentication.hmac.compare_digest", spy)
    settings = load_settings()
    client = next(iter(settings.clients.values()))
    authenticator = Authenticator(settings)
    assert authenticator.verify(client.client_id, client.client_secret) is client
    for client_id, secret in [(client.client_id, "wrong"), ("no-such-client", client.client_secret)]:
        with pytest.raises(Exception, match="client authentication failed"):
            authenticator.verify(client_id, secret)
    assert len(calls) == 3
    assert calls[0] == (client.client_secret.encode(), client.client_secret.encode())
    # An unknown id is compared against a decoy, so it costs the same as a known one.
    assert calls[2][1] != client.client_secret.encode() and len(calls[2][1]) > 0


def _config(tmp_path: Path) -> Path:
    data = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    data["clients"].insert(
        0, {"client_id": CLIENT_ID, "client_secret": SECRET, "scopes": SCOPES, "token_type": "opaque"}
    )
    data["journal"] = {"max_entries": 100_000}
    path = tmp_path / "leak.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_a_full_run_writes_no_secret_and_no_token(tmp_path: Path) -> None:
    tokens_file = tmp_path / "issued-tokens.txt"
    command = [
        sys.executable,
        "-m",
        "tests.hardening.recording_server",
        str(_config(tmp_path)),
        FAULT,
        str(tokens_file),
    ]
    logs = tmp_path / "server"
    with mock_process(command, logs) as mock:
        run = run_suite(
            mock.url,
            tmp_path / "junit.xml",
            env={
                "TOKEN_API_CLIENT_ID": CLIENT_ID,
                "TOKEN_API_CLIENT_SECRET": SECRET,
                "TOKEN_API_SCOPE": " ".join(SCOPES),
                "TOKEN_API_MAX_REQUESTS": "20000",
                "TOKEN_API_ALLOW_BURST": "1",
                "TOKEN_API_PROFILE": "ci",
            },
        )
        journal = httpx.get(mock.url + "/__mock/requests", timeout=30).text
    assert run.returncode == 1, run.output[-6000:]
    assert "contract check failed" in run.output  # the fault was caught: failure messages exist
    tokens = set(tokens_file.read_text().split())
    assert len(tokens) > 10, "the run was issued too few tokens to prove anything"
    basic = base64.b64encode(f"{CLIENT_ID}:{SECRET}".encode()).decode()
    outputs = {
        "suite output": run.output,
        "junit": run.junit.read_text(encoding="utf-8"),
        "server stdout": (logs / "stdout.txt").read_text(errors="replace"),
        "server stderr": (logs / "stderr.txt").read_text(errors="replace"),
        "journal": journal,
    }
    assert CLIENT_ID in outputs["journal"] and len(journal) > 1000  # the places looked at are not empty
    leaks = [
        (where, what)
        for where, text in outputs.items()
        for what, value in [("secret", SECRET), ("basic", basic), *(("token", t) for t in tokens)]
        if value in text
    ]
    assert not leaks, f"leaked: {[(where, what) for where, what in leaks][:10]}"
