"""The suite's own HTTP client for the token endpoint: exact bytes out, an :class:`Exchange` back.

Tests say what to send (a JSON body, form pairs, raw bytes, where the credentials go); the client
spends the run's budget, waits out 429s unless told not to, learns issued tokens for redaction, and
turns a silent target into a :class:`TargetTimeout` carrying the curl line.

A pooled keep-alive connection may have been closed by the server just as the next request went out
on it (a server may close an idle connection at any time, RFC 9112 section 9.5). Such a request,
answered with not one byte, is sent once more on a fresh connection: counted in the budget and said
in the exchange. Any other connection failure is the target's, reported with its curl line.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any, Literal
from urllib.parse import quote_plus, urlencode

import httpx

from oauth2_token_contract.spec import contract
from oauth2_token_contract.spec.redaction import REDACTOR
from oauth2_token_contract.suite.checks import CheckContext, retry_in_is_enough
from oauth2_token_contract.suite.errors import TargetTimeout, TargetUnreachable
from oauth2_token_contract.suite.exchange import ISSUED, Exchange, SentRequest, as_curl
from oauth2_token_contract.suite.pacing import Pacer
from oauth2_token_contract.suite.targets import Target

__all__ = ["MEDIA", "PLACEMENTS", "Media", "Placement", "TokenClient", "basic_header"]

Media = Literal["json", "form"]
Placement = Literal["basic", "body"]
# Every media type and credential place, typed, for the families to parametrize over.
MEDIA: tuple[Media, ...] = ("json", "form")
PLACEMENTS: tuple[Placement, ...] = ("basic", "body")
JSON = "application/json"
USER_AGENT = "oauth2-token-contract"
# What an exchange says when its request went out twice (see the module docstring).
STALE_CONNECTION_NOTE = (
    "sent again on a fresh connection: the pooled keep-alive connection was closed before any answer"
)
FORM = "application/x-www-form-urlencoded"


def basic_header(client_id: str, secret: str) -> str:
    """``Authorization: Basic`` as RFC 6749 section 2.3.1 builds it: each part form-url-encoded first."""
    raw = f"{quote_plus(client_id)}:{quote_plus(secret)}".encode()
    return "Basic " + base64.b64encode(raw).decode("ascii")


class TokenClient:
    """Talks to one target's token endpoint; one per run, shared by the families."""

    def __init__(
        self, target: Target, pacer: Pacer, *, timeout: float, context: CheckContext | None = None
    ) -> None:
        self.target = target
        self.pacer = pacer
        # What the checks judging this client's answers share: the run's, or this client's own.
        self.context = context or CheckContext()
        self.timeout = timeout
        self._http = httpx.Client(timeout=timeout, headers={"User-Agent": USER_AGENT})
        # When a list, every exchange is appended to it (the replay tool prints them all).
        self.recorder: list[Exchange] | None = None

    def close(self) -> None:
        self._http.close()

    def as_client(self, client_id: str, secret: str, scopes: Iterable[str] | None = None) -> TokenClient:
        """Another client of the same target, sharing this run's budget; its secret is redacted too."""
        REDACTOR.add(secret)
        other = replace(
            self.target,
            client_id=client_id,
            client_secret=secret,
            scopes=self.target.scopes if scopes is None else tuple(sorted(scopes)),
        )
        return TokenClient(other, self.pacer, timeout=self.timeout, context=self.context)

    # -- the exact-bytes layer -------------------------------------------------------------------------
    def send(
        self,
        content: bytes = b"",
        *,
        headers: Sequence[tuple[str, str]] = (),
        method: str = "POST",
        path: str | None = None,
        honour_429: bool = True,
        chunks: Sequence[bytes] = (),
    ) -> Exchange:
        """Send exactly these bytes and headers; wait out 429s when ``honour_429``.

        ``chunks``, when given, is the body instead of ``content``, sent in that many chunks of the
        chunked transfer coding (RFC 9112 section 7.1) and without a Content-Length; the headers should
        then say ``Transfer-Encoding: chunked``, so that the replay line sends it chunked too.
        """
        url = self.target.base_url + (path or contract.load().token_path)
        payload: bytes | tuple[bytes, ...] = tuple(chunks) if chunks else content
        sent = SentRequest(method, url, list(headers), b"".join(chunks) if chunks else content)
        waited_in_full: float | None = None  # the X-Retry-In waited out before this attempt, if all of it
        waited = 0.0  # seconds waited for this request's 429s
        attempt = 0
        while True:  # bounded: retry_delay gives up after ``retries`` hinted or ``max_wait`` s unhinted
            self.pacer.spend()
            started = time.perf_counter()
            note = None
            try:
                try:
                    response = self._request(self._http, method, url, payload, headers)
                except _StaleConnection:
                    self.pacer.spend()
                    started = time.perf_counter()
                    note = STALE_CONNECTION_NOTE
                    with self._fresh_client() as fresh:
                        response = self._request(fresh, method, url, payload, headers)
            except httpx.TimeoutException as exc:
                raise TargetTimeout(
                    f"{self.target.name} did not answer within {self.timeout:g} s", as_curl(sent)
                ) from exc
            except httpx.ConnectError as exc:  # never reached, so never "dropped"
                raise TargetUnreachable(
                    f"cannot connect to {self.target.name}: {_connect_reason(exc)}", as_curl(sent)
                ) from exc
            except (httpx.TransportError, _StaleConnection) as exc:
                cause = exc.__cause__ if isinstance(exc, _StaleConnection) else exc
                raise TargetUnreachable(
                    f"{self.target.name} dropped the connection: {type(cause).__name__}: {cause}",
                    as_curl(sent),
                ) from exc
            exchange = Exchange(
                sent,
                response.status_code,
                list(response.headers.multi_items()),
                response.content,
                time.perf_counter() - started,
                notes=(note,) if note else (),
            )
            REDACTOR.learn_from_body(exchange.json())
            ISSUED.learn(sent, exchange.json())  # so a replay line can obtain these tokens afresh
            if self.recorder is not None:
                self.recorder.append(exchange)
            self.pacer.observe(exchange)
            if waited_in_full is not None:
                retry_in_is_enough(self.context, exchange, waited_in_full)
            if not honour_429:
                return exchange
            delay = self.pacer.retry_delay(exchange.status, exchange.header, attempt=attempt, waited=waited)
            if delay is None:
                return exchange
            announced = self.pacer.announced_wait(exchange.status, exchange.header)
            waited_in_full = announced if announced is not None and announced < delay else None
            self.pacer.honour(delay, hinted=announced is not None)
            waited += delay
            attempt += 1

    def _fresh_client(self) -> httpx.Client:
        return httpx.Client(timeout=self.timeout, headers={"User-Agent": USER_AGENT})

    @staticmethod
    def _request(
        http: httpx.Client,
        method: str,
        url: str,
        content: bytes | tuple[bytes, ...],
        headers: Sequence[tuple[str, str]],
    ) -> httpx.Response:
        """One request; :class:`_StaleConnection` when a reused connection gave not one byte back.

        A tuple of chunks goes out chunked, one chunk each (a fresh iterator per attempt).
        """
        trace = _ConnectionTrace()
        body = iter(content) if isinstance(content, tuple) else content or None
        try:
            return http.request(method, url, content=body, headers=list(headers), extensions={"trace": trace})
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            if trace.reused and not trace.answered:
                raise _StaleConnection from exc
            raise

    # -- the parameter layer ---------------------------------------------------------------------------
    def post(
        self,
        params: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None,
        *,
        media: Media = "form",
        placement: Placement | None = "basic",
        client_id: str | None = None,
        client_secret: str | None = None,
        content_type: str | None = None,
        headers: Sequence[tuple[str, str]] = (),
        honour_429: bool = True,
    ) -> Exchange:
        """POST parameters as a form (the default every OAuth2 server reads) or JSON, with the target's
        credentials as Basic, in the body, or none.

        ``params`` may be pairs, to send a parameter twice; ``client_id``/``client_secret`` replace the
        target's own (to send wrong ones).
        """
        pairs = list(params.items() if isinstance(params, Mapping) else params or [])
        cid = self.target.client_id if client_id is None else client_id
        secret = self.target.client_secret if client_secret is None else client_secret
        sent_headers = list(headers)
        if placement == "basic":
            sent_headers.append(("Authorization", basic_header(cid, secret)))
        elif placement == "body":
            pairs += [("client_id", cid), ("client_secret", secret)]
        if media == "json":
            body = _json_pairs(pairs)
            default_type = JSON
        else:
            body = urlencode([(k, str(v)) for k, v in pairs]).encode()
            default_type = FORM
        sent_headers.append(("Content-Type", content_type or default_type))
        return self.send(body, headers=sent_headers, honour_429=honour_429)

    def grant(
        self,
        grant_type: str = "client_credentials",
        *,
        scope: str | None = None,
        refresh_token: str | None = None,
        media: Media = "form",
        placement: Placement = "basic",
        honour_429: bool = True,
    ) -> Exchange:
        """A well-formed grant with the target's credentials."""
        params: dict[str, Any] = {"grant_type": grant_type}
        if scope is not None:
            params["scope"] = scope
        if refresh_token is not None:
            params["refresh_token"] = refresh_token
        return self.post(params, media=media, placement=placement, honour_429=honour_429)


class _StaleConnection(Exception):
    """A reused keep-alive connection was closed under a request before any answer came back."""


class _ConnectionTrace:
    """What httpcore's trace events tell about one request: a reused connection, an answer begun."""

    __slots__ = ("answered", "reused")

    def __init__(self) -> None:
        self.reused = True
        self.answered = False

    def __call__(self, event: str, info: Mapping[str, Any]) -> None:
        if event.startswith("connection.connect_tcp."):
            self.reused = False
        elif event == "http11.receive_response_headers.complete":
            self.answered = True


def _connect_reason(error: BaseException) -> str:
    """Why a connection did not open, as the system says it (``connection refused``), not as a
    chain of wrappers."""
    current: BaseException | None = error
    while current is not None:
        if isinstance(current, OSError) and current.strerror:
            return current.strerror.lower()
        current = current.__cause__ or current.__context__
    return str(error) or type(error).__name__


def _json_pairs(pairs: list[tuple[str, Any]]) -> bytes:
    """A JSON object from pairs, keeping a repeated key repeated (json.dumps of a dict cannot)."""
    members = ",".join(f"{json.dumps(k)}:{json.dumps(v)}" for k, v in pairs)
    return ("{" + members + "}").encode()
