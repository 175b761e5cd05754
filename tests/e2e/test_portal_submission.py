"""A citizen submits a full-online procedure through the wizard on a phone — nộp hồ sơ trực tuyến.

An (citizen, signed in: a session made with the test client's ``force_login``, its cookie given to the
browser — the national-identity login has its own tests) has a document of the right type in his
data store. At 390 px, without sideways scrolling, he starts from the procedure page, finds his
identity prefilled, chooses a centre, fills the form, uploads the required document, reuses the stored
one ("Dùng lại"), reviews the fee and submits; the success page shows the dossier code.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.catalog.models import Procedure, ServiceLevel
from motcua.core.tests.upload_files import pdf_bytes
from motcua.datastore.models import DocumentReuse
from motcua.datastore.services import stored_document_upload
from motcua.dossiers.models import Dossier, DvcqgStatus
from motcua.dossiers.tests.factories import World
from tests.e2e.support import Shots, in_ci, page_width

try:
    from playwright.sync_api import Page, expect
except ImportError:  # pragma: no cover - depends on the environment
    if in_ci():
        raise
    pytest.skip("e2e: thiếu gói Python `playwright` (pip install -e '.[dev]')", allow_module_level=True)

pytestmark = pytest.mark.e2e


def test_citizen_submits_online_with_one_upload_and_one_reused_document(
    e2e_world: World, new_page: Callable[..., Page], shots: Shots, live_server, tmp_path: Path
) -> None:
    world = e2e_world
    procedure = world.procedure
    Procedure.objects.filter(pk=procedure.pk).update(service_level=ServiceLevel.FULL_ONLINE)
    optional = procedure.documents.get(required=False)
    stored_document_upload(
        owner=world.an,
        name=optional.name,
        file=SimpleUploadedFile("chung-minh.pdf", pdf_bytes(), content_type="application/pdf"),
    )
    client = Client()
    client.force_login(world.an)
    page = new_page(phone=True)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    scan = tmp_path / "don-de-nghi.pdf"
    scan.write_bytes(pdf_bytes())

    page.goto(f"/thu-tuc/{procedure.code}")
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    page.get_by_role("button", name="Bắt đầu soạn hồ sơ").click()

    # Applicant: identity prefilled and marked.
    expect(page.get_by_label("Họ và tên / Tên tổ chức")).to_have_value(world.an.full_name)
    expect(page.get_by_text("Tự động điền từ tài khoản định danh").first).to_be_visible()
    page.get_by_label("Số điện thoại").fill("0912345678")
    page.get_by_label("Thư điện tử").fill("an@example.test")
    page.get_by_label("Nơi tiếp nhận hồ sơ").select_option(label=world.centre_b.name)
    assert page_width(page) <= 390
    shots.take(page, "1-nguoi-nop")
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    # Form (the generic one: the request summary).
    page.get_by_label("Nội dung yêu cầu giải quyết").fill("Đề nghị cấp giấy phép thử nghiệm cho hộ gia đình.")
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    # Documents: upload the required one, reuse the stored one.
    required = procedure.documents.get(required=True)
    page.locator(f"#file-{required.pk}").set_input_files(str(scan))
    page.locator(f"#doc-{required.pk}").get_by_role("button", name="Tải lên", exact=True).click()
    expect(page.locator(f"#doc-{required.pk}")).to_contain_text("Đã tải lên: don-de-nghi.pdf")
    page.locator(f"#doc-{optional.pk}").get_by_role("button", name="Dùng lại").click()
    expect(page.locator(f"#doc-{optional.pk}")).to_contain_text("Dùng lại từ kho dữ liệu")
    assert page_width(page) <= 390
    shots.take(page, "2-giay-to")
    page.get_by_role("button", name="Tiếp tục: xem lại hồ sơ").click()

    # Review: everything, with the fee.
    expect(page.get_by_text("Lệ phí cấp giấy phép: 50.000")).to_be_visible()
    expect(page.get_by_text(world.centre_b.name)).to_be_visible()
    shots.take(page, "3-xem-lai")
    page.get_by_role("button", name="Nộp hồ sơ").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Đã nộp hồ sơ trực tuyến")
    code = page.locator("[data-dossier-code]").inner_text()
    dossier = Dossier.objects.get(code=code)
    assert dossier.applicant_user == world.an
    assert dossier.status == DvcqgStatus.NEW
    assert dossier.receiving_unit == world.centre_b
    assert DocumentReuse.objects.filter(dossier=dossier).count() == 1
    assert page_width(page) <= 390
    shots.take(page, "4-da-nop")
