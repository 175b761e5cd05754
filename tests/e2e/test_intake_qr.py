"""Counter intake: a QR scanner (a keyboard to the browser) types the chip ID card's QR and Enter.

With JavaScript the fields fill in place (static/backoffice/id-card-qr.js); without it, Enter presses
the form's first button, «Đọc mã QR», and the server fills them. Either way they are marked
"điền từ mã QR" in their label, which is what a screen reader announces with the field.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse

from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import World
from tests.e2e.support import Shots, in_ci, login

try:
    from playwright.sync_api import Page, expect
except ImportError:  # pragma: no cover - depends on the environment
    if in_ci():
        raise
    pytest.skip("e2e: thiếu gói Python `playwright` (pip install -e '.[dev]')", allow_module_level=True)

pytestmark = pytest.mark.e2e

ADDRESS = "Tổ 5, khu 3, phường Hồng Gai, tỉnh Quảng Ninh"
CARD = f"022190004567|100200300|Phạm Thị Hương|17051990|Nữ|{ADDRESS}|10052021"
FILLED = {
    "Họ và tên / tên tổ chức": "Phạm Thị Hương",
    "Số định danh cá nhân (CCCD) / mã số doanh nghiệp": "022190004567",
    "Ngày sinh": "1990-05-17",
    "Địa chỉ": ADDRESS,
}


def _scan(page: Page, world: World) -> None:
    login(page, world.lan)
    page.goto(reverse("backoffice:intake_form", args=[world.procedure.code]))
    page.get_by_label("Quét mã QR CCCD").click()
    page.keyboard.type(CARD)  # key by key, as the scanner does
    page.keyboard.press("Enter")


@pytest.mark.parametrize("javascript", [True, False], ids=["script", "no-script"])
def test_scanning_the_card_fills_and_marks_the_applicant_fields(
    e2e_world: World, new_page: Callable[..., Page], shots: Shots, javascript: bool
) -> None:
    page = new_page(javascript=javascript)
    _scan(page, e2e_world)
    for label, value in FILLED.items():
        field = page.get_by_label(label, exact=False).and_(page.locator("input"))
        expect(field.first).to_have_value(value)
        expect(field.first).to_have_accessible_name(f"{label} điền từ mã QR")
    expect(page.get_by_label("Số điện thoại", exact=True)).to_have_value("")
    # The script fills in place and keeps the text (the server checks it again on posting); the
    # server's page comes back with the field empty for the next card.
    expect(page.get_by_label("Quét mã QR CCCD")).to_have_value(CARD if javascript else "")
    expect(page.get_by_role("status").filter(has_text="Đã điền từ mã QR:")).to_contain_text("Ngày sinh")
    shots.take(page, "intake-qr-filled")
    assert not Dossier.objects.exists()


def test_for_an_organisation_the_card_fills_the_representative(
    e2e_world: World, new_page: Callable[..., Page]
) -> None:
    page = new_page()
    login(page, e2e_world.lan)
    page.goto(reverse("backoffice:intake_form", args=[e2e_world.procedure.code]))
    page.get_by_role("radio", name="Tổ chức, doanh nghiệp").check()
    page.get_by_label("Quét mã QR CCCD").click()
    page.keyboard.type(CARD)
    page.keyboard.press("Enter")
    representative = page.get_by_label("Họ tên người được ủy quyền")
    expect(representative).to_be_visible()  # the folded section opened
    expect(representative).to_have_value("Phạm Thị Hương")
    expect(page.get_by_label("Số CCCD người được ủy quyền")).to_have_value("022190004567")
    expect(page.get_by_label("Họ và tên / tên tổ chức")).to_have_value("")
    # An edited field is the officer's: its mark goes.
    representative.fill("Phạm Thị Hường")
    expect(representative).to_have_accessible_name("Họ tên người được ủy quyền")
