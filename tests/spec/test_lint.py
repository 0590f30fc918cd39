"""``token-contract lint``: what was read, what was assumed, and where a spec contradicts RFC 6749."""

from __future__ import annotations

from pathlib import Path

from oauth2_token_contract.spec.lint import FOUND_CONTRADICTIONS, UNREADABLE, lint


def _lint(spec: str) -> tuple[int, list[str]]:
    said: list[str] = []
    return lint(spec, said.append), said


def test_the_documentation_page_agrees_with_the_rfc() -> None:
    code, said = _lint("docs-page")
    assert code == 0
    assert "rate limit: X-Retry-In in milliseconds; server errors documented: none" in said
    # The page documents invalid_client as 400 only; RFC 6749 5.2's 401 is the one thing assumed.
    assumed = [line for line in said if line.startswith(("assumed:", "contradicts"))]
    assert assumed == ["assumed: invalid_client as 401 with a WWW-Authenticate challenge too (RFC 6749 5.2)"]


def test_the_published_contract_says_its_assumptions_and_its_contradiction() -> None:
    code, said = _lint("moov-published")
    assert code == FOUND_CONTRADICTIONS
    assert any(line.startswith("assumed: Cache-Control: no-store") for line in said)
    assert any("expires_in" in line for line in said if line.startswith("contradicts the RFC:"))
    assert any("invalid_scope 400/422" in line for line in said)


def test_an_unreadable_spec_is_one_line(tmp_path: Path) -> None:
    code, said = _lint(str(tmp_path / "absent.yaml"))
    assert code == UNREADABLE
    assert said == [f"token-contract lint: spec {tmp_path / 'absent.yaml'}: no such file"]
