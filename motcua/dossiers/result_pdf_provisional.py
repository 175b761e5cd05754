"""Provisional result PDF — bản kết quả tạm (signing branch only).

Stands in for ``motcua.dossiers.downloads.result_pdf_build`` of the "results" branch (typst result
templates per procedure, uploaded drafts) until it is merged: same signature, same ``ResultPdf``. The
signing app imports it from one place (``motcua.signing.result_source``), switched to the real one at merge.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Literal

import typst

from motcua.accounts.models import Account
from motcua.dossiers.models import Decision, Dossier

_DIR = Path(__file__).resolve().parent
_FONTS = _DIR.parent / "documents" / "fonts"
_TEMPLATE = _DIR / "result_pdf_provisional.typ"


@dataclass(frozen=True)
class SignatureBox:
    """Where a visible signature goes: page (0-based, -1 = last), box in PDF points (origin bottom-left)."""

    page: int
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class ResultPdf:
    pdf: bytes
    filename: str
    source: Literal["upload", "template"]
    signer_box: SignatureBox | None
    seal_box: SignatureBox | None


@cache
def _fonts() -> typst.Fonts:
    return typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(_FONTS)])


_local = threading.local()


def _compiler() -> typst.Compiler:
    compiler: typst.Compiler | None = getattr(_local, "compiler", None)
    if compiler is None:
        compiler = typst.Compiler(root=str(_DIR), font_paths=_fonts(), ignore_system_fonts=True)
        _local.compiler = compiler
    return compiler


def result_pdf_build(
    *, dossier: Dossier, number: str | None, signer: Account | None, issued_on: date | None
) -> ResultPdf:
    """The result document of ``dossier`` (kết quả giải quyết); ``number=None`` → a draft ("Số: ……")."""
    issued = issued_on or date.today()
    official = getattr(signer, "official", None) if signer is not None else None
    approved = dossier.decision != Decision.REJECTED
    data = {
        "unit": dossier.competent_unit.name,
        "number": number or "……",
        "place": "Quảng Ninh",
        "date": f"ngày {issued.day:02d} tháng {issued.month:02d} năm {issued.year}",
        "title": "Kết quả giải quyết thủ tục hành chính" if approved else "Thông báo từ chối giải quyết",
        "code": dossier.code,
        "procedure": dossier.procedure.name,
        "applicant": dossier.applicant_name,
        "body": (
            "Hồ sơ đã được giải quyết theo quy định."
            if approved
            else f"Hồ sơ không được giải quyết. Lý do: {dossier.state_reason}"
        ),
        "signer_title": (official.title if official is not None and official.title else "Lãnh đạo").upper(),
        "signer": signer.get_full_name() if signer is not None else "",
    }
    pdf = _compiler().compile(
        input=str(_TEMPLATE),
        format="pdf",
        sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
        timestamp=datetime.combine(issued, datetime.min.time(), tzinfo=UTC),
    )
    assert isinstance(pdf, bytes)
    return ResultPdf(
        pdf=pdf,
        filename=f"Ket-qua-{dossier.code}.pdf",
        source="template",
        # Bottom of the page, under the signer block (A4 = 595 × 842 pt): the leader's signature on the
        # right, the organisation's seal to its left.
        signer_box=SignatureBox(page=-1, x1=330, y1=40, x2=565, y2=130),
        seal_box=SignatureBox(page=-1, x1=85, y1=40, x2=320, y2=130),
    )
