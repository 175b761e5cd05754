"""The production settings mode must pass Django's deployment checklist."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from motcua.core.checks import check_audit_seal_key, check_public_base_url

PROJECT_DIR = Path(__file__).resolve().parents[3]
# The real national identity provider (the deploy checks refuse none, or the local sandbox).
PRODUCTION_OIDC = {
    "MOTCUA_OIDC_ISSUER": "https://sso.dinhdanhdientu.gov.vn",
    "MOTCUA_OIDC_CLIENT_ID": "quangninh-dvc",
    "MOTCUA_OIDC_CLIENT_SECRET": "secret",
}
# The real payment gateways (the deploy checks refuse the sandbox bank and its credentials).
PRODUCTION_PAYMENTS = {
    "MOTCUA_VNPAY_URL": "https://pay.vnpay.vn/vpcpay.html",
    "MOTCUA_VNPAY_API_URL": "https://merchant.vnpay.vn/merchant_webapi/api/transaction",
    "MOTCUA_VNPAY_TMN_CODE": "QNINH001",
    "MOTCUA_VNPAY_HASH_SECRET": "secret",
    "MOTCUA_DVCQG_PAYMENT_URL": "https://thanhtoan.dichvucong.gov.vn",
    "MOTCUA_DVCQG_PAYMENT_CLIENT_ID": "quangninh",
    "MOTCUA_DVCQG_PAYMENT_SECRET": "secret",
}


def _run_check(extra_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY")}
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, "-m", "motcua.manage", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_production_mode_passes_check_deploy(tmp_path):
    """After the install step `collectstatic` (the real one: hashing every CSS url() it references),
    which the check requires (motcua.E060)."""
    production = {
        "MOTCUA_MODE": "production",
        "SECRET_KEY": "k7#Qm2&vRt9!pLz4@wXy8^bNc1*dFg6(hJs3)aEu5-oIr0_TqWe",
        "ALLOWED_HOSTS": "motcua.quangninh.gov.vn",
        "MOTCUA_VAR_DIR": str(tmp_path),
    }
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY")} | production
    collected = subprocess.run(
        [sys.executable, "-m", "motcua.manage", "collectstatic", "--noinput"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert collected.returncode == 0, collected.stdout + collected.stderr
    assert (tmp_path / "static" / "staticfiles.json").exists()
    result = _run_check(
        {
            "MOTCUA_MODE": "production",
            "SECRET_KEY": "k7#Qm2&vRt9!pLz4@wXy8^bNc1*dFg6(hJs3)aEu5-oIr0_TqWe",
            "ALLOWED_HOSTS": "motcua.quangninh.gov.vn",
            "MOTCUA_PUBLIC_BASE_URL": "https://dichvucong.quangninh.gov.vn",
            "MOTCUA_VAR_DIR": str(tmp_path),
            **PRODUCTION_OIDC,
            **PRODUCTION_PAYMENTS,
            "MOTCUA_AUDIT_SEAL_KEY": "0123456789abcdef0123456789abcdef0123456789abcdef",
        }
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("public_base_url", [None, "http://127.0.0.1:8000"])
def test_production_mode_requires_a_public_base_url(tmp_path, public_base_url):
    env = {
        "MOTCUA_MODE": "production",
        "SECRET_KEY": "k7#Qm2&vRt9!pLz4@wXy8^bNc1*dFg6(hJs3)aEu5-oIr0_TqWe",
        "ALLOWED_HOSTS": "motcua.quangninh.gov.vn",
        "MOTCUA_VAR_DIR": str(tmp_path),
    }
    if public_base_url is not None:
        env["MOTCUA_PUBLIC_BASE_URL"] = public_base_url
    result = _run_check(env)
    assert result.returncode != 0
    assert "motcua.E001" in result.stderr, result.stderr
    assert "MOTCUA_PUBLIC_BASE_URL" in result.stderr


@pytest.mark.slow
def test_production_mode_requires_the_real_identity_provider(tmp_path):
    result = _run_check(
        {
            "MOTCUA_MODE": "production",
            "SECRET_KEY": "k7#Qm2&vRt9!pLz4@wXy8^bNc1*dFg6(hJs3)aEu5-oIr0_TqWe",
            "ALLOWED_HOSTS": "motcua.quangninh.gov.vn",
            "MOTCUA_PUBLIC_BASE_URL": "https://dichvucong.quangninh.gov.vn",
            "MOTCUA_VAR_DIR": str(tmp_path),
            "MOTCUA_OIDC_ISSUER": "http://127.0.0.1:8010",
        }
    )
    assert result.returncode != 0
    assert "motcua.E010" in result.stderr, result.stderr
    assert "motcua.E011" in result.stderr, result.stderr


@pytest.mark.parametrize(
    "url",
    [
        "",
        "http://dichvucong.quangninh.gov.vn",
        "https://localhost:8000",
        "https://127.0.0.1",
        "https://[::1]:8443",
        "https://0.0.0.0:8000",
        "https://app.localhost",
        "https://dichvucong.quangninh.gov.vn/?x=1",
        "https://",
    ],
)
def test_public_base_url_check_refuses_addresses_citizens_cannot_open(settings, url):
    settings.MOTCUA_PUBLIC_BASE_URL = url
    [error] = check_public_base_url(None)
    assert error.id == "motcua.E001"
    assert "MOTCUA_PUBLIC_BASE_URL" in error.msg


@pytest.mark.parametrize(
    "url", ["https://dichvucong.quangninh.gov.vn", "https://motcua.example.vn/mot-cua", "https://203.0.113.7"]
)
def test_public_base_url_check_accepts_a_public_https_address(settings, url):
    settings.MOTCUA_PUBLIC_BASE_URL = url
    assert check_public_base_url(None) == []


@pytest.mark.slow
def test_production_mode_refuses_missing_secret_key(tmp_path):
    result = _run_check({"MOTCUA_MODE": "production", "MOTCUA_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
@pytest.mark.parametrize(
    ("host", "expected"), [("10.1.2.3:9000", "http://10.1.2.3:9000"), (None, "http://127.0.0.1:8000")]
)
def test_make_run_gives_the_worker_the_address_it_serves_on(host, expected):
    # `make -n` prints the recipe without running it: the worker and the server get this base URL.
    env = {k: v for k, v in os.environ.items() if k != "MOTCUA_PUBLIC_BASE_URL"}
    args = ["make", "-n", "-C", str(PROJECT_DIR), "run"] + ([f"HOST={host}"] if host else [])
    recipe = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60, check=True).stdout
    assert f"export MOTCUA_PUBLIC_BASE_URL='{expected}'" in recipe


def test_audit_seal_key_is_required_for_deploy(settings):
    settings.MOTCUA_AUDIT_SEAL_KEY = ""
    [missing] = check_audit_seal_key(None)
    assert missing.id == "motcua.E050"
    assert "chưa được đặt" in missing.msg
    settings.MOTCUA_AUDIT_SEAL_KEY = "short"
    assert "quá ngắn" in check_audit_seal_key(None)[0].msg
    settings.MOTCUA_AUDIT_SEAL_KEY = "k" * 32
    assert check_audit_seal_key(None) == []
