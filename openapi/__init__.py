"""``openapi/``: the contracts, shipped as package data (``oauth2_token_contract.openapi``).

No code lives here, and a test keeps it so: this file only makes the folder a package, so that
``importlib.resources`` finds the documents in an editable install too (a namespace package mapped
from outside its parent's folder is not found there).
"""
