"""The access tokens this mock issued: to whom, for which scope, from when until when, of which grant.

The token endpoint remembers every access token it issues (one O(1) step, as the refresh store does:
:class:`~oauth2_token_contract.mock.store.TokenRecords`), so that the protected resource, revocation and
introspection can judge a token without trusting what it says, JWTs included. Bounded by
``store.max_access_tokens``: expired entries go first, then the oldest; a token forgotten is refused
as if it had expired. Time is the mock's clock.

Revoking a refresh token ends the access tokens of its grant (RFC 7009 2.1 "SHOULD"): rather than
look them up, the store keeps a mark for the grant (:meth:`AccessTokenStore.end_grant`) among the
tokens themselves, and a token whose grant has a mark is refused. The mark lives until the last token
it covers would have expired, and, entered after all of them in the same bounded order, it is never
dropped before them. Revoking an access token leaves its refresh token alone (RFC 7009 leaves it to
the server; the mock keeps the grant alive, so the client may refresh).
"""

from __future__ import annotations

from typing import NamedTuple

from oauth2_token_contract.mock.settings import MockSettings
from oauth2_token_contract.mock.store import OTHER, REVOKED, UNKNOWN, TokenRecords

__all__ = ["GRANT_MARK", "AccessRecord", "AccessTokenStore"]

GRANT_MARK = "grant "  # a grant's mark among the tokens: no token holds a space


class AccessRecord(NamedTuple):
    """Whom an access token was issued to, what it allows, when, and of which grant (None: no
    refresh token came with it, so nothing can revoke it but itself)."""

    client_id: str
    scope: str  # as the answer spelled it
    issued_at: int
    expires_at: float
    grant: str | None
    token_type: str


class AccessTokenStore(TokenRecords[AccessRecord]):
    """Access token -> record, at most ``store.max_access_tokens`` (grant marks included)."""

    def __init__(self, settings: MockSettings) -> None:
        super().__init__(settings.max_access_tokens, settings.clients)

    def check(self, token: str, now: float) -> AccessRecord | None:
        """The record of a token the resource accepts: issued here, not expired, not revoked, and its
        grant not ended; None otherwise."""
        record = self.get(token, now) if " " not in token else None  # never a grant's mark
        if record is None or (record.grant is not None and self.get(GRANT_MARK + record.grant, now)):
            return None
        return record

    def revoke(self, token: str, client_id: str, now: float) -> str:
        """RFC 7009 for an access token: REVOKED, UNKNOWN (no live token) or OTHER (another client's)."""
        record = self.check(token, now)
        if record is None:
            return UNKNOWN
        if record.client_id != client_id:
            return OTHER
        self.consume(token)
        return REVOKED

    def end_grant(self, grant: str, client_id: str, until: float, now: float) -> None:
        """Every access token of ``grant`` is refused from now on (the mark lasts ``until``)."""
        self.add(GRANT_MARK + grant, AccessRecord(client_id, "", int(now), until, None, ""), now)
