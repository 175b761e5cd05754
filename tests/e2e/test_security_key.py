"""An official adds a security key and signs in with it (docs/architecture.md §NN) — khóa bảo mật.

Chromium's virtual authenticator (DevTools protocol ``WebAuthn.*``: a CTAP2 USB key with a resident key
and user verification) stands in for the physical key; everything else is real: the library's script
under our Content-Security-Policy (a violation fails the test), the ceremonies' JSON views, py_webauthn's
checks of the attestation and the signed assertion, the session. WebAuthn refuses IP addresses, so the
pages are opened at ``localhost`` (the live server's own port) and the relying party is ``localhost``.
"""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlsplit

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from motcua.devtools.demo_officials import DEMO_PASSWORD
from motcua.dossiers.tests.factories import World

pytestmark = pytest.mark.e2e


def _code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_official_adds_a_key_then_signs_in_with_it(
    e2e_world: World, new_page: Any, live_server: Any, settings: Any
) -> None:
    from playwright.sync_api import expect

    port = urlsplit(live_server.url).port
    site = f"http://localhost:{port}"
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [site]
    lan = e2e_world.users["lan"]
    device = cast(TOTPDevice, TOTPDevice.objects.create(user=lan, name="Ứng dụng xác thực", confirmed=True))

    page = new_page()
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )

    def password_step() -> None:
        page.goto(f"{site}/can-bo/dang-nhap")
        page.get_by_label("Tên đăng nhập").fill(lan.get_username())
        page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        expect(page.get_by_role("heading", level=1, name="Xác thực hai bước")).to_be_visible()

    # First sign-in with the authenticator app's code: there is no key yet, so none is offered.
    password_step()
    expect(page.get_by_role("button", name="Dùng khóa bảo mật")).to_have_count(0)
    page.get_by_label("Mã xác thực").fill(_code(device))
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_role("heading", level=1, name="Việc của tôi")).to_be_visible()

    # Bảo mật → Khóa bảo mật → add one (the page reloads with it listed), then name it.
    page.goto(f"{site}/can-bo/bao-mat/")
    page.get_by_role("link", name="Khóa bảo mật (0 khóa)").click()
    expect(page.get_by_text("Chưa có khóa bảo mật nào.")).to_be_visible()
    page.get_by_role("button", name="Thêm khóa bảo mật").click()
    name_field = page.get_by_label("Tên khóa")
    expect(name_field).to_be_visible()
    name_field.fill("Khóa USB ở cơ quan")
    page.get_by_role("button", name="Lưu tên").click()
    expect(page.get_by_text("Đã lưu tên khóa bảo mật.")).to_be_visible()
    expect(name_field).to_have_value("Khóa USB ở cơ quan")
    key = WebAuthnCredential.objects.get(user=lan)
    assert key.name == "Khóa USB ở cơ quan"
    assert key.last_used_at is None

    # Another day: the password, then the key instead of the code.
    page.context.clear_cookies()
    password_step()
    page.get_by_role("button", name="Dùng khóa bảo mật").click()
    expect(page.get_by_role("heading", level=1, name="Việc của tôi")).to_be_visible()
    key.refresh_from_db()
    assert key.last_used_at is not None
    # The session passed the second factor: the security page is open and lists the key.
    page.goto(f"{site}/can-bo/bao-mat/khoa-bao-mat")
    expect(page.get_by_label("Tên khóa")).to_have_value("Khóa USB ở cơ quan")
