"""The 403 pages outside the API: Vietnamese (English only where chosen, never in the admin), one look."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

from motcua.urls import urlpatterns as project_urlpatterns

pytestmark = pytest.mark.django_db

ENGLISH_BROWSER = {"accept-language": "en-GB,en;q=0.9"}


def _denied(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


urlpatterns = [path("khong-duoc-phep", _denied), *project_urlpatterns]


def _staff_without_permissions() -> Client:
    # Like a province admin opening a model the admin does not grant to them (e.g. /admin/dossiers/dossier/).
    user = get_user_model().objects.create_user(username="quantri.thu", password="x", is_staff=True)
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("chosen", ["vi", "en"])
def test_the_admin_refusal_is_vietnamese(chosen: str) -> None:
    client = _staff_without_permissions()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = chosen
    response = client.get("/admin/dossiers/dossier/", headers=ENGLISH_BROWSER)
    assert response.status_code == 403
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert "Không có quyền truy cập" in html
    assert "Bạn không có quyền truy cập trang này." in html
    assert 'href="/admin/"' in html  # back to what the account may see
    assert "Forbidden" not in html


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(
    ("chosen", "heading", "reason"),
    [
        ("vi", "Không có quyền truy cập", "Bạn không có quyền truy cập trang này."),
        ("en", "Access denied", "You do not have access to this page."),
    ],
)
def test_a_refusal_elsewhere_follows_the_chosen_language(chosen: str, heading: str, reason: str) -> None:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = chosen
    response = client.get("/khong-duoc-phep", headers=ENGLISH_BROWSER)
    assert response.status_code == 403
    html = response.content.decode()
    assert f'<html lang="{chosen}">' in html
    assert heading in html
    assert reason in html
    assert 'href="/admin/"' not in html


@pytest.mark.parametrize(
    ("chosen", "text"),
    [("vi", "Biểu mẫu đã hết hạn"), ("en", "The form has expired")],
)
def test_a_form_without_its_csrf_token_is_refused_in_words_people_read(chosen: str, text: str) -> None:
    client = Client(enforce_csrf_checks=True)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = chosen
    response = client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    assert response.status_code == 403
    html = response.content.decode()
    assert text in html
    assert "CSRF verification failed" not in html
