"""Finding a dossier on a phone (390 × 844), in a real browser — tìm hồ sơ trên điện thoại.

An official lands on the tab with work in it, the four tabs and the search box fit the screen without
sideways scrolling, and typing a name without diacritics finds the dossier (htmx swaps the results).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from motcua.dossiers.tests.factories import World, dossier_at
from tests.e2e.conftest import PHONE
from tests.e2e.support import Shots, in_ci, login, page_width

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
def phone(new_page: Callable[..., Page]) -> Page:
    return new_page(phone=True)


def _fits(page: Page) -> None:
    width = page_width(page)
    assert width <= PHONE["width"], width


def test_pool_tab_and_search_on_a_phone(e2e_world: World, phone: Page, shots: Shots) -> None:
    pooled = dossier_at(e2e_world, "pool")  # waits for a specialist of commune A
    returned = dossier_at(e2e_world, "returned")  # closed
    login(phone, e2e_world.tam)  # nothing assigned to Tâm: the page opens on "Chờ nhận"
    tabs = phone.get_by_role("tablist", name="Phạm vi hồ sơ")
    expect(tabs.get_by_role("tab", name="Chờ nhận")).to_have_attribute("aria-selected", "true")
    for name in ("Được giao cho tôi", "Chờ nhận", "Của đơn vị tôi", "Tất cả hồ sơ"):
        box = tabs.get_by_role("tab", name=name).bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= PHONE["width"], (name, box)
    results = phone.locator("#queue-results")
    expect(results.get_by_role("link", name=pooled.code)).to_be_visible()
    _fits(phone)
    shots.take(phone, "cho-nhan")

    phone.get_by_label("Tìm hồ sơ").fill("nguyen van an")
    expect(results.get_by_role("link", name=returned.code)).to_be_visible()
    expect(results.get_by_role("link", name=pooled.code)).to_be_visible()
    expect(results).to_contain_text("kể cả hồ sơ đã kết thúc")
    _fits(phone)
    shots.take(phone, "tim-kiem")
