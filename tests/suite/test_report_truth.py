"""Reports that tell the truth, against a server that refuses every JSON body.

Two defects met on real servers: a refused setup request was raised as one exception object in every
later test, so each test's report carried the notes pytest and Hypothesis had added to it in the
tests before ("Failing test case ..."); and the coverage verdict blamed "the budget or a deadline"
when its checks judged nothing because every request of that kind was refused.
"""

from __future__ import annotations

import pytest

from oauth2_token_contract.mock.app import create_app
from oauth2_token_contract.mock.server import running_mock
from oauth2_token_contract.mock.settings import load_settings
from oauth2_token_contract.spec import contract
from oauth2_token_contract.spec.names import Check
from oauth2_token_contract.suite.client import TokenClient
from oauth2_token_contract.suite.errors import PreconditionFailed
from oauth2_token_contract.suite.flows import Preconditions
from oauth2_token_contract.suite.pacing import Pacer
from oauth2_token_contract.suite.report import BUDGET, CHECKS, FAMILY, FINDING, SKIP, RunReport
from oauth2_token_contract.suite.targets import Target
from selfcheck.faults import FAULTS

EXAMPLE = contract.load().request_examples()["clientCredentials"]


def test_each_test_meets_its_own_refused_precondition_without_earlier_notes() -> None:
    with running_mock(app=create_app(load_settings(), **FAULTS["json-refused"].overrides)) as url:
        target = Target(name="json-refused", kind="remote", base_url=url, client_id=EXAMPLE["client_id"],
                        client_secret=EXAMPLE["client_secret"], scopes=(), budget=None,
                        allow_burst=False)  # fmt: skip
        client = TokenClient(target, Pacer(budget=20), timeout=5.0)
        preconditions = Preconditions(client)
        try:
            raised = []
            for test in ("first", "second"):
                with pytest.raises(PreconditionFailed) as caught:
                    preconditions.media_works("json")
                caught.value.add_note(f"Failing test case: {test}")  # what Hypothesis adds
                raised.append(caught.value)
        finally:
            client.close()
        assert client.pacer.sent == 1, "the media type is asked about once per run"
    first, second = raised
    assert first is not second
    assert second.__notes__ == ["Failing test case: second"], second.__notes__
    assert "got 400" in second.message


def _record(report: RunReport, name: str, outcome: str, *props: tuple[str, object]) -> None:
    report.add(name, [(FAMILY, "encodings"), (CHECKS, str(Check.CHARSET_ACCEPTED)), *props], outcome)


def test_the_coverage_verdict_names_the_refusal_that_stopped_every_test() -> None:
    report = RunReport()
    finding = "encoding_accepted: got 400 invalid_request, expected 200"
    _record(report, "a", "failed", (FINDING, finding))
    _record(report, "b", "failed", (FINDING, finding))
    assert report.unexercised(set()) == {str(Check.CHARSET_ACCEPTED): ["a", "b"]}
    assert (
        report.why_unjudged(str(Check.CHARSET_ACCEPTED))
        == f"every test that judges it failed first ({finding})"
    )


def test_the_coverage_verdict_names_the_budget_only_when_it_ran_out() -> None:
    report = RunReport()
    _record(report, "a", "skipped", (SKIP, BUDGET))
    _record(report, "b", "passed")
    assert report.why_unjudged(str(Check.CHARSET_ACCEPTED)) == "the request budget ran out first"
    passed = RunReport()
    _record(passed, "b", "passed")
    assert "deadline" in passed.why_unjudged(str(Check.CHARSET_ACCEPTED))
