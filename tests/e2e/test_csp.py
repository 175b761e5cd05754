"""The e2e fixtures fail a test on a Content-Security-Policy violation (tests/e2e/conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.e2e


def test_an_inline_script_is_blocked_and_reported(
    new_page: Any, e2e_world: Any, browser_problems: list[str]
) -> None:
    """Proves the net: an inline script injected into a real page is refused by the policy, and the
    violation is seen (then cleared, so that this test itself passes)."""
    page = new_page()
    page.goto("/")
    seen = page.evaluate(
        """() => new Promise((resolve) => {
            document.addEventListener("securitypolicyviolation", (e) => resolve(e.violatedDirective));
            const script = document.createElement("script");
            script.textContent = "window.__ran = true";
            document.body.appendChild(script);
        })"""
    )
    assert seen.startswith("script-src")
    assert page.evaluate("() => window.__ran === undefined")
    for _ in range(100):  # the console message reaches Python after the event: wait for it (≤ 10 s)
        if any("CSP violation: script-src" in problem for problem in browser_problems):
            break
        page.wait_for_timeout(100)
    assert any("CSP violation: script-src" in problem for problem in browser_problems), browser_problems
    browser_problems.clear()  # seen: the net works; this test's own violation is not a failure
