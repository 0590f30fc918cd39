"""A spec that cannot describe a token endpoint gets one line and a non-zero exit from every entry
point: the mock's ``serve``, the suite under pytest, ``token-contract run``, ``replay`` and ``lint``.
Never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from selfcheck.suite_run import FAMILIES, ROOT

BROKEN = {
    "missing": None,
    "not-openapi": "name: a config file\nitems: [1, 2]\n",
    "no-token-operation": (
        "openapi: 3.1.0\npaths:\n  /pets:\n    get:\n      responses:\n        '200': {description: ok}\n"
    ),
    "dangling-ref": (
        "openapi: 3.1.0\npaths:\n  /oauth2/token:\n    post:\n      requestBody:\n        content:\n"
        "          application/json:\n            schema: {$ref: '#/components/schemas/Nowhere'}\n"
        "      responses:\n        '200': {description: ok}\n"
    ),
}
ENTRY_POINTS = {
    "mock serve": lambda spec: [
        sys.executable,
        "-m",
        "oauth2_token_contract.mock",
        "serve",
        "--port",
        "0",
        "--spec",
        spec,
    ],
    "pytest": lambda spec: [
        sys.executable,
        "-m",
        "pytest",
        FAMILIES,
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:xdist",
    ],
    "token-contract run": lambda spec: [
        *(sys.executable, "-m", "oauth2_token_contract", "run", "--target", "mock", "--spec", spec)
    ],
    "token-contract replay": lambda spec: [
        sys.executable,
        "-m",
        "oauth2_token_contract",
        "replay",
        "padded-refresh-token",
    ],
    "token-contract lint": lambda spec: [sys.executable, "-m", "oauth2_token_contract", "lint", spec],
}


@pytest.mark.parametrize("broken", sorted(BROKEN))
@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
def test_a_broken_spec_is_one_line_and_a_non_zero_exit(tmp_path: Path, entry: str, broken: str) -> None:
    spec = tmp_path / f"{broken}.yaml"
    if BROKEN[broken] is not None:
        spec.write_text(BROKEN[broken], encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOKEN_API_", "PYTEST_"))}
    env["TOKEN_API_SPEC"] = str(spec)
    done = subprocess.run(
        ENTRY_POINTS[entry](str(spec)),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    said = (done.stdout + done.stderr).strip()
    assert done.returncode != 0, said
    assert "Traceback" not in said and "INTERNALERROR" not in said, said
    lines = [line for line in said.splitlines() if str(spec) in line]
    assert len(lines) == 1, said
