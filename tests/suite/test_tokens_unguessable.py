"""``tokens_unguessable``: a token of fewer than 20 characters cannot carry the 2^-128 chance of
guessing that RFC 6749 10.10 asks, whatever made it; from 20 characters up, any token passes."""

from __future__ import annotations

import json

import pytest

from oauth2_token_contract.spec.names import Check
from oauth2_token_contract.suite.checks import CheckContext, tokens_unguessable
from oauth2_token_contract.suite.checks.issued import MIN_TOKEN_LENGTH
from oauth2_token_contract.suite.errors import ContractViolation
from oauth2_token_contract.suite.exchange import Exchange, SentRequest

GRANT = SentRequest("POST", "http://127.0.0.1:1/oauth2/token", [], b"grant_type=client_credentials")


def _answer(**tokens: str) -> Exchange:
    body = {"token_type": "opaque", "expires_in": 900, **tokens}
    return Exchange(GRANT, 200, [], json.dumps(body).encode(), elapsed=0.01, answered_at=1000.0)


def test_the_bound_is_what_128_bits_need_in_vschar() -> None:
    assert MIN_TOKEN_LENGTH == 20  # 95 ** 19 < 2 ** 128 <= 95 ** 20
    assert 95 ** (MIN_TOKEN_LENGTH - 1) < 2**128 <= 95**MIN_TOKEN_LENGTH


@pytest.mark.parametrize("field", ["access_token", "refresh_token"])
def test_a_token_one_character_short_fails_and_says_which(field: str) -> None:
    tokens = {"access_token": "a" * 40, "refresh_token": "r" * 40, field: "x" * (MIN_TOKEN_LENGTH - 1)}
    with pytest.raises(ContractViolation) as failure:
        tokens_unguessable(CheckContext(), _answer(**tokens))
    assert failure.value.check == Check.TOKENS_UNGUESSABLE
    assert field in str(failure.value) and "x" * 19 not in str(failure.value)  # the token is not quoted


@pytest.mark.parametrize(
    "tokens",
    [
        {"access_token": "x" * MIN_TOKEN_LENGTH},  # no refresh token: allowed
        {"access_token": "x" * 36, "refresh_token": "y" * 4096},
        {"access_token": "eyJhbGciOiJIUzI1NiJ9.e30.c2ln" + "s" * 20},
    ],
)
def test_tokens_of_20_characters_or_more_pass(tokens: dict[str, str]) -> None:
    tokens_unguessable(CheckContext(), _answer(**tokens))
