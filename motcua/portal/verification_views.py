"""Xác thực văn bản điện tử (``/xac-thuc``): the public check of a signed result.

Open from the result's QR code (``?ma=<dossier code>&h=<hash prefix>``: which result it is, as kept on
file) or upload a PDF (every signature checked, and compared with the result on file). The checks are
``signing.verification``'s; rate-limited per client address like the tracking page.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from motcua.signing.api import verify_rate_limited
from motcua.signing.errors import VerificationRefused
from motcua.signing.verification import document_verify, qr_lookup


class VerifyForm(forms.Form):
    tep = forms.FileField(
        label=gettext_lazy("Tệp văn bản (PDF)"),
        error_messages={"required": gettext_lazy("Vui lòng chọn tệp PDF cần xác thực.")},
    )
    ma = forms.CharField(
        label=gettext_lazy("Mã hồ sơ (không bắt buộc)"), required=False, max_length=64, strip=True
    )


@require_http_methods(["GET", "HEAD", "POST"])
def verify_page(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {"form": VerifyForm(initial={"ma": request.GET.get("ma", "")})}
    status = 200
    code, h = request.GET.get("ma", "").strip(), request.GET.get("h", "").strip()
    if request.method == "POST" or (code and h):
        wait = verify_rate_limited(request=request)
        if wait:
            context["error"] = _("Quá nhiều yêu cầu xác thực; vui lòng thử lại sau %(s)s giây.") % {"s": wait}
            response = render(request, "portal/verify.html", context, status=429)
            response["Retry-After"] = str(wait)
            return response
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
        context["form"] = form
        if not form.is_valid():
            status = 400
        else:
            upload = form.cleaned_data["tep"]
            try:
                if upload.size > settings.MOTCUA_SIGNING_VERIFY_MAX_BYTES:
                    raise VerificationRefused(
                        _("Tệp quá lớn (tối đa %(mb)s MB).")
                        % {"mb": settings.MOTCUA_SIGNING_VERIFY_MAX_BYTES // (1024 * 1024)}
                    )
                report = document_verify(upload.read(), code=form.cleaned_data["ma"].upper())
            except VerificationRefused as exc:
                context["error"], status = exc.message, 400
            else:
                context["report"] = report
    elif code and h:
        context["qr"] = qr_lookup(code=code, h=h)
        context["qr_asked"] = True
        if context["qr"] is None:
            status = 404
    response = render(request, "portal/verify.html", context, status=status)
    add_never_cache_headers(response)
    return response
