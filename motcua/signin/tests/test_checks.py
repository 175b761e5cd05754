from __future__ import annotations

from typing import Any

from motcua.signin.checks import check_official_signin


def test_production_refuses_officials_without_a_second_factor(settings: Any) -> None:
    settings.MOTCUA_OFFICIAL_2FA_REQUIRED = False
    assert [e.id for e in check_official_signin(None)] == ["motcua.E260"]
    settings.MOTCUA_OFFICIAL_2FA_REQUIRED = True
    assert check_official_signin(None) == []
    settings.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
    assert [e.id for e in check_official_signin(None)] == ["motcua.E261"]
