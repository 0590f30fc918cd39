"""The names the project shares: every contract check and every family of tests.

A check's name is what a failure reports, what JUnit carries, what a seeded fault expects and what a
rule of the matrix cites. Written as members of one enumeration, a misspelt name fails at import or
in the type checker, not in a fifteen-minute self-check. The values are the names as reports show
them.
"""

from __future__ import annotations

from enum import StrEnum, unique

__all__ = ["Check", "Family"]


@unique
class Family(StrEnum):
    """A family of the contract: one test module of ``oauth2_token_contract/suite/families`` each."""

    ENCODINGS = "encodings"
    ERRORS = "errors"
    GRANT_TYPES = "grant_types"
    RATE_LIMIT = "rate_limit"
    SCHEMA = "schema"
    TOKEN_LIMIT = "token_limit"
    TOKEN_SEMANTICS = "token_semantics"


@unique
class Check(StrEnum):
    """A property of the endpoint that the suite asserts, named after what must hold."""

    # Every answer (the every-answer checks run in this order).
    STATUS_IS_DOCUMENTED = "status_is_documented"
    UNSUPPORTED_METHOD_REFUSED = "unsupported_method_refused"
    TOKEN_RESPONSE_CONFORMS = "token_response_conforms"
    TOKEN_IS_JSON = "token_is_json"
    NO_STORE_ON_TOKENS = "no_store_on_tokens"
    TOKENS_UNGUESSABLE = "tokens_unguessable"
    ERROR_BODY_CONFORMS = "error_body_conforms"
    ERROR_TEXT_IN_RFC_CHARSET = "error_text_in_rfc_charset"
    ANSWER_MEMBERS_UNIQUE = "answer_members_unique"
    RETRY_IN_IS_DIGITS = "retry_in_is_digits"
    DOCUMENTED_HEADERS_CONFORM = "documented_headers_conform"
    NO_SECRET_ECHO = "no_secret_echo"
    JWT_AGREES_WITH_RESPONSE = "jwt_agrees_with_response"
    TARGET_ANSWERS = "target_answers"
    TARGET_ANSWERS_IN_TIME = "target_answers_in_time"
    ANSWERS_PROMPTLY = "answers_promptly"
    # Grant types.
    GRANT_ACCEPTED = "grant_accepted"
    CLIENT_CREDENTIALS_GRANTED = "client_credentials_granted"
    GRANT_TYPE_MATCHED_EXACTLY = "grant_type_matched_exactly"
    UNOFFERED_GRANT_REFUSED = "unoffered_grant_refused"
    GRANT_TYPE_REQUIRED = "grant_type_required"
    GRANT_TYPE_IS_A_STRING = "grant_type_is_a_string"
    REFRESH_TOKEN_REQUIRED = "refresh_token_required"
    # Encodings and client authentication.
    ENCODING_ACCEPTED = "encoding_accepted"
    CHARSET_ACCEPTED = "charset_accepted"
    FORM_SPACE_DECODED = "form_space_decoded"
    DUPLICATE_PARAMETER_REFUSED = "duplicate_parameter_refused"
    EMPTY_PARAMETER_OMITTED = "empty_parameter_omitted"
    UNKNOWN_PARAMETER_IGNORED = "unknown_parameter_ignored"
    MALFORMED_BODY_REFUSED = "malformed_body_refused"
    INVALID_UTF8_REFUSED = "invalid_utf8_refused"
    CONTENT_TYPE_ENFORCED = "content_type_enforced"
    ONE_AUTH_METHOD = "one_auth_method"
    CONFLICTING_CREDENTIALS_REFUSED = "conflicting_credentials_refused"
    CLIENT_ID_BESIDE_BASIC = "client_id_beside_basic"
    CLIENT_AUTHENTICATED = "client_authenticated"
    CLIENT_ID_ALONE_REFUSED = "client_id_alone_refused"
    BASIC_FORM_URL_DECODED = "basic_form_url_decoded"
    QUERY_NEVER_HONOURED = "query_never_honoured"
    NEAR_MISS_CREDENTIALS_REFUSED = "near_miss_credentials_refused"
    # The wire as real clients send it.
    MEDIA_TYPE_CASE_INSENSITIVE = "media_type_case_insensitive"
    AUTH_SCHEME_CASE_INSENSITIVE = "auth_scheme_case_insensitive"
    CHUNKED_BODY_ACCEPTED = "chunked_body_accepted"
    # Errors: each RFC 6749 section 5.2 code reached on purpose.
    INVALID_REQUEST_REACHED = "invalid_request_reached"
    INVALID_CLIENT_REACHED = "invalid_client_reached"
    INVALID_GRANT_REACHED = "invalid_grant_reached"
    UNAUTHORIZED_CLIENT_REACHED = "unauthorized_client_reached"
    UNSUPPORTED_GRANT_TYPE_REACHED = "unsupported_grant_type_reached"
    UNKNOWN_SCOPE_NOT_GRANTED = "unknown_scope_not_granted"
    # The token length limit.
    REFRESH_TOKEN_LIMIT_ENFORCED = "refresh_token_limit_enforced"
    UNKNOWN_REFRESH_TOKEN_REFUSED = "unknown_refresh_token_refused"
    NO_TRUNCATION = "no_truncation"
    EXACT_TOKEN_MATCH = "exact_token_match"
    # Token semantics.
    TOKENS_UNIQUE = "tokens_unique"
    GRANTED_SCOPE_WITHIN_REQUEST = "granted_scope_within_request"
    SCOPE_MATCHED_EXACTLY = "scope_matched_exactly"
    REFRESH_WORKS = "refresh_works"
    REFRESHED_TOKEN_WORKS = "refreshed_token_works"
    REFRESH_MAY_NARROW = "refresh_may_narrow"
    REFRESH_NEVER_WIDENS_SCOPE = "refresh_never_widens_scope"
    REFRESH_AUTHENTICATES_CLIENT = "refresh_authenticates_client"
    ACCESS_TOKEN_NOT_A_REFRESH_TOKEN = "access_token_not_a_refresh_token"
    ALTERED_REFRESH_TOKEN_REFUSED = "altered_refresh_token_refused"
    NEAR_MISS_REFRESH_TOKEN_REFUSED = "near_miss_refresh_token_refused"
    NEW_REFRESH_TOKEN_KEEPS_SCOPE = "new_refresh_token_keeps_scope"
    # The 429 path.
    BURST_MEETS_429 = "burst_meets_429"
    BURST_GRANTS_SUCCEED = "burst_grants_succeed"
    RETRY_IN_IS_ENOUGH = "retry_in_is_enough"
    RETRY_IN_NOT_EXCESSIVE = "retry_in_not_excessive"
    # Schemathesis's own checks, run beside ours on every generated case.
    POSITIVE_DATA_ACCEPTED = "positive_data_accepted"
    NEGATIVE_DATA_REJECTED = "negative_data_rejected"
    NOT_A_SERVER_ERROR = "not_a_server_error"

    @classmethod
    def reached(cls, error_code: str) -> Check:
        """The check that an RFC 6749 section 5.2 ``error`` code can be reached on purpose."""
        return cls(f"{error_code}_reached")
