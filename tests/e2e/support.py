"""Helpers of the browser tests: screenshots, and the back office as an official uses it.

Controls are found by role and accessible name, or by label — as a screen-reader user finds them —
never by CSS: a control without an accessible name makes the test fail, which is the point.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from motcua.devtools.demo_officials import DEMO_PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def unavailable(reason: str) -> None:
    """The browser tests cannot run: fail in CI (a green CI must mean they ran), skip elsewhere."""
    if in_ci():
        pytest.fail(f"e2e: kiểm thử trình duyệt không chạy được trong CI — {reason}", pytrace=False)
    pytest.skip(f"e2e: {reason}")


@dataclass
class Shots:
    """Numbered full-page screenshots of the pages a test opened, saved in ``folder``."""

    folder: Path
    pages: list[Page] = field(default_factory=list)
    taken: list[Path] = field(default_factory=list)

    def take(self, page: Page, name: str) -> Path:
        slug = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")
        path = self.folder / f"{len(self.taken) + 1:02d}-{slug}.png"
        page.screenshot(path=str(path), full_page=True)
        self.taken.append(path)
        return path

    def on_failure(self) -> str:
        """Screenshot every page still open; the text for the failure report."""
        earlier = list(self.taken)
        lines = [f"screenshots in {self.folder}"]
        for index, page in enumerate(self.pages, start=1):
            if page.is_closed():
                continue
            try:
                path = self.take(page, f"failure-page-{index}")
                lines.append(f"  at failure, page {index} ({page.url}): {path.name}")
            except Exception as exc:  # the report must not hide the real failure
                lines.append(f"  at failure, page {index} ({page.url}): no screenshot ({exc})")
        lines += [f"  earlier: {path.name}" for path in earlier]
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------------
# The back office
# --------------------------------------------------------------------------------------------------


def login(page: Page, user: Any, *, password: str = DEMO_PASSWORD) -> None:
    """Log in at /can-bo/dang-nhap; lands on "Việc của tôi"."""
    from playwright.sync_api import expect

    page.goto("/can-bo/dang-nhap")
    page.get_by_label("Tên đăng nhập").fill(user.get_username())
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1, name="Việc của tôi")).to_be_visible()


def menu(page: Page, name: str) -> Locator:
    """A link of the back office's menu (the breadcrumb repeats some of them)."""
    return page.get_by_role("navigation", name="Nghiệp vụ cán bộ").get_by_role("link", name=name)


def open_from_queue(page: Page, code: str, *, tab: str = "Được giao cho tôi") -> None:
    """Find the dossier in a tab of the official's queue ("Việc của tôi") and open it."""
    from playwright.sync_api import expect

    menu(page, "Việc của tôi").click()
    page.get_by_role("tab", name=tab).click()
    expect(page.get_by_role("tab", name=tab)).to_have_attribute("aria-selected", "true")
    page.get_by_role("link", name=code, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(code)


def act(page: Page, action: str, fill: Callable[[], None] | None = None) -> None:
    """Open the action's disclosure ("<action>…"), fill its form, press its button; expect success."""
    from playwright.sync_api import expect

    # A <summary> has no ARIA role Playwright can query (Chromium exposes it as a disclosure
    # triangle), so it is found by its exact text.
    page.get_by_text(f"{action}…", exact=True).click()
    if fill is not None:
        fill()
    page.get_by_role("button", name=action, exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(f"Đã thực hiện «{action}» cho hồ sơ")


def field_in_open_form(page: Page, label: str) -> Locator:
    """The field with this label in the open action form (the closed forms share labels, e.g. notes).

    Not ``exact``: a required field's label text ends with an ``aria-hidden`` "*".
    """
    return page.get_by_label(label).filter(visible=True)


def presented(document: str) -> re.Pattern[str]:
    """Accessible name of a component's "paper presented" checkbox: "Đã xuất trình: <document>".

    The document's name is a visually hidden (absolutely positioned) span, so the computed name may
    carry a space before the colon.
    """
    return re.compile(rf"^Đã xuất trình\s*:\s*{re.escape(document)}$")


def page_width(page: Page) -> int:
    """The document's scroll width: wider than the viewport means the page scrolls sideways."""
    width: int = page.evaluate("document.documentElement.scrollWidth")
    return width
