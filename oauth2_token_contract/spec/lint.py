"""``token-contract lint SPEC``: what the project reads from a spec, what it assumes, where it contradicts.

The same reading the mock and the suite use (:mod:`.contract`), said in a few lines a person can check
before pointing anything at a server: the operation found, the refusal statuses, the retry header and
its unit, the token types, the other operations of a token's life it documents and those it does not;
then each RFC fallback ("assumed: ...") and each contradiction of RFC 6749.
"""

from __future__ import annotations

from collections.abc import Callable

from oauth2_token_contract.spec.contract import Contract, SpecError, load

__all__ = ["FOUND_CONTRADICTIONS", "UNREADABLE", "describe", "lint"]

UNREADABLE = 4  # the spec cannot describe a token endpoint: a setting that cannot be used
FOUND_CONTRADICTIONS = 1  # it can, and it says something an RFC forbids


def describe(read: Contract) -> list[str]:
    """The lines a person checks: what was read, what was assumed, what contradicts the RFC."""
    retry = read.retry
    limit = "none" if not read.rate_limited else f"{retry.name} in {retry.unit}"
    refusals = {code: read.statuses_for(code) for code in read.error_codes}
    lines = [
        f"spec: {read.path} ({read.title})",
        f"operation: {read.located.method.upper()} {read.token_path}, bodies {', '.join(read.media_types)}",
        f"grant types: {', '.join(read.grant_types)}; token types: {', '.join(read.token_types) or 'any'}",
        "refusals: " + "; ".join(f"{code} {'/'.join(map(str, s))}" for code, s in refusals.items()),
        f"rate limit: {limit}; server errors documented: {', '.join(map(str, read.server_errors)) or 'none'}",
        "operations: "
        + "; ".join(f"{role} {operation.describe()}" for role, operation in read.operations().items())
        + (
            f"; not documented: {', '.join(read.undocumented_operations)}"
            if read.undocumented_operations
            else ""
        ),
    ]
    lines += [f"assumed: {line}" for line in read.assumptions]
    lines += [f"contradicts the RFC: {line}" for line in read.contradictions]
    return lines


def lint(spec: str | None, say: Callable[[str], None] = print) -> int:
    """Say what the spec gives; 0 when it is usable and agrees with the RFCs."""
    try:
        read = load(spec)
    except SpecError as exc:
        say(f"token-contract lint: {exc}")
        return UNREADABLE
    for line in describe(read):
        say(line)
    return FOUND_CONTRADICTIONS if read.contradictions else 0
