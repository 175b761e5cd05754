"""Deploy checks of the officials' sign-in (``motcua check --deploy``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

LOCKOUT_BACKEND = "axes.backends.AxesStandaloneBackend"


@register(Tags.security, deploy=True)
def check_official_signin(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """Production: a second factor for every official, and the lockout before any password is checked."""
    errors: list[CheckMessage] = []
    if not settings.MOTCUA_OFFICIAL_2FA_REQUIRED:
        errors.append(
            Error(
                "MOTCUA_OFFICIAL_2FA_REQUIRED đang tắt: cán bộ đăng nhập chỉ bằng mật khẩu "
                "(officials sign in with a password alone).",
                hint="Bỏ biến MOTCUA_OFFICIAL_2FA_REQUIRED hoặc đặt bằng true (unset it or set it true).",
                id="motcua.E260",
            )
        )
    backends = list(settings.AUTHENTICATION_BACKENDS)
    if not settings.AXES_ENABLED or not backends or backends[0] != LOCKOUT_BACKEND:
        errors.append(
            Error(
                "Khóa đăng nhập sau nhiều lần sai không hoạt động (the login lockout is off): AXES_ENABLED "
                f"phải bật và {LOCKOUT_BACKEND} phải đứng đầu AUTHENTICATION_BACKENDS.",
                id="motcua.E261",
            )
        )
    return errors
