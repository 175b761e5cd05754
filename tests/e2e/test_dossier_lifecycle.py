"""A counter dossier from reception to the returned result, in a real browser — kiểm thử đầu cuối.

The five-step commune procedure of the engine's test world (``dossiers.tests.factories``)::

    Lan  (tiếp nhận, TT PVHCC phường Hạ Long)  receives it at the counter, prints form 01, forwards
    Minh (chuyên viên, UBND phường Hạ Long)    appraises, forwards to the leader
    Hùng (lãnh đạo)                            approves (Phê duyệt)
    Hoa  (văn thư)                             records the digital signature, completes the result
    Lan                                        returns the result at the counter (Trả kết quả)
    anyone                                     /tra-cuu/<code>: "Đã trả kết quả", all five steps on time

Real time, not a frozen clock: the live server answers the browser from another thread, and the
session cookies must not be born expired. Whatever the day, steps finished within the minute are
early or on time.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlparse

import pypdf
import pytest

from motcua.dossiers.models import Dossier, DossierState
from motcua.dossiers.tests.factories import RESULT_PDF, World
from tests.e2e.support import (
    Shots,
    act,
    field_in_open_form,
    in_ci,
    login,
    menu,
    open_from_queue,
    presented,
)

try:
    from playwright.sync_api import Page, expect
except ImportError:  # pragma: no cover - depends on the environment
    if in_ci():
        raise
    pytest.skip("e2e: thiếu gói Python `playwright` (pip install -e '.[dev]')", allow_module_level=True)

pytestmark = pytest.mark.e2e

ON_TIME = re.compile(r"Đúng hạn|Trước hạn")
STEPS = ["Tiếp nhận hồ sơ", "Thẩm định", "Phê duyệt", "Ký số", "Trả kết quả"]
SIGNATURE_REFERENCE = "15/GP-UBND"


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_counter_dossier_from_reception_to_returned_result_on_time(
    e2e_world: World, new_page: Callable[[], Page], shots: Shots, tmp_path: Path
) -> None:
    world = e2e_world
    procedure = world.procedure
    signed_result = tmp_path / "15-GP-UBND.pdf"
    signed_result.write_bytes(RESULT_PDF)

    # --- Lan receives the dossier at the counter ----------------------------------------------------
    lan = new_page()
    login(lan, world.lan)
    menu(lan, "Tiếp nhận hồ sơ").click()
    lan.get_by_label("Tên hoặc mã thủ tục").fill("giấy phép thử nghiệm")
    lan.get_by_role("button", name="Tìm thủ tục").click()  # htmx swaps the result list in
    lan.get_by_role("link", name=procedure.name, exact=True).click()
    expect(lan.get_by_role("heading", level=1)).to_have_text(procedure.name)

    expect(lan.get_by_label("Nơi tiếp nhận")).to_have_value(str(world.centre_a.pk))
    expect(lan.get_by_label("Hình thức nộp")).to_have_value("counter")
    lan.get_by_role("radio", name="Cá nhân").check()
    lan.get_by_label("Họ và tên / tên tổ chức").fill("Nguyễn Văn An")
    lan.get_by_label("Số định danh cá nhân (CCCD) / mã số doanh nghiệp").fill("022090001234")
    lan.get_by_label("Ngày sinh").fill("1990-05-17")
    lan.get_by_label("Số điện thoại", exact=True).fill("0912345678")
    lan.get_by_label("Thư điện tử").fill("an@example.test")
    lan.get_by_label("Địa chỉ", exact=True).fill("Tổ 1, khu 2, phường Hạ Long, tỉnh Quảng Ninh")
    lan.get_by_label("Trích yếu hồ sơ").fill("Đề nghị cấp giấy phép thử nghiệm")
    documents = list(procedure.documents.order_by("order"))
    for document in documents:
        lan.get_by_role("checkbox", name=presented(document.name)).check()
    shots.take(lan, "lan-intake-form")
    lan.get_by_role("button", name="Tiếp nhận hồ sơ").click()

    lan.wait_for_url(re.compile(r"/can-bo/ho-so/[^/]+/\?moi=1$"))
    code = unquote(urlparse(lan.url).path.split("/")[3])
    expect(lan.get_by_role("heading", level=1)).to_have_text(code)
    expect(lan.get_by_role("status")).to_contain_text(f"Đã tiếp nhận hồ sơ {code}.")
    dossier = Dossier.objects.get(code=code)
    assert (dossier.procedure_id, dossier.receiving_unit_id) == (procedure.pk, world.centre_a.pk)
    assert dossier.applicant_name == "Nguyễn Văn An"
    assert dossier.components.filter(paper_presented=True).count() == len(documents)
    shots.take(lan, "lan-dossier-received")

    # Form 01 (giấy tiếp nhận hồ sơ và hẹn trả kết quả): a real PDF naming the dossier and applicant.
    receipt = lan.get_by_role("link", name="In giấy tiếp nhận (mẫu 01)")
    expect(receipt).to_have_attribute("target", "_blank")
    href = receipt.get_attribute("href")
    assert href
    response = lan.request.get(href)  # the context's requests carry Lan's session cookie
    assert response.ok, response.status
    assert response.headers["content-type"] == "application/pdf"
    pdf = response.body()
    assert pdf.startswith(b"%PDF-")
    (shots.folder / "mau-01.pdf").write_bytes(pdf)
    text = pdf_text(pdf)
    assert f"Mã hồ sơ: {code}" in text, text[:600]
    assert "Nguyễn Văn An" in text

    def to_minh() -> None:
        field_in_open_form(lan, "Cán bộ xử lý bước tiếp theo").select_option(label="Trần Văn Minh")

    act(lan, "Chuyển bước tiếp theo", to_minh)

    # --- Minh appraises and forwards to the leader ------------------------------------------------
    minh = new_page()
    login(minh, world.minh)
    open_from_queue(minh, code)
    shots.take(minh, "minh-appraisal")

    def to_hung() -> None:
        field_in_open_form(minh, "Cán bộ xử lý bước tiếp theo").select_option(label="Vũ Văn Hùng")
        field_in_open_form(minh, "Ghi chú, ý kiến").fill("Hồ sơ hợp lệ, đủ điều kiện cấp phép.")

    act(minh, "Chuyển bước tiếp theo", to_hung)

    # --- Hùng approves ----------------------------------------------------------------------------
    hung = new_page()
    login(hung, world.hung)
    open_from_queue(hung, code)

    def approval_note() -> None:
        field_in_open_form(hung, "Ghi chú, ý kiến").fill("Đồng ý cấp phép.")

    act(hung, "Phê duyệt", approval_note)

    # --- Hoa (step "Ký số", left to the unit's pool) records the signature, completes the result ---
    hoa = new_page()
    login(hoa, world.hoa)
    open_from_queue(hoa, code, tab="Của đơn vị tôi")

    def signature() -> None:
        expect(field_in_open_form(hoa, "Lãnh đạo ký")).to_have_value(str(world.hung.pk))  # who approved
        field_in_open_form(hoa, "Số, ký hiệu văn bản / mã tham chiếu chữ ký").fill(SIGNATURE_REFERENCE)
        field_in_open_form(hoa, "Tệp kết quả đã ký số (PDF)").set_input_files(signed_result)

    act(hoa, "Ghi nhận chữ ký số", signature)
    # The signed file is listed on the dossier page and served to the unit's officials as sent.
    result_link = hoa.get_by_role("region", name="Kết quả giải quyết").get_by_role(
        "link", name="Tải kết quả (PDF)"
    )
    href = result_link.get_attribute("href")
    assert href
    assert hoa.request.get(href).body() == RESULT_PDF
    act(hoa, "Hoàn thành kết quả")
    shots.take(hoa, "hoa-result-ready")

    # --- Lan returns the result at the counter --------------------------------------------------------
    open_from_queue(lan, code, tab="Của đơn vị tôi")

    def at_the_counter() -> None:
        field_in_open_form(lan, "Hình thức trả kết quả").select_option(label="Trực tiếp tại quầy")

    act(lan, "Trả kết quả", at_the_counter)
    shots.take(lan, "lan-returned")
    dossier.refresh_from_db()
    assert dossier.state == DossierState.RETURNED
    assert dossier.signature_reference == SIGNATURE_REFERENCE
    assert dossier.decided_by_id == world.hung.pk

    # --- Anyone tracks it: /tra-cuu → /tra-cuu/<code> -------------------------------------------------
    citizen = new_page()
    citizen.goto("/tra-cuu")
    citizen.get_by_label("Mã hồ sơ").fill(code)
    citizen.get_by_role("button", name="Tra cứu").click()
    citizen.wait_for_url(re.compile(r"/tra-cuu/[^/?]+$"))
    assert unquote(urlparse(citizen.url).path) == f"/tra-cuu/{code}"
    expect(citizen.get_by_role("heading", level=1)).to_contain_text(code)
    expect(citizen.get_by_text("Đã trả kết quả", exact=True)).to_be_visible()

    steps = citizen.get_by_role("region", name="Quá trình xử lý").get_by_role("listitem")
    expect(steps).to_have_count(len(STEPS))
    for index, name in enumerate(STEPS):
        step = steps.nth(index)
        expect(step).to_contain_text(name)
        expect(step).to_contain_text(ON_TIME)
        expect(step).not_to_contain_text("Quá hạn")
    expect(citizen.get_by_text(re.compile("quá hạn", re.IGNORECASE))).to_have_count(0)
    shots.take(citizen, "tracking-returned")

    # The last 4 digits of the applicant's phone unlock the initials.
    citizen.get_by_label("4 số cuối điện thoại hoặc số định danh của người nộp").fill("5678")
    citizen.get_by_role("button", name="Xác minh").click()
    expect(citizen.get_by_role("term").filter(has_text="Người nộp")).to_be_visible()
    expect(citizen.get_by_role("alert")).to_have_count(0)
    shots.take(citizen, "tracking-verified")


def test_wrong_password_is_refused_in_vietnamese(e2e_world: World, new_page: Callable[[], Page]) -> None:
    page = new_page()
    page.goto("/can-bo/")  # anonymous: sent to the officials' login page
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập dành cho cán bộ")
    page.get_by_label("Tên đăng nhập").fill(e2e_world.lan.get_username())
    page.get_by_label("Mật khẩu").fill("sai-mat-khau")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("alert")).to_contain_text("Tên đăng nhập hoặc mật khẩu không đúng")
    expect(page.get_by_label("Tên đăng nhập")).to_have_value(e2e_world.lan.get_username())
    login(page, e2e_world.lan)  # and the right password still works (no lock-out after one error)
    expect(menu(page, "Việc của tôi")).to_have_attribute("aria-current", "page")


def test_tracking_an_unknown_code_says_so(e2e_world: World, new_page: Callable[[], Page]) -> None:
    page = new_page()
    page.goto("/tra-cuu")
    page.get_by_label("Mã hồ sơ").fill("000.00.00.H49-000000-9999")
    page.get_by_role("button", name="Tra cứu").click()
    expect(page.get_by_text("Không tìm thấy hồ sơ có mã «000.00.00.H49-000000-9999»")).to_be_visible()
