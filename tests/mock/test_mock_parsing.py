"""Reading requests: media types, charsets, form decoding, empty values, duplicates, bad bodies."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oauth2_token_contract.spec import contract
from tests.support.mock_http import TOKEN, basic, error_of, journal

FORM = "application/x-www-form-urlencoded"


def form(http, content: bytes | str, headers=None, content_type=FORM):
    return http.post(TOKEN, content=content, headers={"Content-Type": content_type, **(headers or {})})


@pytest.mark.parametrize(
    "content_type", [FORM + "; charset=utf-8", FORM + ";charset=UTF-8", 'application/json; charset="utf-8"']
)
def test_charset_parameter_is_accepted(http, body_creds, content_type):
    params = {"grant_type": "client_credentials", **body_creds}
    if "json" in content_type:
        content = json.dumps(params)
    else:
        content = "&".join(f"{k}={v}" for k, v in params.items())
    assert form(http, content, content_type=content_type).status_code == 200


def test_unsupported_charset_is_invalid_request(http, body_creds):
    content = "grant_type=client_credentials"
    assert error_of(form(http, content, content_type=FORM + "; charset=utf-16")) == "invalid_request"


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "multipart/form-data", None])
def test_unsupported_content_type_is_invalid_request(http, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    response = http.post(TOKEN, content=b"grant_type=client_credentials", headers=headers)
    assert error_of(response) == "invalid_request"


def test_plus_in_a_form_is_a_space(http, basic_auth, opaque_client):
    scopes = sorted(opaque_client.scopes)
    content = "grant_type=client_credentials&scope=" + "+".join(s.replace("/", "%2F") for s in scopes)
    response = form(http, content, basic_auth)
    assert response.status_code == 200, response.text
    assert response.json()["scope"] == " ".join(scopes)


def test_form_decoded_basic_credentials(write_config):
    """Basic credentials are form-url-decoded after base64 (RFC 6749 section 2.3.1)."""
    import httpx

    from oauth2_token_contract.mock import running_mock

    def configure(data):
        data["clients"][0]["client_secret"] = "s3cret with+plus:colon%"

    with running_mock(write_config(configure), rate_limit="off") as url:
        client_id = "5clTR_MdVrrkgxw2"
        response = httpx.post(
            url + TOKEN,
            data={"grant_type": "client_credentials"},
            headers={"Authorization": basic(client_id, "s3cret with+plus:colon%")},
            timeout=5,
        )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("encoding", ["form", "json"])
def test_empty_values_are_omitted(http, body_creds, encoding):
    params = {"grant_type": "client_credentials", "scope": "", "refresh_token": "", **body_creds}
    response = http.post(TOKEN, json=params) if encoding == "json" else http.post(TOKEN, data=params)
    assert response.status_code == 200, response.text


def test_empty_grant_type_is_missing(http, body_creds):
    assert error_of(http.post(TOKEN, data={"grant_type": "", **body_creds})) == "invalid_request"


@pytest.mark.parametrize("name", ["grant_type", "client_id", "client_secret", "scope", "refresh_token"])
def test_parameter_sent_twice_in_a_form_is_invalid_request(http, body_creds, name):
    params = [("grant_type", "client_credentials"), *body_creds.items(), ("scope", "/accounts.read")]
    value = dict(params).get(name, "x")
    params += [(name, value)] * (1 if name in dict(params) else 2)
    content = "&".join(f"{k}={v}" for k, v in params)
    assert error_of(form(http, content)) == "invalid_request"


def test_duplicate_json_key_is_invalid_request(http, body_creds):
    members = [f'"{k}":"{v}"' for k, v in body_creds.items()]
    members += ['"grant_type":"client_credentials"', '"scope":"/accounts.read"', '"scope":"/accounts.write"']
    content = "{" + ",".join(members) + "}"
    assert error_of(form(http, content, content_type="application/json")) == "invalid_request"


@pytest.mark.parametrize("value", [1, None, True, [1, 2], {"a": {"b": [1]}}, "x" * 10000, 1.5e300])
def test_unknown_parameters_are_ignored_whatever_their_type(token, value):
    assert token(grant_type="client_credentials", unknown_parameter=value).status_code == 200


def test_unknown_form_parameter_twice_is_ignored(http, body_creds):
    content = "grant_type=client_credentials&x=1&x=2&" + "&".join(f"{k}={v}" for k, v in body_creds.items())
    assert form(http, content).status_code == 200


ODD_BODIES = [
    (b"{", "application/json"),
    (b"[]", "application/json"),
    (b'"grant_type"', "application/json"),
    (b"null", "application/json"),
    (b"123", "application/json"),
    (b'{"grant_type": NaN}', "application/json"),
    (b'{"grant_type": Infinity}', "application/json"),
    (b'{"grant_type": "\\ud800"}', "application/json"),
    (b'{"grant_type":"client_credentials","scope":"\\ud800"}', "application/json"),
    (b'{"grant_type":"client_credentials","client_id":"\\udfff","client_secret":"x"}', "application/json"),
    (b'{"grant_type":"client_credentials","client_id":1' + b"0" * 5000 + b"}", "application/json"),
    (b"[" * 50000 + b"]" * 50000, "application/json"),
    (b"\xff\xfe\x00", "application/json"),
    (b"\xef\xbb\xbf{}", "application/json"),
    (b"grant_type=%FF", FORM),
    (b"grant_type=\xff", FORM),
    (b"grant_type=%", FORM),
    (b"%%%&&&===", FORM),
    (b"\x00\x01\x02", FORM),
    (b"", FORM),
    (b"", "application/json"),
    (b'{"grant_type":{"a":1}}', "application/json"),
    (b'{"grant_type":["client_credentials"]}', "application/json"),
    (b'{"grant_type":"client_credentials","scope":["/a"]}', "application/json"),
]


@pytest.mark.parametrize(("content", "content_type"), ODD_BODIES)
def test_odd_bodies_get_a_documented_400(http, content, content_type):
    response = form(http, content, content_type=content_type)
    assert response.status_code == 400, response.text
    assert response.json()["error"] in {"invalid_request", "unsupported_grant_type", "invalid_client"}
    assert not any(entry["internal_error"] for entry in journal(http))


def test_body_over_the_cap_is_refused_at_once(http, default_settings):
    content = b"grant_type=client_credentials&pad=" + b"a" * default_settings.max_body_bytes
    assert error_of(form(http, content)) == "invalid_request"


def test_chunked_body_over_the_cap_is_refused(http, default_settings):
    def chunks():
        yield b"grant_type=client_credentials&pad="
        for _ in range(default_settings.max_body_bytes // 4096 + 2):
            yield b"a" * 4096

    response = http.post(TOKEN, content=chunks(), headers={"Content-Type": FORM})
    assert error_of(response) == "invalid_request"


def test_huge_content_length_is_refused_without_reading(mock_url, default_settings):
    """A declared length over the cap is answered before any of the body is sent."""
    import socket

    host, port = mock_url.removeprefix("http://").split(":")
    request = (
        f"POST {TOKEN} HTTP/1.1\r\nHost: {host}\r\nContent-Type: {FORM}\r\n"
        f"Content-Length: {default_settings.max_body_bytes * 100}\r\n\r\n"
    ).encode()
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(request)
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 400")
    assert b"invalid_request" in answer


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    content=st.one_of(
        st.binary(max_size=300),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
            lambda inner: (
                st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
            ),
            max_leaves=12,
        ).map(lambda value: json.dumps(value).encode()),
    ),
    content_type=st.sampled_from(["application/json", FORM, FORM + "; charset=utf-8", "text/plain", ""]),
)
def test_fuzzed_bodies_always_get_a_documented_400(session_http, content, content_type):
    response = session_http.post(TOKEN, content=content, headers={"Content-Type": content_type})
    assert response.status_code == 400, response.text
    assert response.json()["error"] in contract.load().error_codes
