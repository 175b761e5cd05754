"""Draft result on the back office — dự thảo kết quả: upload (specialist) and read (approver, leader)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from motcua.accounts.models import Account
from motcua.backoffice.access import official_required
from motcua.catalog.models import ResultTemplate
from motcua.catalog.selectors import procedure_result_template
from motcua.documents.responses import pdf_response
from motcua.dossiers import downloads, services
from motcua.dossiers.errors import DossierError, DossierInvalid, DossierPermissionDenied
from motcua.dossiers.models import Decision, Dossier, DossierState

# Until the result is signed and sent, the draft is what the approver and the leader read.
_DRAFT_VISIBLE_STATES = frozenset({DossierState.ACCEPTED, DossierState.PROCESSING, DossierState.RESULT_READY})


class ResultDraftForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Tệp dự thảo kết quả (PDF, JPEG, PNG)"))
    row_version = forms.IntegerField(widget=forms.HiddenInput)


def draft_context(d: Dossier, user: Account) -> dict[str, object]:
    """What the dossier page shows about the draft result (one query for the current draft)."""
    viewable = d.state in _DRAFT_VISIBLE_STATES and d.decision != Decision.REJECTED
    may_upload = services.result_draft_may_upload(user=user, dossier=d)
    draft = downloads.result_draft_get(dossier=d) if viewable else None
    # An upload-only procedure has nothing to show until the specialist uploads the draft.
    templated = procedure_result_template(d.procedure) != ResultTemplate.UPLOAD
    return {
        "result_draft": draft,
        "result_draft_viewable": viewable and (may_upload or draft is not None or templated),
        "result_draft_link": draft is not None or templated,
        "result_draft_form": ResultDraftForm(initial={"row_version": d.row_version}) if may_upload else None,
    }


@require_GET
@official_required
def result_draft_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """Xem dự thảo kết quả: the uploaded draft as uploaded, else the procedure's template as a draft."""
    # Imported here: views imports this module for the page's context (draft_context).
    from motcua.backoffice.views import _access_record, _dossier_or_404

    d = _dossier_or_404(request, code)
    if d.state not in _DRAFT_VISIBLE_STATES:
        raise Http404(_("Hồ sơ không có dự thảo kết quả."))
    try:
        built = downloads.result_pdf_build(dossier=d, number=None, signer=d.decided_by, issued_on=None)
    except DossierInvalid as exc:
        raise Http404(exc.message) from None
    _access_record(request, d, "Xem dự thảo kết quả")
    return pdf_response(built.pdf, built.filename)


@require_POST
@official_required
def result_draft_upload(request: HttpRequest, code: str) -> HttpResponse:
    """Upload or replace the draft result; errors re-render the dossier page with the message."""
    from motcua.backoffice.views import _detail_context, _dossier_or_404, _real_user  # see result_draft_pdf

    d = _dossier_or_404(request, code)
    form = ResultDraftForm(request.POST, request.FILES)
    status, error = 400, _("Vui lòng chọn tệp dự thảo kết quả.")
    if form.is_valid():
        try:
            services.dossier_result_draft_upload(
                actor=_real_user(request),
                dossier=d,
                row_version=form.cleaned_data["row_version"],
                file=form.cleaned_data["file"],
            )
        except DossierError as exc:
            error = exc.message
            if isinstance(exc, DossierInvalid):
                status = 400
                form.add_error("file", exc.errors.get("file", exc.message))
            else:
                status = 403 if isinstance(exc, DossierPermissionDenied) else 409
        else:
            messages.success(request, _("Đã tải lên dự thảo kết quả của hồ sơ %(code)s.") % {"code": d.code})
            return redirect("backoffice:dossier_detail", code=d.code)
    # Nothing was written: the page as it is now; a conflict gets a fresh form with the new version.
    fresh = _dossier_or_404(request, code)
    context = _detail_context(request, fresh, error=error)
    if context["result_draft_form"] is not None and status == 400:
        context["result_draft_form"] = form
    return render(request, "backoffice/dossier_detail.html", context, status=status)
