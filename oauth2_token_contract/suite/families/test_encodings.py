"""Encodings and client authentication: JSON and form alike, Content-Type parameters, form decoding,
duplicates, empties, unknown parameters, malformed bodies, and where the credentials go (RFC 6749
sections 2.3, 3.1, 3.2); near misses of the client's credentials refused; and the wire as real
clients send it: header names, media types and the Basic scheme in any letter case, a chunked body
(RFC 9110 sections 5.1, 8.3.1, 11.1, 11.4; RFC 9112 sections 6, 7).

Every refusal is judged only where a valid request in the same media type works
(``preconditions.media_works``): a server that refuses every JSON body proves nothing by refusing
a malformed one. Requests carry valid credentials unless credentials are what the test is about, so
the only defect of a request is the one the test names.
"""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from oauth2_token_contract.spec.names import Check
from oauth2_token_contract.suite import strategies
from oauth2_token_contract.suite.checks import CheckContext, error_is, expect_status, granted, require
from oauth2_token_contract.suite.checks.expectations import defect_codes
from oauth2_token_contract.suite.client import (
    FORM,
    JSON,
    MEDIA,
    PLACEMENTS,
    Media,
    Placement,
    TokenClient,
    basic_header,
)
from oauth2_token_contract.suite.flows import Preconditions, setup_media
from oauth2_token_contract.suite.near_misses import NearMiss, derive, malformed

pytestmark = pytest.mark.token_contract

thorough = pytest.mark.thorough


def _basic(client: TokenClient) -> tuple[str, str]:
    return ("Authorization", basic_header(client.target.client_id, client.target.client_secret))


def _wrong(value: str) -> str:
    return value[:-1] + ("x" if value[-1:] != "x" else "y")


@pytest.mark.checks(
    Check.ENCODING_ACCEPTED,
    Check.TOKEN_RESPONSE_CONFORMS,
    Check.NO_STORE_ON_TOKENS,
    Check.TOKEN_IS_JSON,
    Check.TOKENS_UNGUESSABLE,
    Check.ANSWER_MEMBERS_UNIQUE,
)
@pytest.mark.parametrize("placement", PLACEMENTS)
@pytest.mark.parametrize("media", MEDIA)
def test_both_media_types_and_both_credential_places_work(
    ctx: CheckContext, client: TokenClient, media: Media, placement: Placement
) -> None:
    exchange = client.grant(media=media, placement=placement)
    expect_status(
        ctx, exchange, 200, check=Check.ENCODING_ACCEPTED, asked=f"a valid {media} grant, {placement}"
    )


@pytest.mark.checks(Check.CHARSET_ACCEPTED)
@pytest.mark.parametrize("media", MEDIA)
@given(parameter=strategies.charset_parameters())
def test_content_type_parameters_are_accepted(
    ctx: CheckContext, client: TokenClient, preconditions: Preconditions, media: Media, parameter: str
) -> None:
    preconditions.media_works(media)
    content_type = f"{JSON if media == 'json' else FORM}; {parameter}"
    exchange = client.post({"grant_type": "client_credentials"}, media=media, content_type=content_type)
    expect_status(ctx, exchange, 200, check=Check.CHARSET_ACCEPTED, asked=f"Content-Type {content_type!r}")


@pytest.mark.checks(Check.FORM_SPACE_DECODED)
@pytest.mark.parametrize("space", ["+", "%20"])
def test_form_scope_spaces_decode(ctx: CheckContext, client: TokenClient, space: str) -> None:
    """In a form ``+`` and ``%20`` are both a space: two scopes asked for, and never one unknown scope."""
    scopes = client.target.scopes[:2]
    if len(scopes) < 2:
        pytest.skip(f"{client.target.name}: TOKEN_API_SCOPE names fewer than two scopes")
    body = "grant_type=client_credentials&scope=" + space.join(quote(s, safe="") for s in scopes)
    exchange = client.send(body.encode(), headers=[("Content-Type", FORM), _basic(client)])
    expect_status(ctx, exchange, 200, check=Check.FORM_SPACE_DECODED, asked=f"two scopes joined by {space!r}")
    got = granted(exchange, " ".join(scopes), client.target.scopes)
    wrong_grant = f"asked for {scopes}, granted {sorted(got)}"
    require(ctx, got and got <= set(scopes), Check.FORM_SPACE_DECODED, wrong_grant, exchange)


@pytest.mark.checks(Check.DUPLICATE_PARAMETER_REFUSED)
@pytest.mark.parametrize("parameter", ["grant_type", pytest.param("scope", marks=thorough)])
def test_a_form_parameter_sent_twice_is_refused(
    ctx: CheckContext, client: TokenClient, preconditions: Preconditions, parameter: str
) -> None:
    """RFC 6749 sections 3.2 and 5.2: a repeated parameter is ``invalid_request``, or the parameter's
    own code where that fits too (a repeated scope is a malformed one: ``invalid_scope``)."""
    preconditions.media_works("form")
    value = "client_credentials" if parameter == "grant_type" else client.target.scopes[0]
    pairs = [("grant_type", "client_credentials"), (parameter, value)]
    if parameter == "scope":
        pairs.append(("scope", value))
    asked = f"{parameter} sent twice in a form"
    exchange = client.post(pairs, media="form")
    error_is(ctx, exchange, *defect_codes(parameter), check=Check.DUPLICATE_PARAMETER_REFUSED, asked=asked)


@pytest.mark.checks(Check.DUPLICATE_PARAMETER_REFUSED)
def test_a_json_key_sent_twice_with_one_value_is_refused_or_read_once(
    ctx: CheckContext, client: TokenClient, preconditions: Preconditions
) -> None:
    """A JSON object with a repeated key is not RFC 6749's form: a server may refuse it as a repeated
    parameter, or read it as JSON parsers do (RFC 8259 leaves it open) when both values agree."""
    preconditions.media_works("json")
    pairs = [("grant_type", "client_credentials"), ("grant_type", "client_credentials")]
    exchange = client.post(pairs, media="json")
    if exchange.status == 200:
        expect_status(ctx, exchange, 200, check=Check.DUPLICATE_PARAMETER_REFUSED)
    else:
        asked = "grant_type twice in a JSON object"
        error_is(ctx, exchange, "invalid_request", check=Check.DUPLICATE_PARAMETER_REFUSED, asked=asked)


@pytest.mark.checks(Check.EMPTY_PARAMETER_OMITTED)
@pytest.mark.parametrize(
    "parameter",
    [
        "all",
        *(pytest.param(p, marks=thorough) for p in ("scope", "refresh_token", "client_id", "client_secret")),
    ],
)
@pytest.mark.parametrize("media", MEDIA)
def test_empty_parameters_are_omitted(
    ctx: CheckContext, client: TokenClient, preconditions: Preconditions, media: Media, parameter: str
) -> None:
    """RFC 6749 section 3.1: an empty value is treated as if the parameter were absent."""
    preconditions.media_works(media)
    names = ["scope", "refresh_token", "client_id", "client_secret"] if parameter == "all" else [parameter]
    exchange = client.post([("grant_type", "client_credentials"), *((n, "") for n in names)], media=media)
    expect_status(ctx, exchange, 200, check=Check.EMPTY_PARAMETER_OMITTED, asked=f"empty {', '.join(names)}")


@pytest.mark.checks(Check.UNKNOWN_PARAMETER_IGNORED)
def test_unknown_json_members_of_any_type_are_ignored(
    ctx: CheckContext, client: TokenClient, preconditions: Preconditions
) -> None:
    """Section 3.2 says ignore unrecognized parameters: in JSON, whatever their type."""
    preconditions.media_works("json")
    extra = {"audience": ["a", "b"], "ttl": 3600, "debug": True, "context": {"k": None}}
    exchange = client.post({"grant_type": "client_credentials", **extra}, media="json")
    expect_status(
        ctx, exchange, 200, check=Check.UNKNOWN_PARAMETER_IGNORED, asked="unknown JSON members of every type"
    )


@pytest.mark.checks(Check.UNKNOWN_PARAMETER_IGNORED)
@pytest.mark.parametrize("media", MEDIA)
@given(extra=strategies.unknown_parameters())
def test_unknown_parameters_are_ignored(
    ctx: CheckContext, client: TokenClient, preconditions: Preconditions, media: Media, extra: dict[str, str]
) -> None:
    preconditions.media_works(media)
    exchange = client.post({"grant_type": "client_credentials", **extra}, media=media)
    expect_status(
        ctx, exchange, 200, check=Check.UNKNOWN_PARAMETER_IGNORED, asked=f"unknown parameters {sorted(extra)}"
    )


MALFORMED = {
    "trailing comma": b'{"grant_type": "client_credentials",}',
    "text after the object": b'{"grant_type": "client_credentials"} and more',
    "truncated": b'{"grant_type": "client_credentials"',
    "a NUL byte": b"\x00",
    "not an object": b'[["grant_type", "client_credentials"]]',
}


@pytest.mark.checks(Check.MALFORMED_BODY_REFUSED)
@pytest.mark.parametrize(
    "name",
    [
        name if name in ("trailing comma", "text after the object") else pytest.param(name, marks=thorough)
        for name in MALFORMED
    ],
)
def test_malformed_json_is_invalid_request(
    ctx: CheckContext, client: TokenClient, preconditions: Preconditions, name: str
) -> None:
    """Near-JSON a forgiving parser would read: a server that reads it would read anything."""
    preconditions.media_works("json")
    exchange = client.send(MALFORMED[name], headers=[("Content-Type", JSON), _basic(client)])
    error_is(
        ctx, exchange, "invalid_request", check=Check.MALFORMED_BODY_REFUSED, asked=f"a JSON body with {name}"
    )


@pytest.mark.checks(Check.MALFORMED_BODY_REFUSED)
@pytest.mark.thorough
@given(body=strategies.malformed_json())
def test_generated_malformed_json_is_invalid_request(
    ctx: CheckContext, client: TokenClient, preconditions: Preconditions, body: bytes
) -> None:
    preconditions.media_works("json")
    exchange = client.send(body, headers=[("Content-Type", JSON), _basic(client)])
    error_is(
        ctx, exchange, "invalid_request", check=Check.MALFORMED_BODY_REFUSED, asked="a malformed JSON body"
    )


@pytest.mark.checks(Check.INVALID_UTF8_REFUSED)
@pytest.mark.parametrize("media", MEDIA)
@given(bad=strategies.invalid_utf8())
def test_invalid_utf8_is_refused(
    ctx: CheckContext, client: TokenClient, preconditions: Preconditions, media: Media, bad: bytes
) -> None:
    """Bytes that are not UTF-8 inside the grant type: refused, however the server decodes them."""
    preconditions.media_works(media)
    if media == "json":
        body = b'{"grant_type": "client_' + bad + b'credentials"}'
    else:
        body = b"grant_type=client_" + bad + b"credentials"
    exchange = client.send(
        body, headers=[("Content-Type", JSON if media == "json" else FORM), _basic(client)]
    )
    refusals = ("invalid_request", "unsupported_grant_type")
    error_is(ctx, exchange, *refusals, check=Check.INVALID_UTF8_REFUSED, asked="a body that is not UTF-8")


@pytest.mark.checks(Check.CONTENT_TYPE_ENFORCED)
@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        None,
        "application/jsonx",
        pytest.param("application/xml", marks=thorough),
        pytest.param("multipart/form-data; boundary=x", marks=thorough),
    ],
)
def test_unsupported_content_type_is_invalid_request(
    ctx: CheckContext, client: TokenClient, preconditions: Preconditions, content_type: str | None
) -> None:
    preconditions.media_works("json")
    headers = [_basic(client)] + ([("Content-Type", content_type)] if content_type else [])
    exchange = client.send(json.dumps({"grant_type": "client_credentials"}).encode(), headers=headers)
    asked = f"a JSON body labelled {content_type or 'nothing'}"
    error_is(ctx, exchange, "invalid_request", check=Check.CONTENT_TYPE_ENFORCED, asked=asked)


@pytest.mark.checks(Check.ONE_AUTH_METHOD)
@pytest.mark.parametrize("media", ["form", pytest.param("json", marks=thorough)])
def test_the_same_credentials_in_both_places_are_refused_or_accepted(
    ctx: CheckContext, client: TokenClient, preconditions: Preconditions, media: Media
) -> None:
    """RFC 6749 section 2.3: a client MUST NOT use two authentication methods. The server may refuse
    such a request (``invalid_request``) or accept it when both name the same client with the same
    secret (the seed's own example does this); nothing else."""
    preconditions.media_works(media)
    target = client.target
    params = {"grant_type": "client_credentials", "client_secret": target.client_secret}
    exchange = client.post(params, media=media, placement="basic")
    if exchange.status == 200:
        expect_status(ctx, exchange, 200, check=Check.ONE_AUTH_METHOD)
    else:
        asked = "the same secret in Basic and in the body"
        error_is(ctx, exchange, "invalid_request", check=Check.ONE_AUTH_METHOD, asked=asked)


@pytest.mark.checks(Check.CONFLICTING_CREDENTIALS_REFUSED)
@pytest.mark.parametrize("wrong", ["body", pytest.param("basic", marks=thorough)])
@pytest.mark.parametrize("media", MEDIA)
def test_conflicting_credentials_are_refused(
    ctx: CheckContext, client: TokenClient, preconditions: Preconditions, media: Media, wrong: str
) -> None:
    """Basic and a body secret that disagree: whichever the server reads, one is wrong, so no token."""
    preconditions.media_works(media)
    target = client.target
    body_secret = _wrong(target.client_secret) if wrong == "body" else target.client_secret
    basic_secret = target.client_secret if wrong == "body" else _wrong(target.client_secret)
    exchange = client.post(
        {"grant_type": "client_credentials", "client_secret": body_secret},
        media=media,
        headers=[("Authorization", basic_header(target.client_id, basic_secret))],
        placement=None,
    )
    asked = f"a wrong secret in {wrong} beside a right one"
    refusals = ("invalid_request", "invalid_client")
    error_is(ctx, exchange, *refusals, check=Check.CONFLICTING_CREDENTIALS_REFUSED, asked=asked)


@pytest.mark.checks(Check.CLIENT_ID_BESIDE_BASIC)
@pytest.mark.parametrize("media", ["form", pytest.param("json", marks=thorough)])
def test_body_client_id_beside_basic_is_accepted(
    ctx: CheckContext, client: TokenClient, preconditions: Preconditions, media: Media
) -> None:
    """RFC 6749 section 3.2.1: a client may name itself with ``client_id`` beside its Basic credentials."""
    preconditions.media_works(media)
    params = {"grant_type": "client_credentials", "client_id": client.target.client_id}
    exchange = client.post(params, media=media, placement="basic")
    expect_status(
        ctx, exchange, 200, check=Check.CLIENT_ID_BESIDE_BASIC, asked="client_id in the body beside Basic"
    )


@pytest.mark.checks(Check.CLIENT_AUTHENTICATED)
@pytest.mark.parametrize("media", MEDIA)
def test_no_credentials_is_invalid_client(
    ctx: CheckContext, client: TokenClient, preconditions: Preconditions, media: Media
) -> None:
    preconditions.media_works(media)
    exchange = client.post({"grant_type": "client_credentials"}, media=media, placement=None)
    error_is(
        ctx, exchange, "invalid_client", check=Check.CLIENT_AUTHENTICATED, asked="a grant without credentials"
    )


@pytest.mark.checks(Check.CLIENT_AUTHENTICATED)
@pytest.mark.parametrize(
    ("tamper", "placement"),
    [("secret", "basic"), ("secret", "body"), ("id", "basic"), pytest.param("id", "body", marks=thorough)],
)
@pytest.mark.parametrize("media", MEDIA)
def test_wrong_credentials_are_invalid_client(
    ctx: CheckContext,
    client: TokenClient,
    preconditions: Preconditions,
    media: Media,
    tamper: str,
    placement: Placement,
) -> None:
    preconditions.media_works(media)
    target = client.target
    cid, secret = target.client_id, target.client_secret
    if tamper == "secret":
        secret = _wrong(secret)
    else:
        cid += "-unknown"
    exchange = client.post(
        {"grant_type": "client_credentials"},
        media=media,
        placement=placement,
        client_id=cid,
        client_secret=secret,
    )
    asked = (
        f"a wrong client secret ({placement})"
        if tamper == "secret"
        else f"an unknown client id ({placement})"
    )
    error_is(ctx, exchange, "invalid_client", check=Check.CLIENT_AUTHENTICATED, asked=asked)


@pytest.mark.checks(Check.CLIENT_ID_ALONE_REFUSED)
@pytest.mark.parametrize("how", ["body", pytest.param("basic", marks=thorough)])
@pytest.mark.parametrize("media", MEDIA)
def test_a_client_id_without_its_secret_is_refused(
    ctx: CheckContext, client: TokenClient, preconditions: Preconditions, media: Media, how: str
) -> None:
    """A confidential client must authenticate (RFC 6749 sections 2.3.1, 3.2.1): its id alone, in the
    body or as Basic with an empty secret, gets no token."""
    preconditions.media_works(media)
    target = client.target
    if how == "body":
        exchange = client.post(
            {"grant_type": "client_credentials", "client_id": target.client_id}, media=media, placement=None
        )
    else:
        exchange = client.post(
            {"grant_type": "client_credentials"},
            media=media,
            placement=None,
            headers=[("Authorization", basic_header(target.client_id, ""))],
        )
    asked = f"the client id without a secret ({how})"
    refusals = ("invalid_client", "invalid_request")
    error_is(ctx, exchange, *refusals, check=Check.CLIENT_ID_ALONE_REFUSED, asked=asked)


@pytest.mark.checks(Check.BASIC_FORM_URL_DECODED)
def test_basic_credentials_are_form_url_decoded(ctx: CheckContext, client: TokenClient) -> None:
    """RFC 6749 section 2.3.1: id and secret are form-url-encoded before Basic; a server decodes them.

    Every character percent-encoded is still the same id and secret.
    """
    target = client.target
    encoded = "".join(f"%{b:02X}" for b in target.client_id.encode())
    encoded += ":" + "".join(f"%{b:02X}" for b in target.client_secret.encode())
    header = "Basic " + base64.b64encode(encoded.encode()).decode()
    exchange = client.send(
        b"grant_type=client_credentials", headers=[("Content-Type", FORM), ("Authorization", header)]
    )
    expect_status(
        ctx, exchange, 200, check=Check.BASIC_FORM_URL_DECODED, asked="Basic credentials percent-encoded"
    )


@pytest.mark.checks(Check.NEAR_MISS_CREDENTIALS_REFUSED)
@pytest.mark.cost(fixed=4, per_example=1)  # the four explicit examples, then one request an example
@given(
    part=st.sampled_from(("client_secret", "client_id")),
    near=strategies.near_misses(),
    media=strategies.media,
    placement=strategies.placements,
)
# One example for each laxity the layers under a server are known for, so that a run of one example a
# property still meets them: a case-insensitive collation (of the secret, of the id), MySQL's PAD SPACE
# compare, NFKC normalisation (through Basic: a body's fullwidth character may be refused as malformed
# before the secret is compared).
@example(part="client_secret", near=NearMiss("case_all"), media=None, placement="basic")
@example(part="client_secret", near=NearMiss("trailing", char=" "), media=None, placement="body")
@example(part="client_id", near=NearMiss("case_all"), media=None, placement="body")
@example(part="client_secret", near=NearMiss("fullwidth"), media=None, placement="basic")
def test_near_misses_of_the_credentials_are_invalid_client(
    ctx: CheckContext,
    client: TokenClient,
    preconditions: Preconditions,
    part: str,
    near: NearMiss,
    media: Media | None,
    placement: Placement,
) -> None:
    """A secret or id a little like the real one (RFC 6749 sections 2.3.1, 3.2.1, 5.2, 10.10): another
    letter case, whitespace or a NUL at an end, a prefix, a fullwidth character, a character more, the
    value percent-encoded once more. Each is ``invalid_client``, or ``invalid_request`` where it holds a
    character its grammar forbids (VSCHAR, the spec's pattern and maxLength)."""
    media = media or setup_media()
    preconditions.media_works(media)
    real = client.target.client_secret if part == "client_secret" else client.target.client_id
    varied = derive(near, real, secret=part == "client_secret")
    if varied is None:
        return  # the transformation leaves this value as it is (no letter to change): nothing to send
    exchange = client.post(
        {"grant_type": "client_credentials"},
        media=media,
        placement=placement,
        client_id=varied if part == "client_id" else None,
        client_secret=varied if part == "client_secret" else None,
    )
    codes = ("invalid_client", "invalid_request") if malformed(varied, part) else ("invalid_client",)
    asked = f"the real {part} with {near.describe(real)} ({placement}, {media})"
    error_is(ctx, exchange, *codes, check=Check.NEAR_MISS_CREDENTIALS_REFUSED, asked=asked)


# -- the wire as real clients send it ------------------------------------------------------------------
def _grant_body(media: Media) -> bytes:
    if media == "json":
        return json.dumps({"grant_type": "client_credentials"}).encode()
    return b"grant_type=client_credentials"


# A field name and a media type, each in letter cases a client library may send.
SPELLED = {
    "form": ("content-type", "application/X-WWW-FORM-URLENCODED"),
    "json": ("CONTENT-TYPE", "Application/JSON"),
}


@pytest.mark.checks(Check.MEDIA_TYPE_CASE_INSENSITIVE)
@pytest.mark.parametrize("media", ["form", pytest.param("json", marks=thorough)])
def test_the_media_type_and_its_field_name_are_read_in_any_case(
    ctx: CheckContext, client: TokenClient, preconditions: Preconditions, media: Media
) -> None:
    """RFC 9110 section 5.1: field names are case-insensitive; section 8.3.1: so are a media type's
    type and subtype. ``content-type: application/X-WWW-FORM-URLENCODED`` is a form."""
    preconditions.media_works(media)
    name, value = SPELLED[media]
    exchange = client.send(_grant_body(media), headers=[(name, value), _basic(client)])
    asked = f"a valid grant labelled {name}: {value}"
    expect_status(ctx, exchange, 200, check=Check.MEDIA_TYPE_CASE_INSENSITIVE, asked=asked)


# The Authorization field as clients spell it: the name and the scheme in other letter cases, and more
# than one space before the credentials (RFC 9110 section 11.4: auth-scheme 1*SP token68; nothing looser).
SCHEMES = {"lower case": ("authorization", "basic "), "upper case": ("AUTHORIZATION", "BASIC "),
           "two spaces": ("Authorization", "Basic  ")}  # fmt: skip


@pytest.mark.checks(Check.AUTH_SCHEME_CASE_INSENSITIVE)
@pytest.mark.parametrize(
    "spelling", ["lower case", *(pytest.param(s, marks=thorough) for s in ("upper case", "two spaces"))]
)
def test_basic_is_read_in_any_case_and_after_more_spaces(
    ctx: CheckContext, client: TokenClient, preconditions: Preconditions, spelling: str
) -> None:
    """RFC 9110 section 11.1 (and RFC 7617 section 2): the scheme is case-insensitive; ``basic`` and
    ``BASIC`` are Basic."""
    media = setup_media()
    preconditions.media_works(media)
    name, scheme = SCHEMES[spelling]
    token = basic_header(client.target.client_id, client.target.client_secret).split(" ", 1)[1]
    exchange = client.post(
        {"grant_type": "client_credentials"}, media=media, placement=None, headers=[(name, scheme + token)]
    )
    asked = f"valid Basic credentials sent as {name}: {scheme!r}"
    expect_status(ctx, exchange, 200, check=Check.AUTH_SCHEME_CASE_INSENSITIVE, asked=asked)


@pytest.mark.checks(Check.CHUNKED_BODY_ACCEPTED)
@pytest.mark.parametrize("media", ["form", pytest.param("json", marks=thorough)])
def test_a_chunked_body_is_read(
    ctx: CheckContext, client: TokenClient, preconditions: Preconditions, media: Media
) -> None:
    """RFC 9112 sections 6.1 and 7.1: a recipient MUST be able to parse the chunked transfer coding.
    The grant goes in three chunks without a Content-Length, a chunk boundary inside the grant type.
    A server may instead ask for a Content-Length with 411 (section 6.3), whatever the spec documents:
    that answer is judged by this check alone."""
    preconditions.media_works(media)
    body = _grant_body(media)
    cut = body.index(b"client_") + len(b"client_")  # inside the value: client_ | credentials
    chunks = (body[: cut - 3], body[cut - 3 : cut], body[cut:])
    headers = [("Content-Type", JSON if media == "json" else FORM), ("Transfer-Encoding", "chunked")]
    exchange = client.send(chunks=chunks, headers=[*headers, _basic(client)])
    if exchange.status == 411:
        require(ctx, True, Check.CHUNKED_BODY_ACCEPTED, "", exchange)  # the RFC's other choice
        return
    asked = f"a valid {media} grant in three chunks (Transfer-Encoding: chunked)"
    expect_status(ctx, exchange, 200, check=Check.CHUNKED_BODY_ACCEPTED, asked=asked)
