"""Command line: ``python -m oauth2_token_contract.mock serve [...]`` runs the mock; ``python -m
oauth2_token_contract.mock prism [...]`` runs Prism.

``serve`` prints ``listening on http://HOST:PORT`` (flushed) once the socket listens, so a parent
process can start it on ``--port 0`` and read the port; the same line names the token path and the
example client to use (its id, and the file that holds its secret: the secret itself is never
shown). ``--rate-limit`` overrides every client's budget (``20/second``, ``1000000/minute``) or
turns limiting ``off``. ``--app MODULE:FACTORY`` serves another app built from the same settings, as
uvicorn's ``--factory`` does: ``FACTORY(settings)``, or ``FACTORY(settings, ARG)`` with ``--app-arg
ARG`` (a variant of the mock, a test's seeded fault). ``--scenario FILE`` loads scripted answers at
start (``rules:``, as ``POST /__mock/rules`` takes them).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable
from typing import Any

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m oauth2_token_contract.mock", description="The stateful OAuth2 token mock."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the stateful mock")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=_port, default=4010, help="0 to 65535; 0 picks a free port")
    serve.add_argument("--config", help="clients YAML (default: mocks/clients.yaml)")
    serve.add_argument("--rate-limit", metavar="RATE", help="every client's budget, e.g. 20/second, or off")
    serve.add_argument(
        "--spec",
        action="append",
        metavar="[LABEL=]SPEC",
        help="OpenAPI file or version name (docs-page, moov-published); default TOKEN_API_SPEC or docs-page. "
        "Given twice or more, each request is answered by the version its X-Moov-Version names "
        "(LABEL, else the spec's info.version), the first by default",
    )
    serve.add_argument(
        "--scenario", metavar="FILE", help="YAML of scripted answers (rules:) to load at start"
    )
    serve.add_argument(
        "--app", metavar="MODULE:FACTORY", help="serve FACTORY(settings[, ARG]) instead of the mock"
    )
    serve.add_argument("--app-arg", metavar="ARG", help="a second argument for the --app factory")
    serve.add_argument(
        "--http",
        choices=["auto", "httptools", "h11"],
        default="auto",
        help="the HTTP implementation (both bounded alike)",
    )
    serve.add_argument(
        "--state",
        metavar="URL",
        help="memory (default) or redis://HOST:PORT/DB: state every process pointed there shares",
    )
    serve.add_argument("--namespace", help="the key prefix of this mock's shared state (default: mock)")
    serve.add_argument(
        "--workers", type=int, default=1, help="processes answering on the port (more than 1 needs --state)"
    )
    serve.add_argument(
        "--controls-token",
        help="bearer token /__mock/* requires; needed beyond loopback [TOKEN_CONTRACT_MOCK_CONTROLS_TOKEN]",
    )
    serve.add_argument(
        "--resource",
        metavar="PATH",
        help="the protected resource, where the spec does not say which operation takes a bearer token "
        "[TOKEN_API_RESOURCE]",
    )
    serve.add_argument(
        "--resource-scope", metavar="SCOPE", help="the scope the resource needs [TOKEN_API_RESOURCE_SCOPE]"
    )
    serve.add_argument("--tls-cert", metavar="FILE", help="serve https with this certificate (PEM)")
    serve.add_argument("--tls-key", metavar="FILE", help="the certificate's private key (PEM)")
    commands.add_parser(
        "prism",
        help="run Prism on the spec (arguments go to oauth2_token_contract.mock.prism)",
        add_help=False,
    )
    return parser


def _port(text: str) -> int:
    """A TCP port, checked here: uvicorn would take 99999 as 34463 and -1 as a service name."""
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port: expected 0 to 65535 (0 picks a free one)")
    return port


def _startup_line(url: str, settings: Any) -> str:
    """``listening on URL`` (a parent reads the URL, its first word after), then what to use it with."""
    line = f"listening on {url} (POST {settings.contract.token_path}"
    client = next(iter(settings.clients.values()), None)
    if client is not None:
        line += f"; example client {client.client_id}, its secret in {settings.source}"
    return line + ")"


def _factory(spec: str) -> Callable[..., Any]:
    from oauth2_token_contract.mock.settings import ConfigError  # noqa: PLC0415

    module_name, _, name = spec.partition(":")
    if not module_name or not name:
        raise ConfigError(f"--app {spec!r}: expected MODULE:FACTORY")
    try:
        factory = getattr(importlib.import_module(module_name), name)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"--app {spec!r}: {exc}") from None
    if not callable(factory):
        raise ConfigError(f"--app {spec!r}: not callable")
    return factory  # type: ignore[no-any-return]


def _serve(args: argparse.Namespace) -> int:
    from oauth2_token_contract.mock.app import create_app  # noqa: PLC0415 - `--help` stays instant
    from oauth2_token_contract.mock.exposure import (  # noqa: PLC0415
        CONTROLS_TOKEN_ENV,
        check_exposure,
        check_tls,
    )
    from oauth2_token_contract.mock.server import serve  # noqa: PLC0415
    from oauth2_token_contract.mock.settings import ConfigError, load_settings  # noqa: PLC0415
    from oauth2_token_contract.mock.versions import VersionedApp, parse_spec_choices  # noqa: PLC0415
    from oauth2_token_contract.mock.workers import check_workers  # noqa: PLC0415

    try:
        choices = parse_spec_choices(args.spec or [])
        apps: dict[str, Any] = {}
        tls = check_tls(args.tls_cert, args.tls_key)
        default: list[tuple[str | None, str | None]] = [(None, None)]
        for label, spec in choices or default:
            settings = load_settings(
                args.config,
                rate_limit=args.rate_limit,
                spec=spec,
                scenario=args.scenario,
                state=args.state,
                namespace=args.namespace,
                controls_token=args.controls_token or os.environ.get(CONTROLS_TOKEN_ENV),
                resource=args.resource,
                resource_scope=args.resource_scope,
            )
            check_exposure(args.host, settings)
            check_workers(args.workers, settings)
            if args.app is None:
                app = create_app(settings)
            else:
                factory = _factory(args.app)
                app = factory(settings) if args.app_arg is None else factory(settings, args.app_arg)
            apps.setdefault(label or settings.contract.version or str(spec), app)
        if len(apps) < len(choices):
            raise ConfigError("two --spec share a version; name them LABEL=SPEC")
        served: Any = VersionedApp(apps) if len(apps) > 1 else app
    except (ConfigError, ValueError) as exc:  # a SpecError is a ValueError
        print(f"token-contract-mock: {exc}", file=sys.stderr)
        return 2

    def announce(url: str) -> None:
        print(_startup_line(url, settings), flush=True)

    return serve(served, args.host, args.port, announce, args.http, workers=args.workers, tls=tls)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["prism"]:
        from oauth2_token_contract.mock import prism  # noqa: PLC0415 - another module, loaded only when asked for

        return prism.main(argv[1:])
    return _serve(_parser().parse_args(argv))
