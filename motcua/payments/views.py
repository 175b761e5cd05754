"""The gateway-facing endpoints (IPN) and the public receipt check — thin: the services decide."""

from __future__ import annotations

import logging

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from motcua.payments import selectors, services
from motcua.payments.gateways.base import gateway_codes, gateway_get

logger = logging.getLogger(__name__)


@csrf_exempt  # called server to server by the gateway, authenticated by its signature, not a session
@require_http_methods(["GET", "POST"])
def ipn(request: HttpRequest, gateway: str) -> HttpResponse:
    """``/thanh-toan/ipn/<gateway>``: the gateway's notification (VNPay calls it with GET)."""
    if gateway not in gateway_codes():
        raise Http404("Cổng thanh toán không tồn tại.")
    adapter = gateway_get(gateway)
    reader = getattr(adapter, "notification_params", None)
    if reader is not None:
        params = reader(query=request.GET, body=request.body, content_type=request.content_type or "")
    else:
        params = {**request.GET.dict(), **request.POST.dict()}
    status, body = services.payment_notification_handle(gateway_code=gateway, params=params)
    return JsonResponse(body, status=status)


def receipt_verify(request: HttpRequest, code: str) -> HttpResponse:
    """``/bien-lai/<code>``: the QR code of a receipt leads here — is it genuine, for what and how much.

    Shows no personal data beyond the payer's initials: anyone holding the paper may open it.
    """
    receipt = selectors.receipt_by_verification(code)
    if receipt is None:
        raise Http404("Không tìm thấy biên lai.")
    initials = " ".join(part[:1] + "." for part in receipt.payer_name.split())
    response = render(request, "payments/receipt_verify.html", {"receipt": receipt, "initials": initials})
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
