"""The stateful mock of ``POST /oauth2/token`` and the rest of a token's life: a small public face over
one module per job.

    oauth2_token_contract.mock
    ├── settings        clients YAML -> MockSettings
    ├── components      one part per job, and the seam for variants of the mock
    │   ├── state           the interface of the parts that remember; in memory by default
    │   ├── backends        which state the settings name (memory, redis://)
    │   └── shared          the same parts in Redis, shared by every process of a namespace
    ├── app             create_app: the parts behind their routes, the documented operations' included
    ├── endpoint        the request path and its check order
    │   ├── parsing         body and parameters
    │   ├── validation      the spec's request schema
    │   ├── authentication  Basic or body credentials
    │   ├── ratelimit       per-client budgets, X-Retry-In
    │   │   └── windows         fixed-window counters, bounded
    │   ├── grants          client_credentials, refresh_token
    │   │   ├── tokens          opaque and JWT minting
    │   │   │   └── keys            the JWT signing key (RS256, ES256, HS256) and its JWK Set
    │   │   ├── store           refresh tokens, bounded
    │   │   └── access          access tokens, bounded, and the grants a revocation ended
    │   ├── errors          the refusals, as exceptions the endpoint answers
    │   └── rendering       every answer: token, error, 429, 503 and the few non-contract replies
    ├── lifecycle       the steps the other documented operations share (method, Prefer, body, journal)
    │   ├── revocation      RFC 7009 revocation, where the spec documents it
    │   ├── introspection   RFC 7662 introspection, where the spec documents it
    │   └── resource        the protected resource (RFC 6750: Moov's GET /ping), where documented
    ├── discovery       RFC 8414 metadata and the JWK Set, under every spec
    ├── versions        several contract versions at once, chosen per request
    ├── controls        QA controls off the contract path, at /__mock/*
    │   ├── forcing         what Prefer or a scripted rule forces an answer to be, checked against the spec
    │   ├── injection       delays and wire faults (reset, close, truncate, slow body)
    │   ├── scripted        scripted answers for the next N matching requests
    │   ├── journal         the last N requests, redacted, and questions about them
    │   ├── clock           the mock's time, moved forward on request
    │   └── clients         the clients, shared by every part, changed at run time
    ├── controls_client  MockControls: the controls from Python (httpx only)
    ├── embedded        the mock as the suite embeds it: an app and its clients' credentials
    ├── cli             ``serve`` and ``prism``; ``__main__`` runs it
    ├── server          runners: foreground (CLI), thread, subprocess
    │   ├── processes       child processes in a group of their own, stopped whole
    │   ├── workers         serve --workers N: forked processes on one port
    │   ├── exposure        beyond loopback: the controls token; https
    │   └── uvicorn_server  uvicorn, hardened, imported only when a server is built
    │       ├── protocols       httptools and h11 with the bounds they lack
    │       ├── wire            the connection a QA fault acts on
    │       └── bounds          the numbers, and the answers past them
    ├── assets          data: the example clients and Prism's pins (the repository's ``mocks/``)
    └── prism           Prism wrapper (separate owner), re-exported lazily

Names load on first use, so ``import oauth2_token_contract.mock`` is cheap and needs neither uvicorn nor
``oauth2_token_contract.mock.prism``. ``tests/test_package_docstrings.py`` keeps this list whole.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = [
    "Components",
    "ControlRefused",
    "MockControls",
    "MockSettings",
    "create_app",
    "load_settings",
    "running_mock",
    "running_mock_process",
    "running_prism",
]

_HOMES = {
    "Components": "oauth2_token_contract.mock.components",
    "ControlRefused": "oauth2_token_contract.mock.controls_client",
    "MockControls": "oauth2_token_contract.mock.controls_client",
    "create_app": "oauth2_token_contract.mock.app",
    "MockSettings": "oauth2_token_contract.mock.settings",
    "load_settings": "oauth2_token_contract.mock.settings",
    "running_mock": "oauth2_token_contract.mock.server",
    "running_mock_process": "oauth2_token_contract.mock.server",
    "running_prism": "oauth2_token_contract.mock.prism",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'oauth2_token_contract.mock' has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
