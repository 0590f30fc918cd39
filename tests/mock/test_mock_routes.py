"""Methods and paths off the contract: 405 with ``Allow: POST``, JSON 404s."""

from __future__ import annotations

import pytest

from tests.support.mock_http import TOKEN


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"])
def test_other_methods_are_405(http, method):
    response = http.request(method, TOKEN)
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    if method != "HEAD":
        assert response.json()["error"] == "method_not_allowed"


@pytest.mark.parametrize("path", ["/", "/oauth2", "/oauth2/token/", "/oauth2/tokens", "/__mock/nothing"])
def test_unknown_paths_are_json_404(http, path):
    response = http.post(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"


def test_no_server_header(http, token):
    assert "server" not in token(grant_type="client_credentials").headers
