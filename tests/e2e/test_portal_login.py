"""A citizen logs in with the national identity, in a real browser — đăng nhập bằng tài khoản định danh.

The sandbox provider (``node sandbox/idp/server.js``) runs as its own process and sends the browser
back to the live server; the citizen uses its Vietnamese login and consent pages as a person would
(labels and buttons by name), sees their name in the header, and logs out at both ends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

from motcua.accounts.models import Account
from tests.e2e.conftest import PHONE
from tests.e2e.support import Shots, in_ci, page_width
from tests.sandbox_idp import DEMO_PASSWORD, SandboxIdp, idp_start

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - depends on the environment
    if in_ci():
        raise
    pytest.skip("e2e: thiếu gói Python `playwright` (pip install -e '.[dev]')", allow_module_level=True)

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.e2e

AN = "022090001234"


@pytest.fixture(scope="module")
def live_idp(live_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxIdp]:
    """The sandbox provider, sending browsers back to this worker's live server."""
    idp = idp_start(
        redirect_uris=[f"{live_server.url}/dang-nhap/vneid/callback"],
        post_logout_redirect_uris=[f"{live_server.url}/"],
        log_dir=Path(tmp_path_factory.mktemp("idp")),
    )
    yield idp
    idp.stop()


def test_citizen_logs_in_sees_their_name_and_logs_out(
    new_page: Callable[..., Page], live_idp: SandboxIdp, transactional_db: None, settings: Any, shots: Shots
) -> None:
    settings.MOTCUA_OIDC_ISSUER = live_idp.issuer
    settings.MOTCUA_OIDC_CLIENT_ID = live_idp.client_id
    settings.MOTCUA_OIDC_CLIENT_SECRET = live_idp.client_secret
    page = new_page(phone=False)
    page.goto("/tra-cuu")
    nav = page.get_by_role("navigation", name="Điều hướng chính")

    nav.get_by_role("link", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1, name="Đăng nhập")).to_be_visible()
    page.get_by_role("link", name="Đăng nhập bằng tài khoản định danh điện tử (VNeID)").click()

    # The provider's own page, clearly a sandbox.
    expect(page.get_by_text("Cổng định danh điện tử — môi trường thử nghiệm")).to_be_visible()
    shots.take(page, "idp-login")
    page.get_by_label("Số định danh cá nhân hoặc mã số thuế (tổ chức)").fill(AN)
    page.get_by_label("Mật khẩu", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Chia sẻ thông tin")
    page.get_by_role("button", name="Đồng ý").click()

    # Back on our site, signed in.
    expect(nav.get_by_text("Nguyễn Văn An")).to_be_visible()
    expect(nav.get_by_role("link", name="Đăng nhập")).to_have_count(0)
    shots.take(page, "signed-in")
    assert Account.objects.get(personal_id=AN).full_name == "Nguyễn Văn An"

    nav.get_by_role("button", name="Đăng xuất").click()
    page.get_by_role("button", name="Đăng xuất khỏi Cổng định danh").click()

    expect(nav.get_by_role("link", name="Đăng nhập")).to_be_visible()
    expect(nav.get_by_text("Nguyễn Văn An")).to_have_count(0)
    assert urlsplit(page.url).path == "/"  # the provider sent the browser back to our home page


def test_on_a_phone_the_login_pages_fit_and_logout_is_in_the_menu(
    new_page: Callable[..., Page], live_idp: SandboxIdp, transactional_db: None, settings: Any, shots: Shots
) -> None:
    settings.MOTCUA_OIDC_ISSUER = live_idp.issuer
    settings.MOTCUA_OIDC_CLIENT_ID = live_idp.client_id
    settings.MOTCUA_OIDC_CLIENT_SECRET = live_idp.client_secret
    page = new_page(phone=True)
    page.goto("/dang-nhap?next=/tra-cuu")
    assert page_width(page) <= PHONE["width"]
    page.get_by_role("link", name="Đăng nhập bằng tài khoản định danh điện tử (VNeID)").click()
    expect(page.get_by_label("Số định danh cá nhân hoặc mã số thuế (tổ chức)")).to_be_focused()
    assert page_width(page) <= PHONE["width"]
    # Keyboard only: type the number, tab to the password, Enter submits; the consent's "Đồng ý" has focus.
    page.keyboard.type("5700100256")
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Đồng ý")).to_be_focused()
    assert page_width(page) <= PHONE["width"]
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1, name="Tra cứu hồ sơ")).to_be_visible()  # `next` kept
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    nav.get_by_role("button", name="Menu").click()
    expect(nav.get_by_text("Công ty TNHH Du lịch Vịnh Hạ Long")).to_be_visible()
    assert page_width(page) <= PHONE["width"]
    shots.take(page, "phone-signed-in-menu")
    nav.get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Đăng xuất khỏi Cổng định danh")
