"""Command line: ``python -m token_contract list`` and ``python -m token_contract replay NAME``.

Replay runs one named edge case against one target (``--target`` or ``TOKEN_API_TARGET``, same
rules as the suite) and prints every exchange, redacted, with a curl line to paste. Exit codes:
0 the target behaved, 1 it broke the contract, 2 the target could not be used, 3 the case does not
apply to this target.
"""

from __future__ import annotations

import argparse
import os
import sys

from token_contract.catalogue import CATALOGUE
from token_contract.client import TokenClient
from token_contract.errors import BudgetExhausted, ContractViolation, TargetError
from token_contract.flows import NoRefreshToken
from token_contract.pacing import Pacer
from token_contract.targets import Settings, Target, open_target, plan
from token_spec.redaction import REDACTOR


def _not_applicable(needs: frozenset[str], target: Target) -> str | None:
    if "state" in needs and not target.stateful:
        return f"{target.name} is stateless: it issues no real tokens and remembers none"
    if "burst" in needs and not (target.may_burst and target.kind != "prism"):
        return f"{target.name}: bursting needs TOKEN_API_ALLOW_BURST=1 (and Prism never rate-limits)"
    return None


def replay(name: str, choice: str) -> int:
    case = CATALOGUE[name]
    settings = Settings.from_env()
    chosen = plan(choice, settings)
    REDACTOR.add_shell(chosen.client_secret, "TOKEN_API_CLIENT_SECRET")
    with open_target(chosen) as target:
        print(f"# {case.name}: {case.summary}\n# target: {target.describe()}")
        print("# curl lines read the secret from $TOKEN_API_CLIENT_SECRET: export it before pasting\n")
        reason = _not_applicable(case.needs, target)
        if reason:
            print(f"SKIPPED: {reason}")
            return 3
        client = TokenClient(
            target, Pacer(budget=chosen.budget, max_wait=settings.max_wait), timeout=settings.timeout
        )
        client.recorder = []
        verdict, code = "PASS: the target behaved as the contract says", 0
        try:
            case.run(client)
        except ContractViolation as exc:
            verdict, code = f"FAIL [{exc.check}]: {REDACTOR.text(exc.message)}", 1
        except NoRefreshToken as exc:
            verdict, code = f"SKIPPED: {exc}", 3
        finally:
            client.close()
        shown = (
            client.recorder if len(client.recorder) <= 6 else [*client.recorder[:2], *client.recorder[-3:]]
        )
        if len(shown) < len(client.recorder):
            print(f"({len(client.recorder)} exchanges; the first two and the last three are shown)\n")
        for number, exchange in enumerate(shown, 1):
            print(f"--- exchange {number}\n{exchange.describe(full=True)}\n")
        print(verdict)
        return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m token_contract", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="list the named edge cases")
    run = commands.add_parser("replay", help="replay one named edge case against one target")
    run.add_argument("name", choices=sorted(CATALOGUE), metavar="NAME", help="a name from `list`")
    run.add_argument(
        "--target",
        default=os.environ.get("TOKEN_API_TARGET", "mock"),
        help="mock (default), prism, a name from targets.yaml, or a URL [TOKEN_API_TARGET]",
    )
    args = parser.parse_args(argv)
    if args.command == "list":
        width = max(map(len, CATALOGUE))
        for case in CATALOGUE.values():
            print(f"{case.name:<{width}}  {case.summary}")
        return 0
    try:
        return replay(args.name, args.target)
    except (TargetError, BudgetExhausted) as exc:
        print(f"error: {REDACTOR.text(str(exc))}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
