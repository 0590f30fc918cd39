"""``openapi/`` holds the contract, ``oauth2-token.yaml``; the build ships it as
``oauth2_token_contract.openapi``.

There is no code here: :mod:`oauth2_token_contract.spec.contract` reads the file through
``importlib.resources``.
"""
