"""Browser end-to-end tests — kiểm thử đầu cuối qua trình duyệt.

Playwright (PyPI ``playwright``; its wheel ships the driver) drives Debian's Chromium at
``/usr/bin/chromium`` headless; no browser is ever downloaded (never ``playwright install``). The site
under test is pytest-django's ``live_server`` (one per xdist worker) on the test database.

Chromium or Playwright missing: the tests **fail** in CI (``CI=true``) and are skipped elsewhere, with
the reason. ``MOTCUA_E2E_CHROMIUM`` points at another Chromium binary.

Screenshots go to the test's temporary folder (``MOTCUA_E2E_SHOTS`` to choose one); a failing test
takes one more of every open page and lists them in its report, section "e2e screenshots".
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.core.cache import cache

from motcua.devtools.demo_officials import DEMO_PASSWORD
from motcua.dossiers.tests.factories import World, world_build
from tests.e2e.support import Shots, unavailable

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Fail fast: a missing control should not cost Playwright's default 30 s at every step.
ACTION_TIMEOUT_MS = 10_000
NAVIGATION_TIMEOUT_MS = 20_000
# The phone the issues were reported from (CSS pixels).
PHONE: ViewportSize = {"width": 390, "height": 844}


def chromium_path() -> str:
    return os.environ.get("MOTCUA_E2E_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium under Playwright's sync API, shared by the tests of one module."""
    executable = chromium_path()
    if not (os.path.isfile(executable) and os.access(executable, os.X_OK)):
        unavailable(
            f"không có Chromium tại {executable} (cài bằng `apt-get install -y chromium`; "
            "không tải trình duyệt bằng `playwright install`)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("thiếu gói Python `playwright` (cài bằng `pip install -e '.[dev]'`)")
    # Playwright's sync API keeps an asyncio loop in this thread, and Django then refuses ORM calls
    # from the test body as "async context". The test code is plain synchronous code: allow it, only
    # while the browser is up.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=executable, headless=True, args=CHROMIUM_ARGS
            )
            try:
                yield chromium
            finally:
                chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def shots(tmp_path: Path, request: pytest.FixtureRequest) -> Shots:
    configured = os.environ.get("MOTCUA_E2E_SHOTS")
    folder = Path(configured) / request.node.name if configured else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return Shots(folder=folder)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """On failure, screenshot the open pages and attach where they are to the report."""
    report = yield
    if report.when == "call" and report.failed:
        recorder = getattr(item, "funcargs", {}).get("shots")
        if isinstance(recorder, Shots):
            report.sections.append(("e2e screenshots", recorder.on_failure()))
    return report


# Runs in every page before its own scripts (Playwright's init scripts are not subject to the page's CSP).
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", function (event) {
  console.error("CSP violation: " + event.violatedDirective + " blocked " + (event.blockedURI || "inline")
    + " at " + event.sourceFile + ":" + event.lineNumber);
});
"""


def _console_problem(message: Any, problems: list[str]) -> None:
    if message.type == "error" and (
        "CSP violation" in message.text or "Content Security Policy" in message.text
    ):
        problems.append(f"{message.text} ({message.location.get('url', '')})")


@pytest.fixture
def browser_problems() -> list[str]:
    """What the browser reported during the test (CSP violations, uncaught script errors): ``new_page``
    fails the test on any at the end."""
    return []


@pytest.fixture
def new_page(
    browser: Browser, live_server: Any, shots: Shots, browser_problems: list[str]
) -> Iterator[Callable[..., Page]]:
    """``new_page(phone=False, locale="vi-VN", javascript=True)``: a page in a fresh browser context —
    its own cookies, so one person each.

    Vietnamese locale and time zone, as Quảng Ninh's officials and citizens have them; ``phone``: a
    390 × 844 touch screen (``PHONE``); ``locale`` is also the browser's Accept-Language.
    """
    contexts: list[BrowserContext] = []
    problems = browser_problems

    def make(*, phone: bool = False, locale: str = "vi-VN", javascript: bool = True) -> Page:
        screen: dict[str, Any] = (
            {"viewport": PHONE, "is_mobile": True, "has_touch": True}
            if phone
            else {"viewport": {"width": 1280, "height": 900}}
        )
        context = browser.new_context(
            base_url=live_server.url,
            locale=locale,
            timezone_id="Asia/Ho_Chi_Minh",
            java_script_enabled=javascript,
            **screen,
        )
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
        # The Content-Security-Policy (docs/architecture.md §27) must never block anything our pages do:
        # each violation is reported by the page itself (securitypolicyviolation, which also catches
        # report-only policies) and by Chromium's console.
        context.add_init_script(CSP_LISTENER)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: _console_problem(message, problems))
        page.on("pageerror", lambda error: problems.append(f"uncaught script error: {error}"))
        shots.pages.append(page)
        return page

    yield make
    for context in contexts:
        context.close()
    if problems:
        pytest.fail("the browser reported:\n" + "\n".join(dict.fromkeys(problems)))


@pytest.fixture
def e2e_world(transactional_db: None, settings: Any, tmp_path: Path) -> Iterator[World]:
    """The engine's test world (Lan, Minh, Hùng, Hoa…), committed so the live server's thread sees it.

    The officials log in with the demo password. The cache is cleared: the tracking page rate-limits
    lookups per IP, and the live server's clients share 127.0.0.1 with the test client of other tests.
    """
    from django.contrib.auth.hashers import make_password

    # The live server runs in this process: it sees these overrides too.
    settings.MEDIA_ROOT = tmp_path / "media"
    # A cheap hasher: ~0.8 s of PBKDF2 per login buys nothing here (login itself is still real).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    world = world_build()
    hashed = make_password(DEMO_PASSWORD)
    for key in ("lan", "minh", "tam", "hung", "hoa", "binh"):
        user = world.users[key]
        user.password = hashed
        user.save(update_fields=["password"])
    yield world
    cache.clear()
