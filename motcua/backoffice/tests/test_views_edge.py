"""The back office and the public pages at the edge (``core.middleware``): a form body over the limits is
a Vietnamese 413 page (never a traceback) and creates nothing; control characters in a URL are a
Vietnamese 400 page; a NUL in a form field is a field error in Vietnamese.

Run them on PostgreSQL too (``DATABASE_URL=postgres://…``): it refuses NUL in text, so a control
character reaching a query was a 500 there.
"""

from __future__ import annotations

from html import escape as html_escape
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from motcua.backoffice.tests.conftest import client_for
from motcua.backoffice.tests.test_views_intake import _form_url, _valid
from motcua.core.tests import upload_files
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
    """A file over the limit is stopped while it arrives (core.uploads): a 413 page naming it."""
    settings.MOTCUA_UPLOAD_MAX_BYTES = 1024 * 1024
    docs = list(world.procedure.documents.order_by("order"))
    scan = SimpleUploadedFile("to.pdf", b"%PDF-1.4 " + b"x" * (1024 * 1024), "application/pdf")
    response = client_for(world.lan).post(_form_url(world), _valid(world, **{f"doc_{docs[1].pk}_file": scan}))
    assert response.status_code == 413
    assert "Tệp «to.pdf» lớn hơn 1 MB (giới hạn mỗi tệp)." in response.content.decode()
    assert not Dossier.objects.exists()
    assert _stored_files(settings) == []


# -- uploaded scans (core.uploads) ---------------------------------------------------------------------


def _stored_files(settings: Any) -> list[Path]:
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("don.pdf", upload_files.HTML, "Tệp «don.pdf» không phải tệp PDF, JPG hoặc PNG"),
        ("anh.pdf", upload_files.SVG, "Tệp «anh.pdf» không phải tệp PDF, JPG hoặc PNG"),
        ("shell.pdf", upload_files.PHP, "Tệp «shell.pdf» không phải tệp PDF, JPG hoặc PNG"),
        ("ho-so.pdf", upload_files.zip_bytes(), "Tệp «ho-so.pdf» không phải tệp PDF, JPG hoặc PNG"),
        ("hong.pdf", upload_files.CORRUPT_PDF, "Tệp «hong.pdf» bị hỏng hoặc không phải tệp PDF hợp lệ."),
        ("bom.png", upload_files.png_bomb(), "Ảnh «bom.png» quá lớn: tối đa 40 triệu điểm ảnh."),
        ("khoa.pdf", upload_files.pdf_bytes(password="123"), "Tệp «khoa.pdf» được đặt mật khẩu"),
    ],
    ids=["html", "svg", "php", "zip", "corrupt-pdf", "image-bomb", "encrypted-pdf"],
)
def test_a_bad_scan_is_a_form_error_beside_its_field_and_nothing_is_stored(
    world: World, settings: Any, name: str, content: bytes, message: str
) -> None:
    docs = list(world.procedure.documents.order_by("order"))
    scan = SimpleUploadedFile(name, content, "application/pdf")
    response = client_for(world.lan).post(_form_url(world), _valid(world, **{f"doc_{docs[1].pk}_file": scan}))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Hồ sơ chưa được tiếp nhận" in html
    assert html_escape(message) in html
    assert not Dossier.objects.exists()
    assert _stored_files(settings) == []


def test_a_photo_named_pdf_is_accepted_and_stored_re_encoded(world: World, settings: Any) -> None:
    docs = list(world.procedure.documents.order_by("order"))
    photo = upload_files.image_bytes("JPEG", exif_make="MayAnhGianDiep")
    scan = SimpleUploadedFile("chup-cmnd.pdf", photo, "application/pdf")
    response = client_for(world.lan).post(_form_url(world), _valid(world, **{f"doc_{docs[1].pk}_file": scan}))
    assert response.status_code == 302, response.content.decode()[:2000]
    component = Dossier.objects.get().components.get(catalog_document=docs[1])
    assert component.file.name.endswith(".jpg")
    stored = component.file.read()
    assert stored != photo
    assert b"MayAnhGianDiep" not in stored
    assert len(_stored_files(settings)) == 1


def test_the_file_inputs_offer_the_accepted_kinds(world: World) -> None:
    html = client_for(world.lan).get(_form_url(world)).content.decode()
    assert 'accept=".jpeg,.pdf,application/pdf,.jpg,image/jpeg,.png,image/png"' in html


# -- control characters in form fields ----------------------------------------------------------------


@pytest.mark.parametrize("character", ["\x07", "\x1b", "\x0b", "\x08", "\x1f"])
def test_control_characters_in_a_form_field_are_a_field_error(world: World, character: str) -> None:
    response = client_for(world.lan).post(
        _form_url(world), _valid(world, applicant_address=f"Tổ 3{character}, khu 5")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Không được chứa ký tự điều khiển (chỉ cho phép xuống dòng và tab)." in html
    assert not Dossier.objects.exists()


def test_tab_and_new_lines_are_kept_in_a_multi_line_field(world: World) -> None:
    response = client_for(world.lan).post(
        _form_url(world), _valid(world, summary="Đề nghị cấp giấy phép\r\n\t- bản chính\r\n\t- bản sao")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Dossier.objects.get().summary.startswith("Đề nghị cấp giấy phép")


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
