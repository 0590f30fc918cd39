"""``python -m oauth2_token_contract run|list|replay``: the suite's command line (``cli``)."""

import sys

from oauth2_token_contract.cli import main

sys.exit(main())
