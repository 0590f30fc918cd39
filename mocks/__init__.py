"""``mocks/``: the mock's assets, shipped as package data (``oauth2_token_contract.mock.assets``).

The example clients (``clients.yaml``) and Prism's pins (``package.json``, its lock, and
``node_modules`` once ``npm ci`` ran). No code lives here, and a test keeps it so: the mock's code is
``oauth2_token_contract/mock/``. This file only makes the folder a package, so that
``importlib.resources`` finds the assets in an editable install too.
"""
