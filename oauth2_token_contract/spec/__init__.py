"""The bottom layer: the contract of ``POST /oauth2/token`` as data, and the names everything shares.

    oauth2_token_contract.spec
    ├── contract    the one reading of a spec: the operation, statuses, headers, limits, enums, examples
    │   ├── reading     a document: loaded, its ``$ref``s resolved, the token operation found
    │   ├── operations  the other operations of a token's life (revocation, resource, ...), by role
    │   └── retry       the 429's retry header and its unit
    ├── lint        what the suite reads from a spec, and where it contradicts the RFCs
    ├── rules       the rule matrix: every rule, its check, its source and the latitude it leaves
    ├── names       Check and Family: every check and test family, as enumeration members
    └── redaction   one way to keep secrets out of every line anyone writes

It imports nothing of the project: the mock sits on it, the suite on both, and ``tests/test_layers.py``
keeps it so; ``tests/test_package_docstrings.py`` keeps this list whole.
"""

from __future__ import annotations

from oauth2_token_contract.spec.contract import Contract, load, spec_path
from oauth2_token_contract.spec.names import Check, Family

__all__ = ["Check", "Contract", "Family", "load", "spec_path"]
