"""The back office in the chosen language: Vietnamese by default, English throughout once chosen.

What the officials typed or the catalogue holds (names of procedures, units, steps, people) is shown as
recorded; the engine's deadline explanation is Vietnamese in both languages (docs/architecture.md).
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from motcua.backoffice.tests.conftest import client_for
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import World, dossier_at

pytestmark = pytest.mark.django_db


def _english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _page(client: Client, url: str) -> str:
    response = client.get(url, headers={"accept-language": "en"})
    assert response.status_code == 200, url
    return response.content.decode()


def test_login_page_follows_the_choice(db: None) -> None:
    html = _page(Client(), "/can-bo/dang-nhap")
    assert "Đăng nhập dành cho cán bộ" in html  # an English browser alone changes nothing
    html = _page(_english(Client()), "/can-bo/dang-nhap")
    assert "Login for officials" in html
    assert "Username" in html
    assert "Password" in html
    assert "Đăng nhập dành cho cán bộ" not in html


def test_wrong_password_message_in_english(db: None, world: World) -> None:
    client = _english(Client())
    response = client.post("/can-bo/dang-nhap", {"username": "lan", "password": "sai"})
    html = response.content.decode()
    assert "Wrong username or password" in html


def test_queue_in_english(world: World) -> None:
    dossier_at(world, "received")
    html = _page(_english(client_for(world.lan)), "/can-bo/")
    for english in ("My work", "Receive a dossier", "Log out", "Assigned to me", "All statuses", "Deadline"):
        assert english in html, english
    assert "1 dossier<" in html  # the count, singular
    for vietnamese in ("Việc của tôi", "Đăng xuất", "Tất cả trạng thái", "Hạn xử lý", "Mới đăng ký"):
        assert vietnamese not in html, vietnamese


def test_queue_in_vietnamese_by_default(world: World) -> None:
    dossier_at(world, "received")
    html = _page(client_for(world.lan), "/can-bo/")
    for vietnamese in ("Việc của tôi", "Đăng xuất", "Tất cả trạng thái", "1 hồ sơ"):
        assert vietnamese in html, vietnamese
    assert "My work" not in html


def _detail(client: Client, d: Dossier) -> str:
    return _page(client, f"/can-bo/ho-so/{d.code}/")


def test_dossier_page_in_english(world: World) -> None:
    d = dossier_at(world, "appraisal")
    html = _detail(_english(client_for(world.minh)), d)
    # Headings, labels, the actions of the registry (as buttons) and the engine's statuses.
    for english in (
        "Actions",
        "Dossier information",
        "Forward to the next step",
        "Send back to a previous step",
        "Request a supplement",
        "Processing",  # DossierState.PROCESSING
        "Processing steps",
        "Processing log",
        "Print the receipt (form 01)",
    ):
        assert english in html, english
    for vietnamese in ("Thao tác", "Chuyển bước tiếp theo", "Nhật ký xử lý", "In giấy tiếp nhận (mẫu 01)"):
        assert vietnamese not in html, vietnamese


def test_action_message_in_english(world: World) -> None:
    d = dossier_at(world, "appraisal")
    client = _english(client_for(world.minh))
    html = _detail(client, d)
    assert "Forward to the next step" in html
    response = client.post(
        f"/can-bo/ho-so/{d.code}/xu-ly/forward/", {"row_version": d.row_version, "note": ""}, follow=True
    )
    assert f"“Forward to the next step” done for dossier {d.code}." in response.content.decode()


def test_intake_form_in_english(world: World) -> None:
    html = _page(_english(client_for(world.lan)), f"/can-bo/tiep-nhan/{world.procedure.code}/")
    english_texts = (
        "Receiving office",
        "Applicant",
        "Individual",
        "In person at the counter",
        "Date of birth",
    )
    for english in english_texts:
        assert english in html, english
    for vietnamese in ("Nơi tiếp nhận", "Cá nhân", "Ngày sinh", "Tiếp nhận hồ sơ tại quầy"):
        assert vietnamese not in html, vietnamese
