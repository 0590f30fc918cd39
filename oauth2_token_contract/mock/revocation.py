"""``POST /oauth2/revoke`` (RFC 7009), where the spec documents a revocation operation.

After the shared steps (:mod:`.lifecycle`): the client's budget, ``token`` required (else
``invalid_request``), the client authenticated as at the token endpoint (Basic or body, else
``invalid_client``), then the token looked up in both stores whatever ``token_type_hint`` says (RFC
7009 2.1 lets the server look further; the mock never trusts the hint):

* a token of this client is revoked: an access token alone (its refresh token, and so the grant,
  stay: RFC 7009 leaves it to the server), a refresh token with every access token of its grant (RFC
  7009 2.1 "SHOULD"); over shared state in one step;
* a token issued to another client is refused, ``unauthorized_client`` (RFC 7009 2.1: the server
  "verifies whether the token was issued to the client making the revocation request"; 2.2.1);
* an unknown, expired or already revoked token is a success all the same (RFC 7009 2.2).

A success is the status the spec documents (Moov's 204, which the lint reports as contradicting RFC
7009 2.2's 200), else 200, with no body.
"""

from __future__ import annotations

from typing import Any

from oauth2_token_contract.mock.endpoint import RequestHeaders
from oauth2_token_contract.mock.errors import UnauthorizedClient
from oauth2_token_contract.mock.lifecycle import Handled, OperationEndpoint
from oauth2_token_contract.mock.store import OTHER, UNKNOWN

__all__ = ["RevocationEndpoint"]


class RevocationEndpoint(OperationEndpoint):
    """The revocation operation's own step."""

    def handle(self, scope: dict[str, Any], headers: RequestHeaders, params: dict[str, Any]) -> Handled:
        c = self.components
        client = self.authenticated(scope, headers, params)
        token = self.token_of(params)
        outcome = UNKNOWN
        if len(token) <= self.token_limit:
            now = c.clock.now()
            outcome = c.access.revoke(token, client.client_id, now)
            if outcome == UNKNOWN:
                outcome = c.store.revoke(token, client.client_id, now, c.access, client.expires_in)
        if outcome == OTHER:
            raise UnauthorizedClient("the token was issued to another client")
        return self.success(), client.client_id
