"""The repository's root conftest: loads the contract suite's pytest plugin for every test run."""

pytest_plugins = ["token_contract.pytest_plugin"]
