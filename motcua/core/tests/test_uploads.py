"""The one upload check (core.uploads): kind from the content, images re-encoded, PDFs opened."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from motcua.core.tests import upload_files as files
from motcua.core.uploads import CheckedUpload, UploadRefused, upload_check


def _upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("don.pdf", files.HTML),
        ("anh.pdf", files.SVG),
        ("anh.svg", files.SVG),
        ("shell.pdf", files.PHP),
        ("ho-so.pdf", files.zip_bytes()),
        ("ho-so.zip", files.zip_bytes()),
        ("van-ban.docx", files.zip_bytes()),
        # A PDF header in front of a script is still not a PDF a reader can open.
        ("lai.pdf", b"%PDF-1.4\n" + files.HTML),
    ],
)
def test_content_that_is_not_a_pdf_jpeg_or_png_is_refused_naming_the_file(name: str, content: bytes) -> None:
    with pytest.raises(UploadRefused) as refused:
        upload_check(_upload(name, content))
    assert f"«{name}»" in refused.value.message


def test_html_named_pdf_says_the_content_decides() -> None:
    with pytest.raises(UploadRefused) as refused:
        upload_check(_upload("don.pdf", files.HTML))
    assert refused.value.message == (
        "Tệp «don.pdf» không phải tệp PDF, JPG hoặc PNG (hệ thống xét nội dung tệp, không xét đuôi tên tệp)."
    )


def test_corrupt_and_truncated_pdfs_are_refused() -> None:
    with pytest.raises(UploadRefused, match="bị hỏng"):
        upload_check(_upload("hong.pdf", files.CORRUPT_PDF))
    good = files.pdf_bytes(pages=2)
    with pytest.raises(UploadRefused, match="bị hỏng"):
        upload_check(_upload("cat-cut.pdf", good[: len(good) // 2]))


def test_a_pdf_with_repairable_cross_reference_offsets_is_accepted() -> None:
    """Scanner software often writes offsets a few bytes off; every viewer repairs them."""
    good = files.pdf_bytes(pages=2)
    shifted = good.replace(b"\n", b"\n%ghi chu them vao\n", 1)
    checked = upload_check(_upload("may-quet.pdf", shifted))
    assert checked.read() == shifted


def test_a_pdf_that_needs_a_password_is_refused_with_a_request_for_an_open_copy() -> None:
    with pytest.raises(UploadRefused) as refused:
        upload_check(_upload("mat-khau.pdf", files.pdf_bytes(password="bi-mat")))
    assert refused.value.message == (
        "Tệp «mat-khau.pdf» được đặt mật khẩu; vui lòng nộp bản PDF không đặt mật khẩu."
    )


def test_a_pdf_that_opens_without_a_password_is_accepted_as_sent() -> None:
    content = files.pdf_bytes(password="")  # owner restrictions only: every reader opens it
    checked = upload_check(_upload("ky-so.pdf", content))
    assert checked.read() == content


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (files.pdf_bytes(javascript="app.alert('x');"), "JavaScript"),
        (files.pdf_with_open_action(), "hành động tự chạy"),
    ],
)
def test_pdfs_with_active_content_are_refused(content: bytes, what: str) -> None:
    with pytest.raises(UploadRefused, match=what):
        upload_check(_upload("chu-dong.pdf", content))


def test_a_good_pdf_is_stored_as_sent() -> None:
    content = files.pdf_bytes(pages=3)
    checked = upload_check(_upload("don-de-nghi.pdf", content))
    assert isinstance(checked, CheckedUpload)
    assert checked.read() == content
    assert checked.name == "don-de-nghi.pdf"
    assert checked.content_type == "application/pdf"


def test_a_jpeg_is_re_encoded_without_its_exif() -> None:
    content = files.image_bytes("JPEG", exif_make="MayAnhGianDiep")
    assert Image.open(io.BytesIO(content)).getexif()  # the fixture does carry EXIF
    checked = upload_check(_upload("anh.jpg", content, "image/jpeg"))
    stored = checked.read()
    assert stored != content
    assert b"MayAnhGianDiep" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert image.size == (40, 30)
        assert not image.getexif()
        assert "exif" not in image.info


def test_the_scan_resolution_is_kept_so_pages_print_at_their_size() -> None:
    out = io.BytesIO()
    Image.new("L", (30, 40)).save(out, format="JPEG", dpi=(300, 300))
    stored = upload_check(_upload("trang.jpg", out.getvalue(), "image/jpeg")).read()
    with Image.open(io.BytesIO(stored)) as image:
        assert image.info["dpi"] == (300, 300)


def test_a_png_is_re_encoded_and_a_payload_glued_after_it_is_gone() -> None:
    polyglot = files.image_bytes("PNG") + files.PHP
    checked = upload_check(_upload("anh.png", polyglot, "image/png"))
    stored = checked.read()
    assert b"<?php" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "PNG"
        assert image.size == (40, 30)


def test_the_content_decides_the_kind_and_the_stored_name_follows_it() -> None:
    checked = upload_check(_upload("anh-chup.pdf", files.image_bytes("PNG")))
    assert checked.name == "anh-chup.png"
    assert checked.content_type == "image/png"


def test_an_image_bomb_is_refused_before_decoding() -> None:
    bomb = files.png_bomb()
    assert len(bomb) < 1024 * 1024
    with pytest.raises(UploadRefused) as refused:
        upload_check(_upload("bom.png", bomb, "image/png"))
    assert refused.value.message == "Ảnh «bom.png» quá lớn: tối đa 40 triệu điểm ảnh."


def test_the_pixel_limit_is_a_setting_and_the_message_gives_the_size(settings: Any) -> None:
    big = files.png_bomb(8000, 6000)  # 48 MP: under Pillow's own limit, over ours
    with pytest.raises(UploadRefused) as refused:
        upload_check(_upload("scan.png", big, "image/png"))
    assert refused.value.message == "Ảnh «scan.png» quá lớn (8000 × 6000 điểm ảnh): tối đa 40 triệu điểm ảnh."
    settings.MOTCUA_UPLOAD_MAX_PIXELS = 1000
    with pytest.raises(UploadRefused, match=r"\(40 × 30 điểm ảnh\): tối đa 0,001 triệu"):
        upload_check(_upload("nho.png", files.image_bytes("PNG"), "image/png"))


def test_a_truncated_image_is_refused() -> None:
    content = files.image_bytes("PNG", size=(400, 300))
    with pytest.raises(UploadRefused, match="bị hỏng"):
        upload_check(_upload("cut.png", content[: len(content) // 2], "image/png"))


def test_size_limit_and_kinds_are_settings(settings: Any) -> None:
    settings.MOTCUA_UPLOAD_MAX_BYTES = 1000
    with pytest.raises(UploadRefused) as refused:
        upload_check(_upload("to.pdf", files.pdf_bytes(pages=5) + b"\n" * 1000))
    assert refused.value.message == "Tệp «to.pdf» lớn hơn 1 KB (giới hạn mỗi tệp)."
    settings.MOTCUA_UPLOAD_MAX_BYTES = 20 * 1024 * 1024
    settings.MOTCUA_UPLOAD_TYPES = ["pdf"]
    with pytest.raises(UploadRefused, match="không phải tệp PDF "):
        upload_check(_upload("anh.png", files.image_bytes("PNG"), "image/png"))


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(UploadRefused, match="rỗng"):
        upload_check(_upload("trong.pdf", b""))


def test_upload_settings_that_contradict_each_other_stop_the_checks(settings: Any) -> None:
    from motcua.core.uploads import check_upload_settings

    assert check_upload_settings(None) == []
    settings.MOTCUA_UPLOAD_TYPES = ["pdf", "docx"]
    settings.MOTCUA_UPLOAD_MAX_REQUEST_BYTES = settings.MOTCUA_UPLOAD_MAX_BYTES - 1
    assert [e.id for e in check_upload_settings(None)] == ["motcua.E010", "motcua.E011"]


def test_a_pdf_that_is_also_a_zip_archive_is_refused() -> None:
    """A .docx (a ZIP) glued after a PDF: the PDF opens in a viewer, unzip opens the archive."""
    polyglot = files.pdf_bytes() + files.zip_bytes()
    with pytest.raises(UploadRefused, match="vừa là PDF vừa là tệp nén ZIP"):
        upload_check(SimpleUploadedFile("don.pdf", polyglot))


def test_a_pdf_that_is_also_an_html_page_is_refused() -> None:
    polyglot = files.pdf_bytes().replace(b"%%EOF", b"%%EOF\n" + files.HTML)
    with pytest.raises(UploadRefused, match="vừa là PDF vừa là trang HTML"):
        upload_check(SimpleUploadedFile("don.pdf", polyglot))


def test_a_zip_bomb_named_docx_is_refused_without_unpacking() -> None:
    with pytest.raises(UploadRefused, match="không phải tệp PDF"):
        upload_check(SimpleUploadedFile("to-khai.docx", files.zip_bytes()))
