"""Which server the suite talks to, with which credentials, under which safety rules.

A target is named by ``--target`` or ``TOKEN_API_TARGET``:

* ``mock`` (default): the embedded mock, started on a free loopback port for the run;
* ``prism``: Prism over the same spec, through ``oauth2_token_contract.mock.prism`` (stateless);
* a name from ``targets.yaml`` (``staging``, ``sandbox``...): its base URL and the names of the
  environment variables that hold its credentials;
* an ``http(s)://`` URL.

Everything but the embedded mock is "remote": it gets a request budget, needs credentials from the
environment, and may not be provoked into 429 unless ``TOKEN_API_ALLOW_BURST=1``.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import yaml

from oauth2_token_contract.mock.embedded import ClientCredentials, default_client, embedded_mock
from oauth2_token_contract.mock.server import running_mock
from oauth2_token_contract.spec import contract
from oauth2_token_contract.suite.errors import UnsafeTarget

__all__ = ["TARGETS_FILE", "Settings", "Target", "TargetPlan", "is_loopback", "open_target", "plan"]

Kind = Literal["mock", "prism", "remote"]
# Named targets: the project's own file, where the suite runs (TOKEN_API_TARGETS_FILE names another).
TARGETS_FILE = Path("targets.yaml")
DEFAULT_BUDGET = 400


def _flag(env: Mapping[str, str], name: str) -> bool:
    return env.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """Run-wide knobs, each from the environment (the pytest options override the target)."""

    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    scope: str | None = None
    max_requests: int | None = None
    allow_burst: bool = False
    allow_insecure_http: bool = False
    timeout: float = 10.0
    max_wait: float = 30.0
    # A remote target's known budget: a burst of this many requests must meet a 429.
    expect_429_within: int | None = None
    # A client of the target allowed client_credentials only, when its owner names one: the refresh
    # grant is then unauthorized_client for it.
    restricted_client: ClientCredentials | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        budget = env.get("TOKEN_API_MAX_REQUESTS")
        return cls(
            client_id=env.get("TOKEN_API_CLIENT_ID") or None,
            client_secret=env.get("TOKEN_API_CLIENT_SECRET") or None,
            scope=env.get("TOKEN_API_SCOPE") or None,
            max_requests=int(budget) if budget else None,
            allow_burst=_flag(env, "TOKEN_API_ALLOW_BURST"),
            allow_insecure_http=_flag(env, "TOKEN_API_ALLOW_INSECURE_HTTP"),
            timeout=float(env.get("TOKEN_API_TIMEOUT") or 10.0),
            max_wait=float(env.get("TOKEN_API_MAX_WAIT") or 30.0),
            expect_429_within=int(env["TOKEN_API_EXPECT_429_WITHIN"])
            if env.get("TOKEN_API_EXPECT_429_WITHIN")
            else None,
            restricted_client=ClientCredentials(
                env["TOKEN_API_RESTRICTED_CLIENT_ID"], env["TOKEN_API_RESTRICTED_CLIENT_SECRET"], ()
            )
            if env.get("TOKEN_API_RESTRICTED_CLIENT_ID") and env.get("TOKEN_API_RESTRICTED_CLIENT_SECRET")
            else None,
        )


@dataclass(frozen=True)
class TargetPlan:
    """What to run against, before any server is started: ``base_url`` is None for mock and prism."""

    name: str
    kind: Kind
    base_url: str | None
    client_id: str
    client_secret: str = field(repr=False)
    scopes: tuple[str, ...]
    budget: int | None
    allow_burst: bool


@dataclass(frozen=True)
class Target:
    """A server the suite is talking to, with what it can be asked to do."""

    name: str
    kind: Kind
    base_url: str
    client_id: str
    client_secret: str = field(repr=False)
    scopes: tuple[str, ...]
    budget: int | None
    allow_burst: bool
    # Clients of the embedded mock's own, for the families that need one (None elsewhere): a tight
    # budget for the burst family, JWT access tokens, a grant type refused.
    burst_client: ClientCredentials | None = field(default=None, repr=False)
    jwt_client: ClientCredentials | None = field(default=None, repr=False)
    restricted_client: ClientCredentials | None = field(default=None, repr=False)

    @classmethod
    def started(cls, plan: TargetPlan, base_url: str, **clients: ClientCredentials | None) -> Target:
        return cls(
            name=plan.name,
            kind=plan.kind,
            base_url=base_url.rstrip("/"),
            client_id=plan.client_id,
            client_secret=plan.client_secret,
            scopes=plan.scopes,
            budget=plan.budget,
            allow_burst=plan.allow_burst,
            **clients,
        )

    @property
    def token_url(self) -> str:
        return self.base_url + contract.load().token_path

    @property
    def stateful(self) -> bool:
        """Prism answers from examples and remembers nothing; the others issue and store tokens."""
        return self.kind != "prism"

    @property
    def controls(self) -> bool:
        """The embedded mock's ``/__mock`` QA endpoints are there."""
        return self.kind == "mock"

    @property
    def may_burst(self) -> bool:
        return self.kind == "mock" or self.allow_burst

    def describe(self) -> str:
        budget = "unlimited" if self.budget is None else str(self.budget)
        return f"{self.name} ({self.kind}) at {self.base_url}, client {self.client_id}, budget {budget}"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _check_url(url: str, settings: Settings) -> str:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise UnsafeTarget(f"not an http(s) URL: {url!r}")
    if parts.scheme == "http" and not is_loopback(parts.hostname) and not settings.allow_insecure_http:
        raise UnsafeTarget(
            f"refusing plain http:// to {parts.hostname}: credentials would cross the network in clear. "
            "Use https://, or set TOKEN_API_ALLOW_INSECURE_HTTP=1 if you really mean it."
        )
    return url.rstrip("/")


def _example_client() -> tuple[str, str, tuple[str, ...]]:
    """The spec's documented client: Prism's example."""
    return contract.load().example_client() or _mock_client()


def _mock_client() -> tuple[str, str, tuple[str, ...]]:
    client = default_client()
    return client.client_id, client.client_secret, client.scopes


def _named(name: str) -> Mapping[str, str] | None:
    path = Path(os.environ.get("TOKEN_API_TARGETS_FILE") or TARGETS_FILE)
    if not path.exists():
        return None
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return (entries.get("targets") or {}).get(name)


def plan(choice: str, settings: Settings, env: Mapping[str, str] = os.environ) -> TargetPlan:
    """Resolve ``--target``/``TOKEN_API_TARGET`` into a plan, refusing unsafe ones before any request."""
    choice = choice.strip() or "mock"
    budget = settings.max_requests if settings.max_requests is not None else DEFAULT_BUDGET
    if choice in {"mock", "prism"}:
        # Servers the suite starts itself: their documented client, unless the environment names another.
        client_id, secret, scopes = _mock_client() if choice == "mock" else _example_client()
        kind: Kind = "mock" if choice == "mock" else "prism"
        return TargetPlan(
            name=choice,
            kind=kind,
            base_url=None,
            client_id=settings.client_id or client_id,
            client_secret=settings.client_secret or secret,
            scopes=tuple(settings.scope.split()) if settings.scope else scopes,
            budget=settings.max_requests if choice == "mock" else budget,
            allow_burst=choice == "mock" or settings.allow_burst,
        )
    named = None if "://" in choice else _named(choice)
    if "://" not in choice and named is None:
        raise UnsafeTarget(
            f"unknown target {choice!r}: use mock, prism, a URL, or a name from {TARGETS_FILE.name}"
        )
    url = choice if named is None else named["base_url"]
    id_var = (named or {}).get("client_id_env", "TOKEN_API_CLIENT_ID")
    secret_var = (named or {}).get("client_secret_env", "TOKEN_API_CLIENT_SECRET")
    scope_var = (named or {}).get("scope_env", "TOKEN_API_SCOPE")
    live_id = settings.client_id or env.get(id_var)
    live_secret = settings.client_secret or env.get(secret_var)
    if not live_id or not live_secret:
        raise UnsafeTarget(
            f"target {choice!r} needs real credentials: set {id_var} and {secret_var} "
            f"(and {scope_var}, the scopes this client may ask for)"
        )
    scope = settings.scope or env.get(scope_var) or ""
    return TargetPlan(
        name=choice if named else urlsplit(url).netloc,
        kind="remote",
        base_url=_check_url(url, settings),
        client_id=live_id,
        client_secret=live_secret,
        scopes=tuple(scope.split()),
        budget=budget,
        allow_burst=settings.allow_burst,
    )


@contextmanager
def open_target(chosen: TargetPlan) -> Iterator[Target]:
    """The planned target, ready: the mock or Prism started (and stopped after), a URL as it is."""
    if chosen.kind == "mock":
        embedded = embedded_mock(chosen.client_id)
        with running_mock(app=embedded.app) as base_url:
            yield Target.started(
                chosen,
                base_url,
                burst_client=embedded.burst_client,
                jwt_client=embedded.jwt_client,
                restricted_client=embedded.restricted_client,
            )
    elif chosen.kind == "prism":
        from oauth2_token_contract.mock.prism import running_prism  # noqa: PLC0415 - only when Prism is the target

        with running_prism() as prism:
            yield Target.started(chosen, prism.base_url)
    else:
        assert chosen.base_url is not None
        yield Target.started(chosen, chosen.base_url, restricted_client=Settings.from_env().restricted_client)
