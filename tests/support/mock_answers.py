"""Real answers from a real mock, for the tests of single-answer checks: a token, an invalid_client
and an unknown scope, sent by the suite's own client to the mock serving a spec (with one of its parts
replaced, to seed a fault)."""

from __future__ import annotations

from pathlib import Path

from oauth2_token_contract.mock import create_app, load_settings, running_mock
from oauth2_token_contract.suite.client import TokenClient
from oauth2_token_contract.suite.exchange import Exchange
from oauth2_token_contract.suite.pacing import Pacer
from oauth2_token_contract.suite.targets import Target


def answers(spec: str | Path, renderer: type | None = None) -> dict[str, Exchange]:
    """A token, an invalid_client (400) and an unknown scope (a 422 where the spec has per-field ones),
    from the mock serving ``spec``, with ``renderer`` in place of its own."""
    settings = load_settings(spec=spec, rate_limit="off")
    overrides = {"renderer": renderer} if renderer is not None else {}
    seed = next(iter(settings.clients.values()))
    with running_mock(app=create_app(settings, **overrides)) as url:
        target = Target(name="mock", kind="remote", base_url=url, client_id=seed.client_id,
                        client_secret=seed.client_secret, scopes=tuple(sorted(seed.scopes)),
                        budget=None, allow_burst=False)  # fmt: skip
        client = TokenClient(target, Pacer(budget=None), timeout=5.0)
        try:
            return {
                "token": client.grant(),
                "invalid_client": client.post({"grant_type": "client_credentials"}, client_secret="wrong"),
                "unknown_scope": client.grant(scope="/admin.all"),
            }
        finally:
            client.close()
