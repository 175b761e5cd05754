"""System checks of motcua's own settings (``motcua check``; ``--deploy`` adds the production ones)."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from motcua.core.staticfiles import static_manifest_problem

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


# Caches that live inside one process: rate-limit counters kept there are multiplied by the number of
# web processes (issue 15's probe: 63 lookups a minute through a limit of 30 with two workers).
_PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


@register(Tags.caches)
def check_shared_cache(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """The rate limits count in the default cache: every process must share it (``core.cache``)."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend not in _PER_PROCESS_CACHES:
        return []
    return [
        Warning(
            f"CACHES['default'] là {backend.rsplit('.', 1)[-1]}: mỗi tiến trình đếm riêng, giới hạn tần suất "
            "bị nhân lên theo số tiến trình (each process counts alone: the rate limits multiply).",
            hint="Bỏ cấu hình CACHES riêng để dùng bảng motcua_cache của cơ sở dữ liệu, hoặc đặt REDIS_URL.",
            id="motcua.W020",
        )
    ]


@register(Tags.security, deploy=True)
def check_content_security_policy(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    """Production enforces a CSP that allows no inline script and no framing (docs/architecture.md §27)."""
    policy = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
    directives = policy.get("DIRECTIVES", {})
    scripts = [str(source) for source in directives.get("script-src", directives.get("default-src", []))]
    problems = []
    if not directives:
        problems.append("chưa bật (not enforced; MOTCUA_CSP_REPORT_ONLY only reports)")
    if "'unsafe-inline'" in scripts or "'unsafe-eval'" in scripts or "*" in scripts:
        problems.append(
            f"script-src cho phép mã nội tuyến hoặc mọi nguồn (allows inline or any script): {scripts}"
        )
    if [str(s) for s in directives.get("frame-ancestors", [])] != ["'none'"] and directives:
        problems.append("frame-ancestors phải là 'none' (pages must not be framed)")
    return [
        Error(
            f"Content-Security-Policy {problem}.",
            hint="Xem CONTENT_SECURITY_POLICY trong motcua/settings.py (see the settings).",
            id="motcua.E030",
        )
        for problem in problems
    ]


@register(Tags.staticfiles, deploy=True)
def check_static_manifest(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """Production's static files are the collected, hashed ones: without them every page is unstyled."""
    problem = static_manifest_problem()
    if problem is None:
        return []
    return [
        Error(
            f"STATIC_ROOT: {problem}. Các trang hiện không có CSS, JavaScript "
            "(pages are served without their stylesheets and scripts).",
            hint="Chạy `motcua collectstatic --noinput` (make collectstatic) ở mỗi lần cài đặt, nâng cấp "
            "(run it at every install and upgrade).",
            id="motcua.E060",
        )
    ]
