"""The mock's configuration: clients, budgets and knobs, read from YAML and checked against the spec.

``load_settings`` is the one way in; the default file is ``mocks/clients.yaml``. Whatever the spec
constrains (token types, ``expires_in`` bounds, the client id and secret character sets) is checked
here at start, so a bad config fails loudly instead of producing answers that break the contract.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from oauth2_token_contract.spec import contract as contract_module

__all__ = [
    "DEFAULT_CONFIG",
    "TOKEN_FORMATS",
    "ClientConfig",
    "ConfigError",
    "MockSettings",
    "client_config",
    "load_settings",
    "read_scenario",
]

# The example clients: the repository's mocks/, shipped as package data beside the code.
DEFAULT_CONFIG = Path(str(files("oauth2_token_contract.mock.assets") / "clients.yaml"))
OFF = "off"
MEMORY = "memory"
DEFAULT_NAMESPACE = "mock"
_NAMESPACE = re.compile(r"[A-Za-z0-9._-]{1,64}")
TOKEN_FORMATS = ("opaque", "jwt")
# How JWTs are signed: RS256 or ES256 with a key published in the JWK Set, or HS256 with a shared key.
JWT_ALGORITHMS = ("RS256", "ES256", "HS256")
# What every client must have, on itself or (the lifetimes) from the file's ``defaults:``.
REQUIRED = ("client_id", "client_secret", "expires_in", "refresh_expires_in")


class ConfigError(ValueError):
    """The config file (or a command-line override) cannot be used."""


@dataclass(frozen=True, slots=True)
class ClientConfig:
    """One registered client."""

    client_id: str
    client_secret: str
    scopes: frozenset[str]
    token_type: str
    expires_in: int
    refresh_expires_in: int
    rate_limit: str
    grant_types: frozenset[str] = frozenset()
    issue_refresh_tokens: bool = True
    # What the token looks like, apart from what the answer calls it (token_type): a Bearer token may
    # be a random opaque string or a signed JWT.
    token_format: str = "opaque"
    # What a grant that asks for no scope gets (RFC 6749 3.3's pre-defined default); None: all of scopes.
    default_scopes: frozenset[str] | None = None

    @property
    def default_grant(self) -> frozenset[str]:
        """The scope a grant that asks for none gets."""
        return self.scopes if self.default_scopes is None else self.default_scopes


@dataclass(frozen=True)
class MockSettings:
    """Everything the app needs besides the spec; the spec itself is named by ``spec``."""

    clients: Mapping[str, ClientConfig]
    default_rate_limit: str = "100/second"
    rate_limit_override: str | None = None
    spec: Path | None = None
    jwt_issuer: str = "https://mock.oauth2-token-contract.invalid"
    jwt_audience: str | None = None
    # HS256: the shared key; RS256/ES256: the private key as PEM (None: one made at start).
    jwt_key: str | None = field(default=None, repr=False)
    jwt_algorithm: str = "RS256"
    jwt_kid: str | None = None
    max_refresh_tokens: int = 10000
    max_access_tokens: int = 10000
    journal_max_entries: int = 256
    max_body_bytes: int = 65536
    controls: bool = True
    source: Path | None = field(default=None, compare=False)
    # What a client created at run time inherits, as the file's ``defaults`` section gives it.
    client_defaults: Mapping[str, Any] = field(default_factory=dict, compare=False)
    # Scripted answers to load at start (``--scenario FILE``), checked when the app is built.
    scenario: tuple[Mapping[str, Any], ...] = ()
    # Where the state lives: ``memory`` (this process) or ``redis://HOST:PORT/DB`` (shared by every
    # process pointed at it, under the key prefix of ``namespace``): :mod:`oauth2_token_contract.mock.state`.
    state: str = MEMORY
    namespace: str = DEFAULT_NAMESPACE
    # The bearer token ``/__mock/*`` asks for (None: the controls ask for none, loopback only).
    controls_token: str | None = field(default=None, repr=False, compare=False)
    # The protected resource and the scope it needs, for a spec that does not say (``--resource``).
    resource: str | None = None
    resource_scope: str | None = None

    @property
    def shared(self) -> bool:
        """Whether the state is held outside this process (and so may be shared with others)."""
        return self.state != MEMORY

    @property
    def contract(self) -> contract_module.Contract:
        return contract_module.load(self.spec, resource=self.resource, resource_scope=self.resource_scope)

    def budget(self, client: ClientConfig | None) -> str:
        """The rate budget in force for a client (None: an unknown client or a bare peer)."""
        if self.rate_limit_override is not None:
            return self.rate_limit_override
        return client.rate_limit if client is not None else self.default_rate_limit


def _read_yaml(path: Path) -> dict[str, Any]:
    import yaml  # noqa: PLC0415 - the CLI's --help should not pay for it

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        with path.open(encoding="utf-8") as handle:
            data = yaml.load(handle, Loader=loader)  # noqa: S506 - a safe loader
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top")
    return data


# One limit in the notation of the ``limits`` package: ``20/second``, ``1 per minute``, ``5/10 seconds``.
_RATE = re.compile(r"\s*([0-9]+)\s*(?:/|\s*per\s*)\s*([0-9]+)?\s*([a-z]+?)s?\s*", re.IGNORECASE)
_UNIT_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "month": 2592000, "year": 31104000}


def parse_rate(rate: str) -> tuple[int, int]:
    """A budget as (requests allowed, window seconds).

    The notation is ``limits``' (a month is 30 days, a year 12 months, as there); the mock parses it
    itself rather than import that package's start-up cost for one regular expression.
    """
    match = _RATE.fullmatch(rate)
    unit = match.group(3).lower() if match else ""
    if match is None or unit not in _UNIT_SECONDS:
        raise ConfigError(f"{rate!r} is not a rate like '100/second', '5 per 10 seconds' or 'off'")
    return int(match.group(1)), int(match.group(2) or 1) * _UNIT_SECONDS[unit]


def check_rate(rate: Any, where: str) -> str:
    """A budget in ``limits`` notation, or ``off``, checked when the settings load."""
    if not isinstance(rate, str) or not rate.strip():
        raise ConfigError(f"{where}: rate limit must be a string like '100/second' or 'off'")
    rate = rate.strip()
    if rate.lower() == OFF:
        return OFF
    try:
        parse_rate(rate)
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    return rate


def _check_text(value: Any, name: str, contract: contract_module.Contract, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where}: {name} must be a non-empty string")
    limit, pattern = contract.max_length(name), contract.pattern(name)
    if (limit is not None and len(value) > limit) or (pattern and not re.fullmatch(pattern, value)):
        raise ConfigError(f"{where}: {name} breaks the spec's pattern or maxLength")
    return value


def client_config(
    raw: Any, defaults: Mapping[str, Any], contract: contract_module.Contract, where: str = "client"
) -> ClientConfig:
    """One client as the file writes it, checked against the spec; a client created at run time
    (``POST /__mock/clients``) goes through here too, so both are held to the same rules."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a mapping")
    merged = {**defaults, **raw}
    missing = [key for key in REQUIRED if merged.get(key) is None]
    if missing:  # named before anything else is judged, so no later check guesses at the cause
        raise ConfigError(
            f"{where}: missing {', '.join(missing)} (a client names its client_id and client_secret; "
            "expires_in and refresh_expires_in may come from defaults:)"
        )
    client_id = _check_text(merged.get("client_id"), "client_id", contract, where)
    secret = _check_text(merged.get("client_secret"), "client_secret", contract, where)
    scopes = merged.get("scopes", [])
    if isinstance(scopes, str):
        scopes = scopes.split()
    if not isinstance(scopes, list) or not all(isinstance(s, str) and s and " " not in s for s in scopes):
        raise ConfigError(f"{where}: scopes must be a list of scope tokens")
    joined = " ".join(scopes)
    pattern, limit = contract.pattern("scope"), contract.max_length("scope")
    if (pattern and not re.fullmatch(pattern, joined)) or (limit is not None and len(joined) > limit):
        raise ConfigError(f"{where}: scopes break the spec's scope pattern or maxLength")
    default = merged.get("default_scopes")
    if isinstance(default, str):
        default = default.split()
    if default is not None and (not isinstance(default, list) or not set(default) <= set(scopes)):
        raise ConfigError(f"{where}: default_scopes must be a list drawn from the client's scopes")
    token_format, token_type = _token_form(raw, defaults, contract, where)
    low, high = contract.expires_in_bounds
    lifetimes: dict[str, Any] = {key: merged.get(key) for key in ("expires_in", "refresh_expires_in")}
    for key, value in lifetimes.items():
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise ConfigError(f"{where}: {key} must be an integer in [{low}, {high}]")
    if lifetimes["refresh_expires_in"] <= lifetimes["expires_in"]:
        raise ConfigError(
            f"{where}: refresh_expires_in must exceed expires_in (refresh tokens outlive access)"
        )
    grant_types = merged.get("grant_types", list(contract.grant_types))
    if not isinstance(grant_types, list) or not set(grant_types) <= set(contract.grant_types):
        raise ConfigError(f"{where}: grant_types must be a list drawn from {contract.grant_types}")
    return ClientConfig(
        client_id=client_id,
        client_secret=secret,
        scopes=frozenset(scopes),
        token_type=token_type,
        expires_in=lifetimes["expires_in"],
        refresh_expires_in=lifetimes["refresh_expires_in"],
        rate_limit=check_rate(merged.get("rate_limit", "100/second"), where),
        grant_types=frozenset(grant_types),
        issue_refresh_tokens=bool(merged.get("issue_refresh_tokens", True)),
        token_format=token_format,
        default_scopes=None if default is None else frozenset(default),
    )


def _token_form(
    raw: Mapping[str, Any], defaults: Mapping[str, Any], contract: contract_module.Contract, where: str
) -> tuple[str, str]:
    """(format, token_type): how the client's tokens are made, and the name the answer gives them.

    ``format`` defaults to the name when the name is a format (the documentation page's ``opaque`` and
    ``jwt``); ``token_type`` defaults to the spec's name for that format, else its Bearer, else its
    first (RFC 6750's ``Bearer`` where the spec names none).
    """
    named = raw.get("token_type", defaults.get("token_type"))
    form = next(
        (
            value.lower() if key == "token_type" else value
            for source in (raw, defaults)
            for key in ("format", "token_type")
            if isinstance(value := source.get(key), str)
            and (key == "format" or value.lower() in TOKEN_FORMATS)
        ),
        "opaque",
    )
    if form not in TOKEN_FORMATS:
        raise ConfigError(f"{where}: format must be one of {TOKEN_FORMATS}")
    allowed = contract.token_types
    if named is None:
        by_name = {t.lower(): t for t in allowed}
        named = by_name.get(form) or by_name.get("bearer") or (allowed[0] if allowed else "Bearer")
    elif not isinstance(named, str) or (allowed and named not in allowed):
        hint = f"; set format: {named} for how tokens look" if named in TOKEN_FORMATS else ""
        raise ConfigError(f"{where}: token_type {named!r} is not one of the spec's {allowed}{hint}")
    return form, named


def _positive_int(section: Mapping[str, Any], key: str, default: int, *, zero_ok: bool = False) -> int:
    value = section.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < (0 if zero_ok else 1):
        raise ConfigError(f"{key} must be a {'non-negative' if zero_ok else 'positive'} integer")
    return value


def load_settings(
    config: str | os.PathLike[str] | None = None,
    *,
    rate_limit: str | None = None,
    spec: str | os.PathLike[str] | None = None,
    scenario: str | os.PathLike[str] | None = None,
    state: str | None = None,
    namespace: str | None = None,
    controls_token: str | None = None,
    resource: str | None = None,
    resource_scope: str | None = None,
) -> MockSettings:
    """Settings from a YAML file (default ``mocks/clients.yaml``), checked against the spec in force.

    ``rate_limit`` overrides every client's budget (see :func:`parse_rate`, or ``off``); ``spec``
    names the OpenAPI file (default: ``TOKEN_API_SPEC`` or the repository's own); ``scenario``
    names a YAML file of scripted answers (:func:`read_scenario`); ``state`` and ``namespace``
    override the file's ``state:`` section (:func:`state_of`); ``controls_token`` is the bearer
    token the controls ask for; ``resource`` and ``resource_scope`` name the protected resource and
    the scope it needs where the spec does not say (default ``TOKEN_API_RESOURCE``, ``..._SCOPE``).
    """
    path = Path(config) if config else DEFAULT_CONFIG
    data = _read_yaml(path)
    spec_path = contract_module.spec_path(str(spec)).resolve() if spec else None  # a file or a version
    contract = contract_module.load(spec_path, resource=resource, resource_scope=resource_scope)
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise ConfigError("defaults: expected a mapping")
    defaults.setdefault("rate_limit", "100/second")
    raw_clients = data.get("clients") or []
    if not isinstance(raw_clients, list):
        raise ConfigError("clients: expected a list")
    clients: dict[str, ClientConfig] = {}
    for n, raw in enumerate(raw_clients):
        client = client_config(raw, defaults, contract, f"clients[{n}]")
        if client.client_id in clients:
            raise ConfigError(f"clients[{n}]: duplicate client_id")
        clients[client.client_id] = client
    jwt = data.get("jwt") or {}
    store, journal, limits = (data.get(key) or {} for key in ("store", "journal", "limits"))
    return MockSettings(
        clients=clients,
        default_rate_limit=check_rate(defaults["rate_limit"], "defaults"),
        rate_limit_override=None if rate_limit is None else check_rate(rate_limit, "--rate-limit"),
        spec=spec_path,
        jwt_issuer=str(jwt.get("issuer") or "https://mock.oauth2-token-contract.invalid"),
        jwt_audience=jwt.get("audience"),
        **_jwt_signing(jwt, path),
        max_refresh_tokens=_positive_int(store, "max_refresh_tokens", 10000),
        max_access_tokens=_positive_int(store, "max_access_tokens", 10000),
        journal_max_entries=_positive_int(journal, "max_entries", 256, zero_ok=True),
        max_body_bytes=_positive_int(limits, "max_body_bytes", 65536),
        controls=bool(data.get("controls", True)),
        source=path,
        client_defaults=dict(defaults),
        scenario=() if scenario is None else read_scenario(scenario),
        **state_of(data.get("state"), state, namespace),
        controls_token=controls_token or None,
        resource=resource,
        resource_scope=resource_scope,
    )


def _jwt_signing(section: Mapping[str, Any], source: Path) -> dict[str, Any]:
    """``jwt:``'s ``alg``, ``key`` (or ``key_file``, PEM) and ``kid``: RS256 with a key made at start
    by default; a ``key`` that is not PEM, without ``alg``, is an HS256 key (as before RS256)."""
    if not isinstance(section, Mapping):
        raise ConfigError("jwt: expected a mapping")
    key = section.get("key")
    if section.get("key_file"):
        if key:
            raise ConfigError("jwt: give key or key_file, not both")
        try:
            key = (source.parent / str(section["key_file"])).read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"jwt.key_file: cannot read it ({exc.__class__.__name__})") from None
    if key is not None and (not isinstance(key, str) or not key):
        raise ConfigError("jwt.key must be a non-empty string")
    pem = isinstance(key, str) and key.lstrip().startswith("-----BEGIN")
    alg = section.get("alg") or ("HS256" if key and not pem else "RS256")
    if alg not in JWT_ALGORITHMS:
        raise ConfigError(f"jwt.alg must be one of {', '.join(JWT_ALGORITHMS)}")
    if key and (alg == "HS256") == pem:
        raise ConfigError(f"jwt.key: {alg} takes {'a shared key, not PEM' if pem else 'a PEM private key'}")
    kid = section.get("kid")
    if kid is not None and (not isinstance(kid, str) or not kid or not kid.isascii()):
        raise ConfigError("jwt.kid must be a non-empty ASCII string")
    return {"jwt_key": key, "jwt_algorithm": alg, "jwt_kid": kid}


def state_of(section: Any, url: str | None, namespace: str | None) -> dict[str, str]:
    """``state`` and ``namespace`` from the file's ``state:`` (a URL, or ``{url:, namespace:}``), each
    overridden by the command line's; checked here so a typo fails at start, not on a request."""
    if isinstance(section, str):
        section = {"url": section}
    if section is not None and not isinstance(section, dict):
        raise ConfigError("state: expected memory, a redis:// URL, or {url:, namespace:}")
    section = section or {}
    url = str(url or section.get("url") or MEMORY).strip()
    namespace = str(namespace or section.get("namespace") or DEFAULT_NAMESPACE)
    if url != MEMORY and not url.startswith(("redis://", "rediss://", "unix://")):
        scheme = url.partition("://")[0] if "://" in url else url[:20]  # never a password the URL held
        raise ConfigError(f"state {scheme!r}: expected memory or redis://HOST:PORT/DB")
    if not _NAMESPACE.fullmatch(namespace):
        raise ConfigError("namespace: 1 to 64 letters, digits, '.', '_' or '-'")
    return {"state": url, "namespace": namespace}


def read_scenario(path: str | os.PathLike[str]) -> tuple[Mapping[str, Any], ...]:
    """The rules of a scenario file (``rules:``, a list of what ``POST /__mock/rules`` takes), unchecked:
    :mod:`oauth2_token_contract.mock.scripted` checks them against the spec when the app is built."""
    data = _read_yaml(Path(path))
    rules = data.get("rules")
    if not isinstance(rules, list) or not all(isinstance(rule, dict) for rule in rules):
        raise ConfigError(f"{path}: expected `rules:`, a list of mappings")
    return tuple(rules)
