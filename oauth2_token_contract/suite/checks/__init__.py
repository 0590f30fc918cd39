"""The contract's checks, each a small function named after the property it asserts.

A check is declared with :func:`check` (its name, a member of :class:`Check`; its guard; its
coverage accounting) and takes a :class:`CheckContext` first, as Schemathesis's checks do. A failure
raises :class:`ContractViolation` naming the check. The every-answer checks run on everything the
families receive, Schemathesis cases included. What each check allows, and why (the contract first,
RFC 6749 where it is silent, every choice the RFC offers), is written in
``oauth2_token_contract/spec/rules.py``.

    context        CheckContext: the run's coverage, the findings held beside a test
    registry       @check, its guard, the registry, running every-answer checks
    every_answer   every answer's status, shape and headers; no secret echoed
    retry_in       the 429's X-Retry-In
    jwt_claims     a jwt token's claims against the answer
    expectations   what a scenario expects: a status, an error code, its own assertion
    scope          the granted scope
    query          a grant or credentials in the URL query, never honoured
    issued         issued tokens are unique, and long enough to be unguessable
    sent           what a request carried
"""

from oauth2_token_contract.suite.checks.context import Alongside, CheckContext
from oauth2_token_contract.suite.checks.every_answer import (
    error_body_conforms,
    no_secret_echo,
    no_store_on_tokens,
    status_is_documented,
    token_is_json,
    token_response_conforms,
    unsupported_method_refused,
)
from oauth2_token_contract.suite.checks.expectations import error_is, expect_status, require
from oauth2_token_contract.suite.checks.issued import tokens_unguessable, tokens_unique
from oauth2_token_contract.suite.checks.jwt_claims import jwt_agrees_with_response
from oauth2_token_contract.suite.checks.query import in_query, query_never_honoured
from oauth2_token_contract.suite.checks.registry import (
    CHECKS,
    Guard,
    ResponseCheck,
    check,
    raise_findings,
    response_findings,
    run_response_checks,
)
from oauth2_token_contract.suite.checks.retry_in import retry_in_is_digits, retry_in_is_enough
from oauth2_token_contract.suite.checks.scope import (
    granted,
    granted_scope_within_request,
    refresh_never_widens_scope,
    scope_matched_exactly,
    unknown_scope_not_granted,
)
from oauth2_token_contract.suite.checks.sent import sent_parameter

__all__ = [
    "CHECKS",
    "Alongside",
    "CheckContext",
    "Guard",
    "ResponseCheck",
    "check",
    "error_body_conforms",
    "error_is",
    "expect_status",
    "granted",
    "granted_scope_within_request",
    "in_query",
    "jwt_agrees_with_response",
    "no_secret_echo",
    "no_store_on_tokens",
    "query_never_honoured",
    "raise_findings",
    "refresh_never_widens_scope",
    "require",
    "response_findings",
    "retry_in_is_digits",
    "retry_in_is_enough",
    "run_response_checks",
    "scope_matched_exactly",
    "sent_parameter",
    "status_is_documented",
    "token_is_json",
    "token_response_conforms",
    "tokens_unguessable",
    "tokens_unique",
    "unknown_scope_not_granted",
    "unsupported_method_refused",
]
