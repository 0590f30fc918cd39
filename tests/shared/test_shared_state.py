"""Two mocks over one Redis namespace behave as one: each part of the state, seen from the other side.

Each test builds two apps on the same namespace (two replicas, in threads) and asks one what the other
did. Keys are checked in Redis itself: they expire with what they hold, and a reset clears its own
namespace only.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from oauth2_token_contract.mock import MockControls, create_app, load_settings, running_mock
from oauth2_token_contract.mock.settings import ConfigError
from oauth2_token_contract.mock.shared.engine import Engine
from oauth2_token_contract.mock.shared.journal import MARK_SECONDS, RedisJournal
from tests.shared.conftest import EXAMPLE, token_body
from tests.support.redis_server import RedisServer

TIMEOUT = 10.0


# Without a budget a request checks the namespace's version on its own; with one, the limiter's script
# carries the check: both ways must see what the other replica changed.
@pytest.fixture(params=["off", "1000/minute"], ids=["no-budget", "budget"])
def replicas(
    request: pytest.FixtureRequest, redis_server: RedisServer, namespace: str
) -> Iterator[tuple[httpx.Client, httpx.Client]]:
    """Two mocks sharing this test's namespace, each behind its own client."""
    settings = load_settings(state=redis_server.url(), namespace=namespace, rate_limit=request.param)
    with (
        running_mock(app=create_app(settings)) as first,
        running_mock(app=create_app(settings)) as second,
        httpx.Client(base_url=first, timeout=TIMEOUT) as a,
        httpx.Client(base_url=second, timeout=TIMEOUT) as b,
    ):
        yield a, b


def test_a_refresh_token_issued_by_one_replica_is_rotated_once_by_the_other(replicas) -> None:
    a, b = replicas
    issued = a.post("/oauth2/token", json=token_body(grant_type="client_credentials")).json()
    refresh = token_body(grant_type="refresh_token", refresh_token=issued["refresh_token"])
    assert b.post("/oauth2/token", json=refresh).status_code == 200
    again = a.post("/oauth2/token", json=refresh)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


def test_a_client_created_through_one_replica_is_known_to_the_other_and_deleted_for_both(replicas) -> None:
    a, b = replicas
    with MockControls(str(a.base_url)) as controls_a, MockControls(str(b.base_url)) as controls_b:
        client = controls_a.create_client(scopes=["/accounts.read"])
        body = {"grant_type": "client_credentials", "client_id": client.client_id,
                "client_secret": client.client_secret}  # fmt: skip
        issued = b.post("/oauth2/token", json=body)
        assert issued.status_code == 200
        assert client.client_id in [c["client_id"] for c in controls_b.clients()]
        controls_b.delete_client(client.client_id)
        assert a.post("/oauth2/token", json=body).json()["error"] == "invalid_client"
        refresh = {**body, "grant_type": "refresh_token", "refresh_token": issued.json()["refresh_token"]}
        assert a.post("/oauth2/token", json=refresh).json()["error"] == "invalid_client"


def test_a_rule_answers_its_times_whichever_replica_serves(replicas) -> None:
    a, b = replicas
    with MockControls(str(a.base_url)) as controls:
        controls.rule(times=3, code=429, retry_in=1000)
        statuses = [
            client.post("/oauth2/token", json=token_body(grant_type="client_credentials")).status_code
            for client in (a, b, a, b, a)
        ]
        assert statuses == [429, 429, 429, 200, 200]
        assert controls.rules() == []


def test_the_clock_and_the_journal_are_one_for_both(replicas) -> None:
    a, b = replicas
    with MockControls(str(a.base_url)) as controls_a, MockControls(str(b.base_url)) as controls_b:
        issued = a.post("/oauth2/token", json=token_body(grant_type="client_credentials")).json()
        controls_a.clock.advance(EXAMPLE.refresh_expires_in + 1)
        assert controls_b.clock.offset == EXAMPLE.refresh_expires_in + 1
        refresh = token_body(grant_type="refresh_token", refresh_token=issued["refresh_token"])
        assert b.post("/oauth2/token", json=refresh).json()["error"] == "invalid_grant"  # expired
        entries = controls_a.requests(client_id=EXAMPLE.client_id)
        assert [e["status"] for e in entries] == [200, 400]
        assert issued["refresh_token"] not in str(entries)  # redacted before it reached Redis
        assert controls_b.wait_for(status=400, timeout=2)


def test_a_reset_clears_its_own_namespace_only(redis_server: RedisServer, namespace: str, replicas) -> None:
    a, b = replicas
    other = load_settings(state=redis_server.url(), namespace=namespace + "-neighbour", rate_limit="off")
    with running_mock(app=create_app(other)) as neighbour_url, httpx.Client(base_url=neighbour_url) as n:
        kept = n.post("/oauth2/token", json=token_body(grant_type="client_credentials")).json()
        used = a.post("/oauth2/token", json=token_body(grant_type="client_credentials")).json()
        assert b.post("/__mock/reset").status_code == 204
        refresh = token_body(grant_type="refresh_token", refresh_token=used["refresh_token"])
        assert a.post("/oauth2/token", json=refresh).json()["error"] == "invalid_grant"
        refresh = token_body(grant_type="refresh_token", refresh_token=kept["refresh_token"])
        assert n.post("/oauth2/token", json=refresh).status_code == 200
        assert n.get("/__mock/requests").json()["count"] == 2
        assert a.get("/__mock/requests").json()["count"] == 1  # the refresh the reset refused
        n.post("/__mock/reset")


def test_a_counted_request_makes_two_round_trips_its_version_check_inside_the_first(
    redis_server: RedisServer, namespace: str
) -> None:
    """The window (with the version check), then the token issued with its journal entry. What the
    mock sends is read with MONITOR, which tells a client's commands from those its scripts ran."""
    settings = load_settings(state=redis_server.url(), namespace=namespace, rate_limit="1000/minute")
    marker = f"ECHO end-of-{namespace}"
    ender = redis_server.client()
    ender.ping()  # connected before the monitor starts: only the marker of its commands shows
    with (
        running_mock(app=create_app(settings)) as url,
        httpx.Client(base_url=url, timeout=TIMEOUT) as http,
        redis_server.client().monitor() as monitor,
    ):
        body = token_body(grant_type="client_credentials")
        assert http.post("/oauth2/token", json=body).status_code == 200  # scripts loaded
        for _ in range(5):
            assert http.post("/oauth2/token", json=body).status_code == 200
        ender.echo(marker.split(" ", 1)[1])
        sent = []
        for _ in range(1000):  # bounded; each read bounded by the client's socket timeout
            command = monitor.next_command()
            if command["command"] == marker:
                break
            if command["client_type"] != "lua":
                sent.append(command["command"].split(" ", 1)[0])
    assert sent[-10:] == ["EVALSHA"] * 10, sent  # per request: the window; the token and the journal
    assert sent[-15:].count("GET") == 0


def test_keys_expire_with_the_tokens_and_windows_they_hold(redis_server: RedisServer, namespace: str) -> None:
    settings = load_settings(state=redis_server.url(), namespace=namespace, rate_limit="5/minute")
    with running_mock(app=create_app(settings)) as url, httpx.Client(base_url=url, timeout=TIMEOUT) as http:
        assert http.post("/oauth2/token", json=token_body(grant_type="client_credentials")).status_code == 200
    redis = redis_server.client()
    prefix = f"otc:{namespace}:"
    tokens = redis.keys(prefix + "rt:*")
    access = redis.keys(prefix + "at:*")
    windows = redis.keys(prefix + "win:*")
    assert len(tokens) == 1 and len(access) == 1 and len(windows) == 1
    assert 0 < redis.ttl(tokens[0]) <= EXAMPLE.refresh_expires_in
    assert 0 < redis.ttl(access[0]) <= EXAMPLE.expires_in
    assert 0 < redis.ttl(windows[0]) <= 60
    # Every other key is control state or the capped journal: a fixed set, whatever the load.
    rest = {key.removeprefix(prefix) for key in redis.keys(prefix + "*")} - {
        key.removeprefix(prefix) for key in tokens + access + windows
    }
    marks = {key for key in rest if key.startswith("journal:mark:")}  # one per process, expiring
    assert len(marks) == 1 and 0 < redis.ttl(prefix + marks.pop()) <= MARK_SECONDS
    rest = {key for key in rest if not key.startswith("journal:mark:")}
    fixed = {"version", "scenario", "rt-order", "at-order", "journal", "journal:seq", "rules:next"}
    assert rest <= fixed, rest


def test_a_journal_write_sent_again_adds_nothing_twice(redis_server: RedisServer, namespace: str) -> None:
    """A write whose reply was lost (a timeout after Redis ran it) is sent again with what came since."""
    settings = load_settings(state=redis_server.url(), namespace=namespace)
    engine = Engine(settings.state, namespace)
    journal = RedisJournal(settings, engine)
    try:
        first = [journal.cap, MARK_SECONDS, 1, '{"n":1}', 2, '{"n":2}']
        engine.run_together([(journal._push, journal.keys, first)])
        engine.run_together([(journal._push, journal.keys, [*first, 3, '{"n":3}'])])  # 1 and 2 again
        assert [entry["n"] for entry in journal.entries()] == [1, 2, 3]
        assert [entry["id"] for entry in journal.entries()] == [1, 2, 3]
    finally:
        engine.client.close()


def test_the_refresh_tokens_held_stay_within_the_cap(
    redis_server: RedisServer, namespace: str, write_config
) -> None:
    config = write_config(lambda data: data.update(store={"max_refresh_tokens": 5}))
    settings = load_settings(config, state=redis_server.url(), namespace=namespace, rate_limit="off")
    with running_mock(app=create_app(settings)) as url, httpx.Client(base_url=url, timeout=TIMEOUT) as http:
        for _ in range(12):
            assert (
                http.post("/oauth2/token", json=token_body(grant_type="client_credentials")).status_code
                == 200
            )
    redis = redis_server.client()
    assert len(redis.keys(f"otc:{namespace}:rt:*")) == 5
    assert redis.zcard(f"otc:{namespace}:rt-order") == 5


def test_a_redis_that_cannot_be_reached_at_start_is_one_line() -> None:
    with pytest.raises(ConfigError, match=r"^cannot reach the state at redis://127\.0\.0\.1:1/0: .*refused"):
        create_app(load_settings(state="redis://:secret@127.0.0.1:1/0"))


@pytest.mark.parametrize("bad", ["postgres://user:hunter2@db/0", "redis-ish"])
def test_a_state_that_is_neither_memory_nor_redis_is_refused(bad: str) -> None:
    with pytest.raises(ConfigError, match="expected memory or redis://") as refused:
        load_settings(state=bad)
    assert "hunter2" not in str(refused.value)


def test_the_config_file_names_the_state_and_the_command_line_overrides_it(write_config) -> None:
    config = write_config(
        lambda data: data.update(state={"url": "redis://127.0.0.1:6379/2", "namespace": "qa"})
    )
    settings = load_settings(config)
    assert (settings.state, settings.namespace, settings.shared) == ("redis://127.0.0.1:6379/2", "qa", True)
    overridden = load_settings(config, state="memory", namespace="other")
    assert (overridden.state, overridden.namespace, overridden.shared) == ("memory", "other", False)
    assert load_settings().shared is False
    with pytest.raises(ConfigError, match="namespace"):
        load_settings(state="redis://127.0.0.1:6379/0", namespace="no spaces")
