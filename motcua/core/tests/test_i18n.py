"""English is a real UI language: the compiled catalogue in motcua/locale is used by the public pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from motcua.catalog.search import index_invalidate

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = ["/", "/tra-cuu", "/thu-tuc/?q=khai+sinh"]

# (Vietnamese source, English translation) pairs from base.html's header/nav.
NAV = [
    ("Bỏ qua, đến nội dung chính", "Skip to main content"),
    ("Trang chủ", "Home"),
    ("Tra cứu hồ sơ", "Track a dossier"),
    ("Điều hướng chính", "Main navigation"),
]
# The procedure search box (home page and /thu-tuc/).
SEARCH_BOX = [
    ("Tìm kiếm", "Search"),
    ("Ví dụ: đăng ký khai sinh, tạm trú, 1.004194", "E.g. birth registration, temporary residence, 1.004194"),
]


@pytest.fixture(autouse=True)
def _fresh_index():
    index_invalidate()
    yield
    index_invalidate()


def _get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_compiled_english_catalogue_is_shipped():
    locale_dir = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
    assert (locale_dir / "django.po").is_file()
    assert (locale_dir / "django.mo").is_file()


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_vietnamese_is_the_default(client, url):
    html = _get(client, url)
    assert '<html lang="vi">' in html
    for vietnamese, english in NAV:
        assert vietnamese in html
        assert english not in html


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_english_via_language_cookie(client, url):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = _get(client, url)
    assert '<html lang="en">' in html
    for vietnamese, english in NAV:
        assert english in html
        assert vietnamese not in html


@pytest.mark.parametrize("url", ["/", "/thu-tuc/?q=khai+sinh"])
def test_search_box_in_english(client, url):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = _get(client, url)
    for vietnamese, english in SEARCH_BOX:
        assert english in html
        assert vietnamese not in html


def test_english_via_accept_language(client):
    html = client.get("/", headers={"accept-language": "en-GB,en;q=0.9"}).content.decode()
    assert '<html lang="en">' in html
    assert "Skip to main content" in html
    assert "Bỏ qua, đến nội dung chính" not in html


def test_tracking_form_in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = _get(client, "/tra-cuu")
    assert "Dossier code" in html
    assert "Mã hồ sơ" not in html


def test_set_language_switches_to_english_and_back(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/tra-cuu"})
    assert response.status_code == 302
    assert response["Location"] == "/tra-cuu"
    html = _get(client, "/tra-cuu")
    assert "Track a dossier" in html
    assert "Tra cứu hồ sơ" not in html

    client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    html = _get(client, "/")
    assert "Trang chủ" in html
    assert "Skip to main content" not in html
