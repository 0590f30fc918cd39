"""``python -m tests.selfcheck``: see :mod:`tests.selfcheck.runner`."""

import sys

from tests.selfcheck.runner import main

sys.exit(main())
