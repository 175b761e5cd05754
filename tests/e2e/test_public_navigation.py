"""The public site's navigation on a phone (390 × 844), in a real browser — điều hướng trên điện thoại.

At 390 px the header must not scroll sideways; every link of the main navigation is reachable (behind
the menu button when JavaScript runs, wrapped on several lines when it does not); the API
documentation is linked from the footer, not from the citizens' navigation, and renders offline.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

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
    from playwright.sync_api import Locator, Page

pytestmark = pytest.mark.e2e

NAV_LINKS = ["Trang chủ", "Thủ tục hành chính", "Tra cứu hồ sơ", "Cán bộ"]


@pytest.fixture
def phone_page(new_page: Callable[..., Page], transactional_db: None) -> Callable[..., Page]:
    """``phone_page(javascript=True)``: a page in a fresh 390 × 844 phone context on the live server."""
    return lambda *, javascript=True: new_page(phone=True, javascript=javascript)


def assert_on_screen(link: Locator) -> None:
    """Visible and wholly within the phone's width (not scrolled away inside an overflowing bar)."""
    expect(link).to_be_visible()
    box = link.bounding_box()
    assert box is not None
    assert box["x"] >= 0, box
    assert box["x"] + box["width"] <= PHONE["width"], box


def test_phone_navigation_fits_and_opens_from_the_menu_button(
    phone_page: Callable[..., Page], shots: Shots
) -> None:
    page = phone_page()
    page.goto("/")
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    assert page_width(page) <= PHONE["width"]
    shots.take(page, "home-phone-menu-closed")

    toggle = nav.get_by_role("button", name="Menu")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(nav.get_by_role("link", name="Tra cứu hồ sơ")).to_be_hidden()

    # Keyboard: focus the button, open it with Enter.
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    for name in NAV_LINKS:
        assert_on_screen(nav.get_by_role("link", name=name, exact=True))
    assert page_width(page) <= PHONE["width"]
    shots.take(page, "home-phone-menu-open")

    # Escape closes it and gives the focus back to the button.
    nav.get_by_role("link", name="Cán bộ").focus()
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_be_focused()
    expect(nav.get_by_role("link", name="Cán bộ")).to_be_hidden()

    # The links lead where they say.
    toggle.click()
    nav.get_by_role("link", name="Tra cứu hồ sơ").click()
    page.wait_for_url("**/tra-cuu")
    assert page_width(page) <= PHONE["width"]


def test_phone_navigation_without_javascript_shows_every_link_without_sideways_scroll(
    phone_page: Callable[..., Page], shots: Shots
) -> None:
    page = phone_page(javascript=False)
    page.goto("/")
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    expect(nav.get_by_role("button", name="Menu")).to_be_hidden()  # useless without its script
    for name in NAV_LINKS:
        assert_on_screen(nav.get_by_role("link", name=name, exact=True))
    assert page_width(page) <= PHONE["width"]
    shots.take(page, "home-phone-no-javascript")


def test_api_documentation_is_linked_from_the_footer_and_renders_without_outside_requests(
    phone_page: Callable[..., Page], shots: Shots, live_server: Any
) -> None:
    page = phone_page()
    outside: list[str] = []
    own_host = urlparse(live_server.url).netloc
    page.on(
        "request",
        lambda request: (
            outside.append(request.url) if urlparse(request.url).netloc not in ("", own_host) else None
        ),
    )
    page.goto("/")
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    expect(nav.get_by_role("link", name="API")).to_have_count(0)
    footer = page.get_by_role("contentinfo")
    footer.get_by_role("link", name="Tài liệu API").click()
    page.wait_for_url("**/api/v1/docs")
    # Swagger UI drew the operations from the OpenAPI document: its scripts ran, from this server.
    expect(page.get_by_text("/api/v1/procedures", exact=True).first).to_be_visible()
    shots.take(page, "api-docs-phone")
    assert outside == []
