"""The bottom layer: the contract of ``POST /oauth2/token`` as data, and the names everything shares.

    token_spec
    ├── contract    the spec (``openapi/oauth2-token.yaml``, shipped as package data), resolved
    ├── names       Check and Family: every check and test family, as enumeration members
    └── redaction   one way to keep secrets out of every line anyone writes

It imports nothing of the project: the mock (``mocks``) sits on it, the suite (``token_contract``) on
both, and ``tests/test_layers.py`` keeps it so.
"""

from __future__ import annotations

from oauth2_token_contract.spec.contract import Contract, load, spec_path
from oauth2_token_contract.spec.names import Check, Family

__all__ = ["Check", "Contract", "Family", "load", "spec_path"]
