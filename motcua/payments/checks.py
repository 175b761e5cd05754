"""System checks of the payment gateways (``motcua check --deploy``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0", "testserver"}
# The development credentials of the sandbox bank (settings.py): never valid against a real gateway.
_SANDBOX_SECRETS = {"MOTCUASANDBOXSECRET", "motcua-dvcqg-sandbox-secret"}


def _url_problem(url: str) -> str | None:
    if not url:
        return "chưa được đặt (is not set)"
    parts = urlsplit(url)
    if parts.scheme != "https":
        return f"phải dùng https:// (must use https://): {url!r}"
    if (parts.hostname or "").lower() in _LOCAL_HOSTS:
        return f"trỏ về máy cục bộ — ngân hàng thử nghiệm? (points to the local sandbox bank): {url!r}"
    return None


@register(Tags.security, deploy=True)
def check_payment_gateways(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """Production collects fees through the real gateways, never through the sandbox bank."""
    errors: list[CheckMessage] = []
    gateways = set(settings.MOTCUA_PAYMENT_GATEWAYS)
    unknown = gateways - {"vnpay", "dvcqg"}
    if unknown:
        errors.append(
            Error(
                "MOTCUA_PAYMENT_GATEWAYS có cổng không biết (unknown gateways): "
                f"{', '.join(sorted(unknown))}.",
                hint="Chỉ dùng vnpay, dvcqg (only vnpay and dvcqg exist).",
                id="motcua.E020",
            )
        )
    if "vnpay" in gateways:
        for name in ("MOTCUA_VNPAY_URL", "MOTCUA_VNPAY_API_URL"):
            if problem := _url_problem(getattr(settings, name)):
                errors.append(Error(f"{name} {problem}.", hint="Địa chỉ do VNPAY cấp.", id="motcua.E021"))
        secret = settings.MOTCUA_VNPAY_HASH_SECRET
        if not settings.MOTCUA_VNPAY_TMN_CODE or not secret or secret in _SANDBOX_SECRETS:
            errors.append(
                Error(
                    "MOTCUA_VNPAY_TMN_CODE / MOTCUA_VNPAY_HASH_SECRET chưa được đặt hoặc là khóa thử nghiệm "
                    "(not set, or the sandbox bank's).",
                    hint="Mã website (vnp_TmnCode) và chuỗi bí mật do VNPAY cấp cho đơn vị.",
                    id="motcua.E022",
                )
            )
    if "dvcqg" in gateways:
        if problem := _url_problem(settings.MOTCUA_DVCQG_PAYMENT_URL):
            errors.append(
                Error(
                    f"MOTCUA_DVCQG_PAYMENT_URL {problem}.",
                    hint="Địa chỉ do Cổng DVCQG cấp.",
                    id="motcua.E023",
                )
            )
        secret = settings.MOTCUA_DVCQG_PAYMENT_SECRET
        if not settings.MOTCUA_DVCQG_PAYMENT_CLIENT_ID or not secret or secret in _SANDBOX_SECRETS:
            errors.append(
                Error(
                    "MOTCUA_DVCQG_PAYMENT_CLIENT_ID / MOTCUA_DVCQG_PAYMENT_SECRET chưa được đặt hoặc là khóa "
                    "thử nghiệm (not set, or the stand-in's).",
                    hint="Mã đối tác và khóa bí mật do Cổng Dịch vụ công quốc gia cấp.",
                    id="motcua.E024",
                )
            )
    return errors
