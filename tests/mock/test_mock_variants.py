"""The seam for faulty variants: a subclass overriding one method, passed to ``create_app`` by name."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from oauth2_token_contract.mock import create_app, load_settings, running_mock
from oauth2_token_contract.mock.grants import Issued
from oauth2_token_contract.mock.rendering import ResponseRenderer
from tests.support.mock_http import TIMEOUT, TOKEN


class BearerRenderer(ResponseRenderer):
    """Faulty: says ``Bearer`` where the spec allows only its own token types."""

    def token_body(self, issued: Issued) -> dict[str, Any]:
        return {**super().token_body(issued), "token_type": "Bearer"}


@pytest.mark.parametrize("override", [BearerRenderer, "instance"])
def test_a_variant_overrides_one_method(override, body_creds):
    settings = load_settings(rate_limit="off")
    renderer = BearerRenderer(settings) if override == "instance" else override
    app = create_app(settings, renderer=renderer)
    assert isinstance(app.state.components.renderer, BearerRenderer)
    with running_mock(app=app) as url:
        response = httpx.post(
            url + TOKEN, json={"grant_type": "client_credentials", **body_creds}, timeout=TIMEOUT
        )
        refused = httpx.post(url + TOKEN, json={"grant_type": "client_credentials"}, timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.json()["token_type"] == "Bearer"
    assert refused.json()["error"] == "invalid_client"  # everything else is the real mock


def test_unknown_component_name_is_refused():
    with pytest.raises(TypeError, match="unknown component"):
        create_app(load_settings(), renderr=BearerRenderer)
