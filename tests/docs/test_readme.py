"""The README, as a new user reads it: every command it shows works, as written, after the quick start.

Each ``sh`` block after the quick start runs here from the repository's root, as pasted; a block that
needs what a test cannot have (a live target, credentials, the network) says so on the line before it
(``<!-- not run: WHY -->``), and so does the quick start itself (these tests run inside its second
command). The expected-failures format the README shows is read by the suite's own reader, and the
help texts are plain text.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from oauth2_token_contract.suite.known_failures import load_expected

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
NOT_RUN = re.compile(r"<!-- not run: (?P<why>[^>]+) -->\s*$")
FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>\w*)\s*$")


@dataclass(frozen=True)
class Block:
    lang: str
    text: str
    line: int
    not_run: str | None


def blocks(path: Path = README) -> list[Block]:
    """The fenced blocks of a Markdown file, each with the ``not run`` reason said just before it."""
    found: list[Block] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    n = 0
    while n < len(lines):
        opening = FENCE.match(lines[n])
        if opening is None:
            n += 1
            continue
        indent, start = len(opening["indent"]), n
        body: list[str] = []
        n += 1
        while n < len(lines) and not lines[n].strip().startswith("```"):
            body.append(lines[n][indent:])
            n += 1
        before = lines[start - 1] if start else ""
        marker = NOT_RUN.search(before)
        found.append(Block(opening["lang"], "\n".join(body), start + 1, marker["why"] if marker else None))
        n += 1
    return found


RUNNABLE = [b for b in blocks() if b.lang == "sh" and b.not_run is None]


def _env() -> dict[str, str]:
    """A user's shell: none of this session's TOKEN_API_* or pytest settings, not in CI."""
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TOKEN_API_", "PYTEST_", "COV_")) and k != "CI"
    }


def test_the_readme_has_commands_to_run_and_says_why_the_others_are_not_run() -> None:
    shells = [b for b in blocks() if b.lang == "sh"]
    assert RUNNABLE, "no sh block is run: the README's commands go unchecked"
    assert shells[0].not_run and "quick start" in shells[0].not_run, "the first sh block is the quick start"


@pytest.mark.parametrize("block", RUNNABLE, ids=[f"README.md:{b.line}" for b in RUNNABLE])
def test_each_command_works_as_written(block: Block) -> None:
    done = subprocess.run(
        ["sh", "-e", "-c", block.text],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"README.md:{block.line}\n{block.text}\n{done.stdout[-2000:]}{done.stderr}"


def test_the_expected_failures_format_shown_is_the_one_read(tmp_path: Path) -> None:
    shown = [b for b in blocks() if b.lang == "yaml" and "expected_failures:" in b.text]
    assert shown, "the README does not show the expected-failures file"
    for block in shown:
        path = tmp_path / "expected.yaml"
        path.write_text(block.text, encoding="utf-8")
        expected = load_expected({"TOKEN_API_EXPECTED_FAILURES": str(path)})
        assert expected is not None
        assert len(expected.entries) == len(yaml.safe_load(block.text)["expected_failures"])


@pytest.mark.parametrize(
    "command",
    [
        ["-m", "oauth2_token_contract", "--help"],
        ["-m", "oauth2_token_contract", "run", "--help"],
        ["-m", "oauth2_token_contract", "replay", "--help"],
        ["-m", "oauth2_token_contract.mock", "--help"],
        ["-m", "oauth2_token_contract.mock", "serve", "--help"],
    ],
    ids=["token-contract", "run", "replay", "token-contract-mock", "serve"],
)
def test_help_is_plain_text(command: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, *command], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    for markup in ("``", ":class:", ":mod:", ":func:", ".. "):
        assert markup not in done.stdout, done.stdout
    if command[-2:] == ["run", "--help"]:
        assert "pytest arguments go after --" in done.stdout
