"""Ký số hàng loạt (``/can-bo/ky-so/``): a leader signs many approved dossiers in one action.

The list shows the dossiers waiting for this leader's signature (their units, at a signing step);
"Ký số N hồ sơ" creates a batch whose dossiers are each signed by a job of their own
(``signing.services.batch_create``): a failure on one does not touch the others, and a killed worker's
job is taken over and run again without signing twice. The batch page shows each dossier's outcome
and polls itself (htmx) while some are still waiting.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from motcua.accounts.models import Account
from motcua.backoffice.access import official_required
from motcua.backoffice.views import _access_record, _dossier_or_404
from motcua.documents.responses import pdf_response
from motcua.dossiers import downloads
from motcua.dossiers.errors import DossierError
from motcua.signing import selectors, services
from motcua.signing.models import BatchItemStatus
from motcua.signing.pades import PdfUnreadable, pdf_printout
from motcua.signing.result_source import result_pdf_build


def _official(request: HttpRequest) -> Account:
    user = request.user
    _pk = user.pk
    real = getattr(user, "_wrapped", user)
    assert isinstance(real, Account)
    return real


@require_http_methods(["GET", "HEAD", "POST"])
@official_required
def signing_list(request: HttpRequest) -> HttpResponse:
    user = _official(request)
    waiting = selectors.dossiers_awaiting_signature(user=user)
    error = ""
    if request.method == "POST":
        chosen = set(request.POST.getlist("ho_so"))
        dossiers = [d for d in waiting if d.code in chosen]
        try:
            batch = services.batch_create(actor=user, dossiers=dossiers)
        except DossierError as exc:
            error = exc.message
        else:
            messages.success(
                request,
                ngettext("Đã bắt đầu ký số %(n)s hồ sơ.", "Đã bắt đầu ký số %(n)s hồ sơ.", len(dossiers))
                % {"n": len(dossiers)},
            )
            return redirect("backoffice:signing_batch", batch_id=batch.pk)
    return render(
        request,
        "backoffice/signing_list.html",
        {"dossiers": waiting, "error": error},
        status=400 if error else 200,
    )


@require_GET
@official_required
def signing_batch(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = selectors.batch_get(user=_official(request), batch_id=batch_id)
    if batch is None:
        raise Http404(_("Không tìm thấy lượt ký."))
    items = list(selectors.batch_items(batch))
    pending = sum(1 for item in items if item.status == BatchItemStatus.PENDING)
    context = {
        "batch": batch,
        "items": items,
        "pending": pending,
        "signed": sum(1 for item in items if item.status == BatchItemStatus.SIGNED),
        "failed": sum(1 for item in items if item.status == BatchItemStatus.FAILED),
        "total": len(items),
    }
    template = "backoffice/_signing_progress.html" if request.htmx else "backoffice/signing_batch.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@require_GET
@official_required
def result_preview(request: HttpRequest, code: str) -> HttpResponse:
    """The draft of the result (no number yet) as the leader will sign it."""
    d = _dossier_or_404(request, code)
    built = result_pdf_build(dossier=d, number=None, signer=_official(request), issued_on=None)
    _access_record(request, d, "Xem bản xem trước kết quả")
    return pdf_response(built.pdf, f"Du-thao-{d.code}.pdf")


@require_GET
@official_required
def result_printout(request: HttpRequest, code: str, document_id: int) -> HttpResponse:
    """Bản in: a copy of the electronic result marked as such, for a paper return (never the original)."""
    d = _dossier_or_404(request, code)
    document = downloads.result_document_get(dossier=d, document_id=document_id)
    if document is None:
        raise Http404(_("Không tìm thấy tệp."))
    _access_record(request, d, f"In bản sao kết quả: {document.name}")
    with document.file.open("rb") as handle:
        data = handle.read()
    base = settings.MOTCUA_PUBLIC_BASE_URL.rstrip("/")
    note = f"Bản in từ bản gốc điện tử — xác thực tại {base}/xac-thuc (mã hồ sơ {d.code})"
    try:
        copy = pdf_printout(data, note=note)
    except PdfUnreadable:
        messages.error(request, _("Không tạo được bản in: tệp kết quả không đọc được."))
        return redirect("backoffice:dossier_detail", code=d.code)
    return pdf_response(copy, f"Ban-in-{d.code}-{document.pk}.pdf")
