"""The pytest face of the suite, loaded through the ``pytest11`` entry point ``token_contract``.

pytest collects hooks and fixtures from the modules it registers; this one is registered, so it
gathers every hook and fixture of the plugin into its namespace. Each job has its module:

    options      --target and the markers
    collection   which tests are the contract's, their order, the plan against the request budget
    fixtures     token_target, token_client, token_pacer, token_hypothesis_settings; capability skips
    mock_fixtures  token_mock, token_mock_url: the stateful mock for a client library's tests
    failures     a stopped test's report, said as a check with its curl line, a budget skip, ...
    verdicts     the run's own verdicts at its end: coverage, promptness, stale expected failures
    preflight    the first contact with the target, before the first test
    stops        a run stopped before its first test: one line, a JUnit entry, its exit code
    terminal     what runs against what, the plan, progress lines and the summary
    xdist        workers, and how their counts reach the controller
    stash        what the hooks share on pytest's config (its stash keys)

``pytest_configure`` is here: it reads the settings once and sets up the run's state, which every
other module reads.
"""

from __future__ import annotations

import pytest
from hypothesis import settings as hypothesis_settings

from oauth2_token_contract.plugin.collection import pytest_collection_modifyitems
from oauth2_token_contract.plugin.failures import pytest_runtest_makereport
from oauth2_token_contract.plugin.fixtures import (
    _capabilities,
    token_client,
    token_hypothesis_settings,
    token_pacer,
    token_settings,
    token_target,
)
from oauth2_token_contract.plugin.mock_fixtures import token_mock, token_mock_url
from oauth2_token_contract.plugin.options import MARKERS, pytest_addoption
from oauth2_token_contract.plugin.stash import CONTEXT, PACER, PROFILE, PROFILE_NAME, RUN, SETTINGS, Run
from oauth2_token_contract.plugin.stops import refuse
from oauth2_token_contract.plugin.terminal import (
    pytest_report_collectionfinish,
    pytest_terminal_summary,
    show_progress,
)
from oauth2_token_contract.plugin.verdicts import pytest_sessionfinish
from oauth2_token_contract.plugin.xdist import XdistController, is_worker, pytest_xdist_auto_num_workers
from oauth2_token_contract.spec import contract
from oauth2_token_contract.spec.contract import SpecError
from oauth2_token_contract.suite import profiles
from oauth2_token_contract.suite.checks import CheckContext
from oauth2_token_contract.suite.errors import SettingError
from oauth2_token_contract.suite.known_failures import ENV as EXPECTED_ENV
from oauth2_token_contract.suite.known_failures import load_expected
from oauth2_token_contract.suite.pacing import Pacer
from oauth2_token_contract.suite.settings import Settings

# What pytest finds here: every hook and fixture of the plugin (a name left out is never called).
__all__ = [
    "_capabilities",
    "pytest_addoption",
    "pytest_collection_modifyitems",
    "pytest_configure",
    "pytest_report_collectionfinish",
    "pytest_runtest_makereport",
    "pytest_sessionfinish",
    "pytest_terminal_summary",
    "pytest_xdist_auto_num_workers",
    "token_client",
    "token_hypothesis_settings",
    "token_mock",
    "token_mock_url",
    "token_pacer",
    "token_settings",
    "token_target",
]


def pytest_configure(config: pytest.Config) -> None:
    """Set up the run: the settings, markers, the Hypothesis profile, the pacer, expected failures, the
    controller. A setting that cannot be used stops here, one line per bad value."""
    for marker in MARKERS:
        config.addinivalue_line("markers", marker)
    try:
        settings = Settings.from_env()
        if settings.spec:  # a spec the user chose: one line if it cannot be read
            try:
                contract.load()
            except SpecError as exc:
                raise SettingError(f"TOKEN_API_SPEC={settings.spec}: {exc}") from None
        expected = load_expected({EXPECTED_ENV: settings.expected_failures or ""})
    except (SettingError, ValueError) as exc:
        raise refuse(config, "settings", str(exc)) from None
    config.stash[SETTINGS] = settings
    profiles.register(settings.example_db)
    target = config.getoption("--target")
    chosen = config.getoption("hypothesis_profile", None) or settings.profile
    # The embedded mock's default is the quick profile: a first run answers in seconds, every check
    # judged once; a live target's is live, planned against its budget.
    profile = chosen or ("quick" if target == "mock" else "live")
    config.stash[PROFILE_NAME] = profile
    # The contract tests get the profile's settings at collection; Hypothesis's global default, and
    # so any other test of a project that loads this plugin, stays as it was.
    config.stash[PROFILE] = hypothesis_settings.get_profile(profile)
    # The budget is set when the target is planned (remote targets get a default one).
    pacer = Pacer(budget=None, max_wait=settings.max_wait)
    show_progress(config, pacer, profile, settings.progress)
    config.stash[PACER] = pacer
    config.stash[CONTEXT] = CheckContext()
    run = Run(expected)
    config.stash[RUN] = run
    if not is_worker(config):
        config.pluginmanager.register(run, "token-contract-run")
        if config.pluginmanager.hasplugin("xdist"):
            config.pluginmanager.register(XdistController(config), "token-contract-xdist")
