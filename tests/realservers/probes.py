"""The evidence of FINDINGS.md, replayable: named requests sent to a stock real server, answers printed.

``.venv/bin/python -m tests.realservers.probes authlib`` (or ``dot``) starts the server (no shims),
sends each probe once and prints its status, the headers that matter and the body, every issued token
masked. Each probe is one request built by hand (exact bytes), except the refresh probes, which first
obtain a token with a plain form grant.
"""

from __future__ import annotations

import argparse
import base64
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

import httpx

from tests.realservers import CLIENT_ID, CLIENT_SECRET, SCOPE, SERVERS, running_real_server

__all__ = ["PROBES", "main"]

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
SHOWN_HEADERS = ("content-type", "cache-control", "pragma", "www-authenticate", "allow")
READ, WRITE = SCOPE.split()


def basic(client_id: str = CLIENT_ID, secret: str = CLIENT_SECRET) -> str:
    return "Basic " + base64.b64encode(f"{quote(client_id)}:{quote(secret)}".encode()).decode()


@dataclass(frozen=True)
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def json(self) -> dict[str, object]:
        try:
            data = json.loads(self.body)
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}


class Prober:
    def __init__(self, base_url: str) -> None:
        self.url = base_url + "/oauth2/token"
        self.http = httpx.Client(timeout=10)

    def send(
        self, body: bytes = b"", headers: dict[str, str] | None = None, method: str = "POST", query: str = ""
    ) -> Answer:
        response = self.http.request(method, self.url + query, content=body or None, headers=headers or {})
        return Answer(response.status_code, list(response.headers.multi_items()), response.content)

    def form(self, body: str, auth: str | None = None, content_type: str = FORM) -> Answer:
        headers = {"Content-Type": content_type}
        if auth:
            headers["Authorization"] = auth
        return self.send(body.encode(), headers)

    def grant(self, scope: str | None = None) -> Answer:
        body = "grant_type=client_credentials" + (f"&scope={quote(scope)}" if scope else "")
        return self.form(body, basic())

    def refresh(self, token: str, scope: str | None = None) -> Answer:
        body = f"grant_type=refresh_token&refresh_token={quote(token)}"
        return self.form(body + (f"&scope={quote(scope)}" if scope else ""), basic())


def _refresh_chain(p: Prober) -> list[tuple[str, Answer]]:
    """Grant both scopes, refresh narrowed to one, then refresh the new token with no scope and with
    both: RFC 6749 section 6 keeps the refresh token's scope that of the original grant."""
    first = p.grant(SCOPE)
    token = first.json().get("refresh_token")
    if not isinstance(token, str):
        return [("grant (no refresh_token issued)", first)]
    narrowed = p.refresh(token, READ)
    steps = [("grant both scopes", first), (f"refresh asking {READ}", narrowed)]
    second = narrowed.json().get("refresh_token")
    if isinstance(second, str):
        steps.append(("refresh the new token, no scope", p.refresh(second)))
        third = p.grant(SCOPE).json().get("refresh_token")
        narrowed_again = p.refresh(str(third), READ).json().get("refresh_token")
        steps.append(("refresh a narrowed token asking both", p.refresh(str(narrowed_again), SCOPE)))
    steps.append(("the first refresh token again (rotated)", p.refresh(token)))
    return steps


def _padded(p: Prober) -> list[tuple[str, Answer]]:
    token = p.grant().json().get("refresh_token")
    if not isinstance(token, str):
        return [("no refresh_token issued", p.grant())]
    return [("a real refresh token padded to 4097", p.refresh(token + "A" * (4097 - len(token))))]


Probe = Callable[[Prober], Answer | list[tuple[str, Answer]]]
PROBES: dict[str, Probe] = {
    "form-basic": lambda p: p.grant(),
    "form-body-credentials": lambda p: p.form(
        f"grant_type=client_credentials&client_id={CLIENT_ID}&client_secret={quote(CLIENT_SECRET)}"
    ),
    "json-basic": lambda p: p.form('{"grant_type":"client_credentials"}', basic(), JSON),
    "json-charset": lambda p: p.form(
        '{"grant_type":"client_credentials"}', basic(), JSON + "; charset=utf-8"
    ),
    "wrong-secret-basic": lambda p: p.form("grant_type=client_credentials", basic(secret="wrong")),
    "wrong-secret-body": lambda p: p.form(
        f"grant_type=client_credentials&client_id={CLIENT_ID}&client_secret=wrong"
    ),
    "unknown-client-basic": lambda p: p.form("grant_type=client_credentials", basic(client_id="nobody")),
    "no-credentials": lambda p: p.form("grant_type=client_credentials"),
    "lowercase-basic-scheme": lambda p: p.form(
        "grant_type=client_credentials", "basic " + basic().split(" ", 1)[1]
    ),
    "missing-grant-type": lambda p: p.form(f"scope={quote(READ)}", basic()),
    "empty-grant-type": lambda p: p.form("grant_type=", basic()),
    "password-grant": lambda p: p.form("grant_type=password", basic()),
    "uppercase-grant-type": lambda p: p.form("grant_type=CLIENT_CREDENTIALS", basic()),
    "duplicate-grant-type": lambda p: p.form(
        "grant_type=client_credentials&grant_type=client_credentials", basic()
    ),
    "duplicate-scope": lambda p: p.form(
        f"grant_type=client_credentials&scope={quote(READ)}&scope={quote(WRITE)}", basic()
    ),
    "secret-in-basic-and-body": lambda p: p.form(
        f"grant_type=client_credentials&client_secret={quote(CLIENT_SECRET)}", basic()
    ),
    "empty-scope": lambda p: p.form("grant_type=client_credentials&scope=", basic()),
    "unknown-scope": lambda p: p.grant("/oauth2-token-contract.never-allowed"),
    "known-and-unknown-scope": lambda p: p.grant(f"{READ} /unknown"),
    "invalid-utf8-scope": lambda p: p.send(
        b"grant_type=client_credentials&scope=%FF", {"Content-Type": FORM, "Authorization": basic()}
    ),
    "raw-invalid-utf8-scope": lambda p: p.send(
        b"grant_type=client_credentials&scope=\xff", {"Content-Type": FORM, "Authorization": basic()}
    ),
    "text-plain": lambda p: p.form('{"grant_type": "client_credentials"}', basic(), "text/plain"),
    "multipart-no-boundary": lambda p: p.form(
        "grant_type=client_credentials", basic(), "multipart/form-data"
    ),
    "params-in-query-string": lambda p: p.send(
        b"", {"Authorization": basic(), "Content-Type": FORM}, query="?grant_type=client_credentials"
    ),
    "credentials-in-query-string": lambda p: p.send(
        b"grant_type=client_credentials",
        {"Content-Type": FORM},
        query=f"?client_id={CLIENT_ID}&client_secret={quote(CLIENT_SECRET)}",
    ),
    "resource-parameter": lambda p: p.form("grant_type=client_credentials&resource=accounts", basic()),
    "over-limit-refresh-token-on-client-credentials": lambda p: p.form(
        "grant_type=client_credentials&refresh_token=" + "r" * 4097, basic()
    ),
    "over-limit-refresh-token": lambda p: p.form(
        "grant_type=refresh_token&refresh_token=" + "r" * 4097, basic()
    ),
    "unknown-refresh-token": lambda p: p.form(
        "grant_type=refresh_token&refresh_token=" + "q" * 4096, basic()
    ),
    "padded-refresh-token": _padded,
    "refresh-chain": _refresh_chain,
    "get": lambda p: p.send(method="GET"),
}
_TOKEN_FIELDS = re.compile(r'("(?:access_token|refresh_token)":\s*")[^"]*(")')


def show(name: str, answer: Answer) -> str:
    headers = "; ".join(f"{k}: {v}" for k, v in answer.headers if k.lower() in SHOWN_HEADERS)
    body = _TOKEN_FIELDS.sub(r"\1…\2", answer.body.decode("utf-8", "replace"))
    return f"{name}\n  {answer.status}  {headers}\n  {body[:300]}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("server", choices=sorted(SERVERS))
    parser.add_argument("probes", nargs="*", help=f"some of: {', '.join(PROBES)} (default: all)")
    args = parser.parse_args(argv)
    with running_real_server(args.server) as url:
        prober = Prober(url)
        for name in args.probes or PROBES:
            result = PROBES[name](prober)
            for step, answer in result if isinstance(result, list) else [(name, result)]:
                print(show(step if step == name else f"{name}: {step}", answer))
        prober.http.close()


if __name__ == "__main__":
    main()
