"""Command line (``token-contract``, or ``python -m oauth2_token_contract``): run the suite, replay a case.

    token-contract run --target URL --junitxml report.xml [-- PYTEST ARGS]
    token-contract list
    token-contract replay NAME [--target URL]
    token-contract lint [SPEC]

``run`` runs the contract suite shipped with the package against a target, as a pipeline does (the
TOKEN_API_* settings apply; its options set them). Under CI (``CI`` set) it names its target or is
refused: an unset variable must not turn a gate into a green run against the embedded mock.
``replay`` runs one named edge case against one target (``--target`` or ``TOKEN_API_TARGET``, same
rules as the suite) and prints every exchange, redacted, with a curl line to paste. ``lint`` says what
the suite reads from a spec, what it assumes where the spec is silent, and where the spec contradicts
RFC 6749 (exit 1), or why the spec cannot describe a token endpoint (exit 4).

The help texts are plain text (``HELP``, ``RUN_EPILOG``): a terminal shows no reStructuredText.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from typing import NoReturn

from oauth2_token_contract.spec.lint import lint
from oauth2_token_contract.spec.reading import SpecError
from oauth2_token_contract.spec.redaction import REDACTOR
from oauth2_token_contract.suite.capabilities import unmet
from oauth2_token_contract.suite.catalogue import CATALOGUE
from oauth2_token_contract.suite.client import TokenClient
from oauth2_token_contract.suite.errors import (
    BudgetExhausted,
    ContractViolation,
    NotApplicable,
    SettingError,
    TargetError,
)
from oauth2_token_contract.suite.exit_codes import Exit
from oauth2_token_contract.suite.flows import NoRefreshToken
from oauth2_token_contract.suite.pacing import Pacer
from oauth2_token_contract.suite.settings import PROFILES, Settings
from oauth2_token_contract.suite.targets import open_target, plan

CONTRACT_TESTS = "oauth2_token_contract.suite.families"
HELP = "Run the OAuth2 token contract suite against a target, or replay one named edge case."
EXITS = (
    "exit codes: 0 the target kept the contract; 1 it broke the contract; 2 the target could not be "
    "used (the preflight says why); 3 the case does not apply to this target (replay); 4 a setting or "
    "option cannot be used"
)
RUN_EPILOG = (
    "pytest arguments go after --, e.g.: token-contract run --target URL -- -k errors -x. "
    "Under CI (CI set) the target must be named: a URL, a name from targets.yaml, prism, or mock. " + EXITS
)
TARGET_HELP = "mock (default), prism, a name from targets.yaml, or an http(s) URL [TOKEN_API_TARGET]"
MOCK_NOTE = (
    "# the embedded mock stopped when this replay ended: to paste these lines, serve it "
    "(token-contract-mock serve --port 4010), replay with --target http://127.0.0.1:4010, and export "
    "TOKEN_API_CLIENT_SECRET as the client's secret in mocks/clients.yaml"
)


class _Parser(argparse.ArgumentParser):
    """argparse, with a bad option's exit the same as a bad setting's (4), not argparse's 2 (which
    says here that the target could not be used)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(int(Exit.BAD_SETTING), f"{self.prog}: error: {message}\n")


def _in_ci(env: Mapping[str, str]) -> bool:
    return env.get("CI", "").strip().lower() not in {"", "0", "false", "no", "off"}


def replay(name: str, choice: str) -> int:
    case = CATALOGUE[name]
    settings = Settings.from_env()
    chosen = plan(choice, settings)
    REDACTOR.add_shell(chosen.client_secret, "TOKEN_API_CLIENT_SECRET")
    with open_target(chosen) as target:
        print(f"# {case.name}: {case.summary}\n# target: {target.describe()}")
        if target.kind == "mock":
            print(MOCK_NOTE + "\n")
        else:
            print("# curl lines read the secret from $TOKEN_API_CLIENT_SECRET: export it before pasting\n")
        reason = unmet(case.needs, target)
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
        except (NoRefreshToken, NotApplicable) as exc:
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


def run_suite(args: argparse.Namespace, pytest_args: list[str]) -> int:
    """The contract suite as shipped with the package (oauth2_token_contract.suite.families), against a
    target, with JUnit out: what a pipeline runs. Options are the TOKEN_API_* settings by name."""
    import pytest  # noqa: PLC0415 - only this command needs pytest's machinery

    if not args.target and not os.environ.get("TOKEN_API_TARGET") and _in_ci(os.environ):
        print(
            "token-contract: CI is set and no target is named: give --target URL (or TOKEN_API_TARGET), "
            "or --target mock to check the embedded mock on purpose",
            file=sys.stderr,
        )
        return int(Exit.BAD_SETTING)
    settings = {
        "TOKEN_API_TARGET": args.target,
        "TOKEN_API_MAX_REQUESTS": args.max_requests,
        "TOKEN_API_PROFILE": args.profile,
        "TOKEN_API_EXPECTED_FAILURES": args.expected_failures,
        "TOKEN_API_ALLOW_BURST": "1" if args.allow_burst else None,
        "TOKEN_API_SPEC": args.spec,
    }
    os.environ.update({name: str(value) for name, value in settings.items() if value})
    try:
        Settings.from_env()  # the plugin reads them again; said here, without pytest's header first
    except SettingError as exc:
        print(f"token-contract: {exc}", file=sys.stderr)
        return int(Exit.BAD_SETTING)
    # -n auto as ./run contract: workers on the embedded mock, one process for any other target (the
    # plugin decides); a -n among the pytest arguments comes later and wins.
    # --assert=plain: the families assert nothing themselves (checks raise), and rewriting every module
    # of each pytest11 plugin (hypothesis, schemathesis, this package) is seconds of a first run.
    command = ["--pyargs", CONTRACT_TESTS, "-p", "no:cacheprovider", "-rs", "-n", "auto", "--assert=plain"]
    if args.junitxml:
        command.append(f"--junitxml={args.junitxml}")
    return int(pytest.main(command + pytest_args))


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="token-contract", description=HELP, epilog=EXITS)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = commands.add_parser(
        "run",
        help="run the contract suite against a target (pytest arguments after --)",
        description="Run the contract suite shipped with the package against a target, as a pipeline does.",
        epilog=RUN_EPILOG,
        usage="%(prog)s [options] [-- PYTEST ARGS]",
    )
    run.add_argument("--target", help=TARGET_HELP)
    run.add_argument("--junitxml", metavar="FILE", help="write a JUnit XML report here")
    run.add_argument("--max-requests", metavar="N", help="the run's request budget [TOKEN_API_MAX_REQUESTS]")
    run.add_argument(
        "--allow-burst", action="store_true", help="provoke 429 on purpose [TOKEN_API_ALLOW_BURST]"
    )
    run.add_argument("--profile", choices=PROFILES, help="the Hypothesis profile [TOKEN_API_PROFILE]")
    run.add_argument(
        "--expected-failures", metavar="FILE", help="a file of known failures [TOKEN_API_EXPECTED_FAILURES]"
    )
    run.add_argument(
        "--spec",
        metavar="SPEC",
        help="the contract: a file, docs-page (default) or moov-published [TOKEN_API_SPEC]",
    )
    lint_cmd = commands.add_parser(
        "lint",
        help="what the suite reads from a spec, and where the spec contradicts RFC 6749",
        description="Say what the suite reads from a spec, what it assumes, where it contradicts RFC 6749.",
        epilog="exit codes: 0 usable and agreeing with the RFCs; 1 contradicts an RFC; 4 cannot be used",
    )
    lint_cmd.add_argument(
        "spec", nargs="?", help="a file or a version name (default: TOKEN_API_SPEC or docs-page)"
    )
    commands.add_parser("list", help="list the named edge cases", description="List the named edge cases.")
    replay_cmd = commands.add_parser(
        "replay",
        help="replay one named edge case against one target",
        description="Replay one named edge case against one target, printing every exchange redacted.",
        epilog=EXITS,
    )
    replay_cmd.add_argument("name", choices=sorted(CATALOGUE), metavar="NAME", help="a name from `list`")
    replay_cmd.add_argument("--target", default=os.environ.get("TOKEN_API_TARGET", "mock"), help=TARGET_HELP)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    extra: list[str] = []
    if "--" in argv:
        argv, extra = argv[: argv.index("--")], argv[argv.index("--") + 1 :]
    args = parser.parse_args(argv)
    if args.command == "run":
        return run_suite(args, extra)
    if args.command == "lint":
        return lint(args.spec)
    if args.command == "list":
        width = max(map(len, CATALOGUE))
        for case in CATALOGUE.values():
            print(f"{case.name:<{width}}  {case.summary}")
        return 0
    try:
        return replay(args.name, args.target)
    except (SettingError, SpecError) as exc:
        print(f"token-contract: {exc}", file=sys.stderr)
        return int(Exit.BAD_SETTING)
    except (TargetError, BudgetExhausted) as exc:
        print(f"error: {REDACTOR.text(str(exc))}", file=sys.stderr)
        return int(Exit.TARGET_UNUSABLE)
