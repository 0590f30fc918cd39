"""QA controls, kept off the contract path: ``Prefer`` on the token path and the ``/__mock/*`` endpoints
(each line names, in brackets, its module under ``oauth2_token_contract.mock``).

    Prefer: code=, example=, delay=, fault=     one request's answer (forcing, injection), on the
                                                token path and on every other documented operation
    GET    /__mock/requests?client_id=&grant_type=&status=&since=&wait=   the journal, asked
    POST   /__mock/reset                        back to the state at start
    GET|POST|DELETE /__mock/clock               the mock's time (clock)
    GET|POST /__mock/clients, DELETE /__mock/clients/{client_id}   clients at run time (registry)
    GET|POST|DELETE /__mock/rules, DELETE /__mock/rules/{id}       scripted answers (scripted)

Bad input is 422 ``mock_control_error`` naming what is wrong; a conflict or a cap reached is 409;
an unknown client or rule is 404. With a controls token set (``--controls-token``, required when the
mock listens beyond loopback), every ``/__mock/*`` request must carry ``Authorization: Bearer TOKEN``
(401 without it): they can create clients, reset everybody's state and read the journal. Over shared
state (:mod:`oauth2_token_contract.mock.state`) each control first takes in what other processes
changed, and answers 503 when the state cannot be reached. Control bodies are JSON of at most
``MAX_CONTROL_BODY`` bytes (413 past it).
``controls: false`` in the config turns all of it off (the routes are not there, ``Prefer`` is
ignored); :mod:`oauth2_token_contract.mock.controls_client` is the Python face of these endpoints.
"""

from __future__ import annotations

import hmac
import json
import math
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from oauth2_token_contract.mock.access import AccessTokenStore
from oauth2_token_contract.mock.clients import ClientRegistry, RegistryError
from oauth2_token_contract.mock.clock import MockClock
from oauth2_token_contract.mock.errors import ControlError, StateUnavailable
from oauth2_token_contract.mock.forcing import Answer, Answers
from oauth2_token_contract.mock.injection import Injected
from oauth2_token_contract.mock.journal import MAX_WAIT_SECONDS, Journal, Query
from oauth2_token_contract.mock.ratelimit import RateLimiter
from oauth2_token_contract.mock.rendering import ResponseRenderer, control_error, json_response
from oauth2_token_contract.mock.scripted import ScriptedAnswers
from oauth2_token_contract.mock.settings import ClientConfig, ConfigError, MockSettings, client_config
from oauth2_token_contract.mock.state import MemoryState, StateBackend
from oauth2_token_contract.mock.store import RefreshTokenStore
from oauth2_token_contract.mock.tokens import TokenMinter

__all__ = ["MAX_CONTROL_BODY", "Controls"]

MAX_CONTROL_BODY = 64 * 1024
_QUERY_FIELDS = frozenset({"client_id", "grant_type", "status", "since", "wait"})


def describe_client(client: ClientConfig, registry: ClientRegistry | None) -> dict[str, Any]:
    """A client as the listing shows it: every setting but the secret."""
    return {
        "client_id": client.client_id,
        "scopes": sorted(client.scopes),
        "token_type": client.token_type,
        "format": client.token_format,
        "expires_in": client.expires_in,
        "refresh_expires_in": client.refresh_expires_in,
        "rate_limit": client.rate_limit,
        "grant_types": sorted(client.grant_types),
        "issue_refresh_tokens": client.issue_refresh_tokens,
        "created_at_run_time": registry is not None and registry.is_added(client.client_id),
    }


async def read_json(request: Request) -> Any:
    """The control's JSON body, read up to the cap (ControlError past it or when it is not JSON)."""
    declared = request.headers.get("content-length")
    if declared is not None and not (
        declared.isascii() and declared.isdigit() and int(declared) <= MAX_CONTROL_BODY
    ):
        raise ControlError(f"a control body holds at most {MAX_CONTROL_BODY} bytes", status=413)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_CONTROL_BODY:
            raise ControlError(f"a control body holds at most {MAX_CONTROL_BODY} bytes", status=413)
        chunks.append(chunk)
    try:
        return json.loads(b"".join(chunks) or b"null")
    except ValueError:
        raise ControlError("the body must be JSON") from None


def handler(method: Any, token: str | None = None, sync: Callable[[], None] | None = None) -> Any:
    """A control endpoint whose ControlError becomes its 4xx answer; with ``token``, a request without
    ``Authorization: Bearer TOKEN`` gets 401; ``sync`` takes in the shared state first."""
    expected = None if token is None else ("Bearer " + token).encode()

    async def endpoint(request: Request) -> Response:
        if expected is not None:
            given = request.headers.get("authorization", "").encode("latin-1")
            if not hmac.compare_digest(given, expected):  # the same time whatever was sent
                return unauthorized()
        try:
            if sync is not None:
                sync()
            response: Response = await method(request)
        except ControlError as error:
            return control_error(error)
        except StateUnavailable as error:
            return json_response(503, {"error": "state_unavailable", "error_description": error.description},
                                 {"Retry-After": "1"})  # fmt: skip
        return response

    endpoint.__name__ = method.__name__
    return endpoint


def unauthorized() -> Response:
    body = {"error": "unauthorized", "error_description": "the mock's controls need their bearer token"}
    return json_response(401, body, {"WWW-Authenticate": 'Bearer realm="mock-controls"'})


class Controls:
    """The QA controls over the mock's parts: forced and broken answers, rules, clock, clients, journal."""

    def __init__(
        self,
        settings: MockSettings,
        store: RefreshTokenStore,
        limiter: RateLimiter,
        journal: Journal,
        *,
        clock: MockClock | None = None,
        minter: TokenMinter | None = None,
        renderer: ResponseRenderer | None = None,
        state: StateBackend | None = None,
        access: AccessTokenStore | None = None,
    ) -> None:
        self.enabled = settings.controls
        self.settings = settings
        self.store, self.limiter, self.journal = store, limiter, journal
        self.access = access
        self.clock = clock or MockClock()
        self.minter = minter
        self.state = state or MemoryState()
        self.clients = settings.clients if isinstance(settings.clients, ClientRegistry) else None
        self.answers = Answers(settings, renderer or ResponseRenderer(settings))
        self.rules: ScriptedAnswers = self.state.rule_book(settings, self.answers)
        if settings.scenario and not self.enabled:
            raise ConfigError("a scenario needs the QA controls (controls: true)")
        self._load_scenario()
        self.state.on_lost = self._load_scenario

    def _load_scenario(self, again: bool = False) -> None:
        """The scenario's rules, each checked here; over shared state only the process that claims
        the namespace's scenario adds them (the first to start, or the one that resets)."""
        book = (
            self.rules if self.state.claim_scenario(again) else ScriptedAnswers(self.settings, self.answers)
        )
        for n, raw in enumerate(self.settings.scenario):
            try:
                book.add(raw)
            except ControlError as error:
                raise ConfigError(f"scenario rules[{n}]: {error.description}") from None

    # --- the token path ---------------------------------------------------------------------------

    def prefer(self, prefer: bytes) -> Answer | None:
        """The answer a ``Prefer`` header asks for (ControlError when it asks wrongly)."""
        return self.answers.from_prefer(prefer)

    def render(self, answer: Answer) -> Response:
        return self.answers.render(answer)

    @staticmethod
    def inject(response: Response, answer: Answer) -> Injected:
        return Injected(response, answer)

    # --- /__mock/* --------------------------------------------------------------------------------

    def routes(self) -> list[tuple[str, Any, list[str]]]:
        """(path, endpoint, methods) for every control endpoint."""
        token, sync = self.settings.controls_token, self.state.sync

        def guarded(method: Any) -> Any:
            return handler(method, token, sync)

        return [
            ("/__mock/requests", guarded(self.requests), ["GET"]),
            ("/__mock/reset", guarded(self.reset), ["POST"]),
            ("/__mock/clock", guarded(self.clock_endpoint), ["GET", "POST", "DELETE"]),
            ("/__mock/clients", guarded(self.clients_endpoint), ["GET", "POST"]),
            ("/__mock/clients/{client_id:path}", guarded(self.client_endpoint), ["DELETE"]),
            ("/__mock/rules", guarded(self.rules_endpoint), ["GET", "POST", "DELETE"]),
            ("/__mock/rules/{rule_id}", guarded(self.rule_endpoint), ["DELETE"]),
        ]

    async def requests(self, request: Request) -> Response:
        params = request.query_params
        unknown = set(params) - _QUERY_FIELDS
        if unknown:
            raise ControlError(f"unknown query parameter(s) {sorted(unknown)}: use {sorted(_QUERY_FIELDS)}")
        query = Query(
            client_id=params.get("client_id") or None,
            grant_type=params.get("grant_type") or None,
            status=_number(params.get("status"), "status", int, 100, 599),
            since=_number(params.get("since"), "since", float, 0, math.inf),
        )
        wait = _number(params.get("wait"), "wait", int, 0, int(MAX_WAIT_SECONDS * 1000))
        if wait:
            try:
                entries = await self.journal.wait(query, wait / 1000)
            except ValueError as exc:
                raise ControlError(str(exc), status=409) from None
        else:
            entries = self.journal.entries(query)
        return json_response(200, {"requests": entries, "count": len(entries)})

    async def reset(self, request: Request) -> Response:
        """Back to the state at start: tokens, budgets, journal, clock, rules, clients."""
        self.store.clear()  # first: the clients that leave then have no tokens to look for
        if self.access is not None:
            self.access.clear()
        if self.clients is not None:
            self.clients.restore()
        self.limiter.reset()
        self.journal.clear()
        self.clock.reset()
        self.rules.clear()
        self._load_scenario(again=True)
        return Response(status_code=204)

    async def clock_endpoint(self, request: Request) -> Response:
        if request.method == "POST":
            data = await read_json(request)
            seconds = data.get("advance_seconds") if isinstance(data, dict) else None
            if not isinstance(seconds, int | float) or isinstance(seconds, bool) or len(data) != 1:
                raise ControlError('expected {"advance_seconds": N}')
            try:
                self.clock.advance(seconds)
            except ValueError as exc:
                raise ControlError(str(exc)) from None
        elif request.method == "DELETE":
            self.clock.reset()
            # Windows opened in the mock's future would otherwise stay shut that long in real time.
            self.limiter.reset()
        return json_response(200, {"offset_seconds": self.clock.offset, "now": self.clock.now()})

    async def clients_endpoint(self, request: Request) -> Response:
        registry = self._registry()
        if request.method == "GET":
            return json_response(200, {"clients": [describe_client(c, registry) for c in registry.values()]})
        data = await read_json(request)
        try:
            client = client_config(data, self.settings.client_defaults, self.settings.contract)
            if self.minter is not None:
                self.minter.check(client)
        except ConfigError as exc:
            raise ControlError(str(exc).removeprefix("client: ")) from None
        try:
            registry.add(client)
        except RegistryError as exc:
            raise ControlError(str(exc), status=409) from None
        return json_response(201, describe_client(client, registry))

    async def client_endpoint(self, request: Request) -> Response:
        try:
            self._registry().remove(request.path_params["client_id"])
        except RegistryError as exc:
            raise ControlError(str(exc), status=404) from None
        return Response(status_code=204)

    async def rules_endpoint(self, request: Request) -> Response:
        if request.method == "GET":
            return json_response(200, {"rules": self.rules.describe()})
        if request.method == "DELETE":
            self.rules.clear()
            return Response(status_code=204)
        rule = self.rules.add(await read_json(request))
        return json_response(201, rule.describe())

    async def rule_endpoint(self, request: Request) -> Response:
        raw = request.path_params["rule_id"]
        if not (raw.isascii() and raw.isdigit() and self.rules.remove(int(raw))):
            raise ControlError("no such rule", status=404)
        return Response(status_code=204)

    def _registry(self) -> ClientRegistry:
        if self.clients is None:
            raise ControlError("this app's clients are fixed (built without a client registry)", status=409)
        return self.clients


def _number(raw: str | None, name: str, kind: type, low: float, high: float) -> Any:
    if raw is None or raw == "":
        return None
    try:
        value = kind(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise ControlError(f"{name} must be a number in [{low}, {high}]")
    return value
