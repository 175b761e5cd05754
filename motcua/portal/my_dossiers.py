"""Hồ sơ của tôi — the signed-in applicant's dossiers: list, page, supplement, withdrawal, files, rating,
PAKN.

Every view is wrapped by ``access.applicant_required`` and reads the dossier through
``dossiers.selectors.dossier_get_for_applicant``: a code that is not the applicant's own is a 404 like
an unknown one, so nobody can probe which codes exist. Actions on the dossier go through the action
registry (``dossiers.actions.action_perform``), as the back office's do; files are served through
these views only (never a public URL), with ``Cache-Control: private, no-store``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.accounts.models import Account
from motcua.core.paging import page_numbers
from motcua.core.translation import ACTION, pgettext_noop
from motcua.dossiers import actions, downloads, rules, selectors
from motcua.dossiers.deadlines import format_local
from motcua.dossiers.errors import DossierConflict, DossierError, DossierInvalid
from motcua.dossiers.events import EventKind
from motcua.dossiers.models import (
    STATE_STATUS,
    Dossier,
    DossierComponent,
    DossierResultDocument,
    DossierState,
    DvcqgStatus,
)
from motcua.feedback import selectors as feedback_selectors
from motcua.feedback import services as feedback_services
from motcua.payments import selectors as payment_selectors
from motcua.portal import forms
from motcua.portal.access import applicant_required

PAGE_SIZE = 20
_R = TypeVar("_R", bound=HttpResponseBase)
NOT_FOUND = gettext_lazy("Không tìm thấy hồ sơ hoặc hồ sơ không thuộc tài khoản của bạn.")
CONFLICT_MESSAGE = gettext_lazy(
    "Hồ sơ vừa được cán bộ cập nhật. Vui lòng xem lại tình trạng hồ sơ bên dưới và thực hiện lại."
)

# The applicant's timeline texts: the registry's labels plus the two ways a dossier starts.
EVENT_LABELS: dict[str, str] = {
    **{spec.action: spec.label for spec in actions.action_specs()},
    EventKind.SUBMIT: pgettext_noop("thao tác", "Nộp hồ sơ trực tuyến"),
    EventKind.RECEIVE: pgettext_noop("thao tác", "Tiếp nhận hồ sơ"),
    EventKind.FEES_PAID: pgettext_noop("thao tác", "Xác nhận đã nộp phí, lệ phí"),
}
# Events whose reason the applicant is told (the reason is addressed to them).
_REASON_EVENTS = frozenset(
    {"refuse", "request_supplement", "request_payment", "reject", "withdraw", "stop", "extend"}
)


def _applicant(request: HttpRequest) -> Account:
    """The account behind ``request.user``'s lazy wrapper (``applicant_required`` checked its kind)."""
    user = request.user
    _pk = user.pk  # evaluate the lazy object
    real = getattr(user, "_wrapped", user)
    assert isinstance(real, Account)
    return real


def _dossier_or_404(request: HttpRequest, code: str) -> Dossier:
    d = selectors.dossier_get_for_applicant(user=request.user, code=code)
    if d is None:
        raise Http404(str(NOT_FOUND))
    return d


def _private(response: _R) -> _R:
    response["Cache-Control"] = "private, no-store"
    return response


# --------------------------------------------------------------------------------------------------
# List
# --------------------------------------------------------------------------------------------------


@require_GET
@applicant_required
def my_dossiers(request: HttpRequest) -> HttpResponse:
    """Hồ sơ của tôi: every dossier of the account, newest first, with a status filter and pages."""
    form = forms.MyDossiersFilterForm(request.GET)
    valid = form.is_valid()
    status = form.cleaned_data.get("trang_thai") if valid else None
    wanted = (form.cleaned_data.get("trang") if valid else None) or 1
    page = selectors.dossier_list_for_applicant(
        user=request.user, status=status, page=wanted, page_size=PAGE_SIZE
    )
    if page.page > page.num_pages:  # a stale bookmark: the last page rather than an empty one
        page = selectors.dossier_list_for_applicant(
            user=request.user, status=status, page=page.num_pages, page_size=PAGE_SIZE
        )
    params = request.GET.copy()
    params.pop("trang", None)
    context = {
        "form": form,
        "page": page,
        "pages": page.num_pages,
        "page_numbers": page_numbers(page.page, page.num_pages),
        "query_string": params.urlencode(),
        "paused_states": selectors.PAUSED_STATES,
        "filtered": status is not None,
    }
    return _private(render(request, "portal/my_dossiers.html", context, status=200 if valid else 400))


# --------------------------------------------------------------------------------------------------
# One dossier
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    action: str
    at: Any
    label: str
    status_label: str
    unit_name: str
    reason: str


# The forms addressed to the applicant, in the applicant's words.
_FORM_LABELS = {
    "01": gettext_lazy("Giấy tiếp nhận hồ sơ và hẹn trả kết quả (mẫu 01)"),
    "02": gettext_lazy("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (mẫu 02)"),
    "03": gettext_lazy("Phiếu từ chối (mẫu 03)"),
    "04": gettext_lazy("Phiếu xin lỗi và hẹn lại ngày trả kết quả (mẫu 04)"),
    "dung": gettext_lazy("Thông báo dừng giải quyết"),
}


def _available_forms(d: Dossier, *, supplement_requested: bool) -> list[tuple[str, str]]:
    available = downloads.forms_available(d, supplement_requested=supplement_requested)
    return [(form, str(_FORM_LABELS[form])) for form in available if form in downloads.APPLICANT_FORMS]


def _detail_context(
    request: HttpRequest,
    d: Dossier,
    *,
    supplement_form: forms.SupplementAnswerForm | None = None,
    rating_form: forms.RatingForm | None = None,
    feedback_form: forms.FeedbackForm | None = None,
    error: str = "",
) -> dict[str, Any]:
    user = _applicant(request)
    allowed = {
        spec.action
        for spec in actions.action_specs_available(actor=user, dossier=d, audience=actions.Audience.APPLICANT)
    }
    pause = selectors.supplement_request_open(dossier=d)
    items = list(pause.items) if pause is not None else []
    if supplement_form is None and rules.Action.RECEIVE_SUPPLEMENT in allowed and items:
        supplement_form = forms.SupplementAnswerForm(dossier=d, items=items, auto_id="bs-%s")
    events = [
        TimelineEntry(
            action=e.action,
            at=e.at,
            label=EVENT_LABELS.get(e.action, e.action),
            status_label=str(DvcqgStatus(STATE_STATUS[e.to_state]).label) if e.to_state else "",
            unit_name=e.unit.name if e.unit is not None else "",
            reason=e.reason if e.action in _REASON_EVENTS else "",
        )
        for e in selectors.dossier_applicant_events(dossier=d)
    ]
    rating = feedback_selectors.rating_for_dossier(dossier=d)
    ratable = rating is None and d.state in feedback_services.RATABLE_STATES
    supplement_requested = any(e.action == rules.Action.REQUEST_SUPPLEMENT for e in events)
    step = d.current_step
    fees = list(d.fees.order_by("pk"))
    return {
        "d": d,
        "flags": selectors.dossier_flags(dossier=d),
        "paused": d.state in selectors.PAUSED_STATES,
        "in_progress": d.is_open,
        "current_step_name": step.name if step is not None and d.is_open else "",
        "events": events,
        "components": list(d.components.order_by("order")),
        "fees": fees,
        # What is left to pay, from the lines already read (no query of its own).
        "payable_vnd": sum(f.amount_vnd for f in fees if f.paid_at is None and f.amount_vnd > 0)
        if d.is_open
        else 0,
        "receipts": list(payment_selectors.dossier_receipts(d)),
        "supplement_items": items,
        "supplement_form": supplement_form,
        "can_withdraw": rules.Action.WITHDRAW in allowed,
        "printable": _available_forms(d, supplement_requested=supplement_requested),
        "rating": rating,
        "rating_form": rating_form or (forms.RatingForm(auto_id="dg-%s") if ratable else None),
        "feedback": feedback_selectors.feedback_for_dossier(dossier=d),
        "feedback_form": feedback_form or forms.FeedbackForm(auto_id="pakn-%s"),
        "error": error,
        "returned": d.state == DossierState.RETURNED,
        "result_ready": d.state == DossierState.RESULT_READY,
        "result_documents": _result_documents(d),
    }


def _result_documents(d: Dossier) -> list[DossierResultDocument]:
    """The signed result, only once it is ready (status 9) or returned (10): a draft is not issued."""
    if d.status not in downloads.RESULT_VISIBLE_STATUSES:
        return []
    return downloads.result_documents(dossier=d)


@require_GET
@applicant_required
def my_dossier_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One of my dossiers: status, step, due time, timeline, components, fees, what I can do now."""
    d = _dossier_or_404(request, code)
    return _private(render(request, "portal/my_dossier_detail.html", _detail_context(request, d)))


def _engine_error(exc: DossierError) -> tuple[int, str]:
    status = actions.error_answer(exc).status
    return status, str(CONFLICT_MESSAGE) if isinstance(exc, DossierConflict) else exc.message


@require_POST
@applicant_required
def my_dossier_supplement(request: HttpRequest, code: str) -> HttpResponse:
    """Nộp bổ sung: the requested items' files → ``receive_supplement`` (the clock restarts)."""
    d = _dossier_or_404(request, code)
    pause = selectors.supplement_request_open(dossier=d)
    if pause is None:
        error = _("Hồ sơ không còn yêu cầu bổ sung nào cần trả lời.")
        context = _detail_context(request, d, error=error)
        return _private(render(request, "portal/my_dossier_detail.html", context, status=409))
    form = forms.SupplementAnswerForm(
        request.POST, request.FILES, dossier=d, items=list(pause.items), auto_id="bs-%s"
    )
    status, error = 400, _("Vui lòng kiểm tra lại các tệp bổ sung.")
    if form.is_valid():
        try:
            actions.action_perform(
                action=rules.Action.RECEIVE_SUPPLEMENT,
                actor=_applicant(request),
                dossier=d,
                data=form.action_data(),
                files=form.action_files(),
            )
        except DossierError as exc:
            status, error = _engine_error(exc)
            if isinstance(exc, DossierInvalid):
                for message in exc.errors.values():
                    form.add_error(None, message)
        else:
            messages.success(request, _("Đã nộp hồ sơ bổ sung. Hồ sơ tiếp tục được giải quyết."))
            return redirect("portal:my_dossier_detail", code=d.code)
    fresh = _dossier_or_404(request, code)
    # After a conflict the page builds a new form carrying the current version.
    context = _detail_context(request, fresh, supplement_form=None if status == 409 else form, error=error)
    return _private(render(request, "portal/my_dossier_detail.html", context, status=status))


@require_http_methods(["GET", "HEAD", "POST"])
@applicant_required
def my_dossier_withdraw(request: HttpRequest, code: str) -> HttpResponse:
    """Rút hồ sơ: a confirmation page (reason + tick), then ``withdraw`` (status 7) while the rules allow."""
    d = _dossier_or_404(request, code)
    user = _applicant(request)
    allowed = rules.Action.WITHDRAW in selectors.dossier_allowed_actions(user=user, dossier=d)
    form = forms.WithdrawForm(request.POST if request.method == "POST" else None, dossier=d, auto_id="rut-%s")
    status, error = 200, ""
    if not allowed:
        status = 409 if request.method == "POST" else 200
        error = _("Hồ sơ ở trạng thái «%(state)s» nên không thể rút.") % {
            "state": _(DossierState(d.state).label)
        }
    elif request.method == "POST":
        status, error = 400, _("Vui lòng kiểm tra lại các thông tin đã nhập.")
        if form.is_valid():
            try:
                actions.action_perform(
                    action=rules.Action.WITHDRAW, actor=user, dossier=d, data=form.action_data()
                )
            except DossierError as exc:
                status, error = _engine_error(exc)
                if isinstance(exc, DossierInvalid) and "reason" in exc.errors:
                    form.add_error("reason", exc.errors["reason"])
            else:
                spec = actions.action_spec(rules.Action.WITHDRAW)
                messages.success(
                    request,
                    _("Đã thực hiện «%(action)s» cho hồ sơ %(code)s.")
                    % {"action": pgettext(ACTION, spec.button), "code": d.code},
                )
                return redirect("portal:my_dossier_detail", code=d.code)
        if status == 409:
            d = _dossier_or_404(request, code)
            form = forms.WithdrawForm(dossier=d, auto_id="rut-%s")
    context = {"d": d, "form": form, "allowed": allowed, "error": error}
    return _private(render(request, "portal/my_dossier_withdraw.html", context, status=status))


@require_GET
@applicant_required
def my_dossier_file(request: HttpRequest, code: str, component_id: int) -> HttpResponseBase:
    """A file I submitted (or supplemented) with this dossier, served to me only."""
    d = _dossier_or_404(request, code)
    component = DossierComponent.objects.filter(dossier=d, pk=component_id).exclude(file="").first()
    if component is None:
        raise Http404(_("Không tìm thấy tệp."))
    response = downloads.component_response(component)
    _private(response)
    return response


@require_GET
@applicant_required
def my_dossier_result(request: HttpRequest, code: str, document_id: int) -> HttpResponseBase:
    """The signed result of my dossier, once it is ready; to me only (anyone else: 404)."""
    d = _dossier_or_404(request, code)
    document = next((r for r in _result_documents(d) if r.pk == document_id), None)
    if document is None:
        raise Http404(_("Không tìm thấy tệp."))
    return downloads.result_response(document)


@require_GET
@applicant_required
def my_dossier_form_pdf(request: HttpRequest, code: str, form: str) -> HttpResponse:
    """A form addressed to me (receipt 01, supplement request 02, refusal 03, apology 04, stop notice)."""
    d = _dossier_or_404(request, code)
    response = None
    if form in downloads.APPLICANT_FORMS:
        url = request.build_absolute_uri(reverse("portal:tracking_detail", args=[d.code]))
        response = downloads.form_pdf_response(dossier=d, form=form, tracking_url=url)
    if response is None:
        raise Http404(_("Hồ sơ không có biểu mẫu này."))
    return response


# --------------------------------------------------------------------------------------------------
# Rating and feedback
# --------------------------------------------------------------------------------------------------


@require_POST
@applicant_required
def my_dossier_rate(request: HttpRequest, code: str) -> HttpResponse:
    """Đánh giá: once, after the result (``feedback.services.rating_create``)."""
    d = _dossier_or_404(request, code)
    form = forms.RatingForm(request.POST, auto_id="dg-%s")
    error = _("Chưa gửi được đánh giá.")
    if form.is_valid():
        try:
            feedback_services.rating_create(
                actor=_applicant(request),
                dossier=d,
                level=form.cleaned_data["level"],
                comment=form.cleaned_data["comment"],
            )
        except feedback_services.FeedbackInvalid as exc:
            error = exc.message
            for field, message in exc.errors.items():
                form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, _("Cảm ơn bạn đã đánh giá việc giải quyết hồ sơ."))
            return redirect("portal:my_dossier_detail", code=d.code)
    context = _detail_context(request, d, rating_form=form, error=error)
    return _private(render(request, "portal/my_dossier_detail.html", context, status=400))


@require_POST
@applicant_required
def my_dossier_feedback(request: HttpRequest, code: str) -> HttpResponse:
    """Gửi phản ánh, kiến nghị về hồ sơ (``feedback.services.feedback_create``)."""
    d = _dossier_or_404(request, code)
    form = forms.FeedbackForm(request.POST, auto_id="pakn-%s")
    error = _("Chưa gửi được phản ánh, kiến nghị.")
    if form.is_valid():
        try:
            row = feedback_services.feedback_create(
                actor=_applicant(request),
                dossier=d,
                kind=form.cleaned_data["kind"],
                content=form.cleaned_data["content"],
            )
        except feedback_services.FeedbackInvalid as exc:
            error = exc.message
            for field, message in exc.errors.items():
                form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(
                request,
                _("Đã gửi phản ánh, kiến nghị. Cơ quan giải quyết trả lời chậm nhất %(due)s.")
                % {"due": format_local(row.due_at)},
            )
            return redirect("portal:my_dossier_detail", code=d.code)
    context = _detail_context(request, d, feedback_form=form, error=error)
    return _private(render(request, "portal/my_dossier_detail.html", context, status=400))
