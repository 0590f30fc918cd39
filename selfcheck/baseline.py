"""Plain Schemathesis on the same server, for comparison: ``st run`` over the spec with the options a
user would pass, and the kinds of failure it reports (``python -m selfcheck --baseline``).
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from oauth2_token_contract.mock.processes import run_group
from oauth2_token_contract.spec import contract
from selfcheck.outcomes import Variant
from selfcheck.suite_run import suite_env

__all__ = ["REQUEST_TIMEOUT", "ST_OPTIONS", "run_plain_schemathesis"]

REQUEST_TIMEOUT = 3.0  # plain st's per-request timeout (the suite keeps its user default)
ST_OPTIONS = ("--checks", "all", "--max-examples", "50", "--continue-on-failure", "--seed", "1")


def _st_command() -> str:
    """The ``st`` beside this interpreter (the venv's), else the one on PATH."""
    beside = Path(sys.executable).with_name("st")
    return str(beside) if beside.exists() else shutil.which("st") or "st"


def run_plain_schemathesis(variant: Variant, url: str, workdir: Path, *, deadline: float) -> set[str]:
    """``st run`` over the spec with the options a user would pass; the kinds of failure it reports."""
    report = workdir / "st.json"
    command = [
        _st_command(),
        "run",
        str(contract.spec_path()),
        "--url",
        url,
        "--auth",
        f"{variant.client_id}:{variant.client_secret}",
        *ST_OPTIONS,
        "--request-timeout",
        str(REQUEST_TIMEOUT),
        "--no-color",
        "--report",
        "json",
        "--report-json-path",
        str(report),
    ]
    returncode = run_group(command, cwd=workdir, env=suite_env(url), deadline=deadline)
    if returncode is None or not report.exists():
        return {"(did not finish)"}
    data = json.loads(report.read_text(encoding="utf-8"))
    findings = {f"{f['code']} {f['title']}" for f in data.get("failures") or []}
    findings |= {f"error: {e.get('title') or e.get('type') or e}" for e in data.get("errors") or []}
    return findings
