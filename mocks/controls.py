"""QA controls, kept off the contract path: Prism-style ``Prefer`` and the ``/__mock/*`` endpoints.

``Prefer: code=400`` answers with that status' first documented example, ``Prefer: example=NAME``
with the named example (of ``code`` when given, else of the first status that has one); the spec's
response headers come along with their examples (so ``code=429`` carries ``X-Retry-In``). An unknown
code or example gets 422 ``mock_control_error``. ``GET /__mock/requests`` is the journal and
``POST /__mock/reset`` clears the store, the limiter and the journal. ``controls: false`` in the
config turns all of it off.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from mocks.journal import Journal
from mocks.ratelimit import RateLimiter
from mocks.responses import json_response
from mocks.settings import MockSettings
from mocks.store import RefreshTokenStore

__all__ = ["Controls"]


def parse_prefer(value: str) -> dict[str, str]:
    """``code=400, example=x`` (commas or semicolons) -> ``{"code": "400", "example": "x"}``."""
    preferences: dict[str, str] = {}
    for part in value.replace(";", ",").split(","):
        name, sep, setting = part.partition("=")
        if sep:
            preferences[name.strip().lower()] = setting.strip().strip('"')
    return preferences


class Controls:
    """Forced answers from the spec's examples, the journal view and the reset switch."""

    def __init__(
        self, settings: MockSettings, store: RefreshTokenStore, limiter: RateLimiter, journal: Journal
    ) -> None:
        self.enabled = settings.controls
        self.store, self.limiter, self.journal = store, limiter, journal
        contract = settings.contract
        self.examples: dict[int, dict[str, Any]] = {}
        self.headers: dict[int, dict[str, str]] = {}
        for status in sorted(contract.statuses):
            self.examples[status] = contract.response_examples(status)
            self.headers[status] = {
                name: str(header["example"])
                for name, header in contract.response_headers(status).items()
                if "example" in header
            }

    def forced(self, prefer: bytes) -> Response | None:
        """The answer a ``Prefer`` header asks for, or None when it asks for nothing we force."""
        preferences = parse_prefer(prefer.decode("latin-1"))
        code, name = preferences.get("code"), preferences.get("example")
        if code is None and name is None:
            return None
        if code is not None:
            status = int(code) if code.isdigit() else -1
            candidates = [status] if status in self.examples else []
        else:
            candidates = [status for status, examples in self.examples.items() if name in examples]
        for status in candidates:
            examples = self.examples[status]
            if name is None and examples:
                name = next(iter(examples))
            if name in examples:
                return json_response(status, examples[name], self.headers[status])
        body = {"error": "mock_control_error", "error_description": "no such documented response"}
        return json_response(422, body)

    async def requests(self, request: Request) -> Response:
        return json_response(200, {"requests": self.journal.entries()})

    async def reset(self, request: Request) -> Response:
        self.store.clear()
        self.limiter.reset()
        self.journal.clear()
        return Response(status_code=204)
