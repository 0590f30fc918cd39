"""The rule matrix is whole: every cell filled (each rule says whether an RFC, the spec or the suite
imposes it), every row has a check and a fault that breaks it, every fault breaks rows that exist,
every check of the suite has a rule, and RULES.md shows the matrix as it is."""

from __future__ import annotations

import ast
from pathlib import Path

from oauth2_token_contract.spec.names import Check
from oauth2_token_contract.spec.rules import RULES, Source, rows
from selfcheck.faults import CORRECT, FAULTS
from selfcheck.faults.rules_md import document, faults_by_row

ROOT = Path(__file__).resolve().parents[2]
# Checks that are not rules of the endpoint: a setup step, a burst's own grants, no answer at all.
NOT_RULES = {Check.CLIENT_CREDENTIALS_GRANTED, Check.BURST_GRANTS_SUCCEED, Check.TARGET_ANSWERS}


# What the reference of a rule from each source must name.
CITED = {Source.RFC: "RFC ", Source.SPEC: "contract", Source.SUITE: "the suite"}


def test_every_cell_of_every_rule_is_filled() -> None:
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids)), "a rule id used twice"
    for rule in RULES:
        assert isinstance(rule.source, Source) and isinstance(rule.check, Check), rule.id
        texts = {"rule": rule.rule, "reference": rule.reference, "allows": rule.allows}
        assert all(text.strip() for text in texts.values()), f"{rule.id}: an empty cell in {texts}"


def test_every_rule_cites_what_its_source_says() -> None:
    """An RFC rule names its RFC, a spec rule the part of the contract, a suite rule the suite."""
    wrong = [rule.id for rule in RULES if CITED[rule.source] not in rule.reference]
    assert not wrong, f"rules whose reference does not name their source: {wrong}"


def test_every_row_has_a_fault_that_breaks_it() -> None:
    empty = [row for row, names in faults_by_row().items() if not names]
    assert not empty, f"rows no seeded fault breaks: {empty}"


def test_every_fault_breaks_rows_of_the_matrix() -> None:
    matrix = rows()
    wrong = {name: [r for r in fault.breaks if r not in matrix] for name, fault in FAULTS.items()}
    assert not {k: v for k, v in wrong.items() if v or not FAULTS[k].breaks}, wrong


def test_every_correct_variant_names_a_rule_whose_latitude_it_uses() -> None:
    ids = {rule.id for rule in RULES}
    assert all(c.allows in ids for c in CORRECT.values() if c.allows), [c.allows for c in CORRECT.values()]


def test_every_check_is_a_rule_and_every_rule_is_declared_by_a_contract_test() -> None:
    ruled = {rule.check for rule in RULES}
    assert set(Check) - NOT_RULES - ruled == set(), "checks without a rule"
    declared: set[str] = set()
    families = sorted((ROOT / "oauth2_token_contract" / "suite" / "families").glob("test_*.py"))
    assert families, "no contract families found"
    for path in families:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "Check"
            ):
                declared.add(node.attr)
    run_level = {Check.ANSWERS_PROMPTLY, Check.TARGET_ANSWERS_IN_TIME}
    missing = sorted(
        rule.check.name for rule in RULES if rule.check.name not in declared and rule.check not in run_level
    )
    assert not missing, f"rules no contract test names: {missing}"


def test_rules_md_is_the_matrix_as_it_is() -> None:
    written = (ROOT / "RULES.md").read_text(encoding="utf-8")
    assert written == document(), "RULES.md is stale: python -m selfcheck.faults.rules_md > RULES.md"
