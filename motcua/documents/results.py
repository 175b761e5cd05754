"""Result documents — văn bản kết quả giải quyết: decision, certificate or confirmation, as PDF.

The layout is that of Decree 30/2020/NĐ-CP (docs/domain.md "Result documents"): issuing authority
top-left, national motto top-right, number and symbol under the unit, place and date under the motto,
title and trích yếu, legal bases, content, recipients bottom-left, the signer bottom-right. A draft
(no number yet) prints "Số: ……/<symbol>" and a light "DỰ THẢO" across the page.

The signer block holds the seal area (left) and the leader's signature area (right), side by side; a
signed document (``signed_at`` set, rendered at signing) prints in them what Decree 30/2020 shows of the
two digital signatures — the organisation's name and the signing time, and "(Đã ký số)" — plus an empty
square for the QR code under the recipients. The template marks the three areas with labelled metadata
and ``result_document_render`` reads them back with typst's query, so the signing code puts its widgets
and the QR code where the template actually put them (PDF points, origin bottom-left).

Like ``documents.forms``, this knows no models: callers pass a :class:`ResultDocument`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from motcua.documents import wording
from motcua.documents.forms import DEFAULT_PLACE, _finish, clean_text
from motcua.documents.rendering import FormRenderError, render_pdf, render_pdf_and_query


class ResultKind(StrEnum):
    """Which template a result document uses (mẫu văn bản kết quả)."""

    DECISION = "decision"
    CERTIFICATE = "certificate"
    CONFIRMATION = "confirmation"


_TEMPLATES = {
    ResultKind.DECISION: "result_decision.typ",
    ResultKind.CERTIFICATE: "result_certificate.typ",
    ResultKind.CONFIRMATION: "result_confirmation.typ",
}
# Tên loại văn bản → its abbreviation in the symbol (Decree 30/2020, Phụ lục III).
KIND_ABBREVIATIONS = {
    ResultKind.DECISION: "QĐ",
    ResultKind.CERTIFICATE: "GCN",
    ResultKind.CONFIRMATION: "TB",
}
# What a blank number looks like on a draft: the clerk writes it when the document is issued.
DRAFT_NUMBER = "……"


@dataclass(frozen=True)
class SignatureBox:
    """A rectangle on a page of the PDF: ``page`` 0-based (-1 = the last page), PDF points, origin at
    the bottom-left corner of the page, (x1, y1) bottom-left and (x2, y2) top-right."""

    page: int
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class RenderedResult:
    pdf: bytes
    signer_box: SignatureBox
    seal_box: SignatureBox
    qr_box: SignatureBox | None = None  # only on a signed document: the QR code has the unsigned file's hash


@dataclass(frozen=True, kw_only=True)
class ResultDocument:
    """Everything a result document prints, already chosen by the caller.

    ``number`` None makes a draft (dự thảo). ``symbol`` is the part after the slash ("QĐ-UBND");
    ``number`` may be the sequence alone ("125", printed "125/QĐ-UBND") or a whole number with its
    symbol ("125/QĐ-UBND"). ``issued_on`` None leaves the date to be filled ("ngày … tháng … năm …").
    ``signer_authority``: the lines above the signature ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH").
    ``authority_heading`` (decisions): who decides ("Chủ tịch Ủy ban nhân dân phường Hạ Long").
    """

    kind: ResultKind
    unit_name: str
    parent_unit_name: str = ""
    place_name: str = DEFAULT_PLACE
    number: str | None = None
    symbol: str
    issued_on: date | None = None
    issued_at: datetime
    title: str = ""
    summary: str = ""
    authority_heading: str = ""
    legal_bases: Sequence[str] = ()
    dossier_code: str
    procedure_name: str
    received_on: date | None = None
    applicant_name: str
    applicant_is_organisation: bool = False
    applicant_id_number: str = ""
    applicant_birth_date: date | None = None
    applicant_address: str = ""
    content: str
    validity: str = ""
    executors: str = ""
    recipients: Sequence[str] = ("Như trên;", "Lưu: VT.")
    signer_authority: Sequence[str]
    signer_name: str = ""
    # The signing time, set only when rendering the document that is signed right after: the template
    # then prints the digital signatures' lines (the QR code and the widgets come with the signatures).
    signed_at: datetime | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", ResultKind(self.kind))
        object.__setattr__(self, "legal_bases", tuple(self.legal_bases))
        object.__setattr__(self, "recipients", tuple(self.recipients))
        object.__setattr__(self, "signer_authority", tuple(self.signer_authority))
        if not self.signer_authority:
            raise ValueError("Văn bản kết quả phải có thẩm quyền, chức vụ người ký")
        if self.signed_at is not None and (self.number is None or self.signed_at.utcoffset() is None):
            raise ValueError("Chỉ văn bản đã có số mới được ký, với thời gian ký có múi giờ")

    @property
    def is_draft(self) -> bool:
        return self.number is None


def number_text(number: str | None, symbol: str) -> str:
    """``125/QĐ-UBND``; a draft's ``……/QĐ-UBND``; a number that already has its symbol as given."""
    if number is None:
        return f"{DRAFT_NUMBER}/{symbol}"
    number = clean_text(number).strip()
    return number if "/" in number else f"{number}/{symbol}"


def _place_date(place: str, issued_on: date | None) -> str:
    if issued_on is not None:
        return wording.place_date(place, issued_on)
    blank = "ngày …… tháng …… năm ……"
    return f"{place}, {blank}" if place else blank.capitalize()


def signing_time_text(moment: datetime) -> str:
    """Thời gian ký as Decree 30/2020 wants it: date, time to the second, and the zone's offset
    (ISO 8601, "+07:00") — ``02/12/2026 13:12:05 +07:00`` for a moment in Vietnam's zone."""
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError("signing time must be an aware datetime")
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{moment:%d/%m/%Y %H:%M:%S} {sign}{hours:02d}:{rest:02d}"


def _legal_basis_lines(bases: Sequence[str]) -> list[str]:
    # "Căn cứ Luật Cư trú 2020;" — the catalogue lists the instruments bare; a line already starting
    # with "Căn cứ" is kept as written.
    lines = []
    for basis in bases:
        text = clean_text(basis).strip().rstrip(".;,")
        if not text:
            continue
        lines.append((text if text.lower().startswith("căn cứ") else f"Căn cứ {text}") + ";")
    return lines


_ID_LABELS = ("Số định danh cá nhân", "Mã số doanh nghiệp/Mã số thuế")


def result_payload(doc: ResultDocument) -> dict[str, Any]:
    """The JSON the result templates read."""
    title = (
        doc.title
        or {
            ResultKind.DECISION: "Quyết định",
            ResultKind.CERTIFICATE: "Giấy chứng nhận",
            ResultKind.CONFIRMATION: "Thông báo",
        }[doc.kind]
    )
    data: dict[str, Any] = {
        "doc_title": title,
        "draft": doc.is_draft,
        "parent_unit_name": doc.parent_unit_name,
        "unit_name": doc.unit_name,
        "number": number_text(doc.number, clean_text(doc.symbol)),
        "place_date": _place_date(clean_text(doc.place_name), doc.issued_on),
        "title": title,
        "summary": doc.summary,
        "authority_heading": doc.authority_heading,
        "legal_bases": _legal_basis_lines(doc.legal_bases),
        "dossier_code": doc.dossier_code,
        "procedure_name": doc.procedure_name,
        "received_date": wording.date_numeric(doc.received_on) if doc.received_on else "",
        "applicant_label": "Tổ chức" if doc.applicant_is_organisation else "Ông/Bà",
        "applicant_name": doc.applicant_name,
        "applicant_id_label": _ID_LABELS[doc.applicant_is_organisation],
        "applicant_id_number": doc.applicant_id_number,
        "applicant_birth_date": wording.date_numeric(doc.applicant_birth_date)
        if doc.applicant_birth_date
        else "",
        "applicant_address": doc.applicant_address,
        "content": doc.content,
        "validity": doc.validity,
        "executors": doc.executors or f"{doc.unit_name}, {doc.applicant_name}",
        "recipients": list(doc.recipients),
        "signer_authority": list(doc.signer_authority),
        "signer_name": doc.signer_name,
        "signed": doc.signed_at is not None,
        "signed_time": signing_time_text(doc.signed_at) if doc.signed_at is not None else "",
    }
    return _finish(data)


def _box(area: dict[str, Any]) -> SignatureBox:
    # typst measures from the top-left corner downwards; PDF from the bottom-left upwards.
    height = float(area["page_height"])
    x, y = float(area["x"]), float(area["y"])
    return SignatureBox(
        page=int(area["page"]) - 1,
        x1=round(x, 2),
        y1=round(height - y - float(area["height"]), 2),
        x2=round(x + float(area["width"]), 2),
        y2=round(height - y, 2),
    )


_AREA_NAMES = re.compile(r"^(signer|seal|qr)$")


def result_document_render(doc: ResultDocument) -> RenderedResult:
    """PDF of the result document and where the leader's signature and the seal go on it."""
    pdf, found = render_pdf_and_query(
        _TEMPLATES[doc.kind], result_payload(doc), issued_at=doc.issued_at, selector="<result-area>"
    )
    areas = {
        item["value"]["name"]: item["value"]
        for item in json.loads(found)
        if _AREA_NAMES.match(str(item.get("value", {}).get("name", "")))
    }
    expected = {"signer", "seal", "qr"} if doc.signed_at is not None else {"signer", "seal"}
    if set(areas) != expected:
        raise FormRenderError(f"{_TEMPLATES[doc.kind]}: signature areas missing ({sorted(areas)})")
    return RenderedResult(
        pdf=pdf,
        signer_box=_box(areas["signer"]),
        seal_box=_box(areas["seal"]),
        qr_box=_box(areas["qr"]) if "qr" in areas else None,
    )


def signature_stamp_render(
    lines: Sequence[str], *, width: float, height: float, issued_at: datetime
) -> bytes:
    """A one-page PDF of ``width`` × ``height`` points with ``lines`` set in it, for a signature stamp on
    a document typst did not make (an uploaded result).

    Each line wraps between words; the font shrinks from 9 pt (down to 5 pt) until every line fits the
    page, so a long name or unit is never cut. The signing code draws the page as the stamp's content.
    """
    data = {"lines": [clean_text(line) for line in lines if line.strip()], "width": width, "height": height}
    return render_pdf("signature_stamp.typ", data, issued_at=issued_at)
