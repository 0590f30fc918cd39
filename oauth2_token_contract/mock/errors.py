"""The mock's refusals, as exceptions the endpoint turns into answers.

    MockError
    ├── OAuthError                  400, RFC 6749 section 5.2 ``error`` codes
    │   ├── InvalidRequest
    │   ├── InvalidClient
    │   ├── InvalidGrant
    │   ├── UnauthorizedClient
    │   ├── UnsupportedGrantType
    │   └── InvalidScope
    └── RateLimited                 429, carries the milliseconds until a request passes

    ControlError                    a QA control refused (``mock_control_error``), off the contract
    StateUnavailable                the shared state's engine (Redis) cannot be reached: 503, off the
                                    contract, so no answer claims what the shared state does not hold

Descriptions are fixed texts (where none is given, the spec's example description for the code),
never request values: an answer must not echo what the client sent, secrets least of all.
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "ControlError",
    "InvalidClient",
    "InvalidGrant",
    "InvalidRequest",
    "InvalidScope",
    "MockError",
    "OAuthError",
    "RateLimited",
    "StateMoved",
    "StateUnavailable",
    "UnauthorizedClient",
    "UnsupportedGrantType",
]


class MockError(Exception):
    """Anything the endpoint answers with an error status."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "invalid_request"

    def __init__(self, description: str | None = None) -> None:
        super().__init__(description or self.code)
        self.description = description


class OAuthError(MockError):
    """A 400 with one of the RFC 6749 section 5.2 codes."""


class InvalidRequest(OAuthError):
    code = "invalid_request"


class InvalidClient(OAuthError):
    code = "invalid_client"


class InvalidGrant(OAuthError):
    code = "invalid_grant"


class UnauthorizedClient(OAuthError):
    code = "unauthorized_client"


class UnsupportedGrantType(OAuthError):
    code = "unsupported_grant_type"


class InvalidScope(OAuthError):
    code = "invalid_scope"


class RateLimited(MockError):
    """Over budget; ``retry_in_ms`` is how long until a request will pass again."""

    status = 429
    code = "rate_limited"

    def __init__(self, retry_in_ms: int) -> None:
        super().__init__()
        self.retry_in_ms = retry_in_ms


OAUTH_ERRORS: tuple[type[OAuthError], ...] = (
    InvalidRequest,
    InvalidClient,
    InvalidGrant,
    UnauthorizedClient,
    UnsupportedGrantType,
    InvalidScope,
)


class ControlError(Exception):
    """A QA control asked for something the mock cannot do: 422 (bad input) or 409 (a conflict, a
    cap reached), with ``error: mock_control_error``. Not a :class:`MockError`: it never reaches a
    contract answer."""

    def __init__(self, description: str, status: int = 422) -> None:
        super().__init__(description)
        self.description = description
        self.status = status


class StateUnavailable(Exception):
    """The engine behind the shared state (Redis) did not answer. Not a :class:`MockError`: the
    endpoint answers 503, marked in the journal as outside the contract, rather than an answer (a
    200, an ``invalid_grant``) that the state of the other replicas might contradict."""

    def __init__(self, description: str = "the mock's shared state is unreachable") -> None:
        super().__init__(description)
        self.description = description


class StateMoved(Exception):
    """Another process changed the shared control state (clients, rules, clock) since this one last
    read it; raised once this process has read it again, so the endpoint runs the request's steps
    again on the new state."""
