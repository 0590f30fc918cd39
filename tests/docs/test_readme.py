"""The README and its reference in docs/, as a new user reads them: every command works, every link leads.

Each ``sh`` block after the README's quick start, and each ``sh`` block of ``docs/*.md``, runs here from
the repository's root, as pasted; a block that needs what a test cannot have (a live target,
credentials, the network) says so on the line before it (``<!-- not run: WHY -->``), and so does the
quick start itself (these tests run inside its second command). The expected-failures format shown,
wherever it lives, is read by the suite's own reader; every setting is documented; every page of
docs/ is one click from the README, and every relative link resolves (its anchor too, by GitHub's
slug rule); the help texts are plain text.
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
from oauth2_token_contract.suite.settings import SETTINGS

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
PAGES = [README, *sorted(DOCS.glob("*.md"))]
NOT_RUN = re.compile(r"<!-- not run: (?P<why>[^>]+) -->\s*$")
FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>\w*)\s*$")
HEADING = re.compile(r"^#{1,6}\s+(?P<text>.+?)\s*#*\s*$")
# An inline link's target, up to an optional title; images too (their target must exist as well).
LINK = re.compile(r"\]\((?P<target>[^)\s]+)(?:\s+\"[^\"]*\")?\)")
INLINE_CODE = re.compile(r"`[^`]*`")
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


@dataclass(frozen=True)
class Block:
    lang: str
    text: str
    line: int
    not_run: str | None
    page: str = "README.md"


def _name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


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
        found.append(
            Block(opening["lang"], "\n".join(body), start + 1, marker["why"] if marker else None, _name(path))
        )
        n += 1
    return found


def _prose(path: Path) -> list[str]:
    """The lines of a Markdown file outside its fenced blocks: where its headings and links are."""
    kept: list[str] = []
    fenced = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip().startswith("```"):
            fenced = not fenced
        elif not fenced:
            kept.append(line)
    return kept


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation but '-' and '_' dropped, spaces to '-'."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """The anchors GitHub gives a file's headings; a repeated heading's gets -1, -2, ..."""
    seen: dict[str, int] = {}
    found: set[str] = set()
    for line in _prose(path):
        heading = HEADING.match(line)
        if heading is None:
            continue
        base = slug(heading["text"])
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def links(path: Path) -> list[str]:
    """The targets of a Markdown file's inline links, code spans and fenced blocks left out."""
    prose = INLINE_CODE.sub("", "\n".join(_prose(path)))
    return [m["target"] for m in LINK.finditer(prose)]


def _relative(path: Path) -> list[str]:
    return [t for t in links(path) if not EXTERNAL.match(t)]


SHOWN = [b for page in PAGES for b in blocks(page)]
RUNNABLE = [b for b in SHOWN if b.lang == "sh" and b.not_run is None]


def _env() -> dict[str, str]:
    """A user's shell: none of this session's TOKEN_API_* or pytest settings, not in CI."""
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TOKEN_API_", "PYTEST_", "COV_")) and k != "CI"
    }


def test_the_readme_has_commands_to_run_and_says_why_the_others_are_not_run() -> None:
    shells = [b for b in blocks() if b.lang == "sh"]
    assert [b for b in RUNNABLE if b.page == "README.md"], "no sh block of the README is run"
    assert shells[0].not_run and "quick start" in shells[0].not_run, "the first sh block is the quick start"


@pytest.mark.parametrize("block", RUNNABLE, ids=[f"{b.page}:{b.line}" for b in RUNNABLE])
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
    where = f"{block.page}:{block.line}"
    assert done.returncode == 0, f"{where}\n{block.text}\n{done.stdout[-2000:]}{done.stderr}"


def test_the_expected_failures_format_shown_is_the_one_read(tmp_path: Path) -> None:
    shown = [b for b in SHOWN if b.lang == "yaml" and "expected_failures:" in b.text]
    assert shown, "neither the README nor docs/ shows the expected-failures file"
    for block in shown:
        path = tmp_path / "expected.yaml"
        path.write_text(block.text, encoding="utf-8")
        expected = load_expected({"TOKEN_API_EXPECTED_FAILURES": str(path)})
        assert expected is not None, f"{block.page}:{block.line}"
        assert len(expected.entries) == len(yaml.safe_load(block.text)["expected_failures"])


def test_every_setting_is_documented() -> None:
    """docs/settings.md claims every setting: one the suite reads but the page omits is a hidden knob."""
    page = (DOCS / "settings.md").read_text(encoding="utf-8")
    missing = [s.env for s in SETTINGS if f"`{s.env}`" not in page]
    assert not missing, f"docs/settings.md does not name {missing}"


def test_every_page_of_docs_is_one_click_from_the_readme() -> None:
    """The README is the way in: a page it does not link is a page nobody finds."""
    linked = {(ROOT / t.partition("#")[0]).resolve() for t in _relative(README)}
    orphans = [_name(p) for p in sorted(DOCS.iterdir()) if p.is_file() and p.resolve() not in linked]
    assert not orphans, f"README.md links none of {orphans}"


@pytest.mark.parametrize("page", PAGES, ids=[_name(p) for p in PAGES])
def test_every_relative_link_leads_somewhere(page: Path) -> None:
    """A moved section breaks the links written from where it was; each must still find its file
    and, in a Markdown file, its heading."""
    broken: list[str] = []
    for target in _relative(page):
        file, _, anchor = target.partition("#")
        path = (page.parent / file).resolve() if file else page
        if not path.exists():
            broken.append(f"{target}: no such file")
        elif anchor and path.suffix == ".md" and anchor not in anchors(path):
            broken.append(f"{target}: no heading of {_name(path)} has that anchor")
    assert not broken, f"{_name(page)}: " + "; ".join(broken)


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
