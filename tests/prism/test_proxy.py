"""Prism as a validating proxy (``prism proxy SPEC UPSTREAM --errors``) in front of a tiny upstream.

A faithful answer passes through untouched; a response that breaks the spec becomes Prism's own
500 ``application/problem+json`` with the violations in ``sl-violations``; a request that breaks the
spec is refused with a 422 and never reaches the upstream.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from oauth2_token_contract.spec import contract
from tests.prism.conftest import MODE_HEADER, Upstream

pytestmark = pytest.mark.prism

SPEC = contract.load()
VIOLATIONS = "https://stoplight.io/prism/errors#VIOLATIONS"


def _post(
    client: httpx.Client, mode: str, body: dict[str, Any] | None = None, **kwargs: Any
) -> httpx.Response:
    body = body if body is not None else SPEC.request_examples("application/json")["clientCredentials"]
    return client.post(
        SPEC.token_path, json=body, headers={MODE_HEADER: mode, **kwargs.pop("headers", {})}, **kwargs
    )


def _violations(response: httpx.Response) -> list[dict[str, Any]]:
    return json.loads(response.headers["sl-violations"])


def test_faithful_answer_passes_through(proxy_client: httpx.Client, upstream: Upstream) -> None:
    body = SPEC.request_examples("application/json")["clientCredentials"]
    before = len(upstream.received)

    response = _post(proxy_client, "valid", body, auth=("client", "secret"))

    assert response.status_code == 200
    assert response.json() == SPEC.response_examples(200)["opaque"]
    assert response.headers["cache-control"] == "no-store"
    assert "sl-violations" not in response.headers
    [seen] = upstream.received[before:]
    assert seen["path"] == SPEC.token_path
    assert json.loads(seen["body"]) == body
    assert seen["headers"]["authorization"].startswith("Basic ")


def test_invalid_response_body_becomes_a_500(proxy_client: httpx.Client) -> None:
    response = _post(proxy_client, "invalid-body")

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == VIOLATIONS
    assert problem["validation"] == _violations(response)
    found = {(tuple(v["location"]), v["code"]) for v in problem["validation"]}
    assert found == {
        (("response", "body", "access_token"), "minLength"),
        (("response", "body", "access_token"), "pattern"),
        (("response", "body", "expires_in"), "minimum"),
        (("response", "body", "token_type"), "enum"),
    }


def test_missing_no_store_headers_become_a_500(proxy_client: httpx.Client) -> None:
    response = _post(proxy_client, "no-cache-headers")

    assert response.status_code == 500
    messages = [v["message"] for v in _violations(response)]
    assert messages == [
        "Response header must have required property 'cache-control'",
        "Response header must have required property 'pragma'",
    ]


def test_429_without_retry_header_becomes_a_500(proxy_client: httpx.Client) -> None:
    response = _post(proxy_client, "429-without-retry")

    assert response.status_code == 500
    [violation] = _violations(response)
    assert (
        violation["message"] == f"Response header must have required property '{SPEC.retry_header.lower()}'"
    )


def test_undocumented_status_passes_with_a_warning(proxy_client: httpx.Client) -> None:
    """Only errors trip ``--errors``; an unknown status is a warning, so the upstream's answer passes."""
    response = _post(proxy_client, "undocumented-status")

    assert response.status_code == 503
    assert response.json() == {"error": "temporarily_unavailable"}
    [violation] = _violations(response)
    assert violation["severity"] == "Warning"
    assert violation["message"].startswith("Unable to match the returned status code")


def test_invalid_request_is_refused_with_a_422(proxy_client: httpx.Client, upstream: Upstream) -> None:
    """Unlike mock mode (the spec's 400), the proxy answers Prism's own 422 and does not forward."""
    before = len(upstream.received)

    response = _post(proxy_client, "valid", {"grant_type": "password"})

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "https://stoplight.io/prism/errors#UNPROCESSABLE_ENTITY"
    assert [(v["location"], v["code"]) for v in problem["validation"]] == [(["body", "grant_type"], "enum")]
    assert len(upstream.received) == before


def test_unparsable_json_is_never_answered(proxy_client: httpx.Client, upstream: Upstream) -> None:
    """The same Prism 5.16 hang as in mock mode; nothing reaches the upstream."""
    before = len(upstream.received)

    with pytest.raises(httpx.ReadTimeout):
        proxy_client.post(
            SPEC.token_path, content=b"\x00", headers={"Content-Type": "application/json"}, timeout=1.0
        )

    assert len(upstream.received) == before
