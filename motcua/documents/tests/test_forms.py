from __future__ import annotations

import os
import shutil
import subprocess
import threading
import unicodedata
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from motcua.documents import forms
from motcua.documents.forms import (
    FormComponent,
    Outcome,
    form_apology_render,
    form_ledger_render,
    form_process_control_render,
    form_receipt_render,
    form_refusal_render,
    form_stop_notice_render,
    form_supplement_request_render,
)
from motcua.documents.qr import qr_svg
from motcua.documents.rendering import FormRenderError, render_pdf
from motcua.documents.tests import factories, pdfcheck

MOTTO = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
UNIT_CAPS = ["UBND TỈNH QUẢNG NINH", "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG TỈNH QUẢNG NINH"]
# A commune's names: each too long for one line of the heading's left column.
HA_LONG = {
    "parent_unit_name": "Ủy ban nhân dân phường Hạ Long",
    "unit_name": "Trung tâm Phục vụ hành chính công phường Hạ Long",
}

# Typst markup and code syntax that would change the document if the value were spliced into markup.
HOSTILE = (
    'Lê #set page(width: 1cm) *đậm* _nghiêng_ $x^2$ [a] \\ \\n #{"x"} <nhan> @ref // c /* d */ '
    '~ `raw` -- ... "q" = - + 1. #panic("x") #read("/etc/passwd")'
)

RENDERERS: dict[str, tuple[Callable[[], Any], Callable[[Any], bytes], list[str]]] = {
    "receipt": (
        factories.receipt,
        form_receipt_render,
        [
            "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
            f"Mã hồ sơ: {factories.CODE}",
            f"Số: {factories.CODE}",
            "Quảng Ninh, ngày 22 tháng 11 năm 2026",
            f"tiếp nhận hồ sơ của: {factories.APPLICANT}",
            f"Nội dung yêu cầu giải quyết: {factories.PROCEDURE}",
            "Đơn đề nghị cấp giấy phép xây dựng Bản chính 01",
            "Giấy chứng nhận quyền sử dụng đất Bản sao có chứng thực 01",
            "Bản vẽ thiết kế xây dựng Bản chính 02",
            "Số lượng hồ sơ: 01 (bộ)",
            "Thời gian giải quyết hồ sơ theo quy định: 15 ngày làm việc",
            "Hồ sơ được tiếp nhận lúc 10 giờ 05 phút, ngày 22/11/2026",
            "Thời gian trả kết quả giải quyết hồ sơ: 10 giờ 05 phút, ngày 13/12/2026",
            "Đăng ký nhận kết quả tại: Trung tâm Phục vụ hành chính công tỉnh, phường Hồng Gai",
            "Vào Sổ theo dõi hồ sơ, Quyển số: 05/2026, Số thứ tự: 1234",
            "NGƯỜI NỘP HỒ SƠ",
            "NGƯỜI TIẾP NHẬN HỒ SƠ",
            "Trần Văn Bình",
        ],
    ),
    "supplement_request": (
        factories.supplement_request,
        form_supplement_request_render,
        [
            "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
            "Số: 15/PBS",
            "Quảng Ninh, ngày 24 tháng 11 năm 2026",
            f"Hồ sơ của: {factories.APPLICANT}",
            "Bản vẽ mặt bằng móng công trình Hồ sơ nộp thiếu bản vẽ móng",
            "Ảnh chụp hiện trạng công trình Ảnh đã nộp không rõ nét",
            "liên hệ với Trần Văn Bình, số điện thoại 0203 3835 123",
            "Thời hạn giải quyết hồ sơ được tính lại từ đầu",
            "NGƯỜI HƯỚNG DẪN",
        ],
    ),
    "refusal": (
        factories.refusal,
        form_refusal_render,
        [
            "PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ",
            "Số: 03/PTC",
            "tiếp nhận hồ sơ của: Công ty TNHH Hạ Long Xanh",
            "thông báo không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:",
            "Thủ tục không thuộc thẩm quyền của Trung tâm. Đề nghị nộp hồ sơ tại Sở Văn hóa.",
            "NGƯỜI TIẾP NHẬN HỒ SƠ",
        ],
    ),
    "apology": (
        factories.apology,
        form_apology_render,
        [
            "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
            f"Kính gửi: {factories.APPLICANT}",
            "Ngày 22/11/2026",
            f"mã hồ sơ {factories.CODE}",
            "Thời gian hẹn trả kết quả giải quyết hồ sơ là 10 giờ 05 phút, ngày 13/12/2026",
            "Lý do: Hồ sơ cần lấy ý kiến của Sở Xây dựng",
            "hẹn lại thời gian trả kết quả giải quyết hồ sơ là 10 giờ 05 phút, ngày 18/12/2026",
            "Nơi nhận:",
            "- Như trên;",
            "GIÁM ĐỐC",
            "Phạm Minh Quân",
        ],
    ),
    "process_control": (
        factories.process_control,
        form_process_control_render,
        [
            "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
            f"Kèm theo hồ sơ của: {factories.APPLICANT}",
            "Cơ quan (bộ phận) giải quyết hồ sơ: Phòng Kinh tế, Hạ tầng và Đô thị",
            "Cơ quan phối hợp giải quyết hồ sơ: Sở Xây dựng",
            "Tiếp nhận Giao: Trung tâm PVHCC Nhận: Phòng Kinh tế",
            "Trần Văn Bình 11:05 22/11/2026",
            "Lê Thu Hà 11:15 22/11/2026 Trước hạn",
            "Đúng hạn Xin ý kiến Sở Xây dựng",
            "Quá hạn",
        ],
    ),
    "ledger": (
        factories.ledger,
        form_ledger_render,
        [
            "SỔ THEO DÕI HỒ SƠ",
            "Từ ngày 01/11/2026 đến ngày 30/11/2026",
            "Quyển số: 05/2026",
            "Tên thủ tục hành chính",
            "Ngày, tháng, năm",
            "Người nộp số 1 Phường Hồng Gai, Quảng Ninh ĐT: 0912345678 Phòng Kinh tế",
            "10:06 22/11/2026",
        ],
    ),
    "stop_notice": (
        factories.stop_notice,
        form_stop_notice_render,
        [
            "THÔNG BÁO",
            "Về việc dừng giải quyết hồ sơ",
            "Số: 08/TB-TTPVHCC",
            "Căn cứ Nghị định số 118/2025/NĐ-CP của Chính phủ, Trung tâm Phục vụ hành chính công tỉnh "
            "Quảng Ninh thông báo dừng giải quyết hồ sơ nêu trên kể từ ngày 27 tháng 11 năm 2026",
            "Lý do: Ông/Bà đã có đơn đề nghị rút hồ sơ ngày 26/11/2026.",
            "GIÁM ĐỐC",
        ],
    ),
}


@pytest.mark.parametrize("name", list(RENDERERS))
def test_form_renders_a_pdf_with_its_key_wording(name):
    make, render, expected = RENDERERS[name]
    pdf = render(make())
    content = pdfcheck.text(pdf)
    assert unicodedata.is_normalized("NFC", content)
    heading = UNIT_CAPS if name == "ledger" else UNIT_CAPS + MOTTO
    for phrase in heading + expected:
        assert unicodedata.is_normalized("NFC", phrase)
        assert phrase in content, phrase


@pytest.mark.parametrize("name", list(RENDERERS))
def test_pdf_embeds_only_the_shipped_font(name):
    make, render, _ = RENDERERS[name]
    found = pdfcheck.fonts(render(make()))
    assert found
    for base_font, embedded in found.items():
        # Subset fonts are named "ABCDEF+LiberationSerif-Bold".
        assert base_font.split("+", 1)[-1].startswith("LiberationSerif"), base_font
        assert embedded, base_font


@pytest.mark.parametrize("name", list(RENDERERS))
def test_same_form_gives_identical_bytes(name):
    make, render, _ = RENDERERS[name]
    assert render(make()) == render(make())


def test_single_page_forms_fit_on_one_a4_page():
    for name, (make, render, _) in RENDERERS.items():
        if name == "ledger":
            continue
        pages = pdfcheck.reader(render(make())).pages
        assert len(pages) == 1, name
        box = pages[0].mediabox
        assert (round(float(box.width)), round(float(box.height))) == (595, 842), name


def _heading_lines(pdf: bytes) -> list[str]:
    """The lines of the unit block at the top left of page 1 (before the motto or the ledger title)."""
    lines = [
        line.replace("\xa0", " ").strip()
        for line in pdfcheck.reader(pdf).pages[0].extract_text().splitlines()
    ]
    end = next(i for i, line in enumerate(lines) if line.startswith(("CỘNG HÒA", "SỔ THEO DÕI")))
    return lines[:end]


@pytest.mark.parametrize("name", list(RENDERERS))
def test_heading_never_breaks_inside_a_place_name(name):
    make, render, _ = RENDERERS[name]
    lines = _heading_lines(render(make(**HA_LONG)))
    assert (
        " ".join(lines) == "ỦY BAN NHÂN DÂN PHƯỜNG HẠ LONG TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG PHƯỜNG HẠ LONG"
    )
    for line in lines:
        if "HẠ" in line or "LONG" in line:
            assert "PHƯỜNG HẠ LONG" in line, lines
    # Broken before the division word, not wherever the column ends.
    assert lines[:2] == ["ỦY BAN NHÂN DÂN", "PHƯỜNG HẠ LONG"] or name == "ledger", lines
    assert lines[-1] == "PHƯỜNG HẠ LONG", lines


def test_heading_keeps_a_name_that_fits_on_one_line():
    lines = _heading_lines(form_apology_render(factories.apology(unit_name="Sở Tư pháp")))
    assert lines == ["UBND TỈNH QUẢNG NINH", "SỞ TƯ PHÁP"]


@pytest.mark.parametrize("component_count", [4, 7, 8, 12])
def test_receipt_qr_code_stays_on_the_page_of_the_content(component_count):
    components = [
        FormComponent(name=f"Tờ khai đăng ký thường trú (Mẫu CT01) số {i}") for i in range(component_count)
    ]
    pdf = form_receipt_render(factories.receipt(**HA_LONG, components=components, fee_text="20.000 đồng"))
    pages = pdfcheck.page_texts(pdf)
    qr_page = pdfcheck.figure_pages(pdf)[f"Mã QR tra cứu hồ sơ {factories.CODE}"]
    assert qr_page == 1
    assert "Thời gian trả kết quả giải quyết hồ sơ" in pages[qr_page - 1]
    if component_count <= 7:  # the usual receipt: everything, signatures included, on one page
        assert len(pages) == 1


def test_hostile_text_renders_literally_everywhere():
    pdf = form_receipt_render(
        factories.receipt(
            applicant_name=HOSTILE,
            procedure_name=HOSTILE,
            components=[FormComponent(name=HOSTILE, kind=HOSTILE)],
            return_place=HOSTILE,
            unit_name="Trung tâm #strong[x]",
        )
    )
    content = pdfcheck.text(pdf)
    assert content.count(HOSTILE) >= 4
    assert "TRUNG TÂM #STRONG[X]" in content
    for page in pdfcheck.reader(pdf).pages:  # "#set page(width: 1cm)" did not reach the layout
        assert round(float(page.mediabox.width)) == 595


@pytest.mark.parametrize(
    "render_hostile",
    [
        lambda: form_refusal_render(factories.refusal(reason=HOSTILE, applicant_name=HOSTILE)),
        lambda: form_apology_render(factories.apology(reason=HOSTILE, recipients=[HOSTILE])),
        lambda: form_stop_notice_render(factories.stop_notice(legal_basis=HOSTILE, guidance=HOSTILE)),
        lambda: form_ledger_render(factories.ledger(rows=[factories.ledger_row(1, note=HOSTILE)])),
        lambda: form_supplement_request_render(
            factories.supplement_request(items=[forms.SupplementItem(content=HOSTILE, reason=HOSTILE)])
        ),
    ],
)
def test_hostile_text_is_literal_in_other_forms(render_hostile):
    # Narrow table cells wrap the text anywhere, so compare with whitespace removed.
    assert HOSTILE.replace(" ", "") in pdfcheck.text(render_hostile()).replace(" ", "")


def test_text_is_nfc_normalised():
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hồng Nhung")
    assert decomposed != "Nguyễn Thị Hồng Nhung"
    form = factories.receipt(applicant_name=decomposed, submitter_name="")
    assert forms.receipt_payload(form)["applicant_name"] == "Nguyễn Thị Hồng Nhung"
    content = pdfcheck.text(form_receipt_render(form))
    assert "tiếp nhận hồ sơ của: Nguyễn Thị Hồng Nhung" in content
    assert content.count("Nguyễn Thị Hồng Nhung") == 2  # applicant line and submitter signature


def test_multiline_text_keeps_lines_and_drops_control_characters():
    assert forms.clean_text("  Dòng  một \r\n\n\x00Dòng\thai\x07 ") == "Dòng một\nDòng hai"


def test_receipt_qr_encodes_the_tracking_url_and_is_embedded(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []

    def spy(url: str) -> str:
        seen.append(url)
        return qr_svg(url)

    monkeypatch.setattr(forms, "qr_svg", spy)
    form = factories.receipt()
    payload = forms.receipt_payload(form)
    assert seen == [factories.TRACKING_URL]
    assert payload["qr_svg"] == qr_svg(factories.TRACKING_URL)
    assert payload["qr_svg"].startswith("<svg")

    pdf = form_receipt_render(form)
    assert pdfcheck.figure_alts(pdf) == [f"Mã QR tra cứu hồ sơ {factories.CODE}"]
    assert set(pdfcheck.link_uris(pdf)) == {factories.TRACKING_URL}  # one annotation per wrapped line
    assert factories.TRACKING_URL in pdfcheck.text(pdf).replace(" ", "")


def test_qr_content_depends_on_the_url():
    assert qr_svg("https://dichvucong.quangninh.gov.vn/a") != qr_svg("https://dichvucong.quangninh.gov.vn/b")


@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc/passwd", "/tra-cuu", "https://"])
def test_tracking_url_must_be_absolute_http(url):
    with pytest.raises(ValueError, match="URL"):
        factories.receipt(tracking_url=url)


def test_times_given_in_utc_are_printed_in_vietnam_time():
    # 20:30 UTC on the 21st is 03:30 on the 22nd in Hà Nội: the date itself changes.
    received = datetime(2026, 11, 21, 20, 30, tzinfo=UTC)
    form = factories.receipt(received_at=received, appointment_at=received + timedelta(hours=6))
    content = pdfcheck.text(form_receipt_render(form))
    assert "Hồ sơ được tiếp nhận lúc 03 giờ 30 phút, ngày 22/11/2026" in content
    assert "Thời gian trả kết quả giải quyết hồ sơ: 09 giờ 30 phút, ngày 22/11/2026" in content
    assert "Quảng Ninh, ngày 22 tháng 11 năm 2026" in content
    assert "20 giờ 30" not in content


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="múi giờ"):
        factories.receipt(received_at=datetime(2026, 11, 22, 10, 5))


def test_appointment_before_receipt_is_refused():
    with pytest.raises(ValueError, match="hẹn trả"):
        factories.receipt(appointment_at=factories.RECEIVED - timedelta(minutes=1))


def test_apology_needs_a_later_appointment():
    with pytest.raises(ValueError, match="hẹn trả mới"):
        factories.apology(new_appointment_at=factories.RECEIVED + timedelta(days=21))


def test_supplement_request_needs_an_item():
    with pytest.raises(ValueError, match="ít nhất một"):
        factories.supplement_request(items=[])


def test_ledger_period_must_be_ordered():
    with pytest.raises(ValueError, match="kỳ theo dõi"):
        factories.ledger(period_start=date(2026, 12, 1))


def test_forms_are_immutable_and_hashable():
    form = factories.receipt()
    assert isinstance(form.components, tuple)
    with pytest.raises(AttributeError):
        form.applicant_name = "x"
    assert hash(form) == hash(factories.receipt())


def test_long_ledger_paginates_with_repeated_header():
    row_count = 80
    pdf = form_ledger_render(factories.ledger(row_count=row_count))
    pages = pdfcheck.page_texts(pdf)
    assert len(pages) >= 4
    for number, page in enumerate(pages, start=1):
        assert "Tên thủ tục hành chính" in page, number
        assert "Nhận hồ sơ Hẹn trả kết quả" in page, number
        assert f"Trang {number} / {len(pages)}" in page, number
    for page in pages[1:]:
        assert "Từ ngày 01/11/2026" not in page  # the title block is printed once
    for index in range(1, row_count + 1):
        # The code is split after the agency part so it fits its column.
        occurrences = sum(page.count(f"261122-{index:04d}") for page in pages)
        assert occurrences == 1, index
    box = pdfcheck.reader(pdf).pages[0].mediabox
    assert float(box.width) > float(box.height)  # landscape


def test_ledger_row_number_defaults_to_position_but_keeps_the_ledger_number():
    form = factories.ledger(rows=[factories.ledger_row(1, number="1234"), factories.ledger_row(2)])
    rows = forms.ledger_payload(form)["rows"]
    assert [row["no"] for row in rows] == ["1234", "2"]


def test_empty_ledger_says_so():
    assert "Không có hồ sơ nào trong kỳ theo dõi." in pdfcheck.text(form_ledger_render(factories.ledger(0)))


def test_process_control_outcome_labels():
    assert [outcome.label for outcome in Outcome] == ["Trước hạn", "Đúng hạn", "Quá hạn"]
    rows = forms.process_control_payload(factories.process_control())["rows"]
    assert rows[-1]["outcome"] == ""
    assert rows[-1]["given_at"] == ""


def test_unknown_or_escaping_template_is_refused():
    with pytest.raises(FormRenderError):
        render_pdf("nope.typ", {}, issued_at=factories.RECEIVED)
    with pytest.raises(FormRenderError):
        render_pdf("../../settings.py", {}, issued_at=factories.RECEIVED)


def test_rendering_from_several_threads() -> None:
    # One typst compiler refuses concurrent use; the renderer keeps one per thread.
    results: list[bytes] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(3):
                results.append(form_receipt_render(factories.receipt()))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(results) == 12
    assert len(set(results)) == 1


@pytest.mark.skipif(
    # CI installs both (.ci/run), so there a missing tool fails the test instead of skipping it.
    not os.environ.get("CI") and (shutil.which("pdftoppm") is None or shutil.which("zbarimg") is None),
    reason="needs Debian's poppler-utils and zbar-tools to rasterise and scan the page",
)
def test_printed_qr_scans_back_to_the_tracking_url(tmp_path):
    (tmp_path / "receipt.pdf").write_bytes(form_receipt_render(factories.receipt()))
    subprocess.run(["pdftoppm", "-png", "-r", "100", "receipt.pdf", "page"], cwd=tmp_path, check=True)
    scanned = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "page-1.png"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert scanned.stdout.strip() == factories.TRACKING_URL
