"""RFC 6749 5.1 says ``expires_in`` is a lifetime in seconds; Moov's published document calls it a Unix
timestamp. The suite judges by the RFC unless the user chooses the spec's word."""

from __future__ import annotations

import pytest

from oauth2_token_contract.suite.checks.every_answer import expires_in_as_a_timestamp

NOW = 1_800_000_000.0


@pytest.mark.parametrize(
    ("expires_in", "flagged"),
    [(900, False), (86400 * 365 * 10, False), (int(NOW) + 900, True), (int(NOW) - 60, True), (None, False)],
)
def test_a_timestamp_is_not_a_lifetime(expires_in: int | None, flagged: bool) -> None:
    assert expires_in_as_a_timestamp({"expires_in": expires_in}, now=NOW) is flagged


def test_the_spec_s_word_when_the_user_chooses_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOKEN_API_EXPIRES_IN", "spec")
    assert not expires_in_as_a_timestamp({"expires_in": int(NOW) + 900}, now=NOW)
