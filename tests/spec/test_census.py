"""CENSUS.md is true: every table row is well formed and gives one of the five verdicts, every section
it promises has a row, every rule and correct variant it names exists, every rule an RFC imposes is
traced to a sentence (and every other rule to the contract or the suite), its counts are its tables',
and RULES.md links to it."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from oauth2_token_contract.spec.rules import RULES, Source
from selfcheck.faults.latitude import CORRECT

ROOT = Path(__file__).resolve().parents[2]
CENSUS = ROOT / "CENSUS.md"
RULES_MD = ROOT / "RULES.md"

HEADER = ("id", "section", "keyword", "sentence", "verdict", "rows / why")
COUNTS_HEADER = ("document", "sentences", "checked", "latitude", "not observable", "not binding", "open")
VERDICTS = ("checked", "latitude", "not observable", "not binding", "open")
# The verdicts whose last column names rules (and, for latitude, the correct variants that prove it).
TRACED = ("checked", "latitude")
BCP14 = (
    "MUST NOT",
    "MUST",
    "REQUIRED",
    "SHALL NOT",
    "SHALL",
    "SHOULD NOT",
    "SHOULD",
    "NOT RECOMMENDED",
    "RECOMMENDED",
    "MAY",
    "OPTIONAL",
)
# An ABNF constraint without a keyword (RFC 6749 Appendix A), or a statement a rule stems from.
KEYWORDS = (*BCP14, "ABNF", "none")
# Every section the census promises to read, as "<document> <section>"; a row in a sub-section counts.
REQUIRED_SECTIONS = (
    *(
        f"RFC 6749 {s}"
        for s in (
            "2.3",
            "2.3.1",
            "3.1",
            "3.2",
            "3.2.1",
            "3.3",
            "4.4",
            "4.4.1",
            "4.4.2",
            "4.4.3",
            "5.1",
            "5.2",
            "6",
            "10.3",
            "10.4",
            "10.10",
            "A.2",
            "A.4",
            "A.5",
            "A.7",
            "A.8",
            "A.9",
            "A.10",
            "A.12",
            "A.13",
            "A.14",
            "A.17",
            "B",
        )
    ),
    "RFC 7617 2",
    "RFC 7617 2.1",
    "RFC 9110 5",
    "RFC 9110 8.3",
    "RFC 9110 11",
    "RFC 9110 15",
    "RFC 9112 6",
    "RFC 9112 7",
    "RFC 6585 4",
    "RFC 8259 8.1",
    "RFC 8259 8.2",
    "RFC 8259 8.3",
    "RFC 9700 2",
    "RFC 9700 4.14",
)
RULE_ID = re.compile(r"[A-Z]\d+")
ROW_ID = re.compile(r"(?P<doc>[0-9a-z]+)-(?P<number>[0-9A-Z][0-9.]*)-\d+")
SECTION = re.compile(r"(?P<doc>(?:RFC \d+)|(?:HTML \d+\.\d+)) (?P<number>[0-9A-Z][0-9.]*)")


@dataclass(frozen=True)
class Row:
    """One sentence of the census, with the line of CENSUS.md it is on."""

    line: int
    id: str
    section: str
    keyword: str
    sentence: str
    verdict: str
    why: str

    @property
    def where(self) -> str:
        return f"CENSUS.md line {self.line} ({self.id})"

    @property
    def document(self) -> str:
        """The document the section belongs to: "RFC 6749 2.3.1" -> "RFC 6749"."""
        return self.section.rsplit(" ", 1)[0]

    @property
    def keywords(self) -> list[str]:
        return [k.strip() for k in self.keyword.split(",")]

    @property
    def rules(self) -> list[str]:
        """The rule ids a checked or latitude row names: the last column up to its first ``;``."""
        named = self.why.split(";", 1)[0]
        return [r.strip() for r in named.split(",") if r.strip()]

    @property
    def variants(self) -> list[str]:
        """The correct variants named after ``variant:`` in the last column."""
        found: list[str] = []
        for part in self.why.split(";")[1:]:
            label, _, names = part.partition(":")
            if label.strip() == "variant":
                found += [n.strip() for n in names.split(",") if n.strip()]
        return found


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip()[1:-1].split("|")]


def _tables(text: str, header: tuple[str, ...]) -> list[tuple[int, list[str]]]:
    """The body rows, with their line numbers, of every table of ``text`` whose header is ``header``."""
    found: list[tuple[int, list[str]]] = []
    inside = False
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("|"):
            inside = False
            continue
        cells = _cells(line)
        if tuple(cells) == header:
            inside = True
        elif inside and not set(line.replace("|", "").strip()) <= {"-", ":", " "}:
            found.append((number, cells))
    return found


@cache
def census_text() -> str:
    return CENSUS.read_text(encoding="utf-8")


@cache
def census_rows() -> tuple[Row, ...]:
    rows = []
    for number, cells in _tables(census_text(), HEADER):
        assert len(cells) == len(HEADER), (
            f"CENSUS.md line {number}: {len(cells)} cells, not {len(HEADER)} (a '|' inside a sentence?)"
        )
        rows.append(Row(number, *cells))
    assert rows, f"no table with the header {' | '.join(HEADER)} in CENSUS.md"
    return tuple(rows)


def counts(rows: tuple[Row, ...]) -> dict[str, tuple[int, ...]]:
    """Per document, in the order the tables give them, and in total: sentences, then each verdict."""
    by_document: dict[str, Counter[str]] = {}
    for row in rows:
        by_document.setdefault(row.document, Counter())[row.verdict] += 1
    by_document["total"] = sum(by_document.values(), Counter())
    return {doc: (sum(c.values()), *(c[v] for v in VERDICTS)) for doc, c in by_document.items()}


def counts_table(rows: tuple[Row, ...]) -> str:
    """The Counts table as CENSUS.md should show it."""
    lines = ["| " + " | ".join(COUNTS_HEADER) + " |", "|" + "---|" * len(COUNTS_HEADER)]
    lines += [f"| {doc} | " + " | ".join(map(str, n)) + " |" for doc, n in counts(rows).items()]
    return "\n".join(lines)


def test_ids_are_unique_and_name_their_section() -> None:
    seen: dict[str, int] = {}
    for row in census_rows():
        assert row.id not in seen, f"{row.where}: id already used on line {seen[row.id]}"
        seen[row.id] = row.line
        id_match, section = ROW_ID.fullmatch(row.id), SECTION.fullmatch(row.section)
        assert section, f"{row.where}: section {row.section!r} is not '<RFC nnnn|HTML n.nn> <number>'"
        assert id_match, f"{row.where}: id is not '<document>-<section>-<n>'"
        doc = section["doc"].lower().removeprefix("rfc ").replace(" ", "").replace(".", "")
        wanted = f"{doc}-{section['number']}"
        assert (id_match["doc"], id_match["number"]) == (doc, section["number"]), (
            f"{row.where}: an id in section {row.section!r} starts {wanted}-"
        )


def test_every_verdict_is_one_of_the_five() -> None:
    wrong = [f"{row.where}: {row.verdict!r}" for row in census_rows() if row.verdict not in VERDICTS]
    assert not wrong, f"verdicts other than {VERDICTS}: {wrong}"


def test_every_sentence_carries_the_keyword_its_row_names() -> None:
    """A row's keyword is a BCP 14 keyword the quoted sentence contains, ``ABNF`` or ``none``."""
    for row in census_rows():
        assert row.sentence.startswith('"') and row.sentence.endswith('"'), (
            f"{row.where}: the sentence is not quoted"
        )
        for keyword in row.keywords:
            assert keyword in KEYWORDS, f"{row.where}: keyword {keyword!r} is not one of {KEYWORDS}"
            if keyword in BCP14:
                assert re.search(rf"\b{keyword}\b", row.sentence), (
                    f"{row.where}: the sentence quoted does not contain {keyword}"
                )


@pytest.mark.parametrize("section", REQUIRED_SECTIONS)
def test_every_section_read_has_a_row(section: str) -> None:
    rows = [r for r in census_rows() if r.section == section or r.section.startswith(section + ".")]
    assert rows, f"CENSUS.md has no row for {section}: add its sentences, or say there why it has none"


def test_checked_and_latitude_rows_name_rules_that_exist() -> None:
    ids = {rule.id for rule in RULES}
    for row in census_rows():
        if row.verdict not in TRACED:
            assert row.why, f"{row.where}: a {row.verdict} row says why in its last column"
            continue
        assert row.rules, f"{row.where}: a {row.verdict} row names the rule ids behind it"
        malformed = [r for r in row.rules if not RULE_ID.fullmatch(r)]
        assert not malformed, f"{row.where}: not rule ids: {malformed} (write 'A1, E13; variant: name')"
        unknown = [r for r in row.rules if r not in ids]
        assert not unknown, f"{row.where}: no rule {unknown} in oauth2_token_contract/spec/rules.py"


def test_latitude_rows_name_correct_variants_that_exist() -> None:
    for row in census_rows():
        if row.variants:
            assert row.verdict == "latitude", f"{row.where}: only a latitude row names a variant"
        unknown = [v for v in row.variants if v not in CORRECT]
        assert not unknown, f"{row.where}: no correct variant {unknown} in selfcheck/faults/latitude.py"


def test_every_rfc_rule_is_traced_to_a_sentence() -> None:
    """A rule an RFC imposes names the sentence it stems from: a checked or latitude row names it."""
    traced = {rule for row in census_rows() if row.verdict in TRACED for rule in row.rules}
    untraced = [rule.id for rule in RULES if rule.source is Source.RFC and rule.id not in traced]
    assert not untraced, (
        f"RFC rules no checked or latitude row of CENSUS.md names: {untraced}; add the sentence each "
        "stems from (under 'Other sentences the rules lean on' when it lies outside the sections read)"
    )


def test_every_other_rule_is_traced_to_the_contract_or_the_suite() -> None:
    """A rule of the spec or the suite traces to a clause of the contract or to the suite's own bounds."""
    wrong = [
        f"{rule.id} ({rule.source.value}): {rule.reference!r}"
        for rule in RULES
        if rule.source is not Source.RFC and not any(s in rule.reference for s in ("contract", "the suite"))
    ]
    assert not wrong, f"rules whose reference names neither the contract nor the suite: {wrong}"


def test_the_counts_are_the_tables() -> None:
    written = {cells[0]: tuple(cells[1:]) for _, cells in _tables(census_text(), COUNTS_HEADER)}
    assert written, "CENSUS.md has no Counts table with the header " + " | ".join(COUNTS_HEADER)
    actual = {doc: tuple(map(str, n)) for doc, n in counts(census_rows()).items()}
    assert written == actual, (
        f"the Counts table of CENSUS.md says {written}, its tables say {actual}; it should read:\n"
        + counts_table(census_rows())
    )


def test_rules_md_links_to_the_census() -> None:
    written = RULES_MD.read_text(encoding="utf-8")
    assert "](CENSUS.md)" in written, (
        "RULES.md does not link CENSUS.md: add the link to HEADER in selfcheck/faults/rules_md.py and "
        "run python -m selfcheck.faults.rules_md > RULES.md"
    )
