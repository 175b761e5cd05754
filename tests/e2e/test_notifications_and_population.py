"""The citizen's notifications on a phone, and the counter's «Tra cứu CSDL dân cư» with JavaScript.

The citizen's session is made by Django's test client (national-identity login is another page's
business) and handed to the browser as its cookie. The population lookup goes to the stand-in process.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from motcua.dossiers.tests.factories import World, dossier_at
from motcua.jobs import delivery
from motcua.jobs.models import Job
from motcua.notifications.subscribers import APPLICANT_INBOX
from tests.e2e.support import Shots, in_ci, login

try:
    from playwright.sync_api import Page, expect
except ImportError:  # pragma: no cover - depends on the environment
    if in_ci():
        raise
    pytest.skip("e2e: thiếu gói Python `playwright` (pip install -e '.[dev]')", allow_module_level=True)

pytestmark = pytest.mark.e2e


def _signed_in_as(page: Page, account: Any, base_url: str) -> None:
    client = Client()
    client.force_login(account)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])


def _inbox_link(page: Page, unread: int) -> Any:
    """The menu's "Thông báo (N)" (on a phone the menu opens first)."""
    page.get_by_role("button", name="Menu").click()
    return page.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name=f"Thông báo ({unread} chưa đọc)"
    )


def test_a_citizen_reads_and_marks_notifications_on_a_phone(
    e2e_world: World, new_page: Callable[..., Page], live_server: Any, shots: Shots
) -> None:
    received = dossier_at(e2e_world, "received")
    submitted = dossier_at(e2e_world, "submitted")
    delivery.jobs_run_due(job_ids=list(Job.objects.filter(name=APPLICANT_INBOX).values_list("pk", flat=True)))
    page = new_page(phone=True)
    _signed_in_as(page, e2e_world.an, live_server.url)
    page.goto("/thong-bao")
    expect(page.get_by_role("heading", level=1, name="Thông báo")).to_be_visible()
    expect(_inbox_link(page, 2)).to_be_visible()
    expect(page.get_by_role("link", name=f"Hồ sơ {received.code} đã được tiếp nhận")).to_be_visible()
    expect(
        page.get_by_role("link", name=f"Hồ sơ {submitted.code} đã nộp trực tuyến, chờ tiếp nhận")
    ).to_be_visible()
    # Mobile-first: no sideways scrolling at 390 px.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shots.take(page, "notifications-phone")
    page.get_by_role("button", name="Menu").click()  # closed again
    page.get_by_role("button", name=f"Đã đọc: Hồ sơ {received.code} đã được tiếp nhận").click()
    expect(_inbox_link(page, 1)).to_be_visible()
    page.get_by_role("button", name="Đánh dấu tất cả là đã đọc").click()
    expect(_inbox_link(page, 0)).to_be_visible()


def test_counter_lookup_fills_the_empty_fields_in_place(
    e2e_world: World, new_page: Callable[..., Page], standins_on: Any, shots: Shots
) -> None:
    page = new_page()
    login(page, e2e_world.lan)
    page.goto(reverse("backoffice:intake_form", args=[e2e_world.procedure.code]))
    page.get_by_label("Số định danh cá nhân (CCCD) / mã số doanh nghiệp").fill("022192004567")
    page.get_by_role("button", name="Tra cứu CSDL dân cư").click()
    name = page.get_by_label("Họ và tên / tên tổ chức", exact=False).and_(page.locator("input"))
    expect(name.first).to_have_value("Trần Thị Bình")
    expect(name.first).to_have_accessible_name("Họ và tên / tên tổ chức điền từ CSDL dân cư")
    expect(page.get_by_label("Ngày sinh", exact=False).and_(page.locator("input")).first).to_have_value(
        "1992-07-02"
    )
    expect(page.get_by_role("status").filter(has_text="Đã điền từ CSDL dân cư:")).to_contain_text("Địa chỉ")
    assert page.url.endswith(reverse("backoffice:intake_form", args=[e2e_world.procedure.code]))  # in place
    shots.take(page, "intake-population-filled")
    # Someone not in the database: the reason, and nothing filled.
    page.get_by_label("Số định danh cá nhân (CCCD) / mã số doanh nghiệp").fill("022099999999")
    page.get_by_role("button", name="Tra cứu CSDL dân cư").click()
    expect(page.get_by_role("status").filter(has_text="không có công dân")).to_be_visible()
