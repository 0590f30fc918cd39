"""Replay lines replay: each one, run by bash against a recording mock, sends the bytes the suite sent.

The suite sends a request to the mock with its own client; the recorder keeps what arrived (method,
headers, body, and the answer). Then the request's replay line runs in ``bash -c`` with only the
secrets' variables exported, and what arrives must be the same request: same body byte for byte
(with a token the line obtained afresh in place of the one the run had), same headers but those curl
sets itself, same answer status. No line may spell out a secret or an issued token.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from oauth2_token_contract.mock import create_app, load_settings, running_mock
from oauth2_token_contract.mock.settings import DEFAULT_CONFIG
from oauth2_token_contract.spec.redaction import MASK, Redactor
from oauth2_token_contract.suite.checks.query import in_query
from oauth2_token_contract.suite.client import FORM, JSON, TokenClient, basic_header
from oauth2_token_contract.suite.exchange import ISSUED, MASKED_NOTE, Exchange, as_curl
from oauth2_token_contract.suite.near_misses import NearMiss, derive
from oauth2_token_contract.suite.pacing import Pacer
from oauth2_token_contract.suite.targets import Target

CLIENT_ID = "ReplayClient_k3"
SECRET = "Replay-Secret_Qz81Lm4Pw7"
# Id and secret that RFC 6749 section 2.3.1 form-url-encodes before Basic.
ODD_ID = "replay id:2"
ODD_SECRET = "Pl+s /sl:sh-Secret_9Qw"
ODD_VARIABLE = "TOKEN_API_ODD_SECRET"
SCOPES = ["/accounts.read"]
NOT_COMPARED = frozenset({"content-length", "host", "accept-encoding", "connection", "user-agent", "accept"})
RUN_TIMEOUT = 60


@dataclass
class Arrived:
    """One request as the server got it, and the answer it gave."""

    method: str
    path: str
    headers: list[tuple[str, bytes]]
    body: bytes
    status: int = 0
    answer: bytes = b""


class Recorder:
    """ASGI middleware: keeps every request's raw headers and body, and its answer."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.arrived: list[Arrived] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = scope.get("query_string", b"").decode("latin-1")
        path = scope["path"] + (f"?{query}" if query else "")  # the query too: a replay must send it
        seen = Arrived(scope["method"], path, [(k.decode(), v) for k, v in scope["headers"]], b"")

        async def recording_receive() -> dict[str, Any]:
            message = await receive()
            if message["type"] == "http.request":
                seen.body += message.get("body", b"")
            return message

        async def recording_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                seen.status = message["status"]
            elif message["type"] == "http.response.body":
                seen.answer += message.get("body", b"")
            await send(message)

        try:
            await self.app(scope, recording_receive, recording_send)
        finally:
            self.arrived.append(seen)


@dataclass
class Mock:
    url: str
    recorder: Recorder
    client: TokenClient
    odd: TokenClient
    redactor: Redactor


@pytest.fixture(scope="module")
def mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mock]:
    data = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    data["clients"][:0] = [
        {"client_id": CLIENT_ID, "client_secret": SECRET, "scopes": SCOPES},
        {"client_id": ODD_ID, "client_secret": ODD_SECRET, "scopes": SCOPES},
    ]
    config = tmp_path_factory.mktemp("replay") / "clients.yaml"
    config.write_text(yaml.safe_dump(data), encoding="utf-8")
    recorder = Recorder(create_app(load_settings(config, rate_limit="off")))
    with running_mock(app=recorder) as url:
        target = Target(name="replay", kind="remote", base_url=url, client_id=CLIENT_ID,
                        client_secret=SECRET, scopes=(), budget=None, allow_burst=False)  # fmt: skip
        client = TokenClient(target, Pacer(budget=None), timeout=10.0)
        odd = client.as_client(ODD_ID, ODD_SECRET)
        redactor = Redactor()  # the run's own, taught only what a run teaches it
        redactor.add_shell(SECRET, "TOKEN_API_CLIENT_SECRET")
        redactor.add_shell(ODD_SECRET, ODD_VARIABLE)
        try:
            yield Mock(url, recorder, client, odd, redactor)
        finally:
            odd.close()
            client.close()


def _compared(headers: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    return sorted((k.lower(), v) for k, v in headers if k.lower() not in NOT_COMPARED)


def replays(
    mock: Mock, exchange: Exchange, fresh: Callable[[bytes, list[Arrived]], bytes] | None = None
) -> str:
    """Run the exchange's replay line; assert the request that arrives is the one the suite sent.

    ``fresh`` maps the body as sent to the body expected from the replay, given what the line's
    setup requests got back (a token obtained afresh). Returns the line.
    """
    request = exchange.request
    original = mock.recorder.arrived[-1]
    assert original.body == request.body, "the recorder did not see what the suite sent"
    text = as_curl(request, mock.redactor)
    _no_secret_in(text)
    start = len(mock.recorder.arrived)
    done = subprocess.run(
        ["bash", "-c", text],
        env={"PATH": os.environ["PATH"], "TOKEN_API_CLIENT_SECRET": SECRET, ODD_VARIABLE: ODD_SECRET},
        capture_output=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, f"{text}\n{done.stderr.decode(errors='replace')}"
    arrived = mock.recorder.arrived[start:]
    assert arrived, f"nothing arrived from:\n{text}"
    replayed, setup = arrived[-1], arrived[:-1]
    expected = fresh(request.body, setup) if fresh else request.body
    assert replayed.body == expected, f"{text}\nsent {expected!r}\ngot  {replayed.body!r}"
    assert replayed.method == request.method and replayed.path == original.path
    headers = [(k, v.encode()) for k, v in request.headers]
    assert _compared(replayed.headers) == _compared(headers), text
    assert replayed.status == exchange.status, text
    return text


def _no_secret_in(text: str) -> None:
    for secret in (SECRET, ODD_SECRET, *ISSUED.tokens()):
        assert secret not in text, "a secret or an issued token is spelled out in the replay line"
    for client_id, secret in ((CLIENT_ID, SECRET), (ODD_ID, ODD_SECRET)):
        assert basic_header(client_id, secret).split()[1] not in text


def _raw(mock: Mock, body: bytes, content_type: str | None = JSON, *, basic: bool = True) -> Exchange:
    headers = [("Content-Type", content_type)] if content_type else []
    if basic:
        headers.append(("Authorization", basic_header(CLIENT_ID, SECRET)))
    return mock.client.send(body, headers=headers)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"grant_type":"client_credentials","scope":"a%20b+c %41 %%\\"q\\" \\\\ \'s\'"}', JSON),
        (b"grant_type=client_credentials&scope=a%20b+c%2541%25'%22\\\"x", FORM),
        (b'{"grant_type":"client_credentials\x00"}', JSON),
        (b"grant_type=client_credentials&scope=\xff\xfe%ff", FORM),
        (b"@/etc/hostname", FORM),
        (b"-\x00x", None),
        (b"grant_type=client_credentials\n\t", FORM),
    ],
    ids=["json-escapes", "form-escapes", "nul", "invalid-utf8", "leading-at", "leading-dash-nul", "newline"],
)
def test_a_body_is_replayed_byte_for_byte(mock: Mock, body: bytes, content_type: str | None) -> None:
    replays(mock, _raw(mock, body, content_type))


@pytest.mark.parametrize("who", ["plain", "odd"])
def test_a_secret_in_the_url_query_comes_from_its_variable(mock: Mock, who: str) -> None:
    """The suite sends credentials in the query to prove a server refuses them (RFC 6749 2.3.1)."""
    client = mock.client if who == "plain" else mock.odd
    query = in_query({"client_id": client.target.client_id, "client_secret": client.target.client_secret})
    exchange = client.send(b"grant_type=client_credentials", headers=[("Content-Type", FORM)], path=query)
    text = replays(mock, exchange)
    assert ("$TOKEN_API_CLIENT_SECRET" if who == "plain" else f"${ODD_VARIABLE}") in text


def test_a_printable_body_stays_one_readable_curl_line(mock: Mock) -> None:
    text = replays(mock, mock.client.grant(media="form"))
    assert text.startswith("curl -sS -i -X POST ") and "\n" not in text
    assert "--data-raw 'grant_type=client_credentials'" in text
    assert "-u 'ReplayClient_k3:'\"$TOKEN_API_CLIENT_SECRET\"" in text


@pytest.mark.parametrize("media", ["json", "form"])
@pytest.mark.parametrize("placement", ["basic", "body"])
def test_the_client_secret_comes_from_its_variable(mock: Mock, media: str, placement: str) -> None:
    exchange = mock.client.grant(media=media, placement=placement)  # type: ignore[arg-type]
    assert exchange.status == 200
    assert "$TOKEN_API_CLIENT_SECRET" in replays(mock, exchange)


@pytest.mark.parametrize("media", ["json", "form"])
@pytest.mark.parametrize("placement", ["basic", "body"])
def test_a_secret_that_needs_form_url_encoding_replays(mock: Mock, media: str, placement: str) -> None:
    exchange = mock.odd.grant(media=media, placement=placement)  # type: ignore[arg-type]
    assert exchange.status == 200, exchange.describe(mock.redactor)
    assert f"${ODD_VARIABLE}" in replays(mock, exchange)


def test_basic_with_every_byte_percent_encoded_replays(mock: Mock) -> None:
    encoded = "".join(f"%{b:02X}" for b in f"{CLIENT_ID}".encode())
    encoded += ":" + "".join(f"%{b:02X}" for b in SECRET.encode())
    header = "Basic " + base64.b64encode(encoded.encode()).decode()
    exchange = mock.client.send(
        b'{"grant_type":"client_credentials"}', headers=[("Content-Type", JSON), ("Authorization", header)]
    )
    assert exchange.status == 200
    replays(mock, exchange)


@pytest.mark.parametrize("media", ["json", "form"])
@pytest.mark.parametrize("placement", ["basic", "body"])
def test_an_empty_secret_is_sent_empty_not_masked(mock: Mock, media: str, placement: str) -> None:
    exchange = mock.client.post(
        {"grant_type": "client_credentials"},
        media=media,  # type: ignore[arg-type]
        placement=placement,  # type: ignore[arg-type]
        client_secret="",
    )
    text = replays(mock, exchange)
    assert MASK not in text and MASKED_NOTE not in text


def _refresh_token(mock: Mock) -> str:
    token = mock.client.grant().json()["refresh_token"]
    assert isinstance(token, str)
    return token


def _with_fresh_token(change: Callable[[str], str]) -> Callable[[bytes, list[Arrived]], bytes]:
    """The body with the token the line obtained, changed as the run changed its own."""

    def expected(body: bytes, setup: list[Arrived]) -> bytes:
        assert len(setup) == 1, "the line should obtain exactly one token first"
        fresh = json.loads(setup[0].answer)["refresh_token"]
        old = json.loads(body)["refresh_token"]
        token = next(t for t in ISSUED.tokens() if t in old or change(t) == old)
        assert fresh != token
        return body.replace(change(token).encode(), change(fresh).encode())

    return expected


@pytest.mark.parametrize(
    "change",
    [
        lambda t: t + "A" * 4097,
        lambda t: t[:5] + ("Z" if t[5] != "Z" else "Y") + t[6:],
        lambda t: t + "x",
        lambda t: "x" + t,
    ],
    ids=["padded-4097", "one-character-altered", "suffix", "prefix"],
)
def test_an_issued_token_is_obtained_afresh_and_changed_the_same_way(
    mock: Mock, change: Callable[[str], str]
) -> None:
    token = _refresh_token(mock)
    exchange = mock.client.grant("refresh_token", refresh_token=change(token), media="json")
    assert exchange.status == 400
    text = replays(mock, exchange, _with_fresh_token(change))
    assert text.startswith("TOKEN_API_REFRESH_TOKEN=$(") and "$TOKEN_API_CLIENT_SECRET" in text
    assert len(text) < 1000 and "more characters" not in text


def test_a_refreshed_token_is_obtained_through_its_own_chain(mock: Mock) -> None:
    first = _refresh_token(mock)
    second = mock.client.grant("refresh_token", refresh_token=first).json()["refresh_token"]
    exchange = mock.client.grant("refresh_token", refresh_token=second)
    assert exchange.status == 200
    text = as_curl(exchange.request, mock.redactor)
    lines = text.splitlines()
    assert len(lines) == 3 and lines[0].startswith("TOKEN_API_REFRESH_TOKEN=")
    assert lines[1].startswith("TOKEN_API_REFRESH_TOKEN_2=") and "$TOKEN_API_REFRESH_TOKEN" in lines[1]

    def expected(body: bytes, setup: list[Arrived]) -> bytes:
        return body.replace(second.encode(), json.loads(setup[-1].answer)["refresh_token"].encode())

    replays(mock, exchange, expected)


def test_a_long_run_of_a_repeated_seed_is_written_as_a_loop(mock: Mock) -> None:
    seed = "Ab3-._~x9"
    value = (seed * (4097 // len(seed) + 1))[:4097]
    exchange = mock.client.grant("refresh_token", refresh_token=value, media="form")
    text = replays(mock, exchange)
    assert len(text) < 400 and "$(seq 1 455)" in text


@pytest.mark.parametrize("placement", ["basic", "body"])
def test_a_secret_without_a_variable_is_masked_and_the_line_says_so(mock: Mock, placement: str) -> None:
    redactor = Redactor()
    redactor.add(SECRET)
    text = as_curl(mock.client.grant(placement=placement).request, redactor)  # type: ignore[arg-type]
    assert SECRET not in text and MASK in text and text.endswith(MASKED_NOTE)
    assert basic_header(CLIENT_ID, SECRET).split()[1] not in text


def test_replay_lines_run_from_a_file_too(mock: Mock, tmp_path: Path) -> None:
    """What a user pastes may end up in a script: the text is a valid bash script as is."""
    script = tmp_path / "replay.sh"
    script.write_text(as_curl(mock.client.grant().request, mock.redactor) + "\n", encoding="utf-8")
    done = subprocess.run(["bash", "-n", str(script)], capture_output=True, timeout=RUN_TIMEOUT, check=False)
    assert done.returncode == 0, done.stderr


NEAR_SECRETS = [
    NearMiss("case_all"),
    NearMiss("case_one", at=3),
    NearMiss("trailing", char=" "),
    NearMiss("trailing", char="\t"),
    NearMiss("leading", char=" "),
    NearMiss("prefix", at=5),
    NearMiss("fullwidth", at=2),
    NearMiss("appended", char="Z"),
    NearMiss("percent"),
]


@pytest.mark.parametrize("media", ["json", "form"])
@pytest.mark.parametrize("placement", ["basic", "body"])
@pytest.mark.parametrize("near", NEAR_SECRETS, ids=[f"{n.kind}-{n.at}-{ord(n.char)}" for n in NEAR_SECRETS])
def test_a_near_miss_of_the_secret_is_computed_from_its_variable(
    mock: Mock, media: str, placement: str, near: NearMiss
) -> None:
    """A near miss of a secret is a secret: the line computes it from ``$TOKEN_API_CLIENT_SECRET``."""
    varied = derive(near, SECRET, secret=True)
    assert varied is not None
    exchange = mock.client.post(
        {"grant_type": "client_credentials"},
        media=media,  # type: ignore[arg-type]
        placement=placement,  # type: ignore[arg-type]
        client_secret=varied,
    )
    assert exchange.status == 400, exchange.describe(mock.redactor)
    text = replays(mock, exchange)
    assert varied not in text and "$TOKEN_API_CLIENT_SECRET" in text and MASKED_NOTE not in text


def test_a_near_miss_the_shell_cannot_carry_is_masked(mock: Mock) -> None:
    """A NUL in Basic credentials: no shell word carries it, so the line masks it and says so."""
    varied = derive(NearMiss("trailing", char="\x00"), SECRET, secret=True)
    assert varied is not None
    exchange = mock.client.post({"grant_type": "client_credentials"}, client_secret=varied)
    text = as_curl(exchange.request, mock.redactor)
    assert MASK in text and text.endswith(MASKED_NOTE)
    _no_secret_in(text)


@pytest.mark.parametrize(
    "near", [NearMiss("case_all"), NearMiss("prefix", at=7), NearMiss("trailing", char=" ")], ids=str
)
def test_a_near_miss_of_an_issued_token_is_made_from_a_fresh_one(mock: Mock, near: NearMiss) -> None:
    token = _refresh_token(mock)
    varied = derive(near, token, secret=True)
    assert varied is not None
    exchange = mock.client.grant("refresh_token", refresh_token=varied, media="json")
    assert exchange.status == 400
    made = near.apply
    text = replays(mock, exchange, _with_fresh_token(lambda t: made(t)[0] if made(t) else t))
    assert varied not in text and text.startswith("TOKEN_API_REFRESH_TOKEN=$(")


@pytest.mark.parametrize(
    ("name", "scheme"),
    [("authorization", "basic "), ("AUTHORIZATION", "BASIC "), ("Authorization", "Basic  ")],
)
def test_basic_is_replayed_in_the_case_and_spacing_it_was_sent_in(mock: Mock, name: str, scheme: str) -> None:
    token = basic_header(CLIENT_ID, SECRET).split(" ", 1)[1]
    exchange = mock.client.send(
        b"grant_type=client_credentials", headers=[("Content-Type", FORM), (name, scheme + token)]
    )
    assert exchange.status == 200, exchange.describe(mock.redactor)
    text = replays(mock, exchange)
    assert f'"{name}: {scheme}$(python3' in text, text


def test_a_chunked_body_is_replayed_chunked(mock: Mock) -> None:
    headers = [("Content-Type", FORM), ("Transfer-Encoding", "chunked")]
    exchange = mock.client.send(
        chunks=(b"grant_type=client_", b"cred", b"entials"),
        headers=[*headers, ("Authorization", basic_header(CLIENT_ID, SECRET))],
    )
    assert exchange.status == 200, exchange.describe(mock.redactor)
    assert exchange.request.body == b"grant_type=client_credentials"
    assert "content-length" not in dict(mock.recorder.arrived[-1].headers)
    text = replays(mock, exchange)
    assert "'Transfer-Encoding: chunked'" in text
