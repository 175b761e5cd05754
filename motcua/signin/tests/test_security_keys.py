"""Security keys (django-otp-webauthn, motcua/signin/webauthn.py): who may start each ceremony, what a
refused key costs (lockout), naming and removing keys. The ceremonies themselves, with a real (virtual)
authenticator in Chromium, are in tests/e2e/test_security_key.py."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import ValidationError
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from motcua.accounts.models import Account
from motcua.signin import services
from motcua.signin.session import PENDING_KEY
from motcua.signin.tests.conftest import Office, code_now, password_post

pytestmark = pytest.mark.django_db

REG_BEGIN = "/can-bo/khoa-bao-mat/dang-ky/bat-dau"
AUTH_BEGIN = "/can-bo/khoa-bao-mat/xac-thuc/bat-dau"
AUTH_COMPLETE = "/can-bo/khoa-bao-mat/xac-thuc/hoan-tat"


@pytest.fixture(autouse=True)
def _relying_party(settings: Any) -> None:
    settings.OTP_WEBAUTHN_RP_ID = "testserver"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = ["http://testserver"]


def _authenticator(user: Account) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Ứng dụng xác thực", confirmed=True)


def _key(user: Account, *, name: str = "Khóa USB", raw_id: bytes = b"key-1") -> WebAuthnCredential:
    return WebAuthnCredential.objects.create(
        user=user, name=name, confirmed=True, credential_id=raw_id, public_key=b"\x00", sign_count=0
    )


def _post_json(client: Client, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def _verified_client(user: Account, device: TOTPDevice) -> Client:
    client = Client()
    assert password_post(client, user.get_username())["Location"] == "/can-bo/dang-nhap/xac-thuc"
    assert client.post("/can-bo/dang-nhap/xac-thuc", {"code": code_now(device)}).status_code == 302
    return client


def test_registration_needs_a_signed_in_official_past_the_second_factor(office: Office) -> None:
    anonymous = _post_json(Client(), REG_BEGIN)
    assert anonymous.status_code == 401  # not signed in: sign in first
    assert anonymous.json()["detail"] == "Phiên đăng nhập đã hết. Vui lòng đăng nhập lại."

    # Signed in without any authenticator: a key must not become the only factor.
    no_app = Client()
    no_app.force_login(office.lan)
    refused = _post_json(no_app, REG_BEGIN)
    assert refused.status_code == 403
    assert refused.json()["code"] == "authenticator_required"
    assert "ứng dụng" in refused.json()["detail"]

    # A session that did not pass the factor (another door) may not add one either.
    device = _authenticator(office.lan)
    unverified = _post_json(no_app, REG_BEGIN)
    assert unverified.status_code == 403
    assert unverified.json()["code"] == "user_not_verified"

    options = _post_json(_verified_client(office.lan, device), REG_BEGIN)
    assert options.status_code == 200
    body = options.json()
    assert body["rp"]["id"] == "testserver"
    assert body["user"]["name"] == "lan"
    assert body["challenge"]
    assert not WebAuthnCredential.objects.exists()


def test_key_sign_in_serves_only_the_pending_login(office: Office) -> None:
    _authenticator(office.lan)
    key = _key(office.lan)
    nobody = _post_json(Client(), AUTH_BEGIN)
    assert nobody.status_code == 401  # no login in progress: never a passwordless sign-in

    client = Client()
    password_post(client, "lan")
    page = client.get("/can-bo/dang-nhap/xac-thuc").content.decode()
    assert 'id="passkey-verification-placeholder"' in page
    assert "otp_webauthn_auth.js" in page
    options = _post_json(client, AUTH_BEGIN)
    assert options.status_code == 200
    allowed = [c["id"] for c in options.json()["allowCredentials"]]
    expected = base64.urlsafe_b64encode(bytes(key.credential_id)).rstrip(b"=").decode()
    assert allowed == [expected]


def test_no_key_no_key_button(office: Office) -> None:
    _authenticator(office.lan)
    client = Client()
    password_post(client, "lan")
    page = client.get("/can-bo/dang-nhap/xac-thuc").content.decode()
    assert "passkey-verification" not in page


def test_a_refused_key_counts_as_a_failed_sign_in(office: Office) -> None:
    _authenticator(office.lan)
    _key(office.lan)
    client = Client()
    password_post(client, "lan")
    for attempt in range(1, 6):
        assert _post_json(client, AUTH_BEGIN).status_code == 200
        forged = {"id": "a2V5LTE", "rawId": "a2V5LTE", "type": "public-key", "response": {}}
        refused = _post_json(client, AUTH_COMPLETE, forged)
        assert AccessAttempt.objects.get(username="lan").failures_since_start == attempt
        if attempt < 5:
            assert refused.status_code == 422
            assert refused.json()["detail"].startswith("Không xác thực được khóa bảo mật")
    # The fifth is the account's limit: locked out (django-axes' page, HTTP 429), as after five wrong
    # codes, and the pending login is gone: the password again, once the lockout ends.
    assert refused.status_code == 429
    assert PENDING_KEY not in client.session
    assert _post_json(client, AUTH_BEGIN).status_code == 401
    assert client.get("/can-bo/").status_code == 302


def test_name_and_remove_keys(office: Office) -> None:
    device = _authenticator(office.lan)
    key = _key(office.lan)
    other = _key(office.binh, raw_id=b"key-2")
    client = _verified_client(office.lan, device)
    page = client.get("/can-bo/bao-mat/khoa-bao-mat").content.decode()
    assert 'value="Khóa USB"' in page
    assert 'id="passkey-register-button"' in page

    client.post("/can-bo/bao-mat/khoa-bao-mat", {"key": key.pk, "action": "rename", "name": "  Khóa  ở nhà "})
    key.refresh_from_db()
    assert key.name == "Khóa ở nhà"
    with pytest.raises(ValidationError):
        services.security_key_rename(user=office.lan, key_id=key.pk, name=" ")
    with pytest.raises(ValidationError):
        services.security_key_rename(user=office.lan, key_id=key.pk, name="x" * 65)
    # Someone else's key: refused, unchanged.
    client.post("/can-bo/bao-mat/khoa-bao-mat", {"key": other.pk, "action": "remove"})
    client.post("/can-bo/bao-mat/khoa-bao-mat", {"key": other.pk, "action": "rename", "name": "Của tôi"})
    other.refresh_from_db()
    assert other.name == "Khóa USB"

    client.post("/can-bo/bao-mat/khoa-bao-mat", {"key": key.pk, "action": "remove"})
    assert not WebAuthnCredential.objects.filter(user=office.lan).exists()
    assert WebAuthnCredential.objects.filter(pk=other.pk).exists()


def test_turning_the_second_factor_off_removes_the_keys(office: Office, settings: Any) -> None:
    settings.MOTCUA_OFFICIAL_2FA_REQUIRED = False
    _authenticator(office.lan)
    _key(office.lan)
    services.second_factor_remove(user=office.lan)
    assert not WebAuthnCredential.objects.filter(user=office.lan).exists()


def test_a_session_verified_by_a_key_opens_the_admin(office: Office, settings: Any) -> None:
    """What the key's sign-in leaves in the session (django-otp's device id, ``session_complete``) is
    what the admin and the required-factor middleware read: ``is_verified()`` with a key is true."""
    from django_otp import DEVICE_ID_SESSION_KEY

    settings.MOTCUA_OFFICIAL_2FA_REQUIRED = True
    office.lan.is_staff = True
    office.lan.is_superuser = True
    office.lan.save(update_fields=["is_staff", "is_superuser"])
    _authenticator(office.lan)
    key = _key(office.lan)
    client = Client()
    client.force_login(office.lan)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = key.persistent_id
    session.save()
    assert client.get("/admin/").status_code == 200
