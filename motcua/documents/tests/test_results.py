"""Result documents (văn bản kết quả): Decree 30/2020 layout, draft mark, signature and seal areas."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from motcua.documents.results import (
    DRAFT_NUMBER,
    ResultDocument,
    ResultKind,
    SignatureBox,
    number_text,
    result_document_render,
)
from motcua.documents.tests import pdfcheck
from motcua.documents.tests.test_forms import HOSTILE

DETAILED = sorted((Path(__file__).resolve().parents[3] / "data" / "catalog" / "detailed").glob("*.json"))
A4 = (595.28, 841.89)


def _document(**overrides: object) -> ResultDocument:
    fields: dict[str, object] = {
        "kind": ResultKind.DECISION,
        "unit_name": "Ủy ban nhân dân phường Hạ Long",
        "place_name": "Hạ Long",
        "symbol": "QĐ-UBND",
        "issued_at": datetime(2026, 3, 5, 2, 0, tzinfo=UTC),
        "summary": "Về việc giải quyết thủ tục hành chính",
        "authority_heading": "Chủ tịch Ủy ban nhân dân phường Hạ Long",
        "legal_bases": ["Luật Cư trú 2020", "Căn cứ Thông tư số 66/2023/TT-BCA."],
        "dossier_code": "000.22.07.H49-260305-0007",
        "procedure_name": "Đăng ký tạm trú",
        "received_on": date(2026, 3, 2),
        "applicant_name": "Nguyễn Văn An",
        "applicant_id_number": "022090001234",
        "applicant_address": "Tổ 1, khu 2, phường Hạ Long",
        "content": "Chấp thuận đăng ký tạm trú.",
        "signer_authority": ["KT. Chủ tịch", "Phó Chủ tịch"],
        "signer_name": "Vũ Văn Hùng",
    }
    fields.update(overrides)
    return ResultDocument(**fields)  # type: ignore[arg-type]


def _inside_page(box: SignatureBox) -> None:
    width, height = A4
    assert 0 <= box.x1 < box.x2 <= width
    assert 0 <= box.y1 < box.y2 <= height


def test_a_final_decision_has_the_decree_30_parts_and_no_draft_mark() -> None:
    pdf = result_document_render(_document(number="125", issued_on=date(2026, 3, 5))).pdf
    text = pdfcheck.text(pdf)
    for part in (
        "ỦY BAN NHÂN DÂN PHƯỜNG HẠ LONG",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 125/QĐ-UBND",
        "Hạ Long, ngày 05 tháng 3 năm 2026",
        "QUYẾT ĐỊNH",
        "CHỦ TỊCH ỦY BAN NHÂN DÂN PHƯỜNG HẠ LONG",
        "Căn cứ Luật Cư trú 2020;",
        "Căn cứ Thông tư số 66/2023/TT-BCA;",
        "Điều 1.",
        "Nguyễn Văn An",
        "022090001234",
        "000.22.07.H49-260305-0007",
        "Nơi nhận:",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "Vũ Văn Hùng",
    ):
        assert part in text, part
    assert "DỰ THẢO" not in text


def test_a_draft_has_a_blank_number_and_date_and_the_draft_mark() -> None:
    text = pdfcheck.text(result_document_render(_document()).pdf)
    assert f"Số: {DRAFT_NUMBER}/QĐ-UBND" in text
    assert "ngày …… tháng …… năm ……" in text
    assert "DỰ THẢO" in text


def test_a_number_with_its_symbol_is_printed_as_given() -> None:
    assert number_text("12/QĐ-UBND", "QĐ-UBND") == "12/QĐ-UBND"
    assert number_text("12", "GCN-UBND") == "12/GCN-UBND"
    assert number_text(None, "TB-UBND") == "……/TB-UBND"


@pytest.mark.parametrize("kind", list(ResultKind))
def test_the_seal_area_is_left_of_the_signature_area_on_one_row_apart(
    kind: ResultKind,
) -> None:
    rendered = result_document_render(_document(kind=kind, number="7", issued_on=date(2026, 3, 5)))
    signer, seal = rendered.signer_box, rendered.seal_box
    _inside_page(signer)
    _inside_page(seal)
    assert signer.page == seal.page == len(pdfcheck.reader(rendered.pdf).pages) - 1
    # 44 mm and 36 mm wide, 24 mm high (1 mm = 2.835 pt), in the right half of the page, under the
    # signer's title: the organisation's on the left, where a paper seal covers the signature's left,
    # but apart, each a signature widget of its own.
    mm = 72 / 25.4
    assert seal.x2 - seal.x1 == pytest.approx(44 * mm, abs=0.5)
    assert signer.x2 - signer.x1 == pytest.approx(36 * mm, abs=0.5)
    assert signer.y2 - signer.y1 == pytest.approx(24 * mm, abs=0.5)
    assert seal.x1 > A4[0] / 2 - 40
    assert seal.x2 < signer.x1
    assert (seal.y1, seal.y2) == (signer.y1, signer.y2)
    assert rendered.qr_box is None  # a QR code only on the document rendered for signing


def test_the_signature_area_lies_between_the_title_lines_and_the_name() -> None:
    rendered = result_document_render(_document(number="7", issued_on=date(2026, 3, 5)))
    page = pdfcheck.reader(rendered.pdf).pages[rendered.signer_box.page]
    found: dict[str, float] = {}

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        # The text's baseline on the page: the text matrix through the current transformation matrix.
        for needle in ("PHÓ CHỦ TỊCH", "Vũ Văn Hùng"):
            if needle in text:
                found[needle] = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]

    page.extract_text(visitor_text=visit)
    assert found["PHÓ CHỦ TỊCH"] > rendered.signer_box.y2
    assert found["Vũ Văn Hùng"] < rendered.signer_box.y1


def test_a_hostile_applicant_name_is_printed_literally() -> None:
    rendered = result_document_render(_document(applicant_name=HOSTILE, kind=ResultKind.CONFIRMATION))
    text = pdfcheck.text(rendered.pdf)
    assert "#set page(width: 1cm)" in text
    assert "$x^2$" in text
    _inside_page(rendered.signer_box)


def test_rendering_is_deterministic_for_the_same_document() -> None:
    document = _document(number="9", issued_on=date(2026, 3, 5))
    assert result_document_render(document).pdf == result_document_render(document).pdf


def test_a_document_needs_the_signers_authority() -> None:
    with pytest.raises(ValueError, match="thẩm quyền"):
        _document(signer_authority=[])


@pytest.mark.parametrize("path", DETAILED, ids=lambda p: p.stem)
def test_every_kind_renders_for_every_detailed_procedure_of_the_demo_catalogue(path: Path) -> None:
    record = json.loads(path.read_text(encoding="utf-8"))
    base = _document(
        procedure_name=record["name"],
        legal_bases=record.get("legal_basis") or [],
        content=f'Giải quyết thủ tục hành chính "{record["name"]}". Kết quả: {record.get("result") or ""}',
        title=(record.get("result") or "")[:120],
    )
    for kind in ResultKind:
        rendered = result_document_render(dataclasses.replace(base, kind=kind))
        text = pdfcheck.text(rendered.pdf)
        assert " ".join(record["name"].split()[:4]) in text
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
        _inside_page(rendered.signer_box)
        _inside_page(rendered.seal_box)


# --- the signed document and the stamps of an uploaded one --------------------------------------------


def test_a_document_rendered_for_signing_prints_the_signature_lines_and_gives_three_separate_areas() -> None:
    from datetime import timedelta, timezone

    signed_at = datetime(2026, 3, 5, 9, 30, 15, tzinfo=timezone(timedelta(hours=7)))
    rendered = result_document_render(
        _document(
            number="7",
            issued_on=date(2026, 3, 5),
            signed_at=signed_at,
            unit_name="Trung tâm Phục vụ hành chính công phường Hạ Long",
        )
    )
    text = pdfcheck.text(rendered.pdf)
    assert "Thời gian ký: 05/03/2026 09:30:15 +07:00" in text
    assert "(Đã ký số)" in text
    assert rendered.qr_box is not None
    boxes = (rendered.signer_box, rendered.seal_box, rendered.qr_box)
    for box in boxes:
        _inside_page(box)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert a.x2 <= b.x1 or b.x2 <= a.x1 or a.y2 <= b.y1 or b.y2 <= a.y1, (a, b)


def test_signing_time_is_printed_with_seconds_and_the_zone_offset() -> None:
    from datetime import timedelta, timezone

    from motcua.documents.results import signing_time_text

    assert signing_time_text(datetime(2026, 12, 2, 6, 5, 4, tzinfo=UTC)) == "02/12/2026 06:05:04 +00:00"
    moment = datetime(2026, 12, 2, 13, 5, 4, 999, tzinfo=timezone(timedelta(hours=7)))
    assert signing_time_text(moment) == "02/12/2026 13:05:04 +07:00"


def test_a_stamp_fits_a_long_name_whole_in_its_box() -> None:
    from motcua.documents.results import signature_stamp_render

    lines = (
        "Người ký: Tôn Nữ Hoàng Thị Phương Thảo Nguyễn Phúc Bảo Ngọc",
        "Phó Giám đốc",
        "Trung tâm Phục vụ hành chính công tỉnh Quảng Ninh, chi nhánh phường Hạ Long",
        "Thời gian ký: 02/12/2026 13:12:05 +07:00",
        "(Đã ký số)",
    )
    pdf = signature_stamp_render(lines, width=160, height=70, issued_at=datetime(2026, 12, 2, tzinfo=UTC))
    page = pdfcheck.reader(pdf).pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx((160, 70))
    text = pdfcheck.text(pdf)
    for line in lines:
        assert line in text, line
    starts: list[tuple[float, float]] = []

    def visit(_text: str, cm: list[float], tm: list[float], *_: object) -> None:
        if _text.strip():
            starts.append((tm[4] * cm[0] + tm[5] * cm[2] + cm[4], tm[4] * cm[1] + tm[5] * cm[3] + cm[5]))

    page.extract_text(visitor_text=visit)
    assert starts
    assert all(0 <= x <= 160 and 0 <= y <= 70 for x, y in starts)
