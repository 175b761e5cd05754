"""Officials' back office — trang nghiệp vụ cán bộ: login, queues, dossier page and actions, downloads.

Views are thin: they validate input with ``backoffice.forms``, read through ``dossiers.selectors``,
take dossier actions through the action registry (``dossiers.actions.action_perform``: labels, buttons
and error answers come from there) and receive dossiers at the counter through ``dossiers.services``.
Pages are small server-rendered HTML; htmx only swaps the queue results (filters) and the procedure
list of the counter intake, with plain links and forms working without it.
"""

from __future__ import annotations

import dataclasses
import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
    QueryDict,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from motcua.accounts.models import Account
from motcua.backoffice import forms, result_drafts
from motcua.backoffice.access import forbidden, official_required
from motcua.backoffice.selectors import deciding_units
from motcua.catalog.fees import fee_summary_display
from motcua.catalog.models import Procedure
from motcua.catalog.selectors import procedure_list
from motcua.core.paging import is_htmx_partial, page_numbers
from motcua.core.translation import ACTION, pgettext_noop
from motcua.documents import forms as doc_forms
from motcua.documents.responses import pdf_response
from motcua.dossiers import actions, downloads, form_builders, rules, selectors, services
from motcua.dossiers.errors import DossierConflict, DossierError, DossierInvalid
from motcua.dossiers.events import EventKind
from motcua.dossiers.models import (
    CLOCK_RUNNING_STATES,
    CLOSED_STATUSES,
    OPEN_STATES,
    Channel,
    Dossier,
    DossierComponent,
    DossierState,
    IntakeNotice,
    IntakeNoticeKind,
    PauseReason,
)
from motcua.forecast import selectors as forecast
from motcua.forecast.models import LatenessForecast
from motcua.org.models import CENTRE_KINDS, OVERSIGHT_ROLES, Role, Unit
from motcua.org.selectors import official_display_name, official_role_set, official_units
from motcua.population.services import PersonNotFound, PopulationError, population_lookup
from motcua.privacy.services import personal_data_access_record

PAGE_SIZE = 20
CONFLICT_MESSAGE = gettext_lazy(
    "Hồ sơ đã được người khác cập nhật, vui lòng tải lại trang và thực hiện lại thao tác."
)
SUPERVISOR_ROLES = (Role.SUPERVISOR, Role.UNIT_ADMIN, Role.LEADER)
RECEPTION_ONLY_MESSAGE = gettext_lazy(
    "Chỉ cán bộ tiếp nhận của trung tâm phục vụ hành chính công được tiếp nhận hồ sơ."
)
SUPERVISION_ONLY_MESSAGE = gettext_lazy(
    "Trang này dành cho lãnh đạo, giám sát, quản trị đơn vị và người xem báo cáo, quản trị tỉnh."
)
LEDGER_ONLY_MESSAGE = gettext_lazy("Chỉ lãnh đạo, giám sát và quản trị đơn vị được in sổ theo dõi hồ sơ.")

# Timeline texts: the registry's labels, plus the events that are not actions on an existing dossier
# (marked only: the template translates them where it shows them).
EVENT_LABELS: dict[str, str] = {
    **{spec.action: spec.label for spec in actions.action_specs()},
    EventKind.SUBMIT: pgettext_noop("thao tác", "Nộp hồ sơ trực tuyến"),
    EventKind.RECEIVE: pgettext_noop("thao tác", "Tiếp nhận hồ sơ"),
    EventKind.UPLOAD_RESULT_DRAFT: pgettext_noop("thao tác", "Tải lên dự thảo kết quả"),
    EventKind.FEES_PAID: pgettext_noop("thao tác", "Xác nhận đã nộp phí, lệ phí"),
}

# The back office's form for each action of the registry (the form gives the action's input data).
ACTION_FORMS: dict[str, type[forms.ActionForm]] = {
    rules.Action.ACCEPT: forms.EmptyActionForm,
    rules.Action.REFUSE: forms.RefuseForm,
    rules.Action.CLAIM: forms.EmptyActionForm,
    rules.Action.REASSIGN: forms.ReassignForm,
    rules.Action.FORWARD: forms.ForwardForm,
    rules.Action.SEND_BACK: forms.SendBackForm,
    rules.Action.TRANSFER: forms.TransferForm,
    rules.Action.TRANSFER_BACK: forms.TransferBackForm,
    rules.Action.REQUEST_SUPPLEMENT: forms.SupplementRequestForm,
    rules.Action.RECEIVE_SUPPLEMENT: forms.ReceiveSupplementForm,
    rules.Action.REQUEST_PAYMENT: forms.RequestPaymentForm,
    rules.Action.RECORD_PAYMENT: forms.RecordPaymentForm,
    rules.Action.APPROVE: forms.NoteForm,
    rules.Action.REJECT: forms.RejectForm,
    rules.Action.RECORD_SIGNATURE: forms.SignatureForm,
    rules.Action.MARK_RESULT_READY: forms.NoteForm,
    rules.Action.RETURN_RESULT: forms.ReturnResultForm,
    rules.Action.WITHDRAW: forms.WithdrawForm,
    rules.Action.STOP: forms.StopForm,
    rules.Action.EXTEND: forms.ExtendForm,
}


def _action_form(action: str) -> type[forms.ActionForm]:
    """The form of an action; an extension's action (``actions.action_register``) without its own form
    here needs nothing but the click (e.g. «Ký số kết quả»)."""
    return ACTION_FORMS.get(action, forms.EmptyActionForm)


# --------------------------------------------------------------------------------------------------
# Logout (the sign-in itself is motcua.signin)
# --------------------------------------------------------------------------------------------------


class LogoutView(auth_views.LogoutView):
    next_page = "backoffice:login"


# --------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------


def _dossier_or_404(request: HttpRequest, code: str) -> Dossier:
    """The dossier if the official works in one of its units; 404 otherwise (codes cannot be probed).

    An overseer (report viewer, province admin) reaches every unit but gets the Vietnamese 403: the
    dossier page, its files and forms are the applicant's personal data (``rules.sees_personal_data``).
    """
    d = selectors.dossier_get_for_official(user=request.user, code=code)
    # An official role in one of the dossier's units: the applicant's own access does not count here.
    if d is None or not rules.in_dossier_units(request.user, d):
        raise Http404("Không tìm thấy hồ sơ.")
    if not rules.sees_personal_data(request.user, d):
        raise PermissionDenied(_(rules.PERSONAL_DATA_MESSAGE))
    return d


def _real_user(request: HttpRequest) -> Account:
    """The user model instance behind ``request.user``'s lazy wrapper.

    Services may call ``type(actor)._default_manager`` (send back looks up the previous handler), which
    fails on Django's ``SimpleLazyObject``.
    """
    user = request.user
    _ = user.pk  # evaluate the lazy object
    real = getattr(user, "_wrapped", user)
    if not isinstance(real, Account):  # the views are for logged-in officials only
        raise PermissionDenied
    return real


def tracking_url(request: HttpRequest, code: str) -> str:
    """Absolute URL of the public tracking page (``/tra-cuu/<code>``) printed on form 01."""
    return request.build_absolute_uri(reverse("portal:tracking_detail", args=[code]))


# --------------------------------------------------------------------------------------------------
# Queue — Việc của tôi
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueContext:
    page: selectors.QueuePage
    pages: int
    page_numbers: list[int | None]
    query_string: str
    # The results cover closed dossiers too (a search, a closed status, the "Tất cả hồ sơ" tab).
    all_dossiers: bool = False
    # The lateness forecast of the rows' open dossiers (one query for the page), by dossier id.
    risks: dict[int, LatenessForecast] = dataclasses.field(default_factory=dict)
    by_risk: bool = False
    # From this probability a row carries the "Nguy cơ trễ …%" badge.
    risk_threshold: float = forecast.RISK_THRESHOLD

    @property
    def rows(self) -> list[tuple[selectors.QueueItem, LatenessForecast | None]]:
        return [(item, self.risks.get(item.dossier.pk)) for item in self.page.items]


def _queue_fetch(
    request: HttpRequest,
    form: forms.QueueFilterForm,
    *,
    scope: str,
    unit: Unit | None,
    params: QueryDict | None = None,
) -> QueueContext:
    procedure_id = None
    code = form.value("procedure")
    if code:
        # Unknown code: match nothing rather than silently ignore the filter.
        procedure_id = Procedure.objects.filter(code=code.strip()).values_list("pk", flat=True).first() or -1
    han = form.value("han")
    state = form.value("state")
    search = form.value("q")
    if "q" in form.errors:
        # Too long to be a code, a name or an ID: search it as typed (it finds nothing), never drop it
        # silently and list everything; the field's error says why.
        search = str(form.data.get("q", ""))[:1000]
    if search or form.value("status") in CLOSED_STATUSES:
        scope = "all"  # only there can a search or a closed status find anything closed
    kwargs: dict[str, Any] = {
        "user": request.user,
        "scope": scope,
        "status": form.value("status"),
        "state": state if state in DossierState.values else None,
        "procedure": procedure_id,
        "field": form.value("field"),
        "channel": form.value("channel"),
        "due_soon": han == "sap-den-han",
        "overdue": han == "qua-han",
        "unit": unit,
        "search": search,
        "page_size": PAGE_SIZE,
    }
    by_risk = form.value("sap_xep") == "nguy-co" and scope != "all"
    if by_risk:
        kwargs["order"] = forecast.risk_order()
    page = selectors.dossier_queue(page=form.value("page") or 1, **kwargs)
    pages = page.num_pages
    if page.page > pages:  # a stale bookmark: show the last page rather than an empty one
        page = selectors.dossier_queue(page=pages, **kwargs)
    params = (params if params is not None else request.GET).copy()
    params.pop("page", None)
    return QueueContext(
        page=page,
        pages=pages,
        page_numbers=page_numbers(page.page, pages),
        query_string=params.urlencode(),
        all_dossiers=scope == "all",
        risks=forecast.forecasts_for_dossiers(item.dossier.pk for item in page.items),
        by_risk=by_risk,
    )


def _personal_search(user: Account) -> bool:
    """Whether ``user`` handles dossiers somewhere (a casework role, or a superuser): the search box then
    looks up names and ID numbers too, and the personal tabs are shown. False for overseers only."""
    return user.is_superuser or not official_role_set(user=user) <= OVERSIGHT_ROLES


# The search box's terms (names, identity numbers) kept in the session under an opaque token: the
# form posts them, and the page's URL, history and paging links carry ``tim=<token>`` instead — a name
# or an identity number in a URL lands in every proxy's and server's access log (docs/privacy.md).
SEARCH_SESSION_KEY = "bo_queue_searches"
SEARCH_TOKENS_KEPT = 20


def _queue_params(request: HttpRequest) -> tuple[QueryDict, QueryDict]:
    """(the filters the form validates, with ``q``; the filters for URLs, with ``tim`` for ``q``)."""
    source = request.POST if request.method == "POST" else request.GET
    params = source.copy()
    params.pop("csrfmiddlewaretoken", None)
    searches: dict[str, str] = request.session.get(SEARCH_SESSION_KEY, {})
    query = params.get("q", "").strip()
    if request.method == "POST":
        params.pop("tim", None)
        if query:
            new = next((t for t, q in searches.items() if q == query), "") or secrets.token_urlsafe(6)
            searches = {t: q for t, q in searches.items() if t != new}
            searches[new] = query[:1000]
            request.session[SEARCH_SESSION_KEY] = dict(list(searches.items())[-SEARCH_TOKENS_KEPT:])
            params["tim"] = new
    token = params.get("tim", "")
    if token and not query:
        if token in searches:
            params["q"] = searches[token]
        else:
            # A token of another session (a shared link) or of an ended one: the queue without a search.
            params.pop("tim")
    form_params = params.copy()
    url_params = params.copy()
    if "tim" in url_params:
        url_params.pop("q", None)
    return form_params, url_params


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
@official_required
def queue(request: HttpRequest) -> HttpResponse:
    """Việc của tôi: what is assigned to me, what waits for my role, my units' dossiers, and search.

    Without a tab the page opens where the work is: "Được giao cho tôi" when something is assigned to
    me, else "Chờ nhận" (unassigned dossiers at a step of my role). A search or a closed status looks
    at every dossier of my units, open or closed ("Tất cả hồ sơ"). Overseers (report viewer, province
    admin) handle no dossier: they get the unit tabs only, opening on "Của đơn vị tôi".
    """
    partial = is_htmx_partial(request)
    params, url_params = _queue_params(request)
    if request.method == "POST" and not partial:
        # Without JavaScript: post, then redirect to the filters' URL with the search's token.
        see_other = HttpResponseRedirect(f"{reverse('backoffice:queue')}?{url_params.urlencode()}")
        see_other.status_code = 303
        return see_other
    tab = forms.QueueFilterForm.tab_of(params)
    # The tabs show how much is mine and how much waits for my role (full page only: the partial
    # swaps the results, not the tabs).
    casework = _personal_search(_real_user(request))
    counts = None if partial or not casework else selectors.dossier_queue_counts(user=request.user)
    default = not tab
    if default and not casework:
        tab = "don-vi"  # an overseer has nothing assigned nor waiting: the province's open dossiers
    elif default:
        tab = "cho-nhan" if counts is not None and not counts["mine"] else "toi"
    # The unit filter applies to the unit tabs only. The partial validates the filters against the same
    # choices as the full page, or a filter it cannot validate would be dropped.
    unit_tab = tab in ("don-vi", "tat-ca")
    units = list(official_units(user=request.user).order_by("name")) if unit_tab else []
    form = forms.QueueFilterForm(params, fields=forms.field_choices(), units=units)
    form.is_valid()
    unit = {u.pk: u for u in units}.get(form.value("unit"))
    result = _queue_fetch(request, form, scope=forms.QUEUE_TABS[tab], unit=unit, params=url_params)
    if default and casework and counts is None and not result.page.total:
        # A partial without a tab (a bookmark of the results): the same choice, from the results.
        tab = "cho-nhan"
        result = _queue_fetch(request, form, scope=forms.QUEUE_TABS[tab], unit=unit, params=url_params)
    context = {
        "form": form,
        "tab": tab,
        "counts": counts,
        "result": result,
        "units": units,
        "results_url": reverse("backoffice:queue"),
        "show_unit_column": unit_tab,
        "personal_search": casework,
    }
    if partial:
        response = render(request, "backoffice/_queue_results.html", context)
        if request.method == "POST":
            # The form's hx-push-url: the filters' URL with the token, not the posted search.
            response["HX-Push-Url"] = f"{reverse('backoffice:queue')}?{url_params.urlencode()}"
        return response
    tab_params = url_params.copy()
    for key in ("tab", "page", "unit", "q", "tim"):
        tab_params.pop(key, None)
    if form.value("status") in CLOSED_STATUSES:
        tab_params.pop("status", None)  # or every tab would open "Tất cả hồ sơ" again
    context["tab_query"] = tab_params.urlencode()
    return render(request, "backoffice/queue.html", context)


# --------------------------------------------------------------------------------------------------
# Dossier page
# --------------------------------------------------------------------------------------------------


@dataclass
class ActionView:
    action: str
    label: str
    form: forms.ActionForm
    one_click: bool
    danger: bool
    open: bool = False


_FORM_LABELS = {
    "01": gettext_lazy("In giấy tiếp nhận (mẫu 01)"),
    "02": gettext_lazy("Phiếu yêu cầu bổ sung (mẫu 02)"),
    "03": gettext_lazy("Phiếu từ chối (mẫu 03)"),
    "04": gettext_lazy("Phiếu xin lỗi, hẹn lại (mẫu 04)"),
    "05": gettext_lazy("Phiếu kiểm soát quá trình (mẫu 05)"),
    "dung": gettext_lazy("Thông báo dừng giải quyết"),
}


def _available_forms(d: Dossier, *, has_supplement: bool) -> list[tuple[str, str]]:
    """(slug, label) of the printable forms that exist for this dossier."""
    return [
        (form, str(_FORM_LABELS[form]))
        for form in downloads.forms_available(d, supplement_requested=has_supplement)
    ]


def _detail_context(
    request: HttpRequest,
    d: Dossier,
    *,
    bound: forms.ActionForm | None = None,
    bound_action: str = "",
    error: str = "",
) -> dict[str, Any]:
    views = []
    available = actions.action_specs_available(
        actor=_real_user(request), dossier=d, audience=actions.Audience.OFFICIAL
    )
    for spec in available:
        action = spec.action
        form = (
            bound
            if action == bound_action and bound is not None
            else _action_form(action)(dossier=d, auto_id=f"{action}-%s")
        )
        views.append(
            ActionView(
                action=action,
                label=spec.button,
                form=form,
                one_click=spec.one_click,
                danger=spec.dangerous,
                open=action == bound_action,
            )
        )
    timeline = selectors.dossier_timeline(dossier=d)
    explanation = selectors.dossier_due_explanation(dossier=d)
    components = list(d.components.order_by("order"))
    fees = list(d.fees.order_by("pk"))
    flags = selectors.dossier_flags(dossier=d)
    events = [
        (
            e,
            EVENT_LABELS.get(e.action, e.action),
            DossierState(e.to_state).label if e.to_state and e.to_state != e.from_state else "",
        )
        for e in reversed(timeline.events)
    ]
    return {
        "events": events,
        "d": d,
        "flags": flags,
        "clock_running": d.state in CLOCK_RUNNING_STATES,
        "components": components,
        "result_documents": downloads.result_documents(dossier=d),
        "fees": fees,
        "timeline": timeline,
        "explanation": explanation,
        "actions": [a for a in views if not a.danger],
        "danger_actions": [a for a in views if a.danger],
        "printable": _available_forms(
            d, has_supplement=any(p["reason"] == PauseReason.SUPPLEMENT for p in explanation.pauses)
        ),
        "error": error,
        "just_received": request.GET.get("moi") == "1",
        "tracking_url": tracking_url(request, d.code),
        **result_drafts.draft_context(d, _real_user(request)),
    }


@require_GET
@official_required
def dossier_detail(request: HttpRequest, code: str) -> HttpResponse:
    d = _dossier_or_404(request, code)
    _access_record(request, d, "Xem hồ sơ")
    return render(request, "backoffice/dossier_detail.html", _detail_context(request, d))


def _access_record(request: HttpRequest, d: Dossier, what: str) -> None:
    """The official's read of the applicant's data, in the personal-data access log (motcua.privacy)."""
    personal_data_access_record(
        official=_real_user(request), dossier=d, what=what, request_id=request.headers.get("X-Request-ID", "")
    )


def _invalid_to_form(form: forms.ActionForm, exc: DossierInvalid) -> None:
    for field, message in exc.errors.items():
        form.add_error(form.error_field(field), message)


@require_POST
@official_required
def dossier_action(request: HttpRequest, code: str, action: str) -> HttpResponse:
    """Take one action through the registry; errors re-render the dossier page unchanged with a message."""
    if action not in ACTION_FORMS and action not in {str(s.action) for s in actions.action_specs()}:
        raise Http404("Thao tác không tồn tại.")
    spec = actions.action_spec(action)
    d = _dossier_or_404(request, code)
    form_class = _action_form(action)
    form = form_class(request.POST, request.FILES, dossier=d, auto_id=f"{action}-%s")
    status, error = 200, ""
    if not form.is_valid():
        status, error = 400, _("Vui lòng kiểm tra lại các thông tin đã nhập.")
    else:
        try:
            actions.action_perform(
                action=action,
                actor=_real_user(request),
                dossier=d,
                data=form.action_data(),
                files=form.action_files(),
            )
        except DossierError as exc:
            status = spec.error_answer(exc).status
            # The page, not the API, tells the official to reload: a conflict has its own wording here.
            error = str(CONFLICT_MESSAGE) if isinstance(exc, DossierConflict) else exc.message
            if isinstance(exc, DossierInvalid):
                _invalid_to_form(form, exc)
        else:
            messages.success(
                request,
                _("Đã thực hiện «%(action)s» cho hồ sơ %(code)s.")
                % {"action": pgettext(ACTION, spec.button), "code": d.code},
            )
            if selectors.dossier_get_for_official(user=request.user, code=d.code) is None:
                return redirect("backoffice:queue")
            return redirect("backoffice:dossier_detail", code=d.code)
    # Nothing was written: show the dossier as it is now, the official's input kept in the form.
    fresh = _dossier_or_404(request, code)
    if status == 409:
        # The form must carry the new version, or the next submit conflicts again.
        form = form_class(dossier=fresh, auto_id=f"{action}-%s")
    else:
        form.dossier = fresh
    context = _detail_context(request, fresh, bound=form, bound_action=action, error=error)
    return render(request, "backoffice/dossier_detail.html", context, status=status)


@require_GET
@official_required
def component_download(request: HttpRequest, code: str, component_id: int) -> HttpResponseBase:
    """A scanned component, served only to officials of the dossier's units (never via MEDIA_URL)."""
    d = _dossier_or_404(request, code)
    component = DossierComponent.objects.filter(dossier=d, pk=component_id).exclude(file="").first()
    if component is None:
        raise Http404("Không tìm thấy tệp.")
    _access_record(request, d, f"Tải thành phần hồ sơ: {component.name}")
    return downloads.component_response(component)


@require_GET
@official_required
def result_download(request: HttpRequest, code: str, document_id: int) -> HttpResponseBase:
    """The signed result document, served only to officials of the dossier's units."""
    d = _dossier_or_404(request, code)
    document = downloads.result_document_get(dossier=d, document_id=document_id)
    if document is None:
        raise Http404("Không tìm thấy tệp.")
    _access_record(request, d, f"Tải kết quả: {document.name}")
    return downloads.result_response(document)


@require_GET
@official_required
def dossier_form_pdf(request: HttpRequest, code: str, form: str) -> HttpResponse:
    """One of the standard forms of the dossier as PDF (404 when it does not apply)."""
    d = _dossier_or_404(request, code)
    response = downloads.form_pdf_response(dossier=d, form=form, tracking_url=tracking_url(request, d.code))
    if response is None:
        raise Http404("Hồ sơ không có biểu mẫu này.")
    _access_record(request, d, f"Tải biểu mẫu {form}")
    return response


# --------------------------------------------------------------------------------------------------
# Counter intake — tiếp nhận hồ sơ tại quầy
# --------------------------------------------------------------------------------------------------


def _reception_units(user: Account) -> list[Unit]:
    return list(
        official_units(user=user, roles=[Role.RECEPTION]).filter(kind__in=CENTRE_KINDS).order_by("name")
    )


@require_GET
@vary_on_headers("HX-Request")
@official_required
def intake_start(request: HttpRequest) -> HttpResponse:
    """Step 1: find the procedure (catalogue search, live results with htmx)."""
    if not _reception_units(_real_user(request)):
        return forbidden(request, RECEPTION_ONLY_MESSAGE)
    query = (request.GET.get("q") or "").strip()[:200]
    result = procedure_list(query=query, limit=15) if query else None
    context = {"q": query, "result": result}
    if is_htmx_partial(request):
        return render(request, "backoffice/_intake_procedures.html", context)
    return render(request, "backoffice/intake_start.html", context)


_INTAKE_ERROR_FIELDS = {
    "applicant_name",
    "applicant_kind",
    "applicant_id_number",
    "applicant_phone",
    "summary",
    "channel",
    "appointment_at",
    "appointment_reason",
    "fee_case",
}
# Errors of the intake notices (form 02 / 03) → the intake form's fields.
_NOTICE_ERROR_FIELDS = {"items": "notice_items", "reason": "notice_reason"}
# The three ways out of the intake form (its submit buttons), and «Đọc mã QR», which stays on it.
INTENT_RECEIVE, INTENT_GUIDE, INTENT_REFUSE = "receive", "guide", "refuse"
INTENT_QR = "qr"
INTENT_POPULATION = "population"


def _intake_errors_to_form(form: forms.IntakeForm, exc: DossierInvalid) -> None:
    """The engine's field errors beside their fields; the others (components …) above the form."""
    for field, message in exc.errors.items():
        target: str | None = field if field in _INTAKE_ERROR_FIELDS else _NOTICE_ERROR_FIELDS.get(field)
        if field == "competent_unit":
            target = "chosen_unit"
        if field.startswith("components.document_"):
            order = field.removeprefix("components.document_")
            target = form.document_field(int(order)) if order.isdigit() else None
            if target is not None:
                form.add_error(target, message)
                continue  # summarised by the "components" message
        form.add_error(target, message)


def _intake_procedure(procedure_code: str) -> Procedure:
    try:
        # Shared by the requests of this process: read it, never change it.
        return selectors.procedure_for_receipt(code=procedure_code)
    except Procedure.DoesNotExist:
        raise Http404("Không tìm thấy thủ tục.") from None


@require_http_methods(["GET", "POST"])
@official_required
def intake_form(request: HttpRequest, procedure_code: str) -> HttpResponse:
    """Step 2: applicant, checklist of components, fees → ``dossier_receive`` → the dossier page.

    A dossier missing a required component is not received: the officer prints form 02 (guidance,
    listing what is missing) or form 03 (refusal, with reasons) instead — ``intake_notice_issue``.
    A procedure without a processing time asks for the appointment and its reason.
    """
    user = _real_user(request)
    units = _reception_units(user)
    if not units:
        return forbidden(request, RECEPTION_ONLY_MESSAGE)
    procedure = _intake_procedure(procedure_code)
    processes = procedure.current_processes  # type: ignore[attr-defined]
    needs_appointment = bool(processes) and not services.process_has_deadline(processes[0])
    if not procedure.applies_here:
        raise Http404(f"Thủ tục {procedure.code} không áp dụng tại Quảng Ninh; không tiếp nhận hồ sơ.")
    form = forms.IntakeForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        procedure=procedure,
        receiving_units=units,
        competent_units=list(deciding_units()),
        needs_appointment=needs_appointment,
    )
    status, error = 200, ""
    if request.method == "POST":
        intent = request.POST.get("intent") or INTENT_RECEIVE
        if intent == INTENT_QR:
            # The scan posted without JavaScript (the scanner's Enter presses the page's first button,
            # «Đọc mã QR»): the form comes back with the card's fields filled, nothing received.
            form.qr_read_only()
            if form.qr_error:
                status = 400
        elif intent == INTENT_POPULATION:
            # «Tra cứu CSDL dân cư» (the page without JavaScript): the form comes back with the name,
            # date of birth and address the population database holds for the number, nothing received.
            if not form.population_fill(actor=user):
                status = 400
        elif intent not in (INTENT_RECEIVE, INTENT_GUIDE, INTENT_REFUSE):
            # A tampered button value must not fall through to a receipt.
            form.is_valid()  # the page is shown again with the officer's entries
            status, error = 400, _("Thao tác không hợp lệ: hãy bấm một trong các nút của trang.")
        elif form.is_valid():
            try:
                if intent in (INTENT_GUIDE, INTENT_REFUSE):
                    notice = services.intake_notice_issue(
                        actor=user,
                        receiving_unit=form.cleaned_data["receiving_unit"],
                        procedure=procedure,
                        applicant=form.applicant(),
                        kind=IntakeNoticeKind.SUPPLEMENT
                        if intent == INTENT_GUIDE
                        else IntakeNoticeKind.REFUSAL,
                        items=form.requested_items() if intent == INTENT_GUIDE else (),
                        reason=form.cleaned_data["notice_reason"],
                    )
                    kind = _(notice.get_kind_display()).lower()
                    messages.success(
                        request, _("Đã lập %(kind)s; hồ sơ không được tiếp nhận.") % {"kind": kind}
                    )
                    return redirect("backoffice:intake_notice", pk=notice.pk)
                d = services.dossier_receive(
                    actor=user,
                    receiving_unit=form.cleaned_data["receiving_unit"],
                    procedure=procedure,
                    applicant=form.applicant(),
                    channel=form.cleaned_data["channel"],
                    components=form.components(),
                    chosen_unit=form.cleaned_data["chosen_unit"],
                    summary=form.cleaned_data["summary"],
                    appointment_at=form.cleaned_data["appointment_at"] if needs_appointment else None,
                    appointment_reason=form.cleaned_data["appointment_reason"] if needs_appointment else "",
                    fee_case=form.cleaned_data.get("fee_case", ""),
                )
            except DossierInvalid as exc:
                _intake_errors_to_form(form, exc)
                status, error = (
                    400,
                    exc.errors.get("components", "")
                    or (
                        _("Hồ sơ chưa được tiếp nhận: vui lòng sửa các thông tin được đánh dấu.")
                        if intent == INTENT_RECEIVE
                        else _("Chưa lập được phiếu: vui lòng sửa các thông tin được đánh dấu.")
                    ),
                )
            else:
                messages.success(request, _("Đã tiếp nhận hồ sơ %(code)s.") % {"code": d.code})
                return redirect(reverse("backoffice:dossier_detail", args=[d.code]) + "?moi=1")
        else:
            status = 400
            error = _("Hồ sơ chưa được tiếp nhận: vui lòng sửa các thông tin được đánh dấu.")
        if request.FILES:
            error += " " + _("Các tệp đính kèm đã chọn cần được chọn lại.")
    # The fee this dossier will owe: counter, kiosk and post pay the same rate (catalog.fees); the case
    # shown is the one posted, else the first of the schedule.
    posted_case = form.data.get("fee_case", "") if form.is_bound else ""
    try:
        fee = services.dossier_fee_due(procedure=procedure, channel=Channel.COUNTER, case=posted_case)
    except DossierInvalid:
        fee = services.dossier_fee_due(procedure=procedure, channel=Channel.COUNTER)
    context = {
        "procedure": procedure,
        "form": form,
        "fee": fee,
        "fee_summary": fee_summary_display(fee.status, fee.total_vnd),
        "error": error,
        "has_process": bool(processes),
        "needs_appointment": needs_appointment,
    }
    return render(request, "backoffice/intake_form.html", context, status=status)


def _notice_or_404(request: HttpRequest, pk: int) -> IntakeNotice:
    """A slip of a unit where the user is a reception officer (others: 404, they learn nothing)."""
    notice = IntakeNotice.objects.select_related("unit__parent", "procedure").filter(pk=pk).first()
    if notice is None or notice.unit not in _reception_units(_real_user(request)):
        raise Http404("Không tìm thấy phiếu.")
    return notice


@require_GET
@official_required
def intake_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """The slip given instead of a receipt (form 02 or 03): what was recorded, and its PDF."""
    notice = _notice_or_404(request, pk)
    return render(request, "backoffice/intake_notice.html", {"notice": notice})


@require_GET
@official_required
def intake_notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _notice_or_404(request, pk)
    built = form_builders.intake_notice_form_build(notice=notice)
    if isinstance(built, doc_forms.RefusalForm):
        return pdf_response(doc_forms.form_refusal_render(built), f"Mau-03-tu-choi-tiep-nhan-{notice.pk}.pdf")
    return pdf_response(
        doc_forms.form_supplement_request_render(built), f"Mau-02-huong-dan-bo-sung-{notice.pk}.pdf"
    )


# --------------------------------------------------------------------------------------------------
# Unit supervision — giám sát đơn vị, sổ theo dõi
# --------------------------------------------------------------------------------------------------


def _supervised_units(user: Account) -> list[Unit]:
    return list(official_units(user=user, roles=SUPERVISOR_ROLES).order_by("name"))


def _overseen_units(user: Account) -> list[Unit]:
    """Units whose page ``user`` may read: supervised ones, and every unit for a province-wide overseer
    (report viewer, province admin — read-only, applicants shown by initials)."""
    return list(official_units(user=user, roles=(*SUPERVISOR_ROLES, *OVERSIGHT_ROLES)).order_by("name"))


STATE_LABELS = {state: DossierState(state).label for state in OPEN_STATES}


@require_GET
@vary_on_headers("HX-Request")
@official_required
def unit_overview(request: HttpRequest) -> HttpResponse:
    """All open dossiers of a unit I supervise or oversee, counts by state, filters, and the ledger.

    Overseers (report viewer, province admin) read it too: counts and the list, applicants by initials,
    no ledger (form 06 prints names and addresses).
    """
    user = _real_user(request)
    units = _overseen_units(user)
    if not units:
        return forbidden(request, SUPERVISION_ONLY_MESSAGE)
    partial = is_htmx_partial(request)
    form = forms.QueueFilterForm(request.GET, fields=forms.field_choices(), units=units)
    form.is_valid()
    chosen = {u.pk: u for u in units}.get(form.value("unit"))
    if chosen is None and len(units) > 1 and not partial:
        return _units_overview(request, user, units)
    unit = chosen or units[0]
    result = _queue_fetch(request, form, scope="unit", unit=unit)
    context: dict[str, Any] = {
        "form": form,
        "unit": unit,
        "units": units,
        "result": result,
        "results_url": reverse("backoffice:unit"),
        "show_unit_column": False,
        "tab": "don-vi",
        "personal_search": _personal_search(user),
    }
    if partial:
        return render(request, "backoffice/_queue_results.html", context)
    counts = selectors.unit_dossier_counts(unit=unit)
    ledger_units = _supervised_units(user)
    today = timezone.localdate()
    context |= {
        "counts": counts,
        "state_counts": [(state, STATE_LABELS[state], counts.get(state, 0)) for state in sorted(OPEN_STATES)],
        "selected_state": form.value("state"),
        "ledger_form": forms.LedgerForm(
            initial={
                "unit": unit.pk if unit in ledger_units else None,
                "tu": today.replace(day=1),
                "den": today,
            },
            units=ledger_units,
        )
        if ledger_units
        else None,
    }
    return render(request, "backoffice/unit.html", context)


def _units_overview(request: HttpRequest, user: Account, units: list[Unit]) -> HttpResponse:
    """The unit page before a unit is chosen, for whoever reaches several (a province-wide overseer
    reaches them all): the counts summed over those units and the units that hold open dossiers, each
    linking to its own page. Opening on the first unit by name ("UBND tỉnh", with nothing open) told
    nothing. Three queries whatever the number of units and dossiers."""
    overview = selectors.units_dossier_counts(
        units=official_units(user=user, roles=(*SUPERVISOR_ROLES, *OVERSIGHT_ROLES))
    )
    by_id = {u.pk: u for u in units}
    ledger_units = _supervised_units(user)
    today = timezone.localdate()
    context: dict[str, Any] = {
        "unit": None,
        "units": units,
        "counts": overview.total,
        "state_counts": [
            (state, STATE_LABELS[state], overview.total.get(state, 0)) for state in sorted(OPEN_STATES)
        ],
        "unit_rows": [(by_id[unit_id], counts) for unit_id, counts in overview.by_unit if unit_id in by_id],
        "idle_units": len(units) - len(overview.by_unit),
        "ledger_form": (
            forms.LedgerForm(initial={"tu": today.replace(day=1), "den": today}, units=ledger_units)
            if ledger_units
            else None
        ),
    }
    return render(request, "backoffice/unit.html", context)


@require_GET
@official_required
def ledger_pdf(request: HttpRequest) -> HttpResponse:
    """Form 06 — sổ theo dõi hồ sơ of a unit I supervise, for a date range."""
    units = _supervised_units(_real_user(request))
    if not units:
        return forbidden(request, LEDGER_ONLY_MESSAGE)
    form = forms.LedgerForm(request.GET, units=units)
    if not form.is_valid():
        # Reached by a link or a typed address, not the form: each message names its field, or three
        # "Vui lòng nhập thông tin này." would not say what is missing.
        errors = [
            f"{form.fields[name].label}: {message}" if name in form.fields else str(message)
            for name, messages in form.errors.items()
            for message in messages
        ]
        return render(request, "backoffice/ledger_error.html", {"form": form, "errors": errors}, status=400)
    unit, start, end = form.cleaned_data["unit"], form.cleaned_data["tu"], form.cleaned_data["den"]
    built = form_builders.ledger_form_build(unit=unit, start=start, end=end)
    filename = f"Mau-06-so-theo-doi-{unit.agency_code}-{start:%Y%m%d}-{end:%Y%m%d}.pdf"
    return pdf_response(doc_forms.form_ledger_render(built), filename)


__all__ = [
    "LogoutView",
    "component_download",
    "dossier_action",
    "dossier_detail",
    "dossier_form_pdf",
    "intake_form",
    "intake_notice",
    "intake_notice_pdf",
    "intake_start",
    "ledger_pdf",
    "official_display_name",
    "queue",
    "tracking_url",
    "unit_overview",
]


@require_POST
@official_required
def intake_population_lookup(request: HttpRequest) -> JsonResponse:
    """The counter's «Tra cứu CSDL dân cư» in place (static/backoffice/population-lookup.js).

    ``personal_id`` posted (CSRF, session) → ``{"fields": {intake field: value}}``, or ``{"detail":
    Vietnamese message}`` with 400 (malformed number), 403 (not a reception official), 404 (no such
    person) or 503 (database unavailable). Every lookup is recorded (``population.services``).
    """
    user = _real_user(request)
    try:
        person = population_lookup(
            actor=user, personal_id=request.POST.get("personal_id", ""), purpose="Tiếp nhận hồ sơ tại quầy"
        )
    except ValueError as exc:
        return JsonResponse({"detail": str(exc)}, status=400)
    except PermissionDenied as exc:
        return JsonResponse({"detail": str(exc)}, status=403)
    except PersonNotFound as exc:
        return JsonResponse({"detail": str(exc)}, status=404)
    except PopulationError as exc:
        return JsonResponse({"detail": str(exc)}, status=503)
    return JsonResponse({"fields": forms.population_fills(person)})
