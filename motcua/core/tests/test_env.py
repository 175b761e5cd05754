from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from motcua.env import env_bool, env_choice, env_int, env_list, env_str


def test_env_str_required_missing_raises(monkeypatch):
    monkeypatch.delenv("MOTCUA_TEST_X", raising=False)
    with pytest.raises(ImproperlyConfigured, match="MOTCUA_TEST_X"):
        env_str("MOTCUA_TEST_X")


def test_env_str_default_and_strip(monkeypatch):
    monkeypatch.delenv("MOTCUA_TEST_X", raising=False)
    assert env_str("MOTCUA_TEST_X", "d") == "d"
    monkeypatch.setenv("MOTCUA_TEST_X", "  v  ")
    assert env_str("MOTCUA_TEST_X") == "v"


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("true", True), ("ON", True), ("0", False), ("no", False)]
)
def test_env_bool_accepts_known_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("MOTCUA_TEST_B", raw)
    assert env_bool("MOTCUA_TEST_B", default=not expected) is expected


def test_env_bool_rejects_typo(monkeypatch):
    monkeypatch.setenv("MOTCUA_TEST_B", "ture")
    with pytest.raises(ImproperlyConfigured, match="MOTCUA_TEST_B"):
        env_bool("MOTCUA_TEST_B", default=False)


def test_env_int_rejects_non_integer(monkeypatch):
    monkeypatch.setenv("MOTCUA_TEST_I", "12a")
    with pytest.raises(ImproperlyConfigured):
        env_int("MOTCUA_TEST_I", default=1)
    monkeypatch.setenv("MOTCUA_TEST_I", "42")
    assert env_int("MOTCUA_TEST_I", default=1) == 42


def test_env_list_splits_and_drops_empty(monkeypatch):
    monkeypatch.setenv("MOTCUA_TEST_L", "a.vn, b.vn,,")
    assert env_list("MOTCUA_TEST_L", default=[]) == ["a.vn", "b.vn"]


def test_env_choice_rejects_unknown(monkeypatch):
    monkeypatch.setenv("MOTCUA_TEST_C", "staging")
    with pytest.raises(ImproperlyConfigured):
        env_choice("MOTCUA_TEST_C", choices=("development", "production"), default="development")
