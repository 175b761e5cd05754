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
from tests.e2e.support import in_ci, login

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
    e2e_world: World, new_page: Callable[..., Page], javascript: bool
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
    assert not Dossier.objects.exists()
