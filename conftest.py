"""The repository's root conftest.

The contract suite's pytest plugin is not loaded here: it loads through its ``pytest11`` entry point,
as it does in any project that installs the package. This file only keeps pytest out of what Node
installed beside the mock.
"""

collect_ignore_glob = ["mocks/node_modules/*"]
