"""The probe's attack (50 wrong passwords, then the right one) fails on the back office and the admin;
lockout per account and per address; no user enumeration; the audited unlock by a unit admin."""

from __future__ import annotations

import re

import pytest
from axes.models import AccessAttempt
from django.test import Client

from motcua.signin.models import LockoutRelease
from motcua.signin.tests.conftest import PASSWORD, Office, password_post, signed_in

pytestmark = pytest.mark.django_db
LOCKED = "Đăng nhập tạm thời bị khóa do nhập sai nhiều lần"


def test_fifty_wrong_passwords_then_the_right_one_does_not_sign_in(office: Office) -> None:
    client = Client()
    for attempt in range(50):
        response = password_post(client, "lan", f"sai-{attempt}")
        assert response.status_code in (200, 429)
    right = password_post(client, "lan")
    assert right.status_code == 429
    assert LOCKED in right.content.decode()
    assert not signed_in(client)
    # Refused before hashing: the failures stopped being counted one by one after the limit.
    assert AccessAttempt.objects.filter(username="lan").count() == 1


def test_the_admin_login_is_the_same_door_with_the_same_lockout(office: Office) -> None:
    office.admin_a.is_staff = True
    office.admin_a.save(update_fields=["is_staff"])
    client = Client()
    door = client.get("/admin/login/?next=/admin/")
    assert door.status_code == 302
    assert door["Location"].startswith("/can-bo/dang-nhap?next=/admin/")
    # Django's own admin form (password only) is never reached, even by a POST.
    assert client.post("/admin/login/", {"username": "quantri.a", "password": PASSWORD}).status_code == 302
    assert client.get("/admin/").status_code == 302
    for attempt in range(50):
        password_post(client, "quantri.a", f"sai-{attempt}")
    assert password_post(client, "quantri.a").status_code == 429
    assert client.get("/admin/").status_code == 302


def test_an_address_is_locked_across_usernames_and_others_are_not(office: Office, settings) -> None:
    settings.MOTCUA_LOGIN_IP_FAILURE_LIMIT = 8
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for attempt in range(8):
        # A different login each time: no account reaches its own limit (5).
        password_post(attacker, f"doan-{attempt}", "sai")
    refused = password_post(attacker, "binh")
    assert refused.status_code == 429
    assert not signed_in(attacker)
    colleague = Client(REMOTE_ADDR="198.51.100.7")
    assert password_post(colleague, "binh").status_code == 302
    assert signed_in(colleague)


def test_the_refusal_reads_the_same_for_an_unknown_login(office: Office) -> None:
    pages: list[list[str]] = []
    for username in ("lan", "khong-ton-tai"):
        client = Client(REMOTE_ADDR=f"192.0.2.{len(pages) + 1}")
        first = password_post(client, username, "sai").content.decode()
        assert "Tên đăng nhập hoặc mật khẩu không đúng" in first
        for _ in range(5):
            response = password_post(client, username, "sai")
        assert response.status_code == 429
        pages.append(re.findall(r'role="alert"><p>(.*?)</p>', response.content.decode()))
    assert pages[0] == pages[1]
    assert LOCKED in pages[0][0]


def test_a_unit_admin_unlocks_an_official_of_their_unit_and_it_is_recorded(office: Office) -> None:
    for _ in range(5):
        password_post(Client(), "lan", "sai")
    assert password_post(Client(), "lan").status_code == 429

    outsider = Client()
    outsider.force_login(office.admin_b)
    assert ">lan<" not in outsider.get("/can-bo/bao-mat/khoa-dang-nhap").content.decode()
    outsider.post("/can-bo/bao-mat/khoa-dang-nhap", {"username": "lan"})
    assert not LockoutRelease.objects.exists()
    assert password_post(Client(), "lan").status_code == 429

    admin = Client()
    admin.force_login(office.admin_a)
    page = admin.get("/can-bo/bao-mat/khoa-dang-nhap").content.decode()
    assert ">lan<" in page
    done = admin.post("/can-bo/bao-mat/khoa-dang-nhap", {"username": "lan"}, follow=True)
    assert "Đã mở khóa đăng nhập cho lan" in done.content.decode()
    release = LockoutRelease.objects.get()
    assert (release.released_by, release.username, release.attempts_cleared) == (office.admin_a, "lan", 1)
    assert password_post(Client(), "lan").status_code == 302


def test_only_a_province_admin_releases_an_address(office: Office) -> None:
    admin = Client()
    admin.force_login(office.admin_a)
    admin.post("/can-bo/bao-mat/khoa-dang-nhap", {"ip_address": "203.0.113.9"})
    assert not LockoutRelease.objects.exists()


def test_officials_without_an_admin_role_do_not_see_the_unlock_page(office: Office) -> None:
    client = Client()
    client.force_login(office.lan)
    assert client.get("/can-bo/bao-mat/khoa-dang-nhap").status_code == 403
