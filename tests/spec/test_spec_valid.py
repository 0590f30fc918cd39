"""The spec is a valid OpenAPI 3.1 document, by the reference validator."""

from __future__ import annotations

from openapi_spec_validator import OpenAPIV31SpecValidator, validate
from openapi_spec_validator.readers import read_from_filename

from oauth2_token_contract.spec import contract


def test_spec_passes_openapi_spec_validator() -> None:
    document, _ = read_from_filename(str(contract.spec_path()))

    validate(document, cls=OpenAPIV31SpecValidator)


def test_spec_declares_openapi_3_1() -> None:
    assert contract.load().document["openapi"].startswith("3.1.")
