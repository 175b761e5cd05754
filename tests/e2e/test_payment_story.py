"""A citizen pays a fee in a real browser — thanh toán lệ phí trực tuyến, end to end.

An logs in through the sandbox identity provider, finds his dossier waiting for a fee (status 6) in
«Hồ sơ của tôi», chooses VNPAY, pays on the sandbox bank's own page (the stand-in process), comes
back to the return page, which says «đang chờ xác nhận» until the bank's IPN reaches the live
server, then shows the receipt. The dossier has left status 6; the receipt is a PDF.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierState
from motcua.dossiers.services import ApplicantData
from motcua.dossiers.tests.factories import World, dossier_advance, dossier_receive_at_counter
from motcua.payments.models import Receipt
from tests.e2e.support import Shots, in_ci
from tests.e2e.test_citizen_story import AN, citizen_login, live_idp, open_my_dossiers, story_world
from tests.sandbox_idp import demo_identities

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - depends on the environment
    if in_ci():
        raise
    pytest.skip("e2e: thiếu gói Python `playwright` (pip install -e '.[dev]')", allow_module_level=True)

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.e2e
__all__ = ["live_idp", "story_world"]  # fixtures shared with the citizen's story


def test_an_pays_the_fee_at_the_sandbox_bank_and_gets_the_receipt(
    story_world: World,
    payment_gateways_on: Any,
    live_server: Any,
    new_page: Callable[..., Page],
    shots: Shots,
) -> None:
    world = story_world
    payment_gateways_on.set_ipn_url("vnpay", f"{live_server.url}/thanh-toan/ipn/vnpay")
    an = demo_identities()[AN]
    d = dossier_receive_at_counter(
        world,
        applicant=ApplicantData(
            name=str(an["full_name"]),
            id_number=AN,
            phone=str(an["phone"]),
            email="",
            address=str(an["permanent_address"]),
        ),
        applicant_user=None,
    )
    d = dossier_advance(world, d, to="appraisal")
    d = services.dossier_request_payment(
        actor=world.minh,
        dossier=d,
        row_version=d.row_version,
        fees=[services.FeeData("Lệ phí cấp giấy chứng nhận", 100_000)],
        reason="Nộp lệ phí trước khi cấp",
    )

    page = new_page(phone=True)
    citizen_login(page, AN)
    open_my_dossiers(page)
    row = page.get_by_role("listitem").filter(has_text=d.code)
    row.get_by_role("link", name="Thanh toán lệ phí").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thanh toán lệ phí")
    expect(page.locator("[data-payable]")).to_have_text("150.000 đồng")
    shots.take(page, "an-thanh-toan")
    page.get_by_role("button", name="Thanh toán lệ phí").click()

    # The sandbox bank's own page.
    expect(page.get_by_text("THỬ NGHIỆM").first).to_be_visible()
    shots.take(page, "ngan-hang-thu-nghiem")
    page.get_by_role("button", name="Thanh toán", exact=True).click()

    # Back on our site: confirmed once the IPN has arrived (the page refreshes itself meanwhile).
    expect(page.locator('[data-payment-state="paid"]')).to_be_visible(timeout=30_000)
    link = page.get_by_role("link", name="Biên lai điện tử")
    expect(link).to_contain_text("QN-26E")
    shots.take(page, "an-da-thanh-toan")
    href = link.get_attribute("href")
    assert href
    pdf = page.request.get(href)
    assert pdf.status == 200
    assert pdf.body().startswith(b"%PDF")

    assert Dossier.objects.get(pk=d.pk).state == DossierState.PROCESSING
    assert Receipt.objects.filter(payment__dossier=d).count() == 1
