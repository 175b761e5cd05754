"""System checks of the national-identity login (``motcua check --deploy``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0", "testserver"}


def _issuer_problem(issuer: str) -> str | None:
    if not issuer:
        return "chưa được đặt (is not set)"
    parts = urlsplit(issuer)
    if parts.scheme != "https":
        return f"phải dùng https:// (must use https://): {issuer!r}"
    if (parts.hostname or "").lower() in _LOCAL_HOSTS:
        return f"trỏ về máy cục bộ — Cổng định danh thử nghiệm? (points to the local sandbox): {issuer!r}"
    return None


@register(Tags.security, deploy=True)
def check_oidc_provider(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """Production signs citizens in at the real national identity provider, never at the sandbox."""
    errors: list[CheckMessage] = []
    if problem := _issuer_problem(settings.MOTCUA_OIDC_ISSUER):
        errors.append(
            Error(
                f"MOTCUA_OIDC_ISSUER {problem}.",
                hint="Đặt địa chỉ (issuer) của Cổng định danh điện tử thật, ví dụ https://… "
                "(set the issuer of the real national identity provider).",
                id="motcua.E010",
            )
        )
    if not settings.MOTCUA_OIDC_CLIENT_ID or not settings.MOTCUA_OIDC_CLIENT_SECRET:
        errors.append(
            Error(
                "MOTCUA_OIDC_CLIENT_ID / MOTCUA_OIDC_CLIENT_SECRET chưa được đặt (are not set).",
                hint="Mã ứng dụng và khóa bí mật do Cổng định danh điện tử cấp (issued by the provider).",
                id="motcua.E011",
            )
        )
    return errors
