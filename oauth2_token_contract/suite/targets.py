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

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import yaml

from oauth2_token_contract.mock.embedded import ClientCredentials, default_client, embedded_mock
from oauth2_token_contract.mock.exposure import is_loopback  # the mock binds by the same rule
from oauth2_token_contract.mock.server import running_mock
from oauth2_token_contract.spec import contract
from oauth2_token_contract.suite.errors import UnsafeTarget
from oauth2_token_contract.suite.settings import Settings

__all__ = ["TARGETS_FILE", "Settings", "Target", "TargetPlan", "is_loopback", "open_target", "plan"]

Kind = Literal["mock", "prism", "remote"]
# Named targets: the project's own file, where the suite runs (TOKEN_API_TARGETS_FILE names another).
TARGETS_FILE = Path("targets.yaml")
DEFAULT_BUDGET = 400


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
    restricted_client: ClientCredentials | None = field(default=None, repr=False)

    def describe(self) -> str:
        """What the run talks to, for the summary's first line: a URL, or the server it starts."""
        if self.kind == "mock":
            return "embedded mock (started on a free loopback port for the run)"
        if self.kind == "prism":
            return "Prism over the spec (started for the run)"
        named = self.name != urlsplit(self.base_url or "").netloc
        return f"{self.base_url} ({self.name} in targets.yaml)" if named else str(self.base_url)


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


def _named(name: str, path: Path) -> Mapping[str, str] | None:
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
    named = None if "://" in choice else _named(choice, Path(settings.targets_file or TARGETS_FILE))
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
        restricted_client=settings.restricted_client,
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
        yield Target.started(chosen, chosen.base_url, restricted_client=chosen.restricted_client)
