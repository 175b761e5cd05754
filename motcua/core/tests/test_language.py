"""The display language: Vietnamese whatever the browser says, English only when the user chose it."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

from motcua.catalog.search import index_invalidate
from motcua.catalog.tests.factories import detailed_procedure

pytestmark = pytest.mark.django_db

ENGLISH_BROWSER = {"accept-language": "en-GB,en;q=0.9"}


@pytest.fixture(autouse=True)
def _fresh_index():
    index_invalidate()
    yield
    index_invalidate()


def _choose(client: Client, language: str, next_url: str = "/") -> None:
    response = client.post("/i18n/setlang/", {"language": language, "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == next_url


def test_an_english_browser_gets_vietnamese(client):
    response = client.get("/", headers=ENGLISH_BROWSER)
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert "Bỏ qua, đến nội dung chính" in html
    assert "Skip to main content" not in html
    assert response["Content-Language"] == "vi"
    # Caches must not key the page on a header that no longer changes it, but on the cookie that does.
    vary = {part.strip() for part in response["Vary"].split(",")}
    assert "Cookie" in vary
    assert "Accept-Language" not in vary


def test_an_english_browser_gets_vietnamese_plurals_and_units(client):
    detailed_procedure(processing_time_amount=1)
    html = client.get("/thu-tuc/1.999001/", headers=ENGLISH_BROWSER).content.decode()
    assert "1 ngày làm việc" in html
    assert "working day" not in html


def test_choosing_english_gives_english_header_and_plurals(client):
    detailed_procedure(processing_time_amount=1)
    _choose(client, "en", "/thu-tuc/1.999001/")
    response = client.get("/thu-tuc/1.999001/")
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert response["Content-Language"] == "en"
    assert "Skip to main content" in html
    assert "Bỏ qua, đến nội dung chính" not in html
    assert "1 working day<" in html or "1 working day " in html
    assert "1 working days" not in html
    assert "0.5 working days" in html  # the last step's budget: a fraction takes the plural, English dot
    assert "50,000 VND" in html
    assert "1 ngày làm việc" not in html  # the procedure's own wording ("03 ngày làm việc kể từ…") stays


def test_the_choice_outlives_the_browser_session(client):
    _choose(client, "en")
    cookie = client.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en"
    assert int(cookie["max-age"]) >= 30 * 24 * 60 * 60
    assert cookie["samesite"] == "Lax"


def test_switching_back_to_vietnamese(client):
    _choose(client, "en")
    assert "Home" in client.get("/").content.decode()
    _choose(client, "vi")
    html = client.get("/").content.decode()
    assert "Trang chủ" in html
    assert "Skip to main content" not in html


def test_an_unknown_language_in_the_cookie_is_vietnamese(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    html = client.get("/", headers={"accept-language": "fr"}).content.decode()
    assert '<html lang="vi">' in html


def test_the_switch_is_on_public_pages_and_in_the_back_office(client):
    """Each button's accessible name ("EN — English") contains its visible text (WCAG 2.5.3)."""
    for url in ("/", "/tra-cuu", "/can-bo/dang-nhap"):
        html = client.get(url).content.decode()
        assert 'action="/i18n/setlang/"' in html, url
        # A labelled group of buttons, the current one marked for screen readers.
        assert 'role="group" aria-labelledby="lang-label"' in html, url
        hidden = '<span class="visually-hidden">'
        assert f'value="vi" lang="vi" aria-pressed="true">VI{hidden} — Tiếng Việt' in html, url
        assert f'value="en" lang="en" aria-pressed="false">EN{hidden} — English' in html, url


def test_the_admin_stays_vietnamese_when_english_was_chosen(admin_client):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = admin_client.get("/admin/org/unit/", headers=ENGLISH_BROWSER)
    html = response.content.decode()
    assert "<title>Chọn đơn vị để thay đổi" in html
    assert "Select đơn vị" not in html
    assert response["Content-Language"] == "vi"


def test_the_api_answers_in_vietnamese_when_english_was_chosen(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/api/v1/procedures/khong-co-thu-tuc-nay", headers=ENGLISH_BROWSER)
    assert response.status_code == 404
    assert response["Content-Language"] == "vi"


def _fails(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("lỗi thử")


urlpatterns = [path("loi-thu", _fails)]


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(
    ("language", "heading"), [("vi", "Hệ thống đang gặp sự cố"), ("en", "The system is having a problem")]
)
def test_the_server_error_page_speaks_the_chosen_language(client, language, heading):
    client.raise_request_exception = False
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/loi-thu", headers=ENGLISH_BROWSER)
    assert response.status_code == 500
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert heading in html
