"""The spec lints clean under the repository's ruleset (``spectral:oas`` and OWASP) with the pinned Spectral.

Clean means no result of any severity: an error, a warning, an info or a hint all fail.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from oauth2_token_contract.spec import contract

ROOT = Path(__file__).resolve().parents[2]
SPECTRAL = ROOT / "mocks" / "node_modules" / ".bin" / "spectral"
RULESET = ROOT / "openapi" / ".spectral.yaml"
NOT_INSTALLED = "npm ci --prefix mocks has not run"
LINT_TIMEOUT = 120


def _lint(document: Path, report: Path) -> list[dict[str, Any]]:
    if not SPECTRAL.is_file() or shutil.which("node") is None:
        pytest.skip(f"{NOT_INSTALLED}: no {SPECTRAL} or no node on PATH")
    command = [str(SPECTRAL), "lint", str(document), "--ruleset", str(RULESET)]
    command += ["--format", "json", "--output", str(report), "--fail-severity", "hint"]
    result = subprocess.run(
        command, check=False, capture_output=True, text=True, timeout=LINT_TIMEOUT, cwd=ROOT
    )
    assert report.is_file(), (
        f"Spectral wrote no report (exit {result.returncode}):\n{result.stdout}{result.stderr}"
    )
    return json.loads(report.read_text())


def test_spec_lints_clean(tmp_path: Path) -> None:
    results = _lint(contract.spec_path(), tmp_path / "report.json")

    problems = [f"{r['code']} at {'.'.join(map(str, r['path']))}: {r['message']}" for r in results]
    assert problems == []


def test_ruleset_has_teeth(tmp_path: Path) -> None:
    """A spec broken on purpose trips both rulesets, so a clean lint means the rules ran."""
    broken: dict[str, Any] = copy.deepcopy(yaml.safe_load(contract.spec_path().read_text()))
    del broken["paths"]["/oauth2/token"]["post"]["operationId"]
    del broken["components"]["schemas"]["Token"]["maxLength"]
    document = tmp_path / "broken.yaml"
    document.write_text(yaml.safe_dump(broken, sort_keys=False))

    codes = {r["code"] for r in _lint(document, tmp_path / "report.json")}

    assert {"operation-operationId", "owasp:api4:2023-string-limit"} <= codes


def test_the_ruleset_flags_an_expires_in_called_a_timestamp(tmp_path: Path) -> None:
    """Moov's published document contradicts RFC 6749 5.1; the project's own rule says so."""
    codes = {r["code"] for r in _lint(contract.spec_path("moov-published"), tmp_path / "report.json")}
    assert "token-expires-in-is-a-lifetime" in codes


def test_ruleset_extends_oas_and_owasp() -> None:
    ruleset = yaml.safe_load(RULESET.read_text())

    assert "spectral:oas" in ruleset["extends"]
    assert any("spectral-owasp-ruleset" in entry for entry in ruleset["extends"])


def test_every_rule_turned_off_says_why() -> None:
    """A comment directly above each run of ``rule: off`` lines gives the reason."""
    lines = RULESET.read_text().splitlines()
    off = re.compile(r"^\s*[\w:.-]+:\s*off\s*$")
    unexplained = []
    for index, line in enumerate(lines):
        if not off.match(line):
            continue
        above = index - 1
        while above >= 0 and off.match(lines[above]):
            above -= 1
        if above < 0 or not lines[above].lstrip().startswith("#"):
            unexplained.append(line.strip())
    assert unexplained == []
    assert any(off.match(line) for line in lines)
