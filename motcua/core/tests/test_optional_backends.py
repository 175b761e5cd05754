"""The system starts with each documented optional backend configured (README, Configuration).

Each case starts real processes — ``motcua check`` and a request through Django's test client in a
fresh interpreter — with the environment an operator would set. Redis (127.0.0.1:6379) and PostgreSQL
(localhost:5432, user postgres) run locally and in CI; without them here the case is skipped, in CI
(``CI`` set) it fails.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from motcua.jobs.tests.worker_process import database_url

REDIS_URL = os.environ.get("MOTCUA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
POSTGRES_URL = os.environ.get("MOTCUA_TEST_POSTGRES_URL", "postgres://postgres@localhost:5432/postgres")
SECRET_KEY = "k7#Qm2&vRt9!pLz4@wXy8^bNc1*dFg6(hJs3)aEu5-oIr0_TqWe"

# Started in a fresh interpreter: one request (database), and a cache round trip (shared cache).
REQUEST_SCRIPT = """
import django
django.setup()
from django.core.cache import caches
from django.test import Client
from django.conf import settings
response = Client().get("/healthz", secure=settings.PRODUCTION)
assert response.status_code == 200, (response.status_code, response.content)
cache = caches["default"]
cache.set("motcua-start-check", 1, timeout=30)
assert cache.get("motcua-start-check") == 1
print(type(cache).__name__, settings.DATABASES["default"]["ENGINE"])
"""


def _require_service(url: str, default_port: int) -> None:
    parts = urlsplit(url)
    try:
        socket.create_connection(
            (parts.hostname or "localhost", parts.port or default_port), timeout=2
        ).close()
    except OSError:
        if os.environ.get("CI"):
            pytest.fail(f"{url} is not reachable (CI provides it)")
        pytest.skip(f"{url} is not reachable here")


def _env(tmp_path: Path, extra: dict[str, str]) -> dict[str, str]:
    # Only what the operator sets: none of this suite's own configuration leaks in.
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("MOTCUA_", "DATABASE_", "REDIS_", "DJANGO_"))
    }
    env.update({"DJANGO_SETTINGS_MODULE": "motcua.settings", "MOTCUA_VAR_DIR": str(tmp_path / "var")})
    env.update(extra)
    return env


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, timeout=120)


def _start(env: dict[str, str], *check_args: str) -> str:
    check = _run(env, "-m", "motcua.manage", "check", "--fail-level", "WARNING", *check_args)
    assert check.returncode == 0, check.stdout + check.stderr
    request = _run(env, "-c", REQUEST_SCRIPT)
    assert request.returncode == 0, request.stdout + request.stderr
    return request.stdout


@pytest.mark.slow
def test_starts_with_redis_cache(tmp_path):
    _require_service(REDIS_URL, 6379)
    out = _start(_env(tmp_path, {"REDIS_URL": REDIS_URL}))
    assert out.startswith("RedisCache"), out


@pytest.mark.slow
def test_starts_with_postgresql(tmp_path):
    _require_service(POSTGRES_URL, 5432)
    env = _env(tmp_path, {"DATABASE_URL": POSTGRES_URL})
    # The shared cache is a table (core.cache): `migrate` makes it; this database is not migrated.
    made = _run(env, "-m", "motcua.manage", "createcachetable")
    assert made.returncode == 0, made.stderr
    out = _start(env)
    assert out.split() == ["SharedDatabaseCache", "django.db.backends.postgresql"], out


@pytest.mark.slow
def test_starts_in_production_with_every_optional_setting(tmp_path):
    """Production mode, PostgreSQL, Redis and every other setting of README's table set to a non-default."""
    _require_service(REDIS_URL, 6379)
    _require_service(POSTGRES_URL, 5432)
    env = _env(
        tmp_path,
        {
            "MOTCUA_MODE": "production",
            "SECRET_KEY": SECRET_KEY,
            "ALLOWED_HOSTS": "testserver,motcua.quangninh.gov.vn",
            "CSRF_TRUSTED_ORIGINS": "https://motcua.quangninh.gov.vn",
            "DEBUG": "0",
            "DATABASE_URL": POSTGRES_URL,
            "DATABASE_PREPARED_STATEMENTS": "0",
            "DATABASE_CONN_MAX_AGE": "30",
            "REDIS_URL": REDIS_URL,
            "MOTCUA_AGENCY_SUFFIX": "H49",
            "MEDIA_ROOT": str(tmp_path / "media"),
            "MOTCUA_DATA_DIR": str(Path(settings.MOTCUA_DATA_DIR)),
            "MOTCUA_TRUSTED_PROXY_COUNT": "1",
            "MOTCUA_JOBS_WORKERS": "3",
            "MOTCUA_JOBS_TIMEOUT_SECONDS": "60",
            "MOTCUA_JOBS_LEASE_SECONDS": "90",
            "MOTCUA_JOBS_POLL_MS": "500",
            "MOTCUA_JOBS_MAX_ATTEMPTS": "5",
            "MOTCUA_JOBS_BACKOFF_BASE_SECONDS": "10",
            "MOTCUA_JOBS_BACKOFF_MAX_SECONDS": "600",
            "MOTCUA_JOBS_BATCH_SIZE": "20",
            "MOTCUA_PUBLIC_BASE_URL": "https://motcua.quangninh.gov.vn",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "smtp.quangninh.gov.vn",
            "EMAIL_PORT": "587",
            "EMAIL_HOST_USER": "motcua",
            "EMAIL_HOST_PASSWORD": "secret",
            "EMAIL_USE_TLS": "1",
            "DEFAULT_FROM_EMAIL": "Một cửa <khong-tra-loi@quangninh.gov.vn>",
            "LOG_LEVEL": "WARNING",
            # National-identity login (README "Citizen login"): the real provider's settings.
            "MOTCUA_OIDC_ISSUER": "https://sso.dinhdanhdientu.gov.vn",
            "MOTCUA_OIDC_CLIENT_ID": "quangninh-dvc",
            "MOTCUA_OIDC_CLIENT_SECRET": "secret",
            "MOTCUA_OIDC_SCOPES": "openid vneid profile",
            "MOTCUA_OIDC_CLAIMS": "personal_id=cccd,full_name=ho_ten",
            "MOTCUA_OIDC_REDIRECT_URI": "https://motcua.quangninh.gov.vn/dang-nhap/vneid/callback",
            "MOTCUA_OIDC_POST_LOGOUT_REDIRECT_URI": "https://motcua.quangninh.gov.vn/",
            "MOTCUA_OIDC_TIMEOUT": "5",
            "MOTCUA_PORTAL_SESSION_IDLE_SECONDS": "900",
            "MOTCUA_PORTAL_SESSION_MAX_SECONDS": "14400",
            "MOTCUA_PORTAL_LOGIN_RATE_LIMIT": "60",
            # Online payment (README): the real gateways' addresses and credentials.
            "MOTCUA_VNPAY_URL": "https://pay.vnpay.vn/vpcpay.html",
            "MOTCUA_VNPAY_API_URL": "https://merchant.vnpay.vn/merchant_webapi/api/transaction",
            "MOTCUA_VNPAY_TMN_CODE": "QNINH001",
            "MOTCUA_VNPAY_HASH_SECRET": "secret",
            "MOTCUA_DVCQG_PAYMENT_URL": "https://thanhtoan.dichvucong.gov.vn",
            "MOTCUA_DVCQG_PAYMENT_CLIENT_ID": "quangninh",
            "MOTCUA_DVCQG_PAYMENT_SECRET": "secret",
            # Audit seals (README): the HMAC key kept outside the database.
            "MOTCUA_AUDIT_SEAL_KEY": "0123456789abcdef0123456789abcdef0123456789abcdef",
        },
    )
    # The install step production needs before it serves (README; deploy check motcua.E060).
    collected = _run(env, "-m", "motcua.manage", "collectstatic", "--noinput")
    assert collected.returncode == 0, collected.stdout + collected.stderr
    out = _start(env, "--deploy")
    assert out.split() == ["RedisCache", "django.db.backends.postgresql"], out


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)  # the subprocesses look dossiers up in this test database
def test_tracking_rate_limit_is_shared_by_processes_with_redis(tmp_path):
    _require_service(REDIS_URL, 6379)
    env = _env(tmp_path, {"REDIS_URL": REDIS_URL, "DATABASE_URL": database_url()})
    ip = f"2001:db8::{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}"  # own counters for this run
    # 3 lookups per ten-year window instead of 30 a minute: the fixed windows are aligned on the epoch,
    # so both processes fall in the same one (a window boundary is decades away).
    script = """
import sys, django
django.setup()
from django.conf import settings
from django.test import Client
settings.MOTCUA_TRACKING_RATE_LIMITS = {"LOOKUPS": (3, 10 * 365 * 86400)}
client = Client(REMOTE_ADDR=sys.argv[1])
print(" ".join(str(client.get("/api/v1/public/dossiers/000.22.07.H49-251122-0007").status_code)
               for _ in range(int(sys.argv[2]))))
"""
    # One process uses the client's lookups up…
    first = _run(env, "-c", script, ip, "3")
    assert first.returncode == 0, first.stderr
    assert set(first.stdout.split()) == {"404"}, first.stdout
    # …and another process (another gunicorn worker) sees it used up.
    second = _run(env, "-c", script, ip, "1")
    assert second.returncode == 0, second.stderr
    assert second.stdout.split() == ["429"], second.stdout + second.stderr


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)  # the subprocess reads this test database
def test_redis_down_degrades_tracking_and_fails_healthz(tmp_path):
    """``REDIS_URL`` set and Redis not answering (nothing listens on port 1): the system starts, public
    tracking still answers (its rate limit fails open), and ``/healthz`` says the cache is down."""
    env = _env(tmp_path, {"REDIS_URL": "redis://127.0.0.1:1/0", "DATABASE_URL": database_url()})
    script = """
import django
django.setup()
from django.test import Client
client = Client()
health = client.get("/healthz")
print(health.status_code, health.json()["cache"], health.json()["database"])
print(client.get("/api/v1/public/dossiers/000.22.07.H49-251122-0007").status_code)
print(client.get("/tra-cuu/000.22.07.H49-251122-0007").status_code)
"""
    check = _run(env, "-m", "motcua.manage", "check", "--fail-level", "WARNING")
    assert check.returncode == 0, check.stdout + check.stderr
    result = _run(env, "-c", script)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["503", "unavailable", "ok", "404", "404"], result.stdout + result.stderr
    assert "Cache unavailable" in result.stderr  # logged once for each family of limits:
    assert result.stderr.count("Cache unavailable") == 2  # the edge limits of the API, and tracking's
