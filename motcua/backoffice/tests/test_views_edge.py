"""The back office and the public pages at the edge (``core.middleware``): a form body over the limits is
a Vietnamese 413 page (never a traceback) and creates nothing; control characters in a URL are a
Vietnamese 400 page; a NUL in a form field is a field error in Vietnamese.

Run them on PostgreSQL too (``DATABASE_URL=postgres://…``): it refuses NUL in text, so a control
character reaching a query was a 500 there.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from motcua.backoffice.tests.conftest import client_for
from motcua.backoffice.tests.test_views_intake import _form_url, _valid
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import World

pytestmark = pytest.mark.django_db

CSRF = "a" * 32  # a valid CSRF secret: the check runs (and reads the form body) as for a browser


def _browser(world: World, settings: Any) -> Client:
    """An official's browser: logged in, with the CSRF cookie and the check enforced."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.lan)
    client.cookies[settings.CSRF_COOKIE_NAME] = CSRF
    return client


def _assert_too_large_page(response: Any) -> None:
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert "Nội dung gửi lên quá lớn (tối đa 2,5 MB" in html
    assert "Không có thông tin nào được lưu" in html
    assert "Traceback" not in html


@pytest.mark.parametrize("debug", [False, True])
def test_intake_form_over_the_limit_is_a_vietnamese_413_page(
    world: World, settings: Any, debug: bool
) -> None:
    """Multipart (the intake form has files): a 3 MB text field is found by the CSRF check's parse."""
    settings.DEBUG = debug
    data = _valid(world, summary="x" * 3_000_000, csrfmiddlewaretoken=CSRF)
    _assert_too_large_page(_browser(world, settings).post(_form_url(world), data))
    assert not Dossier.objects.exists()


def test_urlencoded_form_over_the_limit_is_a_413_page(world: World, settings: Any) -> None:
    response = _browser(world, settings).post(
        _form_url(world),
        f"csrfmiddlewaretoken={CSRF}&summary=" + "x" * 3_000_000,
        content_type="application/x-www-form-urlencoded",
    )
    _assert_too_large_page(response)
    assert not Dossier.objects.exists()


def test_too_many_fields_is_a_413_page(world: World, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 30
    data = _valid(world, csrfmiddlewaretoken=CSRF, **{f"extra_{i}": "x" for i in range(40)})
    response = _browser(world, settings).post(_form_url(world), data)
    assert response.status_code == 413
    assert "quá nhiều trường" in response.content.decode()
    assert not Dossier.objects.exists()


def test_public_tracking_form_over_the_limit_is_a_413_page(client: Client) -> None:
    response = client.post("/tra-cuu", {"ma": "x" * 3_000_000})
    _assert_too_large_page(response)


def test_the_limits_are_settings(world: World, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    data = _valid(world, summary="x" * 1_100_000, csrfmiddlewaretoken=CSRF)
    response = _browser(world, settings).post(_form_url(world), data)
    assert response.status_code == 413
    assert "tối đa 1 MB" in response.content.decode()


def test_a_form_under_the_limit_still_works(world: World, settings: Any) -> None:
    data = _valid(world, csrfmiddlewaretoken=CSRF)
    response = _browser(world, settings).post(_form_url(world), data)
    assert response.status_code == 302
    assert Dossier.objects.count() == 1


def test_upload_size_limit_is_a_setting(world: World, settings: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MOTCUA_UPLOAD_MAX_BYTES = 1024 * 1024
    docs = list(world.procedure.documents.order_by("order"))
    scan = SimpleUploadedFile("to.pdf", b"%PDF-1.4 " + b"x" * (1024 * 1024), "application/pdf")
    response = client_for(world.lan).post(_form_url(world), _valid(world, **{f"doc_{docs[1].pk}_file": scan}))
    assert response.status_code == 400
    assert "Tệp «to.pdf» lớn hơn 1 MB." in response.content.decode()
    assert not Dossier.objects.exists()


# -- control characters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/tra-cuu/abc%00",
        "/tra-cuu?ma=abc%00",
        "/thu-tuc/x%00/",
        "/thu-tuc/?q=a%00",
        "/can-bo/ho-so/x%00/",
        "/can-bo/?q=a%01",
        "/can-bo/tiep-nhan/x%00/",
        "/can-bo/ho-so/x%0A/bieu-mau/01.pdf",
        "/admin/dossiers/dossier/?q=a%00",
        "/khong-co%00",
    ],
)
def test_control_characters_in_a_url_are_a_vietnamese_400_page(world: World, path: str) -> None:
    response = client_for(world.lan).get(path)
    assert response.status_code == 400, response.content[:300]
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert "Địa chỉ (URL) chứa ký tự điều khiển không hợp lệ." in html


def test_nul_in_a_form_field_is_a_vietnamese_field_error(world: World) -> None:
    response = client_for(world.lan).post(
        _form_url(world), _valid(world, applicant_name="Phạm\x00 Thị Hương")
    )
    assert response.status_code == 400
    assert "Không được chứa ký tự điều khiển (ví dụ ký tự NUL)." in response.content.decode()
    assert not Dossier.objects.exists()


def test_nul_in_the_login_form_is_refused_without_a_server_error(world: World) -> None:
    response = Client().post(reverse("backoffice:login"), {"username": "lan\x00", "password": "x"})
    assert response.status_code in (200, 400)
    assert "Không được chứa ký tự điều khiển" in response.content.decode()
