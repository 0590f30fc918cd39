"""Every example in the spec fits its own schema, and the two request media types show the same requests.

The mock and Prism answer these examples verbatim, so an example that breaks its schema would make the
contract contradict itself. Validation is JSON Schema 2020-12 (the OpenAPI 3.1 dialect) with formats.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from oauth2_token_contract.spec import contract

SPEC = contract.load()
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


def _examples(node: Any, pointer: str = "#") -> Iterator[tuple[str, dict[str, Any], Any]]:
    """(pointer, schema, value) for every ``example`` and named ``examples`` beside a ``schema``."""
    if isinstance(node, dict):
        if "schema" in node:
            if "example" in node:
                yield f"{pointer}/example", node["schema"], node["example"]
            for name, example in node.get("examples", {}).items():
                yield f"{pointer}/examples/{name}", node["schema"], example["value"]
        for key, child in node.items():
            yield from _examples(child, f"{pointer}/{str(key).replace('/', '~1')}")
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from _examples(child, f"{pointer}/{index}")


EXAMPLES = list(_examples({"paths": {SPEC.token_path: {SPEC.located.method: SPEC.operation}}}))


def test_examples_are_found() -> None:
    """Request examples per media type, response examples per status and header examples all count."""
    pointers = [pointer for pointer, _, _ in EXAMPLES]
    for media in SPEC.media_types:
        assert any(
            f"/content/{media.replace('/', '~1')}/examples/" in p and "requestBody" in p for p in pointers
        )
    for status in SPEC.statuses:
        assert any(f"/responses/{status}/content/" in p for p in pointers)
    assert sum("/headers/" in p for p in pointers) == sum(
        len(SPEC.response_headers(s)) for s in SPEC.statuses
    )


@pytest.mark.parametrize(("pointer", "schema", "value"), EXAMPLES, ids=[p for p, _, _ in EXAMPLES])
def test_example_fits_its_schema(pointer: str, schema: dict[str, Any], value: Any) -> None:
    Draft202012Validator.check_schema(schema)
    errors = [
        f"{'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message}"
        for error in Draft202012Validator(schema, format_checker=FormatChecker()).iter_errors(value)
    ]
    assert errors == [], pointer


def test_media_types_show_the_same_requests() -> None:
    assert set(SPEC.media_types) == {JSON, FORM}
    assert SPEC.request_examples(JSON) == SPEC.request_examples(FORM)


@pytest.mark.parametrize("name", list(SPEC.request_examples(FORM)))
def test_form_examples_are_flat_strings(name: str) -> None:
    """A form body carries only strings; a nested or numeric value could not be sent as documented."""
    example = SPEC.request_examples(FORM)[name]

    assert all(isinstance(value, str) for value in example.values()), example


@pytest.mark.parametrize("status", SPEC.statuses)
def test_every_status_has_an_example(status: int) -> None:
    assert SPEC.response_examples(status)


@pytest.mark.parametrize("status", SPEC.statuses)
def test_every_required_header_has_an_example(status: int) -> None:
    for header, definition in SPEC.response_headers(status).items():
        if definition.get("required"):
            assert SPEC.header_example(status, header), header
