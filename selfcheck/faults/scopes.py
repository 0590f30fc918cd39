"""Scope: granted within what was asked for and what the client may have, matched exactly, and a
refresh that may narrow its grant's scope but never widen it.
"""

from __future__ import annotations

from typing import Any

from oauth2_token_contract.mock.errors import InvalidScope
from oauth2_token_contract.mock.grants import Grants, Issued
from oauth2_token_contract.mock.settings import ClientConfig
from selfcheck.faults.model import Fault

__all__ = ["FAULTS"]


class ScopeEchoed(Grants):
    """Grants whatever scope was asked for, allowed or not."""

    def client_credentials(self, client: ClientConfig, params: dict[str, Any]) -> Issued:
        requested = params.get("scope")
        if requested is None:
            return super().client_credentials(client, params)
        scope = frozenset(requested.split(" "))
        return self.issue(client, scope, scope)


class ScopeRequestIgnored(Grants):
    """Checks the requested scope, then grants the client's whole allowance anyway."""

    def client_credentials(self, client: ClientConfig, params: dict[str, Any]) -> Issued:
        self.scope_within(params, client.scopes)
        return self.issue(client, client.scopes, client.scopes)


class ScopeCaseInsensitive(Grants):
    """Scope tokens matched without regard to case, granted in the allowance's spelling."""

    @staticmethod
    def scope_within(params: dict[str, Any], allowed: frozenset[str]) -> frozenset[str]:
        requested = params.get("scope")
        if requested is not None:
            by_case = {s.lower(): s for s in allowed}
            params = {**params, "scope": " ".join(by_case.get(s.lower(), s) for s in requested.split(" "))}
        return Grants.scope_within(params, allowed)


class RefreshAnswersOriginalScope(Grants):
    """A narrowed refresh answers with the scope of the grant it refreshed, not the narrowed one."""

    def refresh_token(self, client: ClientConfig, params: dict[str, Any]) -> Issued:
        record = self.store.get(params.get("refresh_token", ""), self.clock.now())
        issued = super().refresh_token(client, params)
        return issued if record is None else issued._replace(scope=" ".join(sorted(record.scope)))


class RefreshNeedsScope(Grants):
    def refresh_token(self, client: ClientConfig, params: dict[str, Any]) -> Issued:
        if params.get("scope") is None:
            raise InvalidScope("scope is required")
        return super().refresh_token(client, params)


class NarrowedRefreshRefused(Grants):
    def refresh_token(self, client: ClientConfig, params: dict[str, Any]) -> Issued:
        if params.get("scope") is not None:
            raise InvalidScope("a refresh keeps its scope")
        return super().refresh_token(client, params)


class NarrowedRefreshToken(Grants):
    """A narrowed refresh hands back a refresh token for the narrowed scope, not the original."""

    def issue(
        self,
        client: ClientConfig,
        scope: frozenset[str],
        refresh_scope: frozenset[str],
        replacing: str | None = None,
    ) -> Any:
        return super().issue(client, scope, scope if replacing is not None else refresh_scope, replacing)


class WideningRefresh(Grants):
    """A refresh grants what was asked for, checked against the client's allowance, not the grant's."""

    def refresh_token(self, client: ClientConfig, params: dict[str, Any]) -> Any:
        record = self.store.get(params.get("refresh_token", ""), self.clock.now())
        if record is not None:
            self.store.consume(params["refresh_token"])
            return self.issue(client, self.scope_within(params, client.scopes), client.scopes)
        return super().refresh_token(client, params)


FAULTS: dict[str, Fault] = {
    f.name: f
    for f in (
        Fault(
            "scope-echoed-not-allowed",
            "a requested scope the client may not have is granted and echoed back",
            {"grants": ScopeEchoed},
            breaks=("R6/json", "R6/form"),
        ),
        Fault(
            "scope-request-ignored",
            "a narrower scope request gets the client's whole allowance",
            {"grants": ScopeRequestIgnored},
            breaks=("S2",),
        ),
        Fault(
            "scope-case-insensitive",
            "scope tokens matched without regard to case",
            {"grants": ScopeCaseInsensitive},
            breaks=("S3/json", "S3/form"),
        ),
        Fault(
            "refresh-ignores-narrowing",
            "a narrowed refresh answers with the original grant's scope",
            {"grants": RefreshAnswersOriginalScope},
            breaks=("S2",),
        ),
        Fault(
            "refresh-needs-scope",
            "a refresh without scope refused as invalid_scope",
            {"grants": RefreshNeedsScope},
            breaks=("S4",),
        ),
        Fault(
            "narrowed-refresh-refused",
            "a refresh asking for less scope refused",
            {"grants": NarrowedRefreshRefused},
            breaks=("S6",),
        ),
        Fault(
            "narrowed-refresh-token",
            "the refresh token a narrowed refresh hands back carries only the narrowed scope",
            {"grants": NarrowedRefreshToken},
            breaks=("S12",),
        ),
        Fault(
            "refresh-widens-scope",
            "a refresh may grant any scope the client has, beyond the original",
            {"grants": WideningRefresh},
            breaks=("S7",),
        ),
    )
}
