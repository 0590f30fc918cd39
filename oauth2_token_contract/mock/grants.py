"""The grants: client credentials (RFC 6749 section 4.4) and refresh (section 6).

A client may be limited to some grant types (``grant_types`` in the config); any other is
``unauthorized_client``. Scope: a request may ask for a subset of what the client is allowed
(nothing asked means all of it); a refresh may narrow the original grant, never widen it; anything
else is ``invalid_scope``. Refresh tokens are single use: a successful refresh consumes the old one
and issues a new one with the original scope (section 6). A token that is unknown, expired, already
used or issued to another client is ``invalid_grant``; failed requests consume nothing. Time is the
mock's clock (:mod:`oauth2_token_contract.mock.clock`): moved forward, it expires refresh tokens and dates new
tokens.

Every access token issued is remembered (:mod:`oauth2_token_contract.mock.access`: one O(1) step, or
one blind write sent with the journal entry over shared state), with the grant it belongs to: a
client_credentials grant that comes with a refresh token starts a grant (a random id), and each
refresh hands it on, so revoking the refresh token ends every access token of the grant.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from oauth2_token_contract.mock.access import AccessRecord, AccessTokenStore
from oauth2_token_contract.mock.clock import MockClock
from oauth2_token_contract.mock.errors import InvalidGrant, InvalidRequest, InvalidScope, UnauthorizedClient
from oauth2_token_contract.mock.settings import ClientConfig, MockSettings
from oauth2_token_contract.mock.store import RefreshRecord, RefreshTokenStore
from oauth2_token_contract.mock.tokens import TokenMinter

__all__ = ["Grants", "Issued"]

_SCOPE_TEXTS = 1024  # remembered scope spellings; forgotten all at once past this
_GRANT_ID_CHARS = 22  # 132 random bits

Grant = Callable[[ClientConfig, dict[str, Any]], "Issued"]


class Issued(NamedTuple):
    """What a successful grant hands to the renderer (a tuple: built on every grant, cheaper than a
    frozen dataclass)."""

    access_token: str
    token_type: str
    expires_in: int
    scope: str
    refresh_token: str | None


class Grants:
    """One method per grant type the mock implements, named after it."""

    def __init__(
        self,
        settings: MockSettings,
        store: RefreshTokenStore,
        minter: TokenMinter,
        *,
        clock: MockClock | None = None,
        access: AccessTokenStore | None = None,
    ) -> None:
        self.store = store
        self.minter = minter
        self.clock = clock or MockClock()
        self.access = access if access is not None else AccessTokenStore(settings)
        self._lineage: str | None = None  # the grant a refresh hands on to :meth:`issue`
        self._scope_texts: dict[frozenset[str], str] = {}
        self._grants: dict[str, Grant] = {}
        # A spec whose 200 requires refresh_token (Moov's published one) gets one on every grant,
        # whatever a client's issue_refresh_tokens says.
        self.refresh_required = "refresh_token" in settings.contract.required_token_fields
        for grant_type in settings.contract.grant_types:
            grant = getattr(self, grant_type, None)
            if callable(grant):
                self._grants[grant_type] = grant

    def grant(self, grant_type: str) -> Grant | None:
        """The handler for a grant type; None when the spec lists one the mock does not implement."""
        return self._grants.get(grant_type)

    @staticmethod
    def authorize(client: ClientConfig, grant_type: str) -> None:
        if grant_type not in client.grant_types:
            raise UnauthorizedClient("the client may not use this grant type")

    def client_credentials(self, client: ClientConfig, params: dict[str, Any]) -> Issued:
        if params.get("scope") is None:
            scope = client.default_grant  # RFC 6749 3.3: the client's pre-defined default
        else:
            scope = self.scope_within(params, client.scopes)
        return self.issue(client, scope, scope)

    def refresh_token(self, client: ClientConfig, params: dict[str, Any]) -> Issued:
        token = params.get("refresh_token")
        if token is None:
            raise InvalidRequest("refresh_token is required for this grant type")
        record = self.store.get(token, self.clock.now())
        if record is None or record.client_id != client.client_id:
            raise InvalidGrant("the refresh token is invalid, expired or was issued to another client")
        scope = self.scope_within(params, record.scope)
        self._lineage = record.grant  # read by issue() in the same synchronous step
        return self.issue(client, scope, record.scope, replacing=token)

    @staticmethod
    def scope_within(params: dict[str, Any], allowed: frozenset[str]) -> frozenset[str]:
        requested = params.get("scope")
        if requested is None:
            return allowed
        scope = frozenset(requested.split(" "))
        if not scope <= allowed:
            raise InvalidScope("the requested scope exceeds what was granted")
        return scope

    def scope_text(self, scope: frozenset[str]) -> str:
        """The scope as the answer spells it (sorted), remembered: a client asks for few scope sets."""
        text = " ".join(sorted(scope))
        if len(self._scope_texts) >= _SCOPE_TEXTS:
            self._scope_texts.clear()
        self._scope_texts[scope] = text
        return text

    def issue(
        self,
        client: ClientConfig,
        scope: frozenset[str],
        refresh_scope: frozenset[str],
        replacing: str | None = None,
    ) -> Issued:
        """The tokens for a grant; ``replacing`` (a refresh) is consumed in the same store step that
        adds its successor, and ``invalid_grant`` when another request consumed it first."""
        now = self.clock.now()
        scope_text = self._scope_texts.get(scope)
        if scope_text is None:
            scope_text = self.scope_text(scope)
        lineage, self._lineage = (self._lineage if replacing is not None else None), None
        refresh_token = None
        if client.issue_refresh_tokens or self.refresh_required:
            refresh_token = self.minter.refresh_token()
            lineage = lineage or self.minter.random_text(_GRANT_ID_CHARS)
            record = RefreshRecord(client.client_id, refresh_scope, now + client.refresh_expires_in, lineage)
            if replacing is None:
                self.store.add(refresh_token, record, now)
            elif not self.store.rotate(replacing, refresh_token, record, now):
                raise InvalidGrant("the refresh token was already used")
        elif replacing is not None and self.store.consume(replacing) is None:
            raise InvalidGrant("the refresh token was already used")
        issued_at = int(now)
        access_token = self.minter.access_token(client, scope_text, issued_at)
        self.access.add(
            access_token,
            AccessRecord(
                client.client_id, scope_text, issued_at, now + client.expires_in, lineage, client.token_type
            ),
            now,
        )
        return Issued(access_token, client.token_type, client.expires_in, scope_text, refresh_token)
