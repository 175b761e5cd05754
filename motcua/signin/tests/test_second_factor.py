"""TOTP enrolment and sign-in with real codes (computed from the secret), recovery codes, the remembered
device, the setting that makes the second factor required, and the admin behind it."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts.models import Account
from motcua.dossiers.tests.factories import vn
from motcua.signin.models import RecoveryCode, recovery_code_digest
from motcua.signin.tests.conftest import PASSWORD, Office, code_now, password_post, signed_in

pytestmark = pytest.mark.django_db
MONDAY_0900 = vn(2026, 3, 2, 9)


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(MONDAY_0900, tick=False) as traveller:
        yield traveller


def enrol(client: Client) -> tuple[TOTPDevice, list[str]]:
    """Through the enrolment page: the QR and key shown, a code typed back, the recovery codes shown."""
    page = client.get("/can-bo/bao-mat/xac-thuc-hai-buoc")
    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(confirmed=False)
    done = client.post("/can-bo/bao-mat/xac-thuc-hai-buoc", {"code": code_now(device)})
    assert done.status_code == 200
    assert "no-store" in done["Cache-Control"]
    codes = re.findall(
        r"<code>([0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4})</code>", done.content.decode()
    )
    device.refresh_from_db()
    assert device.confirmed
    return device, codes


def test_enrol_then_sign_in_with_the_app(office: Office, clock: Any) -> None:
    client = Client()
    assert password_post(client, "lan").status_code == 302  # one step before enrolling
    device, codes = enrol(client)
    assert len(codes) == len(set(codes)) == 10
    # Stored as digests only.
    stored = set(RecoveryCode.objects.values_list("digest", flat=True))
    assert stored == {recovery_code_digest(code) for code in codes}
    assert not set(codes) & stored

    client.post("/can-bo/dang-xuat")
    clock.shift(timedelta(seconds=60))
    step = password_post(client, "lan")
    assert step["Location"] == "/can-bo/dang-nhap/xac-thuc"
    assert not signed_in(client)  # the password alone opens nothing
    wrong = client.post("/can-bo/dang-nhap/xac-thuc", {"code": "000000"})
    assert "Mã xác thực không đúng" in wrong.content.decode()
    clock.shift(timedelta(seconds=60))  # django-otp throttles after a wrong code
    ok = client.post("/can-bo/dang-nhap/xac-thuc", {"code": code_now(device)})
    assert ok.status_code == 302
    assert signed_in(client)


def test_a_recovery_code_works_once(office: Office, clock: Any) -> None:
    client = Client()
    password_post(client, "lan")
    _, codes = enrol(client)
    client.post("/can-bo/dang-xuat")
    password_post(client, "lan")
    assert client.post("/can-bo/dang-nhap/xac-thuc", {"code": codes[3].upper()}).status_code == 302
    assert signed_in(client)
    client.post("/can-bo/dang-xuat")

    again = Client()
    password_post(again, "lan")
    reused = again.post("/can-bo/dang-nhap/xac-thuc", {"code": codes[3]})
    assert reused.status_code == 200
    assert not signed_in(again)


def test_a_remembered_device_lasts_until_the_end_of_the_working_day(office: Office, clock: Any) -> None:
    client = Client()
    password_post(client, "lan")
    device, _ = enrol(client)
    client.post("/can-bo/dang-xuat")
    clock.shift(timedelta(seconds=60))
    password_post(client, "lan")
    client.post("/can-bo/dang-nhap/xac-thuc", {"code": code_now(device), "remember": "on"})
    client.post("/can-bo/dang-xuat")

    clock.move_to(vn(2026, 3, 2, 16, 50))
    assert password_post(client, "lan")["Location"] == "/can-bo/"  # no code asked
    client.post("/can-bo/dang-xuat")

    clock.move_to(vn(2026, 3, 3, 8, 5))  # the next morning
    assert password_post(client, "lan")["Location"] == "/can-bo/dang-nhap/xac-thuc"

    # Another account on the same browser is not vouched for by the cookie.
    Client().force_login(office.binh)
    assert password_post(Client(), "binh")["Location"] == "/can-bo/"


def test_remembering_never_exceeds_twelve_hours_after_the_working_day(office: Office, clock: Any) -> None:
    from motcua.signin.session import remembered_until

    assert remembered_until(vn(2026, 3, 2, 9)) == vn(2026, 3, 2, 17)
    assert remembered_until(vn(2026, 3, 2, 20)) == vn(2026, 3, 3, 8)


def test_when_required_the_first_sign_in_enrols_before_any_page(
    office: Office, clock: Any, settings: Any
) -> None:
    settings.MOTCUA_OFFICIAL_2FA_REQUIRED = True
    client = Client()
    step = password_post(client, "lan")
    assert step["Location"] == "/can-bo/bao-mat/xac-thuc-hai-buoc"
    assert not signed_in(client)
    client.get("/can-bo/bao-mat/xac-thuc-hai-buoc")
    device = TOTPDevice.objects.get(user=office.lan)
    done = client.post("/can-bo/bao-mat/xac-thuc-hai-buoc", {"code": code_now(device)})
    assert "Tôi đã lưu các mã, tiếp tục" in done.content.decode()
    assert signed_in(client)


def test_when_required_a_session_without_the_second_factor_is_ended(
    office: Office, clock: Any, settings: Any
) -> None:
    settings.MOTCUA_OFFICIAL_2FA_REQUIRED = True
    client = Client()
    client.force_login(office.lan)  # any door but the sign-in: no second factor in the session
    assert not signed_in(client)


def test_the_admin_requires_the_second_factor(office: Office, clock: Any, settings: Any) -> None:
    admin_user: Account = office.admin_a
    admin_user.is_staff = True
    admin_user.save(update_fields=["is_staff"])
    settings.MOTCUA_OFFICIAL_2FA_REQUIRED = True
    client = Client()
    client.force_login(admin_user)
    assert client.get("/admin/").status_code == 302

    client.post("/can-bo/dang-nhap", {"username": "quantri.a", "password": PASSWORD, "next": "/admin/"})
    client.get("/can-bo/bao-mat/xac-thuc-hai-buoc")
    device = TOTPDevice.objects.get(user=admin_user)
    client.post("/can-bo/bao-mat/xac-thuc-hai-buoc", {"code": code_now(device)})
    assert client.get("/admin/").status_code == 200
