"""Secrets are masked by name and by value; curl lines name the target's secret as a variable."""

from __future__ import annotations

import subprocess

from oauth2_token_contract.spec.redaction import MASK, Redactor
from oauth2_token_contract.suite.exchange import Exchange, SentRequest, as_curl

SECRET = "Zq9-distinctive_secret_value"
TOKEN = "tok_4f1c2a9b7e6d5c3b"


def _redactor() -> Redactor:
    redactor = Redactor()
    redactor.add_shell(SECRET, "TOKEN_API_CLIENT_SECRET")
    redactor.learn_from_body({"access_token": TOKEN, "token_type": "opaque"})
    return redactor


def test_secret_fields_are_masked_by_name_in_json_and_forms() -> None:
    redactor = Redactor()
    json_body = b'{"client_secret":"abcdefgh","refresh_token":"r1","refresh_token":"r2","scope":"a"}'
    assert redactor.body(json_body, "application/json").count(MASK) == 3
    form = redactor.body(b"client_secret=abcdefgh&scope=a+b", "application/x-www-form-urlencoded")
    assert "abcdefgh" not in form and "scope=a+b" in form


def test_a_form_is_masked_as_sent_not_re_encoded() -> None:
    form = b"scope=a%20b+c%2541&client_secret=abcdefgh&client%5Fsecret=ijklmnop&x=%ZZ"
    shown = Redactor().body(form, "application/x-www-form-urlencoded")
    assert shown == f"scope=a%20b+c%2541&client_secret={MASK}&client%5Fsecret={MASK}&x=%ZZ"


def test_an_empty_secret_is_shown_empty() -> None:
    redactor = Redactor()
    assert redactor.body(b'{"client_secret":"","password": ""}', "application/json") == (
        '{"client_secret":"","password": ""}'
    )
    assert redactor.body(b"client_secret=&scope=a", "application/x-www-form-urlencoded") == (
        "client_secret=&scope=a"
    )


def test_known_values_are_masked_anywhere() -> None:
    redactor = _redactor()
    text = f"error_description: bad secret {SECRET} and token {TOKEN}"
    masked = redactor.text(text)
    assert SECRET not in masked and TOKEN not in masked and masked.count(MASK) == 2


def test_authorization_is_masked() -> None:
    assert Redactor().header("Authorization", "Basic Zm9vOmJhcg==") == f"Basic {MASK}"


def test_a_curl_line_replays_the_request_without_the_secret() -> None:
    redactor = _redactor()
    body = f'{{"grant_type":"client_credentials","client_id":"me","client_secret":"{SECRET}"}}'.encode()
    request = SentRequest(
        "POST", "http://127.0.0.1:9/oauth2/token", [("Content-Type", "application/json")], body
    )
    line = as_curl(request, redactor)
    assert SECRET not in line
    # The shell rebuilds the exact body from the exported variable.
    echo = line.split("--data-raw ", 1)[1]
    rebuilt = subprocess.run(
        ["bash", "-c", f"printf %s {echo}"],
        env={"TOKEN_API_CLIENT_SECRET": SECRET},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert rebuilt.encode() == body


def test_describe_masks_tokens_in_the_answer() -> None:
    redactor = _redactor()
    request = SentRequest("POST", "http://127.0.0.1:9/oauth2/token", [], b"")
    answer = Exchange(
        request,
        200,
        [("content-type", "application/json")],
        f'{{"access_token":"{TOKEN}","token_type":"opaque"}}'.encode(),
    )
    assert TOKEN not in answer.describe(redactor)


def test_a_secret_in_the_url_query_is_masked_and_replayed_from_its_variable() -> None:
    """The suite sends credentials in the query to prove a server refuses them (RFC 6749 2.3.1)."""
    redactor = _redactor()
    odd = "Pl+s /sl:sh-Secret_9Qw"
    redactor.add(odd)
    url = f"http://127.0.0.1:9/oauth2/token?client_id=me&client_secret={SECRET}"
    request = SentRequest("POST", url, [], b"grant_type=client_credentials")
    shown = Exchange(request, 400, [], b"").describe(redactor, full=True)
    assert SECRET not in shown and "$TOKEN_API_CLIENT_SECRET" in shown and "client_id=me" in shown
    encoded = "Pl%2Bs+%2Fsl%3Ash-Secret_9Qw"  # as urlencode puts it in a query
    odd_url = f"http://127.0.0.1:9/oauth2/token?client_secret={encoded}"
    odd_shown = Exchange(SentRequest("GET", odd_url, [], b""), 405, [], b"").describe(redactor, full=True)
    assert encoded not in odd_shown and odd not in odd_shown
