"""Prism in mock mode over the contract: what it answers, including where it departs from a real server.

Prism is a stateless mock: it validates the request against the spec and answers the spec's examples.
The departures recorded here (a 200 for any well-formed refresh token, a 401 the spec does not document,
no answer at all to unparsable JSON) are why the suite's stateful mock exists.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator, FormatChecker

from oauth2_token_contract.mock.prism import PrismServer
from oauth2_token_contract.spec import contract
from tests.prism.conftest import REQUEST_TIMEOUT, prism_or_skip

pytestmark = pytest.mark.prism

SPEC = contract.load()
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
# Long enough for a local Prism to answer a valid request many times over.
HANG_TIMEOUT = 1.0


def _post(client: httpx.Client, media: str, body: dict[str, Any], **kwargs: Any) -> httpx.Response:
    if media == FORM:
        return client.post(SPEC.token_path, data=body, **kwargs)
    return client.post(SPEC.token_path, json=body, **kwargs)


def _assert_valid(status: int, body: Any) -> None:
    Draft202012Validator(SPEC.response_schema(status), format_checker=FormatChecker()).validate(body)


def _violations(response: httpx.Response) -> list[dict[str, Any]]:
    return json.loads(response.headers["sl-violations"])


def _first_example(status: int) -> Any:
    """Prism answers the first named example of the status it picks."""
    return next(iter(SPEC.response_examples(status).values()))


@pytest.mark.parametrize("media", SPEC.media_types)
@pytest.mark.parametrize("name", list(SPEC.request_examples()))
def test_documented_request_gets_documented_200(mock_client: httpx.Client, media: str, name: str) -> None:
    response = _post(mock_client, media, SPEC.request_examples(media)[name])

    assert response.status_code == 200
    assert response.json() == _first_example(200)
    assert response.headers["content-type"] == JSON
    for header in ("Cache-Control", "Pragma"):
        assert response.headers[header] == SPEC.header_example(200, header)
    assert "sl-violations" not in response.headers


def test_basic_auth_absent_is_accepted(mock_client: httpx.Client) -> None:
    """The spec's security lists ``{}`` beside ``basicAuth``, so body credentials alone are enough."""
    body = SPEC.request_examples(JSON)["clientCredentials"]
    assert "authorization" not in {name.lower() for name in mock_client.headers}

    response = _post(mock_client, JSON, body)

    assert response.status_code == 200
    assert "sl-violations" not in response.headers


def test_basic_auth_present_is_accepted(mock_client: httpx.Client) -> None:
    body = {"grant_type": "client_credentials"}

    response = _post(mock_client, JSON, body, auth=("5clTR_MdVrrkgxw2", "dNC-hg7sVm22jc3g_Eogtyu0_1Mqh_4-"))

    assert response.status_code == 200
    assert response.json() == _first_example(200)


def test_other_auth_scheme_gets_a_401_prism_invents(mock_client: httpx.Client) -> None:
    """Deviation: the spec documents no 401; Prism makes one up for a scheme the spec does not list."""
    response = _post(
        mock_client, JSON, {"grant_type": "client_credentials"}, headers={"Authorization": "Bearer x"}
    )

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == 'Basic realm="*",None'
    assert response.json()["type"] == "https://stoplight.io/prism/errors#UNAUTHORIZED"


@pytest.mark.parametrize("media", SPEC.media_types)
def test_invalid_body_gets_the_documented_400(mock_client: httpx.Client, media: str) -> None:
    response = _post(mock_client, media, {"grant_type": "password"})

    assert response.status_code == 400
    assert response.json() == _first_example(400)
    _assert_valid(400, response.json())
    [violation] = _violations(response)
    assert violation["location"] == ["request", "body", "grant_type"]
    assert violation["code"] == "enum"
    assert violation["severity"] == "Error"


def test_refresh_token_over_the_limit_gets_a_400(mock_client: httpx.Client) -> None:
    token = "a" * (SPEC.refresh_token_max_length + 1)

    response = _post(mock_client, JSON, {"grant_type": "refresh_token", "refresh_token": token})

    assert response.status_code == 400
    assert [v["code"] for v in _violations(response)] == ["maxLength"]


def test_missing_body_gets_a_400(mock_client: httpx.Client) -> None:
    response = mock_client.post(SPEC.token_path, headers={"Content-Type": JSON})

    assert response.status_code == 400
    assert [v["code"] for v in _violations(response)] == ["required"]


def test_unsupported_media_type_gets_a_400(mock_client: httpx.Client) -> None:
    """Prism reports a 415 violation but answers the spec's 400, the only error status it documents."""
    response = mock_client.post(
        SPEC.token_path, content=b"grant_type", headers={"Content-Type": "text/plain"}
    )

    assert response.status_code == 400
    assert [v["code"] for v in _violations(response)] == [415]


def test_prefer_429_gets_the_documented_429(mock_client: httpx.Client) -> None:
    body = SPEC.request_examples(JSON)["clientCredentials"]

    response = _post(mock_client, JSON, body, headers={"Prefer": "code=429"})

    assert response.status_code == 429
    assert response.headers[SPEC.retry_header] == SPEC.header_example(429, SPEC.retry_header)
    assert response.json() == _first_example(429)
    assert "cache-control" not in response.headers


def test_prefer_429_does_not_override_request_validation(mock_client: httpx.Client) -> None:
    response = _post(mock_client, JSON, {"grant_type": "password"}, headers={"Prefer": "code=429"})

    assert response.status_code == 400


@pytest.mark.parametrize("name", list(SPEC.response_examples(400)))
def test_prefer_picks_a_named_400_example(mock_client: httpx.Client, name: str) -> None:
    body = SPEC.request_examples(JSON)["clientCredentials"]

    response = _post(mock_client, JSON, body, headers={"Prefer": f"code=400, example={name}"})

    assert response.status_code == 400
    assert response.json() == SPEC.response_examples(400)[name]


def test_unknown_refresh_token_gets_a_200(mock_client: httpx.Client) -> None:
    """Deviation: Prism keeps no state, so a refresh token it never issued is exchanged like any other."""
    body = {"grant_type": "refresh_token", "refresh_token": "never-issued-by-anyone"}

    response = _post(mock_client, JSON, body)

    assert response.status_code == 200
    assert response.json() == _first_example(200)


@pytest.mark.parametrize("raw", [b"\x00", b'{"grant_type":'], ids=["nul-byte", "truncated-object"])
def test_unparsable_json_is_never_answered(
    mock_client: httpx.Client, prism_mock: PrismServer, raw: bytes
) -> None:
    """Known Prism 5.16 deviation: no 400, no answer at all; only a client timeout ends the request."""
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        mock_client.post(SPEC.token_path, content=raw, headers={"Content-Type": JSON}, timeout=HANG_TIMEOUT)
    assert time.monotonic() - started < HANG_TIMEOUT + 2

    assert prism_mock.running()
    valid = _post(mock_client, JSON, SPEC.request_examples(JSON)["clientCredentials"])
    assert valid.status_code == 200


def test_nul_byte_as_form_gets_a_400(mock_client: httpx.Client) -> None:
    """The same byte as a form body parses (to nothing), so Prism answers it."""
    response = mock_client.post(SPEC.token_path, content=b"\x00", headers={"Content-Type": FORM})

    assert response.status_code == 400
    [violation] = _violations(response)
    assert violation["code"] == "required"


def test_violations_are_logged(mock_client: httpx.Client, prism_mock: PrismServer) -> None:
    _post(mock_client, JSON, {"grant_type": "password"})

    assert "Violation: request.body.grant_type" in prism_mock.log_text()


@pytest.fixture(scope="module")
def dynamic_client() -> Iterator[httpx.Client]:
    with (
        prism_or_skip(dynamic=True) as server,
        httpx.Client(base_url=server.base_url, timeout=REQUEST_TIMEOUT) as client,
    ):
        yield client


@pytest.mark.parametrize("status", SPEC.statuses)
def test_dynamic_answers_fit_their_schema(dynamic_client: httpx.Client, status: int) -> None:
    body = SPEC.request_examples(JSON)["clientCredentials"]
    for _ in range(10):
        response = _post(dynamic_client, JSON, body, headers={"Prefer": f"code={status}"})

        assert response.status_code == status
        _assert_valid(status, response.json())
