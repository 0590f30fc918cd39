"""Near misses (E21, S11) and the wire as real clients send it (E18 to E20).

The transformations each make a near miss, or nothing where the value has nothing to change, and the
expression a replay line evaluates makes the same one. Pointed by URL at the mock, the new tests pass;
at a mock with one laxity seeded, they fail naming its check, with a curl line that spells out neither
the secret nor its near miss; at the correct variant that answers a chunked body 411, they pass.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oauth2_token_contract.mock import running_mock
from oauth2_token_contract.spec import contract
from oauth2_token_contract.spec.names import Check
from oauth2_token_contract.suite import strategies
from oauth2_token_contract.suite.near_misses import KINDS, NearMiss, malformed
from selfcheck.faults import correct_app, faulty_app
from selfcheck.suite_run import SuiteRun

SECRET = contract.load().request_examples()["clientCredentials"]["client_secret"]
SELECTION = (
    "near_misses_of_the_credentials or near_miss_of_a_refresh or media_type_and or basic_is_read or chunked"
)


@given(near=strategies.near_misses(), value=st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E)))
def test_a_near_miss_differs_from_the_value_and_its_expression_makes_it(near: NearMiss, value: str) -> None:
    made = near.apply(value)
    if made is None:
        return
    varied, expression = made
    assert varied != value
    assert eval(expression, {}, {"v": value}) == varied  # the expression the replay line evaluates


def test_every_kind_is_drawn() -> None:
    assert set(KINDS) == {"case_one", "case_all", "trailing", "leading", "prefix", "fullwidth", "appended",
                          "percent"}  # fmt: skip


@pytest.mark.parametrize(
    ("near", "value"),
    [
        (NearMiss("case_all"), "1234-5678_90"),
        (NearMiss("case_one"), "1234-5678_90"),
        (NearMiss("prefix"), "12345678"),
    ],
)
def test_a_transformation_that_changes_nothing_gives_nothing(near: NearMiss, value: str) -> None:
    assert near.apply(value) is None


def test_the_laxities_fold_their_near_misses_back() -> None:
    value = "dNC-hg7sVm22jc3g"
    fullwidth = NearMiss("fullwidth", at=0).apply(value)
    assert fullwidth is not None and unicodedata.normalize("NFKC", fullwidth[0]) == value
    percent = NearMiss("percent").apply(value)
    assert percent is not None and unquote(percent[0]) == value
    prefix = NearMiss("prefix", at=3).apply(value)
    assert prefix is not None and len(prefix[0]) == 11 and value.startswith(prefix[0])


@pytest.mark.parametrize(
    ("value", "expected"),
    [("secret ", False), ("secret\t", True), ("secret\x00", True), ("\uff53ecret", True), ("x" * 256, True)],
)
def test_malformed_follows_vschar_and_the_spec(value: str, expected: bool) -> None:
    """VSCHAR allows a space; a tab, a NUL, a fullwidth letter, or past the spec's maxLength of 255 not."""
    assert malformed(value, "client_secret") is expected


def test_the_new_tests_pass_the_mock_by_url(suite_by_url: Callable[..., SuiteRun]) -> None:
    with running_mock() as url:
        run = suite_by_url(url, "-k", SELECTION)
    assert run.returncode == 0, run.output[-3000:]
    last = run.output.strip().splitlines()[-1]
    assert "passed" in last and "skipped" not in last, last  # each test ran, none was skipped


def test_a_chunked_body_answered_411_passes(suite_by_url: Callable[..., SuiteRun]) -> None:
    """RFC 9112 section 6.3: a server MAY ask for a Content-Length; the suite accepts the 411."""
    with running_mock(app=correct_app("chunked-length-required")) as url:
        run = suite_by_url(url, "-k", "chunked")
    assert run.returncode == 0, run.output[-3000:]


@pytest.mark.parametrize(
    ("fault", "check"),
    [
        ("secret-case-insensitive", Check.NEAR_MISS_CREDENTIALS_REFUSED),
        ("refresh-token-trimmed", Check.NEAR_MISS_REFRESH_TOKEN_REFUSED),
        ("basic-scheme-case-sensitive", Check.AUTH_SCHEME_CASE_INSENSITIVE),
        ("chunked-body-refused", Check.CHUNKED_BODY_ACCEPTED),
    ],
)
def test_a_seeded_laxity_fails_naming_its_check(
    suite_by_url: Callable[..., SuiteRun], fault: str, check: Check
) -> None:
    with running_mock(app=faulty_app(fault)) as url:
        run = suite_by_url(url, "-k", SELECTION, env={"TOKEN_API_PROFILE": "quick"})
    assert run.returncode == 1, run.output[-3000:]
    assert f"contract check failed: {check}" in run.output, run.output[-3000:]
    assert "curl -sS" in run.output, "the failure carries no curl line"
    for spelled in (SECRET, SECRET.swapcase(), SECRET + " "):
        assert spelled not in run.output, "the secret, or a near miss of it, leaked into the report"
