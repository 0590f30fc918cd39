"""Every seeded fault still serves ordinary requests without tripping the mock's own error path.

A fault is one overridden method; when the code under it changes shape (a dataclass becomes a
tuple, a helper is renamed), the override can start raising instead of misbehaving as designed.
The endpoint then answers its internal-error 400, the self-check still sees a failure, and the
fault silently stops testing what it names. The journal flags those answers.
"""

from __future__ import annotations

import httpx
import pytest

from oauth2_token_contract.mock import running_mock
from oauth2_token_contract.spec import contract
from selfcheck.faults import FAULTS, faulty_app
from tests.support.mock_http import TIMEOUT, TOKEN

EXAMPLE = contract.load().request_examples()["clientCredentials"]


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_the_fault_answers_a_grant_and_a_refresh_without_an_internal_error(name: str) -> None:
    credentials = {"client_id": EXAMPLE["client_id"], "client_secret": EXAMPLE["client_secret"]}
    with running_mock(app=faulty_app(name)) as base, httpx.Client(base_url=base, timeout=TIMEOUT) as http:
        granted = http.post(TOKEN, json={"grant_type": "client_credentials", **credentials})
        refresh = granted.json().get("refresh_token") if granted.status_code == 200 else None
        if isinstance(refresh, str):
            http.post(TOKEN, json={"grant_type": "refresh_token", "refresh_token": refresh, **credentials})
        http.post(TOKEN, data={"grant_type": "client_credentials", **credentials})
        entries = http.get("/__mock/requests").json()["requests"]
    assert entries, "the journal recorded nothing"
    broken = [entry["status"] for entry in entries if entry["internal_error"]]
    assert not broken, f"{name}: the override raised; the mock answered its internal-error 400"
