"""The config file: defaults, and refusals at start for anything the spec forbids."""

from __future__ import annotations

import pytest

from oauth2_token_contract.mock import load_settings
from oauth2_token_contract.mock.ratelimit import RateLimiter
from oauth2_token_contract.mock.settings import ConfigError, parse_rate
from oauth2_token_contract.spec import contract

SPEC = contract.load()


def test_default_config_holds_the_seed_client(default_settings):
    example = SPEC.request_examples()["clientCredentials"]
    seed = default_settings.clients[example["client_id"]]
    assert seed.client_secret == example["client_secret"]
    assert seed.token_type in SPEC.token_types
    assert example["scope"] in seed.scopes
    assert {c.token_type for c in default_settings.clients.values()} == set(SPEC.token_types)


def test_rate_limit_override_applies_to_every_client():
    settings = load_settings(rate_limit="7/second")
    assert {settings.budget(c) for c in settings.clients.values()} | {settings.budget(None)} == {"7/second"}
    assert not RateLimiter(load_settings(rate_limit="off")).enabled


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("token_type", "bearer", "token_type"),
        ("expires_in", 0, "expires_in"),
        ("expires_in", "900", "expires_in"),
        ("refresh_expires_in", 10, "refresh_expires_in"),
        ("scopes", ["a b"], "scope"),
        ("client_id", "", "client_id"),
        ("client_secret", "tab\there", "client_secret"),
        ("grant_types", ["password"], "grant_types"),
        ("default_scopes", ["/admin.all"], "default_scopes"),
    ],
)
def test_bad_client_entries_are_refused(write_config, key, value, message):
    def configure(data):
        data["clients"][0][key] = value

    with pytest.raises(ConfigError, match=message):
        load_settings(write_config(configure))


def test_duplicate_client_ids_are_refused(write_config):
    def configure(data):
        data["clients"].append(dict(data["clients"][0]))

    with pytest.raises(ConfigError, match="duplicate"):
        load_settings(write_config(configure))


@pytest.mark.parametrize(
    ("rate", "budget"),
    [
        ("20/second", (20, 1)),
        ("1 per second", (1, 1)),
        ("5/minute", (5, 60)),
        ("2 per 10 seconds", (2, 10)),
        ("5/2minutes", (5, 120)),
        ("1000000000/minute", (1000000000, 60)),
        (" 3 / Hour ", (3, 3600)),
        ("1/day", (1, 86400)),
    ],
)
def test_rates_read_as_the_limits_package_reads_them(rate, budget):
    assert parse_rate(rate) == budget


@pytest.mark.parametrize(
    "rate", ["banana", "20", "/second", "20/fortnight", "20/s", "-1/second", "20/second;5/minute"]
)
def test_a_rate_that_is_not_one_limit_is_refused_when_settings_load(rate):
    with pytest.raises(ConfigError, match="not a rate"):
        load_settings(rate_limit=rate)


def test_a_grant_asking_no_scope_gets_the_default_and_may_ask_for_more(default_settings):
    """RFC 6749 3.3: the example client's pre-defined default leaves out /ping.read, which it may ask for."""
    client = default_settings.clients["5clTR_MdVrrkgxw2"]
    assert "/ping.read" in client.scopes
    assert client.default_grant == {"/accounts.read", "/accounts.write"}
