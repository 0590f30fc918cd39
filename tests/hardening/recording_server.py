"""``python -m tests.hardening.recording_server CONFIG FAULT TOKENS``: the mock with a seeded fault,
served like ``python -m oauth2_token_contract.mock serve --port 0``, writing every token it issues to the file
TOKENS.

The leak test needs the tokens a run was given, to look for them in everything the run wrote; the
mock's own journal redacts them, so they are taken here, off the wire, one per line.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from oauth2_token_contract.mock.server import serve
from oauth2_token_contract.mock.settings import load_settings
from selfcheck.faults import faulty_app

TOKEN_FIELDS = ("access_token", "refresh_token")


class TokenRecorder:
    """ASGI middleware: appends each issued token to a file before the answer leaves."""

    def __init__(self, app: Any, path: Path) -> None:
        self.app = app
        self.path = path

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        async def recording_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.body" and message.get("body", b"")[:1] == b"{":
                try:
                    document = json.loads(message["body"])
                except ValueError:
                    document = None
                if isinstance(document, dict):
                    tokens = [document[f] for f in TOKEN_FIELDS if isinstance(document.get(f), str)]
                    if tokens:
                        with self.path.open("a", encoding="utf-8") as handle:
                            handle.write("".join(token + "\n" for token in tokens))
            await send(message)

        await self.app(scope, receive, recording_send)


def main(argv: list[str]) -> int:
    config, fault, tokens = argv
    app = TokenRecorder(faulty_app(fault, load_settings(config)), Path(tokens))
    serve(app, "127.0.0.1", 0, lambda url: print(f"listening on {url}", flush=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
