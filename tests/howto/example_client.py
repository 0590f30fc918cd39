"""A client application's token source: the kind of code QA points at the mock.

It is written the way client libraries are (httpx, Basic credentials, a cached token), with the
behaviour the how-to tests check: it gives up after its own timeout, waits ``X-Retry-In`` after a
429, retries a dropped connection, reuses its access token until it expires, refreshes it with the
refresh token, and starts over with client credentials when the refresh token has expired too.
Its clock is injectable (``clock``), so a test can move it in step with the mock's.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

__all__ = ["TokenClient", "TokenUnavailable"]

LEEWAY = 30  # seconds before expiry at which a token counts as expired


class TokenUnavailable(Exception):
    """No token after every retry: what the application sees when the auth server fails it."""


@dataclass
class _Token:
    access_token: str
    expires_at: float
    refresh_token: str | None


class TokenClient:
    """Access tokens for one client, fetched when needed and cached until they expire."""

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        *,
        timeout: float = 2.0,
        retries: int = 2,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.token_url = token_url
        self.retries = retries
        self.clock, self.sleep = clock, sleep
        self._http = httpx.Client(timeout=timeout, auth=(client_id, client_secret))
        self._token: _Token | None = None

    def close(self) -> None:
        self._http.close()

    def access_token(self) -> str:
        """A valid access token: the cached one, a refreshed one, or a new one."""
        token = self._token
        if token is not None and self.clock() < token.expires_at - LEEWAY:
            return token.access_token
        if token is not None and token.refresh_token is not None:
            answer = self._post({"grant_type": "refresh_token", "refresh_token": token.refresh_token})
            if answer.status_code == 200:
                return self._keep(answer.json())
            # invalid_grant: the refresh token expired (or was spent); start over.
        answer = self._post({"grant_type": "client_credentials"})
        if answer.status_code != 200:
            raise TokenUnavailable(f"the token endpoint answered {answer.status_code}")
        return self._keep(answer.json())

    def _keep(self, body: dict[str, Any]) -> str:
        self._token = _Token(
            body["access_token"], self.clock() + body["expires_in"], body.get("refresh_token")
        )
        return self._token.access_token

    def _post(self, form: dict[str, str]) -> httpx.Response:
        """One token request, retried after a 429 (as long as ``X-Retry-In`` says) and after a
        timeout or a dropped connection."""
        for _ in range(self.retries + 1):
            try:
                answer = self._http.post(self.token_url, data=form)
            except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError):
                continue
            if answer.status_code == 429:
                self.sleep(int(answer.headers.get("X-Retry-In", "1000")) / 1000)
                continue
            return answer
        raise TokenUnavailable(f"no answer after {self.retries + 1} attempts")
