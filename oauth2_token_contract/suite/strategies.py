"""Hypothesis strategies for what the spec cannot say: near-miss grant types, encodings, token lengths.

The face of the suite's generation; every limit and enum comes from the contract.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from oauth2_token_contract.spec import contract
from oauth2_token_contract.suite.capabilities import documented_media
from oauth2_token_contract.suite.near_misses import NearMiss

__all__ = [
    "charset_parameters",
    "grant_type_misspellings",
    "grant_type_with_stray_characters",
    "invalid_utf8",
    "malformed_json",
    "media",
    "near_misses",
    "non_string_json",
    "placements",
    "scope_requests",
    "token_of_length",
    "unknown_parameters",
    "unoffered_grant_types",
]

# Grant types other RFCs define, which a server may implement and this contract does not offer.
_UNOFFERED_GRANTS = (
    "password",
    "authorization_code",
    "implicit",
    "urn:ietf:params:oauth:grant-type:jwt-bearer",
    "urn:ietf:params:oauth:grant-type:saml2-bearer",
    "urn:ietf:params:oauth:grant-type:device_code",
    "urn:ietf:params:oauth:grant-type:token-exchange",
)

# The encodings the spec documents, read when a test first draws one (not when this is imported).
media = st.deferred(lambda: st.sampled_from(documented_media() or ("form",)))
placements = st.sampled_from(("basic", "body"))


def _misspellings(valid: str) -> st.SearchStrategy[str]:
    """Strings a careless client or a lenient server confuses with ``valid``: case, letters, dashes."""
    index = st.integers(0, len(valid) - 1)
    return st.one_of(
        st.sampled_from((valid.upper(), valid.title(), valid.capitalize(), valid.replace("_", "-"))),
        index.map(lambda i: valid[:i] + valid[i + 1 :]),  # a letter dropped
        index.map(lambda i: valid[:i] + valid[i] + valid[i:]),  # a letter doubled
        index.map(lambda i: valid[:i] + valid[i + 1 : i + 2] + valid[i : i + 1] + valid[i + 2 :]),  # swapped
    )


def grant_type_misspellings() -> st.SearchStrategy[str]:
    """Strings that are no grant type at all: variants of the valid ones, and other words."""
    valid = contract.load().grant_types
    return st.one_of(
        *(_misspellings(g) for g in valid),
        st.text(alphabet=string.ascii_letters + "_-.", min_size=1, max_size=40),
    ).filter(lambda g: g not in valid and g not in _UNOFFERED_GRANTS)  # rarely hit: equal letters swapped


def unoffered_grant_types() -> st.SearchStrategy[str]:
    """Grant types of other RFCs (``password``...) that the contract does not offer."""
    return st.sampled_from(_UNOFFERED_GRANTS)


def grant_type_with_stray_characters() -> st.SearchStrategy[str]:
    """A valid grant type with whitespace or a NUL around it: built so, never filtered into shape."""
    stray = st.sampled_from((" ", "\t", "\n", "\r\n", "\u00a0", "\x00"))
    placed = st.sampled_from(("{s}{g}", "{g}{s}", "{s}{g}{s}"))
    return st.builds(
        lambda g, s, form: form.format(g=g, s=s), st.sampled_from(contract.load().grant_types), stray, placed
    )


def non_string_json() -> st.SearchStrategy[Any]:
    """JSON values of every type but string."""
    scalars = st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False)
    )
    return st.one_of(
        scalars,
        st.lists(st.sampled_from(contract.load().grant_types), min_size=0, max_size=2),
        st.dictionaries(st.sampled_from(contract.load().grant_types), scalars, max_size=2),
    )


def scope_requests(allowed: Sequence[str]) -> st.SearchStrategy[str]:
    """A non-empty subset of ``allowed``, in any order, space-delimited."""
    if not allowed:
        return st.nothing()
    return st.lists(st.sampled_from(list(allowed)), min_size=1, unique=True).map(" ".join)


def token_of_length(length: int) -> st.SearchStrategy[str]:
    """A VSCHAR string of exactly ``length`` characters (a seed repeated: cheap at 4097)."""
    seed = st.text(alphabet=string.ascii_letters + string.digits + "-._~", min_size=1, max_size=24)
    return seed.map(lambda s: (s * (length // len(s) + 1))[:length])


def charset_parameters() -> st.SearchStrategy[str]:
    return st.sampled_from(
        (
            "charset=utf-8",
            "charset=UTF-8",
            'charset="utf-8"',
            "CHARSET=utf-8",
            "charset=utf-8; boundary=unused",
        )
    )


def unknown_parameters() -> st.SearchStrategy[dict[str, str]]:
    """Extra parameters a server must ignore (RFC 6749 section 3.2): none the spec's request names."""
    known = frozenset(contract.load().request_parameters)
    names = st.from_regex(r"[a-z][a-z0-9_]{0,15}", fullmatch=True).filter(lambda n: n not in known)
    values = st.text(alphabet=string.ascii_letters + string.digits + " ._-", max_size=30)
    return st.dictionaries(names, values, min_size=1, max_size=3)


def malformed_json() -> st.SearchStrategy[bytes]:
    """Bodies labelled JSON that are not a JSON object a server could read."""
    fixed = (
        b"\x00",
        b"{",
        b'{"grant_type": "client_credentials"',
        b'{"grant_type": }',
        b"{grant_type: 'client_credentials'}",
        b'{"grant_type": "client_credentials",}',
        b"",
        b"null",
        b"[]",
        b'"client_credentials"',
        b"42",
        b'{"grant_type": "client_credentials"} trailing',
        b"\xef\xbb\xbf{}",
    )
    return st.one_of(st.sampled_from(fixed), st.binary(min_size=1, max_size=64).filter(_not_json_object))


def _not_json_object(raw: bytes) -> bool:
    import json  # noqa: PLC0415 - only for this filter

    try:
        return not isinstance(json.loads(raw), dict)
    except ValueError:
        return True


def invalid_utf8() -> st.SearchStrategy[bytes]:
    """Bytes that are not UTF-8, placed inside an otherwise plausible value."""
    return st.sampled_from(
        (b"\xff", b"\xc3\x28", b"\xa0\xa1", b"\xe2\x28\xa1", b"\xf0\x28\x8c\xbc", b"\xed\xa0\x80")
    )


def near_misses(*, appended: bool = True) -> st.SearchStrategy[NearMiss]:
    """Transformations that make a real value a near miss of itself, each a laxity of the layers under
    a server (:mod:`oauth2_token_contract.suite.near_misses`): letter case, whitespace or a NUL at an
    end, a prefix, a fullwidth character, percent-encoding once more, and (unless ``appended`` is
    False: a refresh token's is L4's) one character more."""
    at = st.integers(0, 2**16)
    kinds = [
        st.builds(NearMiss, st.just("case_one"), at),
        st.just(NearMiss("case_all")),
        st.builds(NearMiss, st.just("trailing"), char=st.sampled_from((" ", "\t", "\n", "\x00"))),
        st.builds(NearMiss, st.just("leading"), char=st.sampled_from((" ", "\t"))),
        st.builds(NearMiss, st.just("prefix"), at),
        st.builds(NearMiss, st.just("fullwidth"), at),
        st.just(NearMiss("percent")),
    ]
    if appended:
        extra = st.sampled_from(string.ascii_letters + string.digits + "-._~")
        kinds.append(st.builds(NearMiss, st.just("appended"), char=extra))
    return st.one_of(kinds)
