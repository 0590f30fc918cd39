"""The practical ceiling: one Starlette route on the mock's serving stack that answers a fixed token.

It reads the body (every server must) and answers what the mock answers for a valid
``client_credentials`` request, headers included, without parsing, authenticating or minting.
``python -m benchmarks.bare_app --port 0`` prints ``listening on URL`` like ``python -m
oauth2_token_contract.mock serve``.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

TOKEN_BODY = (
    b'{"access_token":"3rCLq5S4mZx0bM1pQ9cVnX2uY7tK8wR6jH4gF1dS0aE","token_type":"opaque",'
    b'"expires_in":900,"scope":"/accounts.read /accounts.write",'
    b'"refresh_token":"Vb7Xy2Qw9Er4Ty6Ui8Op0As3Df5Gh7Jk1Lz2Xc4Vb6N"}'
)
HEADERS = [
    (b"content-type", b"application/json"),
    (b"cache-control", b"no-store"),
    (b"pragma", b"no-cache"),
    (b"content-length", str(len(TOKEN_BODY)).encode()),
]


class FixedToken:
    """An ASGI endpoint, routed the way the mock's ``TokenEndpoint`` is."""

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return
            more = message.get("more_body", False)
        await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
        await send({"type": "http.response.body", "body": TOKEN_BODY})


def create_app() -> Any:
    from starlette.applications import Starlette
    from starlette.routing import Route

    return Starlette(routes=[Route("/oauth2/token", FixedToken())])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bare_app")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    from oauth2_token_contract.mock.server import (
        serve,  # the mock's own uvicorn settings: same stack, same hardening
    )

    serve(create_app(), args.host, args.port, lambda url: print(f"listening on {url}", flush=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
