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
from motcua.dossiers.tests.factories import World, dossier_at
from motcua.feedback.models import Rating
from tests.e2e.conftest import PHONE
from tests.e2e.support import Shots, in_ci, page_width

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
    """Minh forwards to Hùng, Hùng approves, Hoa signs and completes, Lan returns the result online."""
    d = Dossier.objects.get(pk=d.pk)
    d = services.dossier_forward(actor=world.minh, dossier=d, row_version=d.row_version, assignee=world.hung)
    d = services.dossier_approve(actor=world.hung, dossier=d, row_version=d.row_version)
    d = services.dossier_record_signature(
        actor=world.hoa,
        dossier=d,
        signer=world.hung,
        signature_reference="15/GP-UBND",
        row_version=d.row_version,
    )
    d = services.dossier_mark_result_ready(actor=world.hoa, dossier=d, row_version=d.row_version)
    return services.dossier_return_result(
        actor=world.lan, dossier=d, row_version=d.row_version, method="online"
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
