"""Which seeded faults and correct variants mean anything under a given contract.

A fault seeded against the documentation page may be the contract's own word under another spec
(``token_type: Bearer`` is Moov's published type), and a correct variant may use latitude another
spec takes away (no ``expires_in`` where the spec requires one). Each such variant names the reason it
does not apply; every other one runs, and ``python -m selfcheck --spec NAME`` reports both.
"""

from __future__ import annotations

from collections.abc import Callable

from oauth2_token_contract.spec.contract import Contract

__all__ = ["not_applicable"]

Reason = Callable[[Contract], str | None]


def _token_type(name: str) -> Reason:
    def reason(read: Contract) -> str | None:
        allowed = {t.lower() for t in read.token_types}
        return None if not allowed or name in allowed else f"the spec has no token_type {name}"

    return reason


def _bearer_is_wrong(read: Contract) -> str | None:
    return "the spec's token_type is Bearer" if "bearer" in {t.lower() for t in read.token_types} else None


def _retry_documented(read: Contract) -> str | None:
    return None if read.retry.documented else "the spec documents no retry header (RFC 6585: optional)"


def _retry_undocumented(read: Contract) -> str | None:
    """A 429 naming no wait is latitude only where the spec names no retry header."""
    return (
        f"the spec documents {read.retry.name}: a 429 without it is a fault"
        if read.retry.documented
        else None
    )


def _retry_in_milliseconds(read: Contract) -> str | None:
    return None if read.retry.unit == "milliseconds" else f"the spec's {read.retry.name} is in seconds"


def _refresh_limit(read: Contract) -> str | None:
    """Variants about the limit's own edge (4096 read, 4097 refused) need the spec to set one; a long
    token that was never issued, a padded one and one character more are tested without it."""
    return None if read.refresh_token_max_length else "the spec sets no maxLength for refresh_token"


def _one_422(first: str, second: str) -> Reason:
    """Two refusals a spec answers alike, with a 422 naming the field, cannot be told apart."""

    def reason(read: Contract) -> str | None:
        shared = 422 in read.statuses_for(first) and 422 in read.statuses_for(second)
        return f"the spec answers {first} and {second} alike, with a per-field 422" if shared else None

    return reason


def _optional(field: str) -> Reason:
    def reason(read: Contract) -> str | None:
        return f"the spec requires {field} in every 200" if field in read.required_token_fields else None

    return reason


def _rate_limited(read: Contract) -> str | None:
    return None if read.rate_limited else "the spec documents no 429"


def _uuid_header(*, required: bool) -> Reason:
    """A request id the mock makes per answer (a header documented as a uuid) to drop or garble: the
    spec must document one (and require it, for dropping it to be a fault)."""

    def reason(read: Contract) -> str | None:
        found = any(
            read.header_schema(status, name).get("format") == "uuid"
            and (header.get("required") or not required)
            for status in read.statuses
            for name, header in read.response_headers(status).items()
        )
        return (
            None
            if found
            else f"the spec documents no {'required ' if required else ''}uuid header (x-request-id)"
        )

    return reason


_REASONS: dict[str, tuple[Reason, ...]] = {
    "token-type-bearer": (_bearer_is_wrong,),
    "jwt-not-a-jwt": (_token_type("jwt"),),
    "jwt-exp-in-milliseconds": (_token_type("jwt"),),
    "no-retry-in": (_retry_documented,),
    "retry-in-seconds": (_retry_documented, _retry_in_milliseconds),
    "retry-in-whole-seconds": (_retry_in_milliseconds,),
    "bare-429": (_retry_documented,),
    "limit-off-by-one": (_refresh_limit,),
    "invalid-grant-past-the-limit": (_refresh_limit,),
    "refresh-token-length-unchecked": (_refresh_limit,),
    "client-credentials-only": (_optional("refresh_token"),),
    "missing-refresh-token-invalid-grant": (_one_422("invalid_request", "invalid_grant"),),
    "token-type-capitalised": (_token_type("opaque"),),
    "token-type-capitalised-jwt": (_token_type("jwt"),),
    "jwt": (_token_type("jwt"),),
    "no-expires-in": (_optional("expires_in"),),
    "no-new-refresh-token": (_optional("refresh_token"),),
    "no-rate-limit": (_rate_limited,),
    "retry-in-overstated": (_rate_limited,),
    "rate-limit-503": (_rate_limited,),
    "tight-rate-limit": (_rate_limited,),
    "slow-limit-no-wait-hint": (_rate_limited, _retry_undocumented),
    "no-request-id": (_uuid_header(required=True),),
    "request-id-not-uuid": (_uuid_header(required=False),),
    "request-id-upper-case": (_uuid_header(required=False),),
}


def not_applicable(name: str, read: Contract) -> str | None:
    """Why the variant ``name`` means nothing under ``read``; None when it applies."""
    return next((why for reason in _REASONS.get(name, ()) if (why := reason(read))), None)
