"""The applicant pays fees online — thanh toán lệ phí trực tuyến (``payments`` does the work).

``/ho-so-cua-toi/<code>/thanh-toan``: the amount, the gateways offered, «Thanh toán lệ phí» → the
gateway's page. ``/thanh-toan/ket-qua/<gateway>``: where the gateway sends the browser back; it only
SHOWS what we know (the IPN, server to server, is what confirms a payment). Receipts as PDF.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from motcua.dossiers import selectors as dossier_selectors
from motcua.payments import receipts, services
from motcua.payments import selectors as payment_selectors
from motcua.payments.gateways.base import GatewayError, gateway_codes, gateway_get
from motcua.payments.models import PaymentState
from motcua.portal.access import applicant_required


def _dossier(request: HttpRequest, code: str):  # type: ignore[no-untyped-def]
    d = dossier_selectors.dossier_get_for_applicant(user=request.user, code=code)
    if d is None:
        raise Http404(_("Không tìm thấy hồ sơ."))
    return d


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


def _gateways() -> list[tuple[str, str]]:
    return [(code, str(gateway_get(code).name)) for code in gateway_codes()]


@require_http_methods(["GET", "HEAD", "POST"])
@applicant_required
def pay(request: HttpRequest, code: str) -> HttpResponse:
    d = _dossier(request, code)
    error, status = "", 200
    if request.method == "POST":
        gateway = request.POST.get("gateway", "")
        return_url = request.build_absolute_uri(
            reverse("portal:payment_return", kwargs={"gateway": gateway or "x"})
        )
        try:
            checkout = services.payment_start(
                actor=request.user,  # type: ignore[arg-type]
                dossier=d,
                gateway_code=gateway,
                return_url=return_url,
                client_ip=request.META.get("REMOTE_ADDR", ""),
            )
        except services.PaymentRefused as exc:
            error, status = str(exc), 400
        else:
            return redirect(checkout.url)
    context = {
        "d": d,
        "fees": services.payable_fees(d),
        "payable_vnd": payment_selectors.dossier_amount_payable(d),
        "gateways": _gateways(),
        "receipts": payment_selectors.dossier_receipts(d),
        "error": error,
    }
    return _private(render(request, "portal/payment.html", context, status=status))


@require_GET
@applicant_required
def payment_return(request: HttpRequest, gateway: str) -> HttpResponse:
    """The browser's return from the gateway: display only; the dossier changes on the IPN."""
    if gateway not in gateway_codes():
        raise Http404(_("Cổng thanh toán không tồn tại."))
    try:
        tx = gateway_get(gateway).verify_return(request.GET.dict())
    except GatewayError:
        return _private(render(request, "portal/payment_return.html", {"invalid": True}, status=400))
    payment = payment_selectors.payment_for_applicant(reference=tx.reference, user_id=request.user.pk)
    if payment is None:
        raise Http404(_("Không tìm thấy giao dịch."))
    receipt = getattr(payment, "receipt", None) if payment.state == PaymentState.PAID else None
    context = {
        "payment": payment,
        "d": payment.dossier,
        "gateway_success": tx.success,
        "gateway_message": tx.message,
        "confirmed": payment.state == PaymentState.PAID,
        "failed": payment.state in (PaymentState.FAILED, PaymentState.EXPIRED) or not tx.success,
        "receipt": receipt,
    }
    return _private(render(request, "portal/payment_return.html", context))


@require_GET
@applicant_required
def receipt_pdf(request: HttpRequest, code: str, receipt_id: int) -> HttpResponse:
    d = _dossier(request, code)
    receipt = payment_selectors.dossier_receipts(d).filter(pk=receipt_id).first()
    if receipt is None:
        raise Http404(_("Không tìm thấy biên lai."))
    response = HttpResponse(
        receipts.receipt_pdf(receipt, base_url=request.build_absolute_uri("/")),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = (
        f'inline; filename="bien-lai-{receipt.series}-{receipt.number_display}.pdf"'
    )
    return _private(response)
