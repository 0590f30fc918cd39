"""The mock's QA controls from Python: one small client over ``/__mock/*`` and ``Prefer``.

    with running_mock() as url, MockControls(url) as mock:
        app = mock.create_client(scopes=["/accounts.read"])        # this test's own client
        mock.rule(client_id=app.client_id, times=2, code=429, retry_in=1500)
        ...                                                         # the client library under test
        mock.clock.advance(901)                                     # its access token expired
        assert mock.count(client_id=app.client_id, grant_type="client_credentials") == 1

``force(...)`` builds the ``Prefer`` header for one request (a documented answer, a delay, a
fault); ``rule(...)`` scripts the next N matching requests; ``wait_for(...)`` holds until the
journal holds a matching request, so a test asserts without sleeping. Only httpx underneath (no
uvicorn, no Starlette), every call with a timeout; a control the mock refuses raises
:class:`ControlRefused` with the mock's own words. A mock others can reach asks for its controls
token: ``MockControls(url, token=...)`` sends it on every call (``verify`` is httpx's, for an https
mock under a private CA).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx

from oauth2_token_contract.mock.embedded import ClientCredentials
from oauth2_token_contract.mock.forcing import FIELDS, PREFER_FIELDS

__all__ = ["Clock", "ControlRefused", "MockControls", "statuses"]

TIMEOUT = 5.0
_SERVER_WAIT_MS = 30_000  # the mock holds one journal question at most this long


class ControlRefused(Exception):
    """The mock refused a control (422 bad input, 409 a conflict or a cap, 404 unknown)."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(f"{status}: {description}")
        self.status = status
        self.description = description


class Clock:
    """The mock's clock: ``advance`` moves it forward, ``reset`` returns it to real time."""

    def __init__(self, controls: MockControls) -> None:
        self._controls = controls

    def advance(self, seconds: float) -> float:
        """Moves the mock's time forward; the offset from real time it now runs at."""
        state = self._controls._call("POST", "/__mock/clock", json={"advance_seconds": seconds})
        return float(state["offset_seconds"])

    def reset(self) -> None:
        self._controls._call("DELETE", "/__mock/clock")

    @property
    def offset(self) -> float:
        return float(self._controls._call("GET", "/__mock/clock")["offset_seconds"])

    def now(self) -> float:
        """The time as the mock sees it (epoch seconds)."""
        return float(self._controls._call("GET", "/__mock/clock")["now"])


class MockControls:
    """The QA controls of a mock at ``base_url``."""

    def __init__(
        self, base_url: str, *, timeout: float = TIMEOUT, token: str | None = None, verify: Any = True
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        headers = {"Authorization": "Bearer " + token} if token else None
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout, headers=headers, verify=verify)
        self.clock = Clock(self)

    def __enter__(self) -> MockControls:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # --- one request ------------------------------------------------------------------------------

    @staticmethod
    def force(code: int | None = None, example: str | None = None, **answer: Any) -> dict[str, str]:
        """The ``Prefer`` header asking one request for a documented answer (``code``, ``example``), a
        delay (ms) or a fault: the names :data:`~oauth2_token_contract.mock.forcing.PREFER_FIELDS` holds."""
        answer = {"code": code, "example": example, **answer}
        unknown = sorted(set(answer) - set(PREFER_FIELDS))
        if unknown:
            raise TypeError(f"force() takes {', '.join(PREFER_FIELDS)}, not {', '.join(unknown)}")
        parts = [f"{name}={answer[name]}" for name in PREFER_FIELDS if answer.get(name) is not None]
        if not parts:
            raise ValueError(f"force() needs one of {', '.join(PREFER_FIELDS)}")
        return {"Prefer": ", ".join(parts)}

    # --- the state ---------------------------------------------------------------------------------

    def reset(self) -> None:
        """Back to the state at start: tokens, budgets, journal, clock, rules, run-time clients."""
        self._call("POST", "/__mock/reset")

    # --- clients -----------------------------------------------------------------------------------

    def create_client(
        self, client_id: str | None = None, client_secret: str | None = None, **settings: Any
    ) -> ClientCredentials:
        """A client usable at once (``scopes``, ``grant_types``, ``token_type``, ``expires_in``,
        ``refresh_expires_in``, ``rate_limit``, ``issue_refresh_tokens`` as in the YAML file; the
        file's defaults for the rest). Id and secret are made up when not given."""
        client_id = client_id or "lab-" + secrets.token_hex(8)
        client_secret = client_secret or secrets.token_urlsafe(24)
        body = {"client_id": client_id, "client_secret": client_secret, **settings}
        created = self._call("POST", "/__mock/clients", json=body)
        return ClientCredentials(client_id, client_secret, tuple(created["scopes"]))

    def clients(self) -> list[dict[str, Any]]:
        """Every client with its settings (never its secret)."""
        return list(self._call("GET", "/__mock/clients")["clients"])

    def delete_client(self, client_id: str) -> None:
        """The client is gone, and its refresh tokens with it."""
        self._call("DELETE", "/__mock/clients/" + quote(client_id, safe=""))

    # --- scripted answers --------------------------------------------------------------------------

    def rule(
        self,
        *,
        client_id: str | None = None,
        grant_type: str | None = None,
        media: str | None = None,
        times: int = 1,
        **answer: Any,
    ) -> int:
        """The next ``times`` matching requests get ``answer`` (any of
        :data:`~oauth2_token_contract.mock.forcing.FIELDS`); its id."""
        unknown = sorted(set(answer) - set(FIELDS))
        if unknown:
            raise TypeError(f"rule() answers with {', '.join(FIELDS)}, not {', '.join(unknown)}")
        match = {
            name: value
            for name, value in (("client_id", client_id), ("grant_type", grant_type), ("media", media))
            if value is not None
        }
        created = self._call("POST", "/__mock/rules", json={"match": match, "times": times, "answer": answer})
        return int(created["id"])

    def rules(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "/__mock/rules")["rules"])

    def delete_rule(self, rule_id: int) -> None:
        self._call("DELETE", f"/__mock/rules/{rule_id}")

    def clear_rules(self) -> None:
        self._call("DELETE", "/__mock/rules")

    # --- the journal -------------------------------------------------------------------------------

    def requests(
        self,
        *,
        client_id: str | None = None,
        grant_type: str | None = None,
        status: int | None = None,
        since: float | None = None,
    ) -> list[dict[str, Any]]:
        """The journal's entries that match (secrets redacted), oldest first."""
        query = _query(client_id=client_id, grant_type=grant_type, status=status, since=since)
        return list(self._call("GET", "/__mock/requests", params=query)["requests"])

    def count(self, **query: Any) -> int:
        """How many journal entries match (``client_id``, ``grant_type``, ``status``, ``since``)."""
        return int(self._call("GET", "/__mock/requests", params=_query(**query))["count"])

    def wait_for(self, *, timeout: float = TIMEOUT, **query: Any) -> list[dict[str, Any]]:
        """The matching entries as soon as there is one; TimeoutError after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            wait_ms = max(1, min(_SERVER_WAIT_MS, int(remaining * 1000)))
            params = {**_query(**query), "wait": str(wait_ms)}
            found = self._call(
                "GET", "/__mock/requests", params=params, timeout=self.timeout + wait_ms / 1000
            )
            if found["count"]:
                return list(found["requests"])
        raise TimeoutError(f"no request matching {query} within {timeout} s")

    # --- the wire ----------------------------------------------------------------------------------

    def _call(self, method: str, path: str, *, timeout: float | None = None, **options: Any) -> Any:
        response = self._http.request(method, path, timeout=timeout or self.timeout, **options)
        if response.status_code >= 300:
            try:
                description = str(response.json().get("error_description", response.text))
            except ValueError:
                description = response.text
            raise ControlRefused(response.status_code, description)
        return response.json() if response.content else None


def _query(**fields: Any) -> dict[str, str]:
    """Query parameters for the journal: the fields that are set, as text."""
    unknown = set(fields) - {"client_id", "grant_type", "status", "since"}
    if unknown:
        raise TypeError(f"unknown journal field(s): {', '.join(sorted(unknown))}")
    return {name: str(value) for name, value in fields.items() if value is not None}


def statuses(entries: Iterable[dict[str, Any]]) -> list[int]:
    """The statuses of journal entries, in order: what most assertions compare."""
    return [int(entry["status"]) for entry in entries]
