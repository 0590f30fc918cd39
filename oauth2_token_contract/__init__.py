"""oauth2-token-contract: keeps one OAuth2 token endpoint honest. The one name the package installs.

    oauth2_token_contract
    ├── openapi   the contract as OpenAPI (data; the repository's ``openapi/``)
    ├── spec      the contract read as data, the rule matrix, check names, redaction
    ├── mock      the stateful mock, its QA controls, the Prism wrapper (its data: ``mocks/``)
    ├── suite     the contract suite: client, checks, strategies, and the test families (``families``)
    ├── plugin    the pytest plugin (entry point ``pytest11``): options, plan, fixtures, verdict
    └── cli       ``token-contract run|list|replay``

Imports point one way, ``spec`` <- ``mock`` <- ``suite`` <- ``plugin`` <- ``cli``; ``tests/test_layers.py``
keeps it so. Importing this package loads none of them.
"""
