"""Every setting, fed a bad value, is refused with one line: its name, the value, what it accepts."""

from __future__ import annotations

import pytest

from oauth2_token_contract.suite.errors import SettingError
from oauth2_token_contract.suite.settings import SETTINGS, Settings

# A bad value for every setting that has a form to break, and the start of what it is told.
BAD = {
    "TOKEN_API_MAX_REQUESTS": ("abc", "expected a whole number 1 or more, e.g. 400"),
    "TOKEN_API_ALLOW_BURST": ("maybe", "expected one of 1, true, yes, on, 0, false, no, off"),
    "TOKEN_API_ALLOW_INSECURE_HTTP": ("sure", "expected one of 1, true"),
    "TOKEN_API_ALLOW_PARTIAL": ("2", "expected one of 1, true"),
    "TOKEN_API_TIMEOUT": ("0", "expected seconds above 0 and at most 600, e.g. 10"),
    "TOKEN_API_MAX_WAIT": ("-1", "expected seconds 0 or more and at most 3600, e.g. 30"),
    "TOKEN_API_EXPECT_429_WITHIN": ("0", "expected a whole number 1 or more, e.g. 100"),
    "TOKEN_API_PROFILE": ("nonsense", "expected one of quick, ci, live, dev, deep"),
    "TOKEN_API_PROGRESS": ("-3", "expected a whole number 0 or more, e.g. 50"),
    "TOKEN_API_EXAMPLE_DB": ("reddis://host", "unknown scheme; expected redis://HOST:PORT/DB, rediss://"),
}
# Free text, checked where it is used: the target by the planner, the spec and the expected failures
# file when read (tests/suite/test_first_contact.py feeds those to a run), the credentials by the
# preflight.
FREE_TEXT = {
    "TOKEN_API_TARGET",
    "TOKEN_API_CLIENT_ID",
    "TOKEN_API_CLIENT_SECRET",
    "TOKEN_API_SCOPE",
    "TOKEN_API_RESTRICTED_CLIENT_ID",
    "TOKEN_API_RESTRICTED_CLIENT_SECRET",
    "TOKEN_API_EXPECTED_FAILURES",
    "TOKEN_API_SPEC",
    "TOKEN_API_OPERATION",
    "TOKEN_API_TARGETS_FILE",
}


def test_every_setting_is_either_checked_here_or_free_text() -> None:
    assert {s.env for s in SETTINGS} == set(BAD) | FREE_TEXT


@pytest.mark.parametrize(("name", "bad"), sorted(BAD.items()), ids=sorted(BAD))
def test_a_bad_value_is_one_line_naming_the_setting(name: str, bad: tuple[str, str]) -> None:
    value, expected = bad
    with pytest.raises(SettingError) as caught:
        Settings.from_env({name: value})
    assert str(caught.value) == f"{name}={value!r}: {expected}" or str(caught.value).startswith(
        f"{name}={value!r}: {expected}"
    )
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("value", ["abc", "nan", "inf", "-5", "1e9"])
def test_no_number_a_user_can_type_escapes_as_a_traceback(value: str) -> None:
    for name in ("TOKEN_API_TIMEOUT", "TOKEN_API_MAX_WAIT", "TOKEN_API_MAX_REQUESTS"):
        with pytest.raises(SettingError, match=f"^{name}="):
            Settings.from_env({name: value})


def test_every_bad_value_is_said_at_once() -> None:
    with pytest.raises(SettingError) as caught:
        Settings.from_env({"TOKEN_API_TIMEOUT": "0", "TOKEN_API_PROFILE": "x"})
    assert len(str(caught.value).splitlines()) == 2


def test_a_restricted_client_needs_both_halves_and_its_secret_is_never_shown() -> None:
    with pytest.raises(SettingError, match="set both or neither"):
        Settings.from_env({"TOKEN_API_RESTRICTED_CLIENT_ID": "id"})
    settings = Settings.from_env(
        {"TOKEN_API_RESTRICTED_CLIENT_ID": "id", "TOKEN_API_RESTRICTED_CLIENT_SECRET": "s3"}
    )
    assert settings.restricted_client is not None and "s3" not in repr(settings)


@pytest.mark.parametrize(
    "value", ["", "redis://localhost:6379/0", "rediss://h:1/0", "github:owner/repo", ".hypothesis/x", "C:/x"]
)
def test_the_example_database_takes_its_documented_forms(value: str) -> None:
    assert Settings.from_env({"TOKEN_API_EXAMPLE_DB": value}).example_db == value


def test_unset_and_empty_keep_the_defaults() -> None:
    assert Settings.from_env({}) == Settings.from_env({name.env: "" for name in SETTINGS}) == Settings()
