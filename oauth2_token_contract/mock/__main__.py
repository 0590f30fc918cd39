"""``python -m oauth2_token_contract.mock serve|prism``: the mock's command line (``cli``)."""

import sys

from oauth2_token_contract.mock.cli import main

sys.exit(main())
