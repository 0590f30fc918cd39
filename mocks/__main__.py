"""Command line: ``python -m mocks serve [...]`` runs the mock; ``python -m mocks prism [...]`` runs Prism.

``serve`` prints ``listening on http://HOST:PORT`` (flushed) once the socket listens, so a parent
process can start it on ``--port 0`` and read the port. ``--rate-limit`` overrides every client's
budget (``20/second``, ``1000000/minute``) or turns limiting ``off``. ``--fault NAME`` serves the mock
with one seeded fault from ``mocks.faults`` (and its rate limit, unless ``--rate-limit`` is given).
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m mocks", description="The stateful OAuth2 token mock.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the stateful mock")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=4010, help="0 picks a free port")
    serve.add_argument("--config", help="clients YAML (default: mocks/clients.yaml)")
    serve.add_argument("--rate-limit", metavar="RATE", help="every client's budget, e.g. 20/second, or off")
    serve.add_argument("--spec", help="OpenAPI file (default: TOKEN_API_SPEC or openapi/oauth2-token.yaml)")
    serve.add_argument(
        "--fault", metavar="NAME", help="seed one fault from mocks.faults (for the self-check)"
    )
    serve.add_argument(
        "--http",
        choices=["auto", "httptools", "h11"],
        default="auto",
        help="h11 caps buffered incomplete headers",
    )
    commands.add_parser("prism", help="run Prism on the spec (arguments go to mocks.prism)", add_help=False)
    return parser


def _serve(args: argparse.Namespace) -> int:
    from mocks.app import create_app  # noqa: PLC0415 - `--help` stays instant
    from mocks.server import serve  # noqa: PLC0415
    from mocks.settings import ConfigError, load_settings  # noqa: PLC0415

    fault = None
    if args.fault is not None:
        from mocks.faults import FAULTS, faulty_app  # noqa: PLC0415

        fault = FAULTS.get(args.fault)
        if fault is None:
            print(f"mocks: unknown fault {args.fault!r}; known: {', '.join(sorted(FAULTS))}", file=sys.stderr)
            return 2
    try:
        rate_limit = args.rate_limit if args.rate_limit is not None or fault is None else fault.rate_limit
        settings = load_settings(args.config, rate_limit=rate_limit, spec=args.spec)
        app = create_app(settings) if fault is None else faulty_app(fault.name, settings)
    except ConfigError as exc:
        print(f"mocks: {exc}", file=sys.stderr)
        return 2

    def announce(url: str) -> None:
        print(f"listening on {url}", flush=True)

    serve(app, args.host, args.port, announce, args.http)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["prism"]:
        from mocks import prism  # noqa: PLC0415 - another module, loaded only when asked for

        return prism.main(argv[1:])
    return _serve(_parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
