"""The language switch on a phone (390 × 844), in a real browser whose language is English.

The browser's language changes nothing (Vietnamese pages); the EN button switches the public pages and
the back office to English, the choice is kept from page to page, VI switches back; the header never
scrolls sideways.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from tests.e2e.conftest import PHONE
from tests.e2e.support import Shots, in_ci, page_width

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - depends on the environment
    if in_ci():
        raise
    pytest.skip("e2e: thiếu gói Python `playwright` (pip install -e '.[dev]')", allow_module_level=True)

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.e2e


@pytest.fixture
def english_phone(new_page: Callable[..., Page], transactional_db: None) -> Page:
    return new_page(phone=True, locale="en-US")  # Accept-Language: en-US


def _fits(page: Page) -> None:
    assert page_width(page) <= PHONE["width"]
    for value in ("vi", "en"):
        button = page.locator(f'form.lang-switch button[value="{value}"]')
        expect(button).to_be_visible()
        box = button.bounding_box()
        assert box is not None
        assert box["x"] >= 0, box
        assert box["x"] + box["width"] <= PHONE["width"], box


def test_english_browser_gets_vietnamese_until_english_is_chosen(english_phone: Page, shots: Shots) -> None:
    page = english_phone
    page.goto("/tra-cuu")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("navigation", name="Điều hướng chính")).to_be_attached()
    _fits(page)
    shots.take(page, "english-browser-vietnamese-page")

    english = page.locator('form.lang-switch button[value="en"]')
    expect(english).to_have_attribute("aria-pressed", "false")
    english.click()
    page.wait_for_url("**/tra-cuu")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("navigation", name="Main navigation")).to_be_attached()
    expect(page.locator('form.lang-switch button[value="en"]')).to_have_attribute("aria-pressed", "true")
    _fits(page)
    shots.take(page, "english-chosen")

    # The choice follows the user into the back office.
    page.goto("/can-bo/dang-nhap")
    expect(page.get_by_role("heading", name="Login for officials")).to_be_visible()
    _fits(page)
    shots.take(page, "back-office-login-english")

    page.locator('form.lang-switch button[value="vi"]').click()
    page.wait_for_url("**/can-bo/dang-nhap")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", name="Đăng nhập dành cho cán bộ")).to_be_visible()
    _fits(page)
