"""``python -m selfcheck.faults.rules_md > RULES.md``: the rule matrix, with the seeded faults that break
each row. ``tests/spec/test_rules.py`` fails when RULES.md is not what this writes."""

from __future__ import annotations

import sys

from oauth2_token_contract.spec.rules import markdown, rows
from selfcheck.faults import FAULTS

HEADER = """# The rule matrix

Every rule the contract and RFC 6749 put on `POST /oauth2/token`, the check that enforces it, what a
server may answer besides (the latitude the RFC leaves: every choice it offers passes), and the seeded
faults of the self-check that break it. A rule that varies by media type, credential placement or grant
type has a row for each. The source of truth is `oauth2_token_contract/spec/rules.py`; this file is
written by `python -m selfcheck.faults.rules_md > RULES.md`, and a test keeps the two the same.

The source says who imposes a rule. **RFC**: RFC 6749, 6750, 6585 or 9110 (or one they lean on),
checked whatever the spec says. **spec**: what the OpenAPI document documents (statuses, schemas,
limits such as `maxLength`, the retry header, token types), so another document makes another rule.
**suite**: the suite's own bounds on a run. The reference is the text behind the rule. Every
normative sentence of the RFCs behind these rules, and which row checks it, is in
[CENSUS.md](CENSUS.md).

"""


def faults_by_row() -> dict[str, list[str]]:
    """Each row of the matrix with the faults that break it."""
    found: dict[str, list[str]] = {row: [] for row in rows()}
    for name, fault in FAULTS.items():
        for row in fault.breaks:
            found.setdefault(row, []).append(name)
    return found


def document() -> str:
    return HEADER + markdown(faults_by_row()) + "\n"


if __name__ == "__main__":
    sys.stdout.write(document())
