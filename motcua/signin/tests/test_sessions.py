"""Officials' sessions: idle timeout, sign out everywhere, the password policy on a change."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from motcua.dossiers.tests.factories import vn
from motcua.signin.tests.conftest import PASSWORD, Office, password_post, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(vn(2026, 3, 2, 9), tick=False) as traveller:
        yield traveller


def test_an_idle_session_ends_and_activity_keeps_it(office: Office, clock: Any) -> None:
    client = Client()
    password_post(client, "lan")
    for _ in range(3):  # 3 × 20 min of activity: more than the idle limit in all, never idle that long
        clock.shift(timedelta(minutes=20))
        assert signed_in(client)
    clock.shift(timedelta(minutes=31))
    assert not signed_in(client)
    assert "Phiên làm việc đã kết thúc do không hoạt động" in client.get("/can-bo/dang-nhap").content.decode()


def test_sign_out_everywhere_ends_the_other_sessions_only(office: Office, clock: Any) -> None:
    office_pc, phone = Client(), Client()
    password_post(office_pc, "lan")
    password_post(phone, "lan")
    assert signed_in(phone)
    office_pc.post("/can-bo/bao-mat/dang-xuat-moi-noi")
    assert signed_in(office_pc)
    assert not signed_in(phone)


def test_a_new_password_must_pass_the_policy_and_ends_the_other_sessions(office: Office, clock: Any) -> None:
    here, elsewhere = Client(), Client()
    password_post(here, "lan")
    password_post(elsewhere, "lan")
    for weak in ("ngan-qua", "123456789012", "password1234"):
        page = here.post(
            "/can-bo/bao-mat/",
            {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak},
        )
        assert page.status_code == 200, weak
        assert 'class="field-error"' in page.content.decode(), weak
    strong = "Ha-Long-bay-2026-ke-hoach"
    done = here.post(
        "/can-bo/bao-mat/", {"old_password": PASSWORD, "new_password1": strong, "new_password2": strong}
    )
    assert done.status_code == 302
    assert signed_in(here)
    assert not signed_in(elsewhere)
    assert password_post(Client(), "lan", strong).status_code == 302
