"""Online submission wizard — nộp hồ sơ trực tuyến: /nop-truc-tuyen/<procedure code>/…

Thin: ``portal.services`` saves each step and submits; ``catalog.selectors.procedure_online_eligibility``
decides whether the procedure takes online dossiers (the procedure page asks the same function). Every
page is the signed-in applicant's own: another account's draft is a 404, never a 403 that would
confirm it exists. Bad input re-renders the step with a Vietnamese message beside each field (400).
"""

from __future__ import annotations

from datetime import datetime

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.http import require_http_methods, require_POST

from motcua.accounts.models import Account
from motcua.catalog.models import Procedure
from motcua.catalog.selectors import procedure_get, procedure_online_eligibility
from motcua.datastore.selectors import document_reuse_count, stored_documents_matching
from motcua.dossiers import deadlines
from motcua.dossiers.models import Channel
from motcua.dossiers.services.receipt import dossier_fee_due
from motcua.portal import form_schema
from motcua.portal.access import applicant_required
from motcua.portal.models import DraftStep, SubmissionDraft
from motcua.portal.selectors import draft_get, drafts_of, receiving_units
from motcua.portal.services import (
    SubmissionClosed,
    SubmissionInvalid,
    draft_answers_save,
    draft_applicant_save,
    draft_component_clear,
    draft_component_reuse,
    draft_component_upload,
    draft_delete,
    draft_documents_check,
    draft_start,
    draft_submit,
)

STEP_URLS: dict[str, str] = {
    DraftStep.APPLICANT: "nguoi-nop",
    DraftStep.FORM: "to-khai",
    DraftStep.DOCUMENTS: "giay-to",
    DraftStep.REVIEW: "xem-lai",
}
STEP_OF_URL = {v: k for k, v in STEP_URLS.items()}
PREFILL_NOTE = gettext_noop("Tự động điền từ tài khoản định danh điện tử và CSDL quốc gia về dân cư")


def _account(request: HttpRequest) -> Account:
    user = request.user
    assert isinstance(user, Account)  # applicant_required
    return user


def _procedure(code: str) -> Procedure:
    try:
        return procedure_get(code=code)
    except Procedure.DoesNotExist:
        raise Http404 from None


def _draft(request: HttpRequest, code: str, draft_id: int) -> SubmissionDraft:
    try:
        draft = draft_get(owner=_account(request), draft_id=draft_id)
    except SubmissionDraft.DoesNotExist:
        raise Http404 from None
    if draft.procedure.code != code:
        raise Http404
    return draft


def step_url(draft: SubmissionDraft, step: str) -> str:
    return reverse(
        "portal:submit_step",
        kwargs={"code": draft.procedure.code, "draft_id": draft.pk, "step": STEP_URLS[step]},
    )


def _closed(request: HttpRequest, procedure: Procedure, reason: str) -> HttpResponse:
    return render(
        request, "portal/submit_closed.html", {"procedure": procedure, "reason": reason}, status=403
    )


@require_http_methods(["GET", "HEAD", "POST"])
@applicant_required
def submit_start(request: HttpRequest, code: str) -> HttpResponse:
    """The procedure's submission page: what is needed, then "Bắt đầu" (POST) creates or resumes the draft."""
    procedure = _procedure(code)
    eligibility = procedure_online_eligibility(procedure)
    if not eligibility.allowed:
        return _closed(request, procedure, eligibility.reason)
    renewal = request.POST.get("gia-han") or request.GET.get("gia-han") or ""
    if request.method == "POST":
        try:
            draft = draft_start(
                owner=_account(request),
                procedure=procedure,
                renewal_of=int(renewal) if renewal.isdigit() else None,
            )
        except SubmissionClosed as exc:
            return _closed(request, procedure, str(exc))
        return redirect(step_url(draft, draft.step))
    return render(
        request,
        "portal/submit_start.html",
        {"procedure": procedure, "renewal": renewal if renewal.isdigit() else ""},
    )


def _steps(draft: SubmissionDraft, current: str) -> list[dict[str, object]]:
    reached = list(DraftStep.values).index(draft.step)
    return [
        {
            "label": gettext(label),
            "url": step_url(draft, value) if i <= reached else "",
            "current": value == current,
            "number": i + 1,
        }
        for i, (value, label) in enumerate(DraftStep.choices)
    ]


def _context(
    request: HttpRequest, draft: SubmissionDraft, step: str, errors: dict[str, str]
) -> dict[str, object]:
    context: dict[str, object] = {
        "draft": draft,
        "procedure": draft.procedure,
        "step": step,
        "steps": _steps(draft, step),
        "errors": errors,
        "prefill_note": gettext(PREFILL_NOTE),
    }
    if step == DraftStep.APPLICANT:
        values = dict(draft.applicant)
        if request.method == "POST":
            values = {
                k: request.POST.get(k, "")
                for k in ("kind", "name", "id_number", "birth_date", "phone", "email", "address")
            }
        context["values"] = values
        context["units"] = list(receiving_units())
        context["unit_id"] = (
            request.POST.get("receiving_unit", "")
            if request.method == "POST"
            else str(draft.receiving_unit_id or "")
        )
    elif step == DraftStep.FORM:
        values = draft.answers
        if request.method == "POST":
            values = {
                k: (k in request.POST) if prop.get("type") == "boolean" else request.POST.get(k, "")
                for k, prop in draft.form_schema["properties"].items()
            }
        context["fields"] = form_schema.form_fields(
            draft.form_schema, draft.form_ui, values=values, errors=errors
        )
    elif step in (DraftStep.DOCUMENTS, DraftStep.REVIEW):
        documents = list(draft.procedure.documents.all())
        given = {c.document_id: c for c in draft.components.select_related("stored_document")}
        matching = stored_documents_matching(
            owner=_account(request), names=[d.name for d in documents], today=timezone.localdate()
        )
        context["slots"] = [
            {
                "document": d,
                "component": given.get(d.pk),
                "offers": matching.get(d.name, []),
                "error": errors.get(f"doc_{d.pk}", ""),
            }
            for d in documents
        ]
        if step == DraftStep.REVIEW:
            context["fields"] = form_schema.form_fields(
                draft.form_schema, draft.form_ui, values=draft.answers, errors={}
            )
            context["fee"] = dossier_fee_due(procedure=draft.procedure, channel=Channel.ONLINE)
    return context


@require_http_methods(["GET", "HEAD", "POST"])
@applicant_required
def submit_step(request: HttpRequest, code: str, draft_id: int, step: str) -> HttpResponse:
    """One step of the wizard (GET shows it, POST saves it and goes on)."""
    draft = _draft(request, code, draft_id)
    if step not in STEP_OF_URL:
        raise Http404
    current = STEP_OF_URL[step]
    if draft.dossier_id is not None:
        return redirect("portal:submit_done", code=code, draft_id=draft.pk)
    if list(DraftStep.values).index(current) > list(DraftStep.values).index(draft.step):
        return redirect(step_url(draft, draft.step))  # a later step is reached through the earlier ones
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            if current == DraftStep.APPLICANT:
                draft_applicant_save(draft=draft, data=request.POST)
                return redirect(step_url(draft, DraftStep.FORM))
            if current == DraftStep.FORM:
                draft_answers_save(draft=draft, data=request.POST)
                return redirect(step_url(draft, DraftStep.DOCUMENTS))
            if current == DraftStep.DOCUMENTS:
                return _documents_post(request, draft)
        except SubmissionInvalid as exc:
            errors = exc.errors
    response = render(request, "portal/submit_step.html", _context(request, draft, current, errors))
    if errors:
        response.status_code = 400
    return response


def _documents_post(request: HttpRequest, draft: SubmissionDraft) -> HttpResponse:
    action = request.POST.get("action", "")
    target, _, document = action.partition(":")
    if target in ("upload", "reuse", "clear") and document.isdigit():
        document_id = int(document)
        if target == "upload":
            draft_component_upload(
                draft=draft, document_id=document_id, file=request.FILES.get(f"file_{document_id}")
            )
        elif target == "reuse":
            stored = request.POST.get(f"stored_{document_id}", "")
            if not stored.isdigit():
                raise SubmissionInvalid(
                    {f"doc_{document_id}": gettext("Vui lòng chọn giấy tờ trong kho dữ liệu.")}
                )
            draft_component_reuse(draft=draft, document_id=document_id, stored_document_id=int(stored))
        else:
            draft_component_clear(draft=draft, document_id=document_id)
        return redirect(step_url(draft, DraftStep.DOCUMENTS) + f"#doc-{document_id}")
    draft_documents_check(draft=draft)
    return redirect(step_url(draft, DraftStep.REVIEW))


@require_POST
@applicant_required
def submit_send(request: HttpRequest, code: str, draft_id: int) -> HttpResponse:
    """The last step: create the dossier (once, however many times this is posted)."""
    draft = _draft(request, code, draft_id)
    try:
        draft_submit(draft_id=draft.pk, owner=_account(request))
    except SubmissionClosed as exc:
        return _closed(request, draft.procedure, str(exc))
    except SubmissionInvalid as exc:
        context = _context(request, draft, DraftStep.REVIEW, exc.errors)
        return render(request, "portal/submit_step.html", context, status=400)
    return redirect("portal:submit_done", code=code, draft_id=draft.pk)


@require_http_methods(["GET", "HEAD"])
@applicant_required
def submit_done(request: HttpRequest, code: str, draft_id: int) -> HttpResponse:
    """Success: the dossier code, the expected appointment and what happens next."""
    draft = _draft(request, code, draft_id)
    dossier = draft.dossier
    if dossier is None:
        return redirect(step_url(draft, draft.step))
    expected: datetime | None = dossier.due_at
    if expected is None and dossier.process is not None:
        # Not received yet: the appointment if reception accepted it now.
        expected = deadlines.process_due(process=dossier.process, start=timezone.now())
    return render(
        request,
        "portal/submit_done.html",
        {
            "draft": draft,
            "dossier": dossier,
            "expected": expected,
            "reused": document_reuse_count(dossier_id=dossier.pk),
        },
    )


@require_http_methods(["GET", "HEAD"])
@applicant_required
def drafts_list(request: HttpRequest) -> HttpResponse:
    """Hồ sơ đang soạn: the applicant's drafts, to resume or discard."""
    drafts = list(drafts_of(owner=_account(request), now=timezone.now()))
    rows = [{"draft": d, "url": step_url(d, d.step)} for d in drafts]
    return render(request, "portal/drafts.html", {"rows": rows})


@require_POST
@applicant_required
def draft_discard(request: HttpRequest, draft_id: int) -> HttpResponse:
    try:
        draft_delete(owner=_account(request), draft_id=draft_id)
    except SubmissionDraft.DoesNotExist:
        raise Http404 from None
    return redirect("portal:drafts")
