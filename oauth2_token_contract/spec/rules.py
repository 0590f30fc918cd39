"""The rule matrix: every rule the contract and RFC 6749 put on ``POST /oauth2/token``, each with the
check that enforces it, where it comes from, what a server may answer (the latitude the RFC leaves,
every choice accepted), and where it varies, its rows crossed with media type, credential placement
or grant type.

A rule's :class:`Source` says who imposes it: the RFCs (6749, 6750, 6585, 9110 and those they lean
on) whatever the spec says; the spec, for what its OpenAPI document documents (statuses, schemas,
limits, the retry header, token types), so a spec that says otherwise changes the rule; or the suite
itself (its timeouts). Where the contract (``openapi/oauth2-token.yaml`` and the Moov page it was
written from) is silent, RFC 6749 decides; where the RFC offers a choice, every choice passes.

The seeded faults of the self-check (``selfcheck/faults``) each name the rows they break;
``tests/spec/test_rules.py`` keeps every row with a check, a source and at least one fault, and
``RULES.md`` (``python -m selfcheck.faults.rules_md``) renders it.
"""

from __future__ import annotations

import itertools
import sys
from dataclasses import dataclass
from enum import StrEnum, unique
from functools import partial

from oauth2_token_contract.spec.names import Check

__all__ = ["DIMENSIONS", "RULES", "Rule", "Source", "markdown", "rows"]

DIMENSIONS: dict[str, tuple[str, ...]] = {
    "media": ("json", "form"),
    "placement": ("basic", "body"),
    "grant": ("client_credentials", "refresh_token"),
}


@unique
class Source(StrEnum):
    """Who imposes a rule."""

    RFC = "RFC"  # an RFC, whatever the spec says
    SPEC = "spec"  # what the spec's document documents: another document, another rule
    SUITE = "suite"  # the suite's own bounds on a run (its timeout, its idea of slow)


@dataclass(frozen=True)
class Rule:
    id: str
    source: Source
    check: Check
    rule: str
    reference: str  # the text behind it: the spec's part, the RFC's section
    allows: str
    varies: tuple[str, ...] = ()

    def rows(self) -> list[str]:
        """The matrix rows of this rule: its id, crossed with each value of what it varies by."""
        if not self.varies:
            return [self.id]
        values = itertools.product(*(DIMENSIONS[d] for d in self.varies))
        return [f"{self.id}/" + "/".join(v) for v in values]


def _rule(
    id_: str, check: Check, rule: str, reference: str, allows: str, *varies: str, source: Source
) -> Rule:
    return Rule(id_, source, check, rule, reference, allows, tuple(varies))


# A rule by who imposes it: _rfc("A3", ...) reads as "rule A3, from an RFC".
_rfc = partial(_rule, source=Source.RFC)
_spec = partial(_rule, source=Source.SPEC)
_suite = partial(_rule, source=Source.SUITE)


RULES: tuple[Rule, ...] = (
    # -- every answer ------------------------------------------------------------------------------
    _spec(
        "A1",
        Check.STATUS_IS_DOCUMENTED,
        "A POST is answered 200, 400 or 429, or 401 invalid_client with a WWW-Authenticate challenge "
        "(naming Basic when the client sent Basic); nothing else.",
        "contract: responses; RFC 6749 section 5.2",
        "invalid_client as 401 with a challenge (section 5.2 allows it, and requires it after Basic; "
        "the contract documents 400 only); no 5xx, no 503 for rate limiting",
    ),
    _spec(
        "A2",
        Check.TOKEN_RESPONSE_CONFORMS,
        "A token answer is the TokenResponse: access_token and "
        "token_type (opaque or jwt), expires_in an integer, tokens of 1 to 4096 VSCHAR characters.",
        "contract: TokenResponse; RFC 6749 sections 5.1, 7.1, Appendix A",
        "token_type in any letter case (section 5.1: case insensitive); expires_in absent "
        "(RECOMMENDED only); refresh_token and scope absent; extra members",
    ),
    _rfc(
        "A3",
        Check.TOKEN_IS_JSON,
        "A token answer is application/json.",
        "RFC 6749 section 5.1",
        "any charset parameter",
    ),
    _rfc(
        "A4",
        Check.NO_STORE_ON_TOKENS,
        "A token answer carries Cache-Control: no-store and Pragma: no-cache.",
        "RFC 6749 section 5.1; contract: 200 headers",
        "other directives beside them, any letter case",
    ),
    _spec(
        "A5",
        Check.ERROR_BODY_CONFORMS,
        "A 400 is JSON with an RFC 6749 section 5.2 error code.",
        "contract: TokenError; RFC 6749 section 5.2",
        "error_description and error_uri or not; extra members; any charset parameter",
    ),
    _rfc(
        "A6",
        Check.NO_SECRET_ECHO,
        "No answer repeats the client secret it was sent.",
        "RFC 6749 section 10.3 (credentials kept confidential)",
        "-",
    ),
    _spec(
        "A7",
        Check.JWT_AGREES_WITH_RESPONSE,
        "A jwt token is a JWT whose exp is now + expires_in, "
        "whose iat is not in the future and whose scope claim is the granted scope.",
        "contract: token_type jwt follows the JWT spec; RFC 7519; RFC 9068",
        "any signing algorithm (not verified); no exp when expires_in is absent; no scope claim; the "
        "claim as scope (string) or scp (list); 5 s of clock skew",
    ),
    _suite(
        "A8",
        Check.TARGET_ANSWERS_IN_TIME,
        "Every request is answered within the timeout.",
        "the suite's TOKEN_API_TIMEOUT (10 s)",
        "-",
    ),
    _suite(
        "A9",
        Check.ANSWERS_PROMPTLY,
        "No kind of request is answered far later than the others.",
        "the suite: an answer over 1 s and 10 x the run's median, twice or more",
        "one slow answer (a hiccup)",
    ),
    _rfc(
        "A10",
        Check.UNSUPPORTED_METHOD_REFUSED,
        "A method other than POST gets a client error; a 405 says what is allowed.",
        "contract: POST only; RFC 9110 sections 15.5.6, 10.2.1",
        "404, 405 (with Allow), 400 or any other 4xx",
    ),
    _rfc(
        "A11",
        Check.TOKENS_UNGUESSABLE,
        "Issued tokens are long enough to be unguessable: 20 characters or more.",
        "RFC 6749 section 10.10 (the chance of guessing a token at most 2^-128); Appendix A (VSCHAR: "
        "95 characters, so 128 bits need at least 20 of them)",
        "any length from 20 up, any alphabet, any format (the suite measures length, not randomness)",
    ),
    _spec(
        "A12",
        Check.DOCUMENTED_HEADERS_CONFORM,
        "Every header the spec marks required for an answer's status is on that answer, and every "
        "documented header an answer carries fits its schema (x-request-id: a uuid); Cache-Control and "
        "Pragma are A4's, the 429's retry header T2's.",
        "contract: response headers (required, schema); RFC 9110 section 5.1",
        "header names in any letter case; an optional header absent; headers the spec does not "
        "document; any value the header's schema allows (a uuid in upper-case hex); an answer at a "
        "status the spec does not document (a 401 invalid_client) carries none",
    ),
    _rfc(
        "A13",
        Check.ERROR_TEXT_IN_RFC_CHARSET,
        "A refusal's error and error_description are non-empty strings of printable ASCII without a "
        "double quote or a backslash, and error_uri a URI-reference without a space in the same set, "
        "whatever the spec's schema says.",
        "RFC 6749 section 5.2 (%x20-21 / %x23-5B / %x5D-7E; error_uri %x21 / %x23-5B / %x5D-7E); "
        "Appendix A.7, A.8, A.9; RFC 3986",
        "error_description and error_uri absent; error_uri absolute or relative; any text within the "
        "set; a per-field 422 body, which has none of these members (its shape is A5's)",
    ),
    _rfc(
        "A14",
        Check.ANSWER_MEMBERS_UNIQUE,
        "No JSON answer names a member twice (a token or refusal parameter is given once).",
        "RFC 6749 section 3.2 (response parameters MUST NOT be included more than once); RFC 8259 "
        "section 4 (names SHOULD be unique)",
        "members in any order; nested objects of the answer's own with repeated names are judged too",
    ),
    # -- grant types -----------------------------------------------------------------------------
    _spec(
        "G1",
        Check.GRANT_ACCEPTED,
        "A valid refresh grant is answered with a token, in either media type and credential place.",
        "contract: refresh_token grant; RFC 6749 section 6",
        "a rotated or the same refresh token back; no refresh token back",
        "media",
        "placement",
    ),
    _spec(
        "G2",
        Check.GRANT_TYPE_MATCHED_EXACTLY,
        "A grant type is matched exactly: case variants, "
        "misspellings and values with stray whitespace are no grant type.",
        "contract: grant_type enum; RFC 6749 sections 4.4.2, 5.2",
        "unsupported_grant_type; for stray whitespace or NUL also invalid_request",
        "media",
    ),
    _spec(
        "G3",
        Check.UNOFFERED_GRANT_REFUSED,
        "Grant types the contract does not offer (password, authorization_code, ...) never get a token.",
        "contract: grant_type enum; RFC 6749 section 5.2",
        "unsupported_grant_type, unauthorized_client, invalid_request (their parameters are missing) "
        "or invalid_grant",
        "media",
    ),
    _rfc(
        "G4",
        Check.GRANT_TYPE_REQUIRED,
        "A request without grant_type, or with it empty, is invalid_request.",
        "RFC 6749 sections 3.2, 4.4.2, 5.2",
        "-",
        "media",
    ),
    _spec(
        "G5",
        Check.GRANT_TYPE_IS_A_STRING,
        "A grant_type that is not a string gets no token.",
        "contract: grant_type is a string",
        "invalid_request or unsupported_grant_type",
    ),
    _rfc(
        "G6",
        Check.REFRESH_TOKEN_REQUIRED,
        "A refresh grant without refresh_token is invalid_request.",
        "RFC 6749 sections 6, 5.2",
        "-",
        "media",
    ),
    # -- encodings and client authentication -----------------------------------------------------
    _spec(
        "E1",
        Check.ENCODING_ACCEPTED,
        "A client_credentials grant works in JSON and in a form, "
        "with Basic credentials and with body credentials.",
        "contract: both media types, Basic or body credentials; RFC 6749 sections 2.3.1, 4.4.2",
        "-",
        "media",
        "placement",
    ),
    _rfc(
        "E2",
        Check.CHARSET_ACCEPTED,
        "A Content-Type with parameters (charset=utf-8, any case, quoted) is the same media type.",
        "RFC 9110 section 8.3.1",
        "-",
        "media",
    ),
    _rfc(
        "E3",
        Check.FORM_SPACE_DECODED,
        "In a form, + and %20 are spaces.",
        "HTML application/x-www-form-urlencoded; RFC 6749 Appendix B",
        "granting fewer of the scopes asked for, if it says so",
    ),
    _rfc(
        "E4",
        Check.DUPLICATE_PARAMETER_REFUSED,
        "A parameter sent twice in a form is invalid_request.",
        "RFC 6749 sections 3.2, 5.2",
        "the parameter's own code where it fits too (a repeated scope: invalid_scope; section 5.2 ranks no "
        "code above another); a JSON key repeated with the same value refused or read once (RFC 8259 "
        "leaves duplicate names open)",
    ),
    _rfc(
        "E5",
        Check.EMPTY_PARAMETER_OMITTED,
        "An empty parameter is as if it were absent.",
        "RFC 6749 section 3.2",
        "-",
        "media",
    ),
    _rfc(
        "E6",
        Check.UNKNOWN_PARAMETER_IGNORED,
        "Unknown parameters are ignored.",
        "RFC 6749 section 3.2",
        "-",
        "media",
    ),
    _spec(
        "E7",
        Check.MALFORMED_BODY_REFUSED,
        "A JSON body that is not one JSON object is invalid_request.",
        "contract: application/json body; RFC 8259",
        "-",
    ),
    _rfc(
        "E8",
        Check.INVALID_UTF8_REFUSED,
        "A body that is not UTF-8 gets no token.",
        "RFC 8259 section 8.1; RFC 6749 Appendix B",
        "invalid_request or unsupported_grant_type",
        "media",
    ),
    _spec(
        "E9",
        Check.CONTENT_TYPE_ENFORCED,
        "A body of another media type, or of none, is invalid_request.",
        "contract: the two media types; RFC 6749 section 3.2",
        "-",
    ),
    _rfc(
        "E10",
        Check.ONE_AUTH_METHOD,
        "The same credentials in Basic and in the body: refused as invalid_request, or accepted.",
        "RFC 6749 section 2.3 (a MUST on the client); the seed's own example sends both",
        "200 or invalid_request",
    ),
    _rfc(
        "E11",
        Check.CONFLICTING_CREDENTIALS_REFUSED,
        "A wrong secret beside a right one, in the other place, gets no token.",
        "RFC 6749 sections 2.3, 2.3.1",
        "invalid_request or invalid_client",
        "media",
    ),
    _rfc(
        "E12",
        Check.CLIENT_ID_BESIDE_BASIC,
        "client_id in the body beside the same client's Basic credentials is accepted.",
        "RFC 6749 section 3.2.1",
        "-",
    ),
    _rfc(
        "E13",
        Check.CLIENT_AUTHENTICATED,
        "No credentials, a wrong secret or an unknown client id is invalid_client.",
        "RFC 6749 sections 2.3.1, 3.2.1, 5.2; contract: 400",
        "401 invalid_client with a challenge (section 5.2)",
        "media",
        "placement",
    ),
    _rfc(
        "E14",
        Check.CLIENT_ID_ALONE_REFUSED,
        "A confidential client's id without its secret gets no token.",
        "RFC 6749 sections 2.3.1, 3.2.1",
        "invalid_client or invalid_request",
        "media",
    ),
    _rfc(
        "E15",
        Check.BASIC_FORM_URL_DECODED,
        "Basic credentials are form-url-decoded after base64.",
        "RFC 6749 section 2.3.1",
        "-",
    ),
    _rfc(
        "E16",
        Check.QUERY_NEVER_HONOURED,
        "A grant sent in the URL query (grant_type, client_id, client_secret, scope), on a POST with an "
        "empty body or on a GET, gets no token.",
        'RFC 6749 section 3.2 ("The client MUST use the HTTP "POST" method when making access token '
        'requests"); sections 4.4.2 and 6 (the parameters go in the request entity-body)',
        "any client error, with any error code (whether its status is documented is A1's to judge)",
    ),
    _rfc(
        "E17",
        Check.QUERY_NEVER_HONOURED,
        "Client credentials sent only in the URL query, beside a valid grant in the body, get no token.",
        'RFC 6749 section 2.3.1 ("The parameters can only be transmitted in the request-body and MUST '
        'NOT be included in the request URI")',
        "any client error, with any error code (invalid_client is the usual one; A1 judges the status)",
    ),
    _rfc(
        "E18",
        Check.MEDIA_TYPE_CASE_INSENSITIVE,
        "A Content-Type in other letter cases, its field name (content-type, CONTENT-TYPE) and its type "
        "and subtype (Application/JSON, application/X-WWW-FORM-URLENCODED), is the same media type.",
        "RFC 9110 sections 5.1 (field names are case-insensitive), 8.3.1 (type and subtype are "
        "case-insensitive)",
        "-",
        "media",
    ),
    _rfc(
        "E19",
        Check.AUTH_SCHEME_CASE_INSENSITIVE,
        "Basic credentials are read whatever the letter case of the scheme (basic, BASIC) and of the "
        "Authorization field's name, and with more than one space before them.",
        "RFC 9110 sections 11.1 (the scheme is case-insensitive), 11.4 (auth-scheme 1*SP token68), 5.1; "
        "RFC 7617 section 2",
        "-",
    ),
    _rfc(
        "E20",
        Check.CHUNKED_BODY_ACCEPTED,
        "A body in the chunked transfer coding, without a Content-Length and in three chunks (a boundary "
        "inside a value), is read as the same body.",
        "RFC 9112 sections 6.1, 7.1 (a recipient MUST be able to parse the chunked transfer coding)",
        "411 Length Required (RFC 9112 section 6.3: a server MAY ask for a Content-Length), whatever "
        "statuses the spec documents",
        "media",
    ),
    _rfc(
        "E21",
        Check.NEAR_MISS_CREDENTIALS_REFUSED,
        "A client secret or client id a little like the real one is invalid_client: another letter case "
        "(one letter or all), a space, tab, newline or NUL after it, a space or tab before it, a prefix of "
        "8 characters or more, a fullwidth character, a character more, or percent-encoded once more.",
        "RFC 6749 sections 2.3.1, 3.2.1, 5.2, 10.10; RFC 7617 section 2 (the server validates the "
        "user-id and password)",
        "401 invalid_client with a challenge (section 5.2); invalid_request for a value with a character "
        "outside VSCHAR (Appendix A) or past the spec's pattern or maxLength",
    ),
    # -- errors reached on purpose ----------------------------------------------------------------
    _rfc(
        "R1",
        Check.INVALID_REQUEST_REACHED,
        "A request without grant_type is invalid_request.",
        "RFC 6749 section 5.2",
        "-",
    ),
    _rfc(
        "R2",
        Check.INVALID_CLIENT_REACHED,
        "A wrong client secret is invalid_client.",
        "RFC 6749 section 5.2; contract: 400",
        "401 invalid_client with a challenge (section 5.2)",
    ),
    _rfc(
        "R3",
        Check.INVALID_GRANT_REACHED,
        "A refresh token never issued is invalid_grant.",
        "RFC 6749 section 5.2",
        "-",
    ),
    _rfc(
        "R4",
        Check.UNAUTHORIZED_CLIENT_REACHED,
        "A client not allowed the refresh grant that asks for it is unauthorized_client.",
        "RFC 6749 section 5.2",
        "known only when the suite is told of such a client (TOKEN_API_RESTRICTED_CLIENT_ID)",
    ),
    _rfc(
        "R5",
        Check.UNSUPPORTED_GRANT_TYPE_REACHED,
        "An unknown grant type is unsupported_grant_type.",
        "RFC 6749 section 5.2",
        "-",
    ),
    _rfc(
        "R6",
        Check.UNKNOWN_SCOPE_NOT_GRANTED,
        "A scope the client may not have is never granted.",
        "RFC 6749 sections 3.3, 5.1, 5.2",
        "invalid_scope, or a token whose scope member leaves it "
        "out (the server may ignore part of a request, and then must say what it granted)",
        "media",
    ),
    # -- the token length limit -------------------------------------------------------------------
    _spec(
        "L1",
        Check.REFRESH_TOKEN_LIMIT_ENFORCED,
        "A refresh grant whose refresh_token is past 4096 characters never gets a token.",
        "contract: refresh_token maxLength 4096 (a spec with no limit: 4096 stands in, and a token past "
        "it was never issued: RFC 6749 section 5.2)",
        "invalid_request (malformed) or invalid_grant (unknown token); a client_credentials grant may "
        "refuse such a parameter or ignore it (RFC 6749 section 3.2: it is not one of that grant's)",
    ),
    _spec(
        "L2",
        Check.UNKNOWN_REFRESH_TOKEN_REFUSED,
        "An unknown refresh token of 4095 or 4096 characters is read and refused as invalid_grant.",
        "contract: maxLength 4096; RFC 6749 section 5.2",
        "-",
        "media",
    ),
    _spec(
        "L3",
        Check.NO_TRUNCATION,
        "A real refresh token padded past the limit does not work.",
        "contract: maxLength 4096 (a spec with no limit: 4096 stands in); RFC 6749 section 10.4",
        "invalid_request or invalid_grant",
        "media",
    ),
    _rfc(
        "L4",
        Check.EXACT_TOKEN_MATCH,
        "A real refresh token with a character more is unknown.",
        "RFC 6749 sections 6, 10.4",
        "-",
        "media",
    ),
    # -- token semantics ---------------------------------------------------------------------------
    _rfc(
        "S1",
        Check.TOKENS_UNIQUE,
        "Grants for different scopes, and grants a second apart, never share "
        "a token; a refresh never hands back an access token issued before.",
        "RFC 6749 sections 1.4, 10.10",
        "the same refresh token back from a refresh (no rotation); identical JWTs within one second",
    ),
    _rfc(
        "S2",
        Check.GRANTED_SCOPE_WITHIN_REQUEST,
        "What is granted lies within what was asked for and what the client may have.",
        "RFC 6749 section 3.3",
        "less than asked, said in the scope member",
    ),
    _rfc(
        "S3",
        Check.SCOPE_MATCHED_EXACTLY,
        "Scope tokens are compared exactly: a case variant of an allowed scope is another scope.",
        "RFC 6749 section 3.3",
        "invalid_scope, or a token whose scope member leaves it out",
        "media",
    ),
    _rfc(
        "S4",
        Check.REFRESH_WORKS,
        "A fresh refresh token, used once, is granted.",
        "RFC 6749 section 6",
        "-",
    ),
    _rfc(
        "S5",
        Check.REFRESHED_TOKEN_WORKS,
        "The refresh token a refresh hands back works in turn.",
        "RFC 6749 section 6",
        "the same token back (no rotation)",
    ),
    _rfc(
        "S6",
        Check.REFRESH_MAY_NARROW,
        "A refresh may ask for less scope than the original grant.",
        "RFC 6749 section 6",
        "-",
    ),
    _rfc(
        "S7",
        Check.REFRESH_NEVER_WIDENS_SCOPE,
        "A refresh never grants scope beyond the original.",
        "RFC 6749 section 6",
        "invalid_scope, or the original scope granted and said",
    ),
    _rfc(
        "S8",
        Check.REFRESH_AUTHENTICATES_CLIENT,
        "A refresh without the client's credentials (or with a wrong secret) is invalid_client.",
        "RFC 6749 sections 6, 2.3",
        "-",
        "media",
    ),
    _rfc(
        "S9",
        Check.ACCESS_TOKEN_NOT_A_REFRESH_TOKEN,
        "An access token sent as the refresh token is invalid_grant.",
        "RFC 6749 sections 6, 10.4",
        "-",
        "media",
    ),
    _rfc(
        "S10",
        Check.ALTERED_REFRESH_TOKEN_REFUSED,
        "A real refresh token with one character changed is invalid_grant.",
        "RFC 6749 sections 6, 10.10",
        "-",
        "media",
    ),
    _rfc(
        "S11",
        Check.NEAR_MISS_REFRESH_TOKEN_REFUSED,
        "A refresh token a little like a real one is invalid_grant: another letter case (one letter or "
        "all), whitespace or a NUL before or after it, a prefix of 8 characters or more, a fullwidth "
        "character, or percent-encoded once more (a character more is L4's).",
        "RFC 6749 sections 6, 5.2, 10.4, 10.10",
        "invalid_request for a token with a character outside VSCHAR (Appendix A) or past the spec's "
        "pattern or maxLength",
    ),
    _rfc(
        "S12",
        Check.NEW_REFRESH_TOKEN_KEEPS_SCOPE,
        "The refresh token a narrowed refresh hands back carries the original scope: a refresh with it "
        "asking for the original scope is granted.",
        "RFC 6749 section 6 (a new refresh token's scope MUST be identical to the one it replaces)",
        "no new refresh token (the old one kept) or the same one back; fewer scopes granted if the "
        "answer says so (section 3.3)",
    ),
    # -- the 429 path --------------------------------------------------------------------------------
    _spec(
        "T1",
        Check.BURST_MEETS_429,
        "A burst of valid grants meets 429.",
        "contract: 429 documented",
        "any budget the run can reach (TOKEN_API_MAX_REQUESTS above it)",
    ),
    _spec(
        "T2",
        Check.RETRY_IN_IS_DIGITS,
        "A 429 carries X-Retry-In, milliseconds as digits.",
        "contract: 429 headers",
        "Retry-After beside it; any body or none",
    ),
    _spec(
        "T3",
        Check.RETRY_IN_IS_ENOUGH,
        "Waiting X-Retry-In is enough.",
        "contract: X-Retry-In",
        "5 % or 50 ms of clock slack",
    ),
    _spec(
        "T4",
        Check.RETRY_IN_NOT_EXCESSIVE,
        "Half the X-Retry-In wait, and all but its last second, is not yet enough (the header does not "
        "overstate the wait twice over and by more than a second).",
        "contract: X-Retry-In in milliseconds",
        "a wait rounded up to whole seconds; overstatements under 40 ms are not judged",
    ),
    # -- Schemathesis ------------------------------------------------------------------------------
    _spec(
        "X1",
        Check.POSITIVE_DATA_ACCEPTED,
        "A request the spec's schema allows, with real credentials, gets a token.",
        "contract: TokenRequest",
        "-",
    ),
    _spec(
        "X2",
        Check.NEGATIVE_DATA_REJECTED,
        "A request the spec's schema forbids gets 400.",
        "contract: TokenRequest",
        "200 when only the scope is malformed and the answer leaves it out (RFC 6749 section 3.3)",
    ),
    _spec(
        "X3",
        Check.NOT_A_SERVER_ERROR,
        "No request, however odd, gets a 5xx.",
        "contract: responses",
        "-",
    ),
)


def rows() -> dict[str, Rule]:
    """Every row of the matrix, by its id (``E13/form/body``), with its rule."""
    return {row: rule for rule in RULES for row in rule.rows()}


def markdown(faults: dict[str, list[str]] | None = None) -> str:
    """The matrix as a markdown table; ``faults`` (row -> fault names) fills the last column."""
    lines = [
        "| row | source | rule | reference | check | a server may also answer | faults that break it |",
        "|---|---|---|---|---|---|---|",
    ]
    for rule in RULES:
        for row in rule.rows():
            names = ", ".join(f"`{f}`" for f in (faults or {}).get(row, []))
            lines.append(
                f"| {row} | {rule.source} | {rule.rule} | {rule.reference} | `{rule.check}` | {rule.allows} "
                f"| {names} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(markdown() + "\n")
