"""System checks of motcua's own settings (``motcua check``; ``--deploy`` adds the production ones)."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

# Names that only ever reach the machine itself: a link to them in an e-mail is dead for the citizen.
_LOCAL_HOSTS = {"localhost", "localhost.localdomain", "0.0.0.0", "::", "testserver"}


def _public_base_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be the public address in production (Vietnamese / English), or None."""
    if not url:
        return "chưa được đặt (is not set)"
    parts = urlsplit(url)
    if parts.scheme != "https":
        return f"phải dùng https:// (must use https://): {url!r}"
    host = (parts.hostname or "").lower()
    if not host:
        return f"thiếu tên miền (has no host): {url!r}"
    if host in _LOCAL_HOSTS or host.endswith(".localhost"):
        return f"trỏ về máy cục bộ (points to the local machine): {url!r}"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None and (address.is_loopback or address.is_unspecified):
        return f"trỏ về máy cục bộ (points to the local machine): {url!r}"
    if parts.query or parts.fragment:
        return f"không được có query hay fragment (must not have a query or fragment): {url!r}"
    return None


@register(Tags.security, deploy=True)
def check_public_base_url(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """Links in e-mails and SMS (sent by the job worker, outside any request) use this address."""
    problem = _public_base_url_problem(getattr(settings, "MOTCUA_PUBLIC_BASE_URL", ""))
    if problem is None:
        return []
    return [
        Error(
            f"MOTCUA_PUBLIC_BASE_URL {problem}. "
            "Đường dẫn trong thư gửi công dân sẽ sai (links in e-mails to citizens would be wrong).",
            hint="Đặt địa chỉ công khai của hệ thống, ví dụ https://dichvucong.quangninh.gov.vn "
            "(set the public address of the site).",
            id="motcua.E001",
        )
    ]


# As ``dossiers.sealing.MIN_KEY_LENGTH`` (core is below the engine in the layers).
_AUDIT_SEAL_MIN_KEY_LENGTH = 32


@register(Tags.security, deploy=True)
def check_audit_seal_key(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """The audit log's daily seals need a key the database administrator does not hold."""
    key = getattr(settings, "MOTCUA_AUDIT_SEAL_KEY", "")
    if len(key) >= _AUDIT_SEAL_MIN_KEY_LENGTH:
        return []
    return [
        Error(
            "MOTCUA_AUDIT_SEAL_KEY "
            + ("chưa được đặt (is not set)" if not key else "quá ngắn (is too short)")
            + ". Không niêm phong được nhật ký xử lý hồ sơ (the audit log cannot be sealed).",
            hint=f"Đặt một khóa ngẫu nhiên ít nhất {_AUDIT_SEAL_MIN_KEY_LENGTH} ký tự, giữ ngoài cơ sở "
            "dữ liệu và bản sao lưu của nó, ví dụ `python -c 'import secrets; print(secrets.token_hex(32))'` "
            "(a random key of at least 32 characters, kept away from the database and its backups).",
            id="motcua.E050",
        )
    ]
