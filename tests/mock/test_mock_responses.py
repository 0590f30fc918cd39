"""The token answer written out by hand is byte for byte what encoding ``token_body`` gives."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oauth2_token_contract.mock.grants import Issued
from oauth2_token_contract.mock.rendering import ResponseRenderer, json_response, token_json
from oauth2_token_contract.mock.settings import load_settings

RENDERER = ResponseRenderer(load_settings())

issued = st.builds(
    Issued,
    access_token=st.text(),
    token_type=st.sampled_from(["opaque", "jwt", 'we"ird\\\u00e9\u2028']),
    expires_in=st.integers(min_value=-(2**63), max_value=2**63),
    scope=st.text(),
    refresh_token=st.none() | st.text(),
)


@given(issued)
def test_the_written_out_body_matches_the_encoded_dict(value: Issued) -> None:
    assert token_json(value) == json_response(200, RENDERER.token_body(value)).body
    assert json.loads(token_json(value)) == RENDERER.token_body(value)


@given(issued)
def test_a_token_answer_carries_the_spec_headers_and_an_exact_length(value: Issued) -> None:
    response = RENDERER.token(value)
    headers = dict(response.raw_headers)
    assert response.status_code == 200
    assert headers[b"content-length"] == str(len(response.body)).encode()
    assert headers[b"content-type"] == b"application/json"
    assert headers[b"cache-control"] == b"no-store"
    assert len(response.raw_headers) == len(headers)  # no header twice


def test_a_renderer_that_reshapes_the_body_is_encoded_from_its_dict() -> None:
    class Bearer(ResponseRenderer):
        def token_body(self, issued: Issued) -> dict[str, object]:
            return {**super().token_body(issued), "token_type": "Bearer"}

    answer = Bearer(load_settings()).token(Issued("a", "opaque", 900, "s", None))
    assert json.loads(answer.body)["token_type"] == "Bearer"


def test_token_headers_are_replaced_whole_not_edited_in_place() -> None:
    renderer = ResponseRenderer(load_settings())
    with pytest.raises(TypeError):  # an in-place edit would miss the raw headers built from it
        renderer.token_headers["X-Extra"] = "1"  # type: ignore[index]
    renderer.token_headers = {}
    headers = dict(renderer.token(Issued("a", "opaque", 900, "s", None)).raw_headers)
    assert b"cache-control" not in headers
