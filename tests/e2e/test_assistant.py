"""A citizen asks the virtual assistant on a phone — trợ lý ảo — and ends on the online submission form.

An (signed in: a session made with the test client's ``force_login``, its cookie given to the browser,
as test_portal_submission.py does; the national-identity login has its own tests) opens the
assistant's panel on the home page at 390 px, asks without diacritics "lam giay khai sinh cho con",
picks the birth registration among the procedures of the answer, asks the fee as a follow-up ("phi
bao nhieu": the answer is about the procedure in context), clicks «Nộp hồ sơ trực tuyến» and lands on
the wizard of that procedure.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings
from django.test import Client

from motcua.catalog.models import Procedure, ServiceLevel
from motcua.catalog.search import index_invalidate
from motcua.catalog.tests.factories import ProcedureFactory
from motcua.dossiers.tests.factories import World
from tests.e2e.support import Shots, in_ci, page_width

try:
    from playwright.sync_api import Page, expect
except ImportError:  # pragma: no cover - depends on the environment
    if in_ci():
        raise
    pytest.skip("e2e: thiếu gói Python `playwright` (pip install -e '.[dev]')", allow_module_level=True)

pytestmark = pytest.mark.e2e

BIRTH = "Thủ tục đăng ký khai sinh"


def test_citizen_asks_without_diacritics_follows_up_and_lands_on_the_wizard(
    e2e_world: World, new_page: Callable[..., Page], shots: Shots, live_server
) -> None:
    world = e2e_world
    procedure = world.procedure
    Procedure.objects.filter(pk=procedure.pk).update(
        name=BIRTH, service_level=ServiceLevel.FULL_ONLINE, search_text="thu tuc dang ky khai sinh ho tich"
    )
    # The neighbours that make the question ambiguous: the copy of a birth certificate is named
    # "Giấy khai sinh"; re-registration shares every other word.
    ProcedureFactory(
        code="2.000635", name="Cấp bản sao Trích lục hộ tịch, bản sao Giấy khai sinh", popularity=10**6
    )
    ProcedureFactory(code="1.004884", name="Thủ tục đăng ký lại khai sinh", popularity=2_000)
    index_invalidate()
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

    page.goto("/")
    page.get_by_role("button", name="Hỏi trợ lý ảo").click()
    question = page.get_by_label("Câu hỏi của bạn")
    expect(question).to_be_focused()  # focus moves into the panel
    question.fill("lam giay khai sinh cho con")
    question.press("Enter")
    log = page.locator("#chat-log")
    expect(log).to_contain_text("lam giay khai sinh cho con")
    expect(question).to_have_value("")
    assert page_width(page) <= 390
    shots.take(page, "1-cau-hoi")

    # The answer is about the registration, or asks which procedure: then pick it among the buttons (or
    # the "other procedures" list).
    about_birth = f"«{BIRTH}» (mã {procedure.code})"
    expect(log.locator(".chat__msg--bot")).to_have_count(2)  # the greeting and the answer
    if about_birth not in log.inner_text():
        choice = log.get_by_role("button", name=BIRTH, exact=True).last
        if not choice.is_visible():
            log.get_by_text("Thủ tục khác có thể phù hợp").last.click()
        choice.click()
    expect(log).to_contain_text(about_birth)
    shots.take(page, "2-chon-thu-tuc")

    question.fill("phi bao nhieu")
    question.press("Enter")
    expect(log).to_contain_text("50.000 đồng")  # the fee of the record, about the procedure in context
    assert page_width(page) <= 390
    shots.take(page, "3-hoi-phi")

    log.get_by_role("link", name="Nộp hồ sơ trực tuyến").last.click()
    expect(page).to_have_url(f"{live_server.url}/nop-truc-tuyen/{procedure.code}")
    expect(page.get_by_role("button", name="Bắt đầu soạn hồ sơ")).to_be_visible()
    shots.take(page, "4-nop-truc-tuyen")
