"""Ký số hàng loạt and public verification in a real browser — kiểm thử đầu cuối ký số kết quả.

    Hùng (leader)  opens «Ký số», selects all three approved dossiers, «Ký số 3 hồ sơ»; the batch page
                   follows the jobs (run with the worker's own code) until all three are signed
    Lan            returns one result online (to the personal data store)
    An (citizen)   downloads the signed result from «Hồ sơ của tôi» on his phone, checks it on
                   /xac-thuc (valid, matches the dossier), then a copy with one byte changed (modified)

An is signed in with a session cookie (the national-identity login has its own browser test,
tests/e2e/test_citizen_story.py).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierState
from motcua.dossiers.tests.factories import World, dossier_advance, dossier_submit
from motcua.jobs.delivery import jobs_run_due
from motcua.signing.pki import Pki
from motcua.signing.pki_accounts import signer_identities
from tests.e2e.support import Shots, in_ci, login

try:
    from playwright.sync_api import Page, expect
except ImportError:  # pragma: no cover - depends on the environment
    if in_ci():
        raise
    pytest.skip("e2e: thiếu gói Python `playwright` (pip install -e '.[dev]')", allow_module_level=True)

pytestmark = pytest.mark.e2e
_keys = itertools.count(1)


def _sign_in(page: Page, user: Any, live_server: Any) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )


def _approved(world: World) -> Dossier:
    d = dossier_submit(world, key=f"e2e-sign-{next(_keys)}")
    d = services.dossier_accept(actor=world.lan, dossier=d, row_version=d.row_version)
    return dossier_advance(world, d, to="signing")


def test_hung_batch_signs_three_an_downloads_one_and_checks_it_on_xac_thuc(
    e2e_world: World,
    new_page: Callable[..., Page],
    live_server: Any,
    shots: Shots,
    settings: Any,
    tmp_path: Path,
):
    world = e2e_world
    settings.MOTCUA_SIGNING_KEY_DIR = tmp_path / "pki"
    settings.MOTCUA_SIGNING_TSA_URL = ""
    settings.MOTCUA_PUBLIC_BASE_URL = live_server.url
    pki = Pki(tmp_path / "pki")
    pki.init()
    pki.issue_missing(signer_identities())
    dossiers = [_approved(world) for _ in range(3)]

    # --- Hùng signs the three in one action ---------------------------------------------------------
    hung = new_page()
    login(hung, world.hung)
    hung.get_by_role("navigation").get_by_role("link", name="Ký số").click()
    expect(hung.get_by_role("heading", level=1)).to_have_text("Hồ sơ chờ ký số")
    for d in dossiers:
        expect(hung.get_by_role("link", name=d.code)).to_be_visible()
    hung.get_by_label("Chọn tất cả").check()
    expect(hung.get_by_test_id("sign-batch")).to_contain_text("Ký số 3 hồ sơ")
    shots.take(hung, "01-cho-ky")
    hung.get_by_test_id("sign-batch").click()
    expect(hung.get_by_test_id("batch-summary")).to_contain_text("đang chờ 3")
    jobs_run_due()  # the worker's own code signs each dossier in its own job
    expect(hung.get_by_test_id("batch-summary")).to_contain_text("Đã ký 3/3", timeout=15_000)
    shots.take(hung, "02-da-ky")
    for d in dossiers:
        d.refresh_from_db()
        assert d.state == DossierState.RESULT_READY

    # --- Lan returns the first online; An downloads it and checks it -------------------------------
    first = dossiers[0]
    services.dossier_return_result(
        actor=world.lan, dossier=first, row_version=first.row_version, method="online"
    )
    an = new_page(phone=True)
    _sign_in(an, world.an, live_server)
    an.goto(f"/ho-so-cua-toi/{first.code}")
    link = an.get_by_role("region", name="Kết quả giải quyết").get_by_role("link", name="Tải kết quả (PDF)")
    expect(link).to_be_visible()
    href = link.get_attribute("href")
    assert href
    download = an.request.get(href)
    assert download.ok, download.status
    signed = download.body()
    original = tmp_path / "ket-qua.pdf"
    original.write_bytes(signed)

    an.goto("/xac-thuc")
    an.get_by_label("Tệp văn bản (PDF)").set_input_files(str(original))
    an.get_by_label("Mã hồ sơ (không bắt buộc)").fill(first.code)
    an.get_by_role("button", name="Xác thực").click()
    expect(an.get_by_test_id("verify-summary")).to_have_text("Văn bản hợp lệ")
    expect(an.get_by_test_id("on-file")).to_contain_text("Trùng khớp")
    expect(an.get_by_test_id("verify-report")).to_contain_text("Vũ Văn Hùng")
    shots.take(an, "03-hop-le")

    changed = bytearray(signed)
    position = changed.find(b"/CreationDate(D:") + len(b"/CreationDate(D:") + 3
    changed[position] = ord("9") if changed[position] != ord("9") else ord("8")
    copy = tmp_path / "ban-sua.pdf"
    copy.write_bytes(bytes(changed))
    an.get_by_label("Tệp văn bản (PDF)").set_input_files(str(copy))
    an.get_by_label("Mã hồ sơ (không bắt buộc)").fill(first.code)
    an.get_by_role("button", name="Xác thực").click()
    expect(an.get_by_test_id("verify-summary")).to_have_text("Văn bản không hợp lệ")
    expect(an.get_by_test_id("verify-report")).to_contain_text("bị thay đổi sau khi ký")
    expect(an.get_by_test_id("on-file")).to_contain_text("Không trùng")
    shots.take(an, "04-bi-sua")
