"""Public tracking pages — tra cứu hồ sơ: /tra-cuu (form) and /tra-cuu/<code> (status and timeline);
the signed-in applicant's notifications — thông báo: /thong-bao.

Thin: ``portal.tracking`` does the rate limiting and the lookup; the page renders the public view.
The verifier goes in a POST body (with CSRF), never in the URL: URLs are logged, bookmarked and
shared, and the CSRF token stops other sites from using visitors' browsers to guess the 4 digits.
"""

from __future__ import annotations

from typing import cast

from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from motcua.accounts.models import Account
from motcua.dossiers import downloads
from motcua.dossiers.sealing import SealCheck, dossier_seal_check
from motcua.notifications.selectors import inbox_list, inbox_unread_count
from motcua.notifications.services import inbox_mark_read
from motcua.portal.access import applicant_required, forbidden
from motcua.portal.forms import TrackingForm, VerifierForm
from motcua.portal.selectors import public_current_step, public_in_progress, tracking_result_documents
from motcua.portal.tracking import TrackingResult, tracking_lookup


def _seal_check(code: str) -> SealCheck | None:
    """The dossier's history against its latest published seal; nothing shown if sealing is not set up."""
    try:
        return dossier_seal_check(code=code)
    except ImproperlyConfigured:
        return None


def _respond(
    request: HttpRequest,
    result: TrackingResult,
    *,
    verifier_form: VerifierForm | None = None,
    verifier: str = "",
    status: int = 200,
) -> HttpResponse:
    if result.view is not None:
        verified = result.view.verified
        response = render(
            request,
            "portal/tracking_detail.html",
            {
                "result": result,
                "view": result.view,
                "current_step": public_current_step(result.view),
                "in_progress": public_in_progress(result.view),
                "verifier_form": verifier_form or VerifierForm(),
                # The electronic result, offered only once the verifier matched (same check as the
                # personal details); the download repeats the check.
                "result_documents": tracking_result_documents(view=result.view) if verified else [],
                "verifier": verifier if verified else "",
                "seal": _seal_check(result.view.code),
            },
            status=status,
        )
    else:
        template = "portal/tracking_limited.html" if result.limited else "portal/tracking_not_found.html"
        form = TrackingForm(initial={"ma": result.code})
        response = render(request, template, {"result": result, "form": form}, status=result.status)
        if result.limited:
            response["Retry-After"] = str(result.retry_after)
    add_never_cache_headers(response)  # the status must always be current
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def tracking_form(request: HttpRequest) -> HttpResponse:
    """Tra cứu hồ sơ: the lookup form. ``?ma=CODE`` (e.g. from the receipt's QR code) goes to the dossier.

    The 4 last digits of the applicant's phone or identity number count in the POST body only: in a
    query string they would be written to every proxy's and server's access log (docs/privacy.md).
    """
    data: QueryDict | dict[str, str] | None = request.POST if request.method == "POST" else None
    if data is None and "ma" in request.GET:
        data = {"ma": request.GET["ma"]}
    form = TrackingForm(data)
    if data is None or not form.is_valid():
        response = render(
            request, "portal/tracking_form.html", {"form": form}, status=400 if data is not None else 200
        )
        add_never_cache_headers(response)
        return response
    code, verifier = form.cleaned_data["ma"], form.cleaned_data["so_cuoi"]
    if not verifier:
        return redirect("portal:tracking_detail", code=code)
    return _respond(request, tracking_lookup(request=request, code=code, verifier=verifier))


@require_http_methods(["GET", "HEAD", "POST"])
def tracking_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A dossier's tracking page; POST with the 4 last digits shows the verified details too."""
    if request.method != "POST":
        return _respond(request, tracking_lookup(request=request, code=code))
    form = VerifierForm(request.POST)
    if not form.is_valid():
        result = tracking_lookup(request=request, code=code)
        response = _respond(request, result, verifier_form=form)
        if response.status_code == 200:
            response.status_code = 400
        return response
    verifier = form.cleaned_data["so_cuoi"]
    return _respond(
        request, tracking_lookup(request=request, code=code, verifier=verifier), verifier=verifier
    )


@require_POST
def tracking_result(request: HttpRequest, code: str, document_id: int) -> HttpResponseBase:
    """Download an electronic result from the tracking page — tải kết quả: the verifier (POST body) is
    checked again, counted by the same rate limits as the lookup; the file is served only if its bytes
    match their recorded SHA-256 (``core.storage``). A wrong verifier gets the page back, no file."""
    form = VerifierForm(request.POST)
    if not form.is_valid():
        result = tracking_lookup(request=request, code=code)
        return _respond(
            request, result, verifier_form=form, status=400 if result.status == 200 else result.status
        )
    verifier = form.cleaned_data["so_cuoi"]
    result = tracking_lookup(request=request, code=code, verifier=verifier)
    if result.view is None or not result.view.verified:
        return _respond(request, result, status=403 if result.view is not None else result.status)
    document = next((r for r in tracking_result_documents(view=result.view) if r.pk == document_id), None)
    if document is None:
        raise Http404(_("Không tìm thấy tệp."))
    return downloads.result_response(document)


@require_http_methods(["GET", "HEAD", "POST"])
@applicant_required
def notifications_page(request: HttpRequest) -> HttpResponse:
    """Thông báo: the signed-in applicant's inbox; POST marks one (``id``) or all read (no JS needed)."""
    account = cast(Account, request.user)
    if request.method == "POST":
        raw = request.POST.get("id", "")
        notification_id = int(raw) if raw.isdigit() else None
        if raw and notification_id is None:
            return forbidden(request)  # a tampered form: nothing to mark
        inbox_mark_read(account=account, notification_id=notification_id)
        return redirect("portal:notifications")
    response = render(
        request,
        "portal/notifications.html",
        {"notifications": inbox_list(account=account), "unread": inbox_unread_count(account=account)},
    )
    add_never_cache_headers(response)
    return response
