"""Deploy checks of the national-identity login: the real provider, over https, with credentials."""

from __future__ import annotations

from typing import Any

import pytest

from motcua.portal.checks import check_oidc_provider


def ids(settings: Any) -> set[str | None]:
    return {message.id for message in check_oidc_provider(None)}


def test_real_provider_over_https_passes(settings: Any) -> None:
    settings.MOTCUA_OIDC_ISSUER = "https://sso.dinhdanhdientu.gov.vn"
    settings.MOTCUA_OIDC_CLIENT_ID = "quangninh-dvc"
    settings.MOTCUA_OIDC_CLIENT_SECRET = "secret"
    assert ids(settings) == set()


@pytest.mark.parametrize(
    "issuer", ["", "http://sso.example.vn", "https://127.0.0.1:8010", "https://localhost"]
)
def test_missing_plain_or_local_issuer_fails(settings: Any, issuer: str) -> None:
    settings.MOTCUA_OIDC_ISSUER = issuer
    assert "motcua.E010" in ids(settings)


def test_missing_credentials_fail(settings: Any) -> None:
    settings.MOTCUA_OIDC_ISSUER = "https://sso.dinhdanhdientu.gov.vn"
    settings.MOTCUA_OIDC_CLIENT_SECRET = ""
    assert ids(settings) == {"motcua.E011"}
