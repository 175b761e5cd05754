"""Hồ sơ của tôi in a real browser on a phone (390 px) — kiểm thử đầu cuối trang của công dân.

Citizen An (signed in: a session created in the test database, its cookie given to the browser — the
national-identity login itself is another helper's test) finds the supplement request on "Hồ sơ của
tôi", uploads the missing paper, and, once the officials have finished (through the engine's services:
the back office's part has its own browser test), rates the returned dossier. A second citizen who
opens An's dossier URL gets the not-found page. No page scrolls sideways.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from motcua.accounts.tests.factories import AccountFactory
from motcua.core.tests.upload_files import pdf_bytes
from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierState, DvcqgStatus
from motcua.dossiers.tests.factories import RESULT_PDF, World, dossier_at, result_pdf
from motcua.feedback.models import Rating
from tests.e2e.conftest import PHONE
from tests.e2e.support import Shots, in_ci, login, menu, page_width

try:
    from playwright.sync_api import Page, expect
except ImportError:  # pragma: no cover - depends on the environment
    if in_ci():
        raise
    pytest.skip("e2e: thiếu gói Python `playwright` (pip install -e '.[dev]')", allow_module_level=True)

pytestmark = pytest.mark.e2e

REQUESTED = "Bản sao giấy khai sinh"


def sign_in(page: Page, user: Any, live_server: Any) -> None:
    """Give the browser the session cookie of ``user`` (a session stored in the test database)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )


def officials_finish(world: World, d: Dossier) -> Dossier:
    """Minh forwards to Hùng, Hùng approves, Hoa signs and completes, Lan returns the result."""
    d = Dossier.objects.get(pk=d.pk)
    d = services.dossier_forward(actor=world.minh, dossier=d, row_version=d.row_version, assignee=world.hung)
    d = services.dossier_approve(actor=world.hung, dossier=d, row_version=d.row_version)
    d = services.dossier_record_signature(
        actor=world.hoa,
        dossier=d,
        signer=world.hung,
        signature_reference="15/GP-UBND",
        row_version=d.row_version,
        result_file=result_pdf("15-GP-UBND.pdf"),
    )
    d = services.dossier_mark_result_ready(actor=world.hoa, dossier=d, row_version=d.row_version)
    return services.dossier_return_result(
        actor=world.lan, dossier=d, row_version=d.row_version, method="counter"
    )


def test_citizen_answers_a_supplement_then_rates_and_a_second_citizen_gets_not_found(
    e2e_world: World, new_page: Callable[..., Page], live_server: Any, shots: Shots, tmp_path: Path
):
    world = e2e_world
    d = dossier_at(world, "supplement")
    scan = tmp_path / "giay-khai-sinh.pdf"
    scan.write_bytes(pdf_bytes())

    page = new_page(phone=True)
    sign_in(page, world.an, live_server)
    page.goto("/")
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Hồ sơ của tôi").click()
    expect(page.get_by_role("heading", level=1, name="Hồ sơ của tôi")).to_be_visible()
    row = page.get_by_role("listitem").filter(has_text=d.code)
    expect(row).to_contain_text("Yêu cầu bổ sung giấy tờ")
    expect(row).to_contain_text("Tạm dừng")
    assert page_width(page) <= PHONE["width"]
    shots.take(page, "01-ho-so-cua-toi")

    row.get_by_role("link", name=d.procedure.name).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(d.code)
    supplement = page.get_by_role("region", name="Giấy tờ cần bổ sung")
    expect(supplement).to_contain_text(REQUESTED)
    assert page_width(page) <= PHONE["width"]
    shots.take(page, "02-yeu-cau-bo-sung")
    supplement.get_by_label(f"Tệp: {REQUESTED}").set_input_files(str(scan))
    supplement.get_by_role("button", name="Nộp hồ sơ bổ sung").click()
    expect(page.get_by_role("status").first).to_contain_text("Đã nộp hồ sơ bổ sung")
    expect(page.get_by_role("region", name="Giấy tờ cần bổ sung")).to_have_count(0)
    d.refresh_from_db()
    assert d.state == DossierState.PROCESSING
    shots.take(page, "03-da-bo-sung")

    officials_finish(world, d)
    page.reload()
    expect(page.locator(".track__status")).to_contain_text("Đã trả kết quả")
    # The signed result, downloaded by the applicant with their session (issue 10 item 9).
    result = page.get_by_role("region", name="Kết quả giải quyết").get_by_role(
        "link", name="Tải kết quả (PDF)"
    )
    expect(result).to_be_visible()
    href = result.get_attribute("href")
    assert href
    download = page.request.get(href)
    assert download.ok, download.status
    assert download.headers["cache-control"] == "private, no-store"
    assert download.body() == RESULT_PDF
    rating = page.get_by_role("region", name="Đánh giá mức độ hài lòng")
    rating.get_by_label("Rất hài lòng").check()
    rating.get_by_label("Ý kiến (không bắt buộc)").fill("Nhanh, không phải đi lại")
    rating.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.get_by_role("status").first).to_contain_text("Cảm ơn bạn đã đánh giá")
    expect(page.get_by_role("region", name="Đánh giá mức độ hài lòng")).to_contain_text("Rất hài lòng")
    assert page_width(page) <= PHONE["width"]
    shots.take(page, "04-danh-gia")
    assert Rating.objects.get(dossier=d).level == "rat_hai_long"
    assert Dossier.objects.get(pk=d.pk).status == DvcqgStatus.RETURNED

    other = new_page(phone=True)
    sign_in(other, AccountFactory.create(citizen=True, full_name="Trần Thị Bích"), live_server)
    response = other.goto(f"/ho-so-cua-toi/{d.code}")
    assert response is not None
    assert response.status == 404
    expect(other.get_by_role("heading", level=1)).to_have_text("Không tìm thấy trang")
    expect(other.locator("body")).not_to_contain_text(d.applicant_name)
    shots.take(other, "05-cong-dan-khac")


def test_citizen_sends_feedback_an_official_answers_it_and_the_citizen_reads_the_answer(
    e2e_world: World, new_page: Callable[..., Page], live_server: Any, shots: Shots
):
    world = e2e_world
    d = dossier_at(world, "appraisal")

    citizen = new_page(phone=True)
    sign_in(citizen, world.an, live_server)
    citizen.goto(f"/ho-so-cua-toi/{d.code}")
    pakn = citizen.get_by_role("region", name="Phản ánh, kiến nghị")
    pakn.get_by_label("Loại").select_option(label="Kiến nghị")
    pakn.get_by_label("Nội dung phản ánh, kiến nghị").fill("Đề nghị gửi kết quả qua bưu điện")
    pakn.get_by_role("button", name="Gửi phản ánh, kiến nghị").click()
    expect(citizen.get_by_role("status").first).to_contain_text("Đã gửi phản ánh, kiến nghị")
    expect(citizen.get_by_role("region", name="Phản ánh, kiến nghị")).to_contain_text("Chờ trả lời")
    assert page_width(citizen) <= PHONE["width"]

    official = new_page()
    login(official, world.minh)
    menu(official, "Phản ánh, kiến nghị").click()
    item = official.get_by_role("article").filter(has_text="Đề nghị gửi kết quả qua bưu điện")
    expect(item).to_contain_text(d.code)
    item.get_by_label("Nội dung trả lời").fill("Đồng ý, kết quả sẽ được gửi qua bưu chính công ích")
    item.get_by_role("button", name="Gửi trả lời").click()
    done = f"Đã trả lời phản ánh, kiến nghị về hồ sơ {d.code}"
    expect(official.get_by_role("status").first).to_contain_text(done)
    expect(official.get_by_role("article").first).to_contain_text("Đã trả lời bởi Trần Văn Minh")
    shots.take(official, "01-can-bo-tra-loi")

    citizen.reload()
    answer = citizen.get_by_role("region", name="Phản ánh, kiến nghị")
    expect(answer).to_contain_text("Đồng ý, kết quả sẽ được gửi qua bưu chính công ích")
    expect(answer).not_to_contain_text("Trần Văn Minh")
    shots.take(citizen, "02-cong-dan-doc-tra-loi")
