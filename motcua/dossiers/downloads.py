"""Result documents and standard forms as downloads — tải kết quả, biểu mẫu: one way to serve them.

Each channel checks who may download first (the back office: an official of the dossier's units; the
portal: the applicant, once the result is ready for the result; the API: either); this only builds the
answer.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpResponse
from django.http.response import HttpResponseBase

from motcua.accounts.models import Account
from motcua.core.storage import display_filename, stored_file_read_checked, stored_file_response
from motcua.documents import forms as doc_forms
from motcua.documents import results as doc_results
from motcua.documents.responses import pdf_response
from motcua.documents.results import SignatureBox
from motcua.dossiers import form_builders
from motcua.dossiers.errors import DossierInvalid
from motcua.dossiers.models import (
    Decision,
    Dossier,
    DossierComponent,
    DossierResultDocument,
    DossierResultDraft,
    DossierState,
    DvcqgStatus,
)

__all__ = [
    "APPLICANT_FORMS",
    "FORM_FILENAMES",
    "RESULT_VISIBLE_STATUSES",
    "ResultPdf",
    "SignatureBox",
    "component_response",
    "form_pdf_response",
    "forms_available",
    "result_document_get",
    "result_documents",
    "result_draft_get",
    "result_filename",
    "result_pdf_build",
    "result_response",
]

# The standard forms (biểu mẫu) by their key in the URLs, with the name each downloads as (+ the code).
FORM_FILENAMES = {
    "01": "Mau-01-giay-tiep-nhan",
    "02": "Mau-02-yeu-cau-bo-sung",
    "03": "Mau-03-tu-choi",
    "04": "Mau-04-xin-loi-hen-lai",
    "05": "Mau-05-kiem-soat-qua-trinh",
    "dung": "Thong-bao-dung-giai-quyet",
}
# Forms addressed to the applicant: all but form 05, the officials' internal process control sheet.
APPLICANT_FORMS = frozenset(FORM_FILENAMES) - {"05"}
# Forms that apply only in some situations: the builder returns None when the form does not apply.
_CONDITIONAL_FORMS: dict[str, tuple[Callable[..., Any], Callable[[Any], bytes]]] = {
    "02": (form_builders.supplement_request_form_build, doc_forms.form_supplement_request_render),
    "03": (form_builders.refusal_form_build, doc_forms.form_refusal_render),
    "04": (form_builders.apology_form_build, doc_forms.form_apology_render),
    "05": (form_builders.process_control_form_build, doc_forms.form_process_control_render),
    "dung": (form_builders.stop_notice_form_build, doc_forms.form_stop_notice_render),
}


def forms_available(dossier: Dossier, *, supplement_requested: bool) -> list[str]:
    """Keys of the standard forms this dossier has now, in order (every channel lists these; the portal
    leaves out form 05). ``supplement_requested``: whether a supplement request was ever made."""
    received = dossier.received_at is not None
    present = {
        "01": received,
        "02": supplement_requested,
        "03": dossier.state == DossierState.REFUSED or dossier.decision == Decision.REJECTED,
        "04": dossier.extended,
        "05": received,
        "dung": dossier.state == DossierState.STOPPED and received,
    }
    return [form for form in FORM_FILENAMES if present[form]]


def form_pdf_response(*, dossier: Dossier, form: str, tracking_url: str) -> HttpResponse | None:
    """Standard form ``form`` of the dossier as a PDF download; None when the dossier has no such form
    (form 01 before receipt, 02 without a supplement request …). ``tracking_url``: form 01's QR code."""
    content: bytes | None = None
    if form == "01":
        if dossier.received_at is not None:
            content = doc_forms.form_receipt_render(
                form_builders.receipt_form_build(dossier=dossier, tracking_url=tracking_url)
            )
    elif form in _CONDITIONAL_FORMS:
        build, render = _CONDITIONAL_FORMS[form]
        built = build(dossier=dossier)
        content = render(built) if built is not None else None
    if content is None:
        return None
    return pdf_response(content, f"{FORM_FILENAMES[form]}-{dossier.code}.pdf")


# The applicant sees the result once it is ready (status 9) or handed over (status 10).
RESULT_VISIBLE_STATUSES = frozenset({DvcqgStatus.DONE, DvcqgStatus.RETURNED})


def result_documents(*, dossier: Dossier) -> list[DossierResultDocument]:
    """The dossier's result documents, oldest first (one query)."""
    return list(DossierResultDocument.objects.filter(dossier=dossier).order_by("uploaded_at", "pk"))


def result_document_get(*, dossier: Dossier, document_id: int) -> DossierResultDocument | None:
    return DossierResultDocument.objects.filter(dossier=dossier, pk=document_id).first()


def result_filename(document: DossierResultDocument) -> str:
    """Named from the dossier code (ASCII, safe in every browser), never from what was uploaded."""
    return f"Ket-qua-{document.dossier.code}-{document.pk}.pdf"


def result_response(document: DossierResultDocument) -> HttpResponseBase:
    """The signed PDF as an attachment, never cached by a shared cache (it is personal data), and only
    if its bytes still match the SHA-256 recorded when it was stored (``core.storage``)."""
    return stored_file_response(
        document.file,
        sha256=document.sha256,
        filename=result_filename(document),
        content_type="application/pdf",
    )


def component_response(component: DossierComponent) -> HttpResponseBase:
    """A dossier component's scan as an attachment, checked against its recorded SHA-256."""
    filename = display_filename(component.name, component.file.name or "")
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return stored_file_response(
        component.file, sha256=component.file_sha256, filename=filename, content_type=content_type
    )


# --------------------------------------------------------------------------------------------------
# The result document to sign (contract with the signing app)
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultPdf:
    """The result PDF of a dossier, ready to read or sign.

    ``source``: ``upload`` — the draft the specialist uploaded, as uploaded (no boxes: the signing
    code places the signature itself); ``template`` — rendered from the procedure's result template,
    with the boxes where the leader's signature and the organisation's seal go.
    """

    pdf: bytes
    filename: str
    source: Literal["upload", "template"]
    signer_box: SignatureBox | None
    seal_box: SignatureBox | None
    qr_box: SignatureBox | None = None


def result_draft_get(*, dossier: Dossier) -> DossierResultDraft | None:
    return DossierResultDraft.objects.filter(dossier=dossier).first()


def result_pdf_build(
    *,
    dossier: Dossier,
    number: str | None,
    signer: Account | None,
    issued_on: date | None,
    signed_at: datetime | None = None,
) -> ResultPdf:
    """The dossier's result document — văn bản kết quả — as a PDF.

    ``number`` None gives a draft ("Số: ……/<symbol>", a light "DỰ THẢO" mark); with a number
    ("125" or "125/QĐ-UBND") the final document to sign. The draft the specialist uploaded, if any,
    is returned as uploaded (checked against its SHA-256); otherwise the procedure's template
    (``catalog.selectors.procedure_result_template``) is rendered. A procedure set to "upload only"
    without an uploaded draft raises ``DossierInvalid``. ``signed_at`` (with a number): the template
    prints the digital signatures' lines for that signing time and gives the QR code's box too.
    """
    draft = result_draft_get(dossier=dossier)
    if draft is not None:
        with stored_file_read_checked(draft.file, sha256=draft.sha256) as handle:
            pdf = handle.read()
        return ResultPdf(
            pdf=pdf,
            filename=f"Ket-qua-{dossier.code}.pdf"
            if number is not None
            else f"Du-thao-ket-qua-{dossier.code}.pdf",
            source="upload",
            signer_box=None,
            seal_box=None,
        )
    document = form_builders.result_document_build(
        dossier=dossier, number=number, signer=signer, issued_on=issued_on, signed_at=signed_at
    )
    if document is None:
        raise DossierInvalid(
            {"result_file": "Thủ tục này không dùng mẫu văn bản kết quả: vui lòng tải lên dự thảo kết quả."}
        )
    rendered = doc_results.result_document_render(document)
    return ResultPdf(
        pdf=rendered.pdf,
        filename=f"Ket-qua-{dossier.code}.pdf"
        if number is not None
        else f"Du-thao-ket-qua-{dossier.code}.pdf",
        source="template",
        signer_box=rendered.signer_box,
        seal_box=rendered.seal_box,
        qr_box=rendered.qr_box,
    )
