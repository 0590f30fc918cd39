"""``tokens_unique`` on answers timed as the wire timed them: a signer without ``jti`` may mint the
same JWT twice within one second of its own clock, whatever second the answers arrive in; a token
handed out again a second later is a cached token."""

from __future__ import annotations

import json

import jwt
import pytest

from oauth2_token_contract.spec.names import Check
from oauth2_token_contract.suite.checks import CheckContext, tokens_unique
from oauth2_token_contract.suite.errors import ContractViolation
from oauth2_token_contract.suite.exchange import Exchange, SentRequest

JWT = jwt.encode({"sub": "client", "scope": "/accounts.read", "iat": 1_000}, "k" * 32, algorithm="HS256")
GRANT = SentRequest("POST", "http://127.0.0.1:1/oauth2/token", [], b"grant_type=client_credentials")


def _answer(token: str, *, sent_at: float, elapsed: float = 0.05) -> Exchange:
    body = {"access_token": token, "token_type": "jwt", "expires_in": 900}
    return Exchange(GRANT, 200, [], json.dumps(body).encode(), elapsed=elapsed, answered_at=sent_at + elapsed)


def test_the_same_jwt_across_a_second_boundary_of_the_answers_is_allowed() -> None:
    """Minted at 1000.90 and 1000.97 by the server, answered at 1000.95 and 1001.02: one second of
    the server's clock, two of the answers'."""
    tokens_unique(CheckContext(), [_answer(JWT, sent_at=1000.88), _answer(JWT, sent_at=1000.96)])


def test_the_same_jwt_a_second_after_the_last_answer_is_a_cached_token() -> None:
    with pytest.raises(ContractViolation) as failure:
        tokens_unique(CheckContext(), [_answer(JWT, sent_at=1000.0), _answer(JWT, sent_at=1001.2)])
    assert failure.value.check == Check.TOKENS_UNIQUE


def test_the_same_opaque_token_is_never_allowed() -> None:
    with pytest.raises(ContractViolation):
        tokens_unique(
            CheckContext(),
            [_answer("opaque-token-1", sent_at=1000.0), _answer("opaque-token-1", sent_at=1000.1)],
        )
