"""The preflight, where the plugin runs it: once per run, before the first test, on the process that
plans the run (:mod:`oauth2_token_contract.suite.preflight` says what it asks).

In one process the target it opens stays open for the run (``token_target`` yields it: the mock or
Prism starts once). Under xdist the controller opens the target for the preflight alone, then each
worker opens its own as before; a failed preflight empties every worker's collection before any test
is scheduled, so nothing runs and nothing is blamed on the target.
"""

from __future__ import annotations

from contextlib import ExitStack

import pytest

from oauth2_token_contract.plugin.stash import OPENED, PACER, SETTINGS, STOPPED
from oauth2_token_contract.plugin.stops import stop
from oauth2_token_contract.spec.redaction import REDACTOR
from oauth2_token_contract.suite.checks import CheckContext
from oauth2_token_contract.suite.client import TokenClient
from oauth2_token_contract.suite.errors import PreflightFailed
from oauth2_token_contract.suite.exit_codes import Exit
from oauth2_token_contract.suite.preflight import preflight
from oauth2_token_contract.suite.targets import TargetPlan, open_target

__all__ = ["PREFLIGHT", "first_contact"]

PREFLIGHT = "preflight"


def first_contact(config: pytest.Config, chosen: TargetPlan, *, keep: bool) -> bool:
    """Open the target and check it; False (the run stopped, saying why) when the preflight failed.

    ``keep``: leave the target open for the run's tests (closed when pytest unconfigures).
    """
    if config.option.collectonly or STOPPED in config.stash:
        return STOPPED not in config.stash
    REDACTOR.add_shell(chosen.client_secret, "TOKEN_API_CLIENT_SECRET")
    stack = ExitStack()
    try:
        target = stack.enter_context(open_target(chosen))
        pacer = config.stash[PACER]
        client = TokenClient(target, pacer, timeout=config.stash[SETTINGS].timeout, context=CheckContext())
        pacer.family = PREFLIGHT  # its requests are counted apart, and said apart in the summary
        try:
            preflight(client)
        finally:
            pacer.family = "setup"
            client.close()
    except PreflightFailed as exc:
        stack.close()
        stop(config, "preflight", f"preflight: {exc}", Exit.TARGET_UNUSABLE)
        return False
    except BaseException:
        stack.close()
        raise
    if keep:
        config.stash[OPENED] = target
        config.add_cleanup(stack.close)
    else:
        stack.close()
    return True
