"""The chat panel on public pages, /tro-ly-ao with and without JavaScript, the kiosk, click-through."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.assistant.models import Conversation, QuestionLog
from motcua.assistant.views import COOKIE

pytestmark = pytest.mark.django_db


def test_panel_on_public_pages_not_in_back_office(client: Client, catalogue) -> None:
    html = client.get("/").content.decode()
    assert "data-chat-toggle" in html
    assert 'href="/tro-ly-ao"' in html  # without JavaScript the button is a link to the page
    assert 'aria-live="polite"' in html
    assert '<label for="chat-input"' in html
    assert "data-chat-toggle" not in client.get("/can-bo/").content.decode()


def test_page_without_javascript_posts_and_redirects(client: Client, catalogue) -> None:
    assert client.get("/tro-ly-ao").status_code == 200
    response = client.post("/tro-ly-ao/tin-nhan", {"message": "dang ky khai sinh"})
    assert response.status_code == 302
    assert response["Location"].startswith("/tro-ly-ao")
    cid = response.cookies[COOKIE].value
    assert Conversation.objects.filter(pk=cid).exists()
    page = client.get("/tro-ly-ao").content.decode()
    assert "dang ky khai sinh" in page
    assert "1.001193" in page
    assert "Nộp hồ sơ trực tuyến" in page
    follow = client.post("/tro-ly-ao/tin-nhan", {"message": "phí bao nhiêu"})
    assert follow.status_code == 302
    assert "8.000 đồng" in client.get("/tro-ly-ao").content.decode()


def test_htmx_gets_the_exchange_fragment(client: Client, catalogue) -> None:
    response = client.post("/tro-ly-ao/tin-nhan", {"message": "đăng ký kết hôn"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert "đăng ký kết hôn" in html
    assert "1.000894" in html
    empty = client.post("/tro-ly-ao/tin-nhan", {"message": ""}, HTTP_HX_REQUEST="true")
    assert empty.status_code == 400
    assert "Vui lòng nhập câu hỏi" in empty.content.decode()


def test_clear(client: Client, catalogue) -> None:
    client.post("/tro-ly-ao/tin-nhan", {"message": "đăng ký kết hôn"})
    assert Conversation.objects.count() == 1
    response = client.post("/tro-ly-ao/xoa")
    assert response.status_code == 302
    assert not Conversation.objects.exists()


def test_open_link_records_the_procedure_chosen(client: Client, catalogue) -> None:
    client.post("/tro-ly-ao/tin-nhan", {"message": "thời tiết ngày mai thế nào"})
    cid = client.cookies[COOKIE].value
    log = QuestionLog.objects.get()
    response = client.get(f"/tro-ly-ao/mo/1.001193?c={cid}")
    assert response.status_code == 302
    assert response["Location"] == "/thu-tuc/1.001193/"
    log.refresh_from_db()
    assert log.chosen_code == "1.001193"
    assert log.chosen_count == 1


def test_kiosk(client: Client, catalogue) -> None:
    page = client.get("/kiosk/")
    assert page.status_code == 200
    html = page.content.decode()
    for label in ("Tìm thủ tục", "Tra cứu hồ sơ", "Hỏi trợ lý ảo"):
        assert label in html
    assert "data-chat-toggle" not in html  # the chat is on the screen itself
    response = client.post("/kiosk/tin-nhan", {"message": "đăng ký khai sinh"})
    assert response.status_code == 302
    assert response["Location"].startswith("/kiosk/")
    assert "1.001193" in client.get("/kiosk/").content.decode()
    client.post("/kiosk/xoa")
    assert not Conversation.objects.exists()
