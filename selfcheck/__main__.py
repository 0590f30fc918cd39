"""``python -m selfcheck``: see :mod:`selfcheck.runner`."""

import sys

from selfcheck.runner import main

sys.exit(main())
