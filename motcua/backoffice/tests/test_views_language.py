"""The back office in the chosen language: Vietnamese by default, English throughout once chosen.

What the officials typed or the catalogue holds (names of procedures, units, steps, people) is shown as
recorded; the engine's deadline explanation is Vietnamese in both languages (docs/architecture.md).
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from motcua.backoffice.tests.conftest import client_for
from motcua.backoffice.tests.test_views_intake import _without_required
from motcua.backoffice.tests.test_views_oversight import _persona
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
        "Due: 50,000 VND",  # the fee line (catalog.fees.fee_summary_display)
    ):
        assert english in html, english
    for vietnamese in (
        "Thao tác",
        "Chuyển bước tiếp theo",
        "Nhật ký xử lý",
        "In giấy tiếp nhận (mẫu 01)",
        "Phải nộp:",
    ):
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


def test_intake_notice_page_in_english(world: World) -> None:
    """Form 02 issued at the counter: the slip's page, the message and the buttons in English; what the
    officer wrote and the catalogue's document names stay as written."""
    client = _english(client_for(world.lan))
    data = _without_required(
        world, intent="guide", notice_items="Ảnh 4x6\n", notice_reason="Nộp lại tại quầy 3."
    )
    response = client.post(reverse("backoffice:intake_form", args=[world.procedure.code]), data, follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    for english in (
        "Issued: guidance to supplement and complete the dossier (form 02); the dossier was not received.",
        "<h1>Guidance to supplement and complete the dossier (form 02)</h1>",
        "The dossier was <strong>not received</strong>",
        "Issuing office",
        "Items to supplement or complete",
        "Notes",
        "Print the notice (form 02, PDF)",
        "Receive another dossier for this procedure",
    ):
        assert english in html, english
    for vietnamese in ("Đã lập", "không được tiếp nhận", "Nơi lập phiếu", "In phiếu", "Ghi chú"):
        assert vietnamese not in html, vietnamese
    for data_text in ("Đơn đề nghị (mẫu 01)", "Ảnh 4x6", "Nộp lại tại quầy 3."):
        assert data_text in html, data_text

    refusal = client.post(
        reverse("backoffice:intake_form", args=[world.procedure.code]),
        _without_required(world, intent="refuse", notice_reason="Không thuộc thẩm quyền."),
        follow=True,
    ).content.decode()
    for english in ("Refusal to receive the dossier (form 03)", "Reason for refusal", "(form 03, PDF)"):
        assert english in refusal, english


def test_intake_form_fee_and_notice_section_in_english(world: World) -> None:
    html = _page(_english(client_for(world.lan)), f"/can-bo/tiep-nhan/{world.procedure.code}/")
    for english in (
        "Other documents received (one per line)",
        "Due: 50,000 VND",  # the fee line, in English words and numbers
        "Dossier incomplete or not eligible for receipt",
        "Issue a guidance notice (form 02)",
        "Refuse the dossier (form 03)",
        "Reason for refusing the dossier / guidance notes",
    ):
        assert english in html, english
    for vietnamese in ("Phải nộp:", "Giấy tờ khác đã nhận", "Lập phiếu hướng dẫn", "Từ chối tiếp nhận"):
        assert vietnamese not in html, vietnamese


def test_queue_tabs_and_search_in_english(world: World) -> None:
    dossier_at(world, "received")
    client = _english(client_for(world.lan))
    for tab in ("toi", "cho-nhan", "don-vi", "tat-ca"):
        html = _page(client, f"/can-bo/?tab={tab}")
        for english in (
            "Assigned to me",
            "Shared pool",
            "My units",
            "All dossiers",
            "Find a dossier",
            "Dossier code, applicant name, ID number / tax code",
            "Searches every dossier of your units, closed ones included",
        ):
            assert english in html, (tab, english)
        for vietnamese in ("Chờ nhận", "Tất cả hồ sơ", "Tìm hồ sơ", "Mã hồ sơ, tên người nộp", "kể cả hồ sơ"):
            assert vietnamese not in html, (tab, vietnamese)
    html = _page(client, "/can-bo/?tab=tat-ca")
    assert "Among all dossiers of your units, closed ones included; newest first." in html


def test_overseer_pages_in_english(world: World) -> None:
    """A report viewer: the unit tabs and the search by code only; the 403 on a dossier says why."""
    d = dossier_at(world, "appraisal")
    client = _english(client_for(_persona(world, "baocao")))
    html = _page(client, "/can-bo/?tab=don-vi")
    assert "Searches by dossier code (whole or its beginning)" in html
    assert 'placeholder="Dossier code"' in html
    assert "Personal data is not shown for your role" in html
    unit = _page(client, f"/can-bo/don-vi/?unit={world.commune_a.pk}")
    assert "Personal data is not shown for your role" in unit
    forbidden = client.get(reverse("backoffice:dossier_detail", args=[d.code]))
    assert forbidden.status_code == 403
    text = forbidden.content.decode()
    assert "may see figures and dossier lists only" in text
    assert "không được xem nội dung hồ sơ" not in text
