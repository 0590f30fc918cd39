"""``openapi/`` holds the contract, ``oauth2-token.yaml``; the build ships it as ``token_spec.openapi``.

There is no code here: :mod:`token_spec.contract` reads the file through ``importlib.resources``.
"""
