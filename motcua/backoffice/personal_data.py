"""Xuất dữ liệu cá nhân theo yêu cầu — an officer exports a person's data on their request (Decree 13).

A person who cannot or will not use the portal asks at a centre, proving who they are; a unit admin
enters their identity number (or an organisation's tax code) and the reference of the written request,
and gets everything the system holds about that person as one JSON file (the same document as the
portal's «Tải toàn bộ dữ liệu của tôi», plus counter dossiers filed under the number). Each export is
recorded in the personal-data access log with the officer and the request's reference, so the person
sees it on their own page. The number travels in a POST body only, never in a URL.
"""

from __future__ import annotations

import json

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from motcua.accounts.identity_numbers import personal_id_clean, tax_code_clean
from motcua.accounts.models import Account
from motcua.backoffice.access import official_required
from motcua.dossiers.models import Dossier
from motcua.org.models import Role
from motcua.org.selectors import official_role_set
from motcua.privacy.registry import Subject
from motcua.privacy.services import personal_data_export

# Those who answer data subjects' requests for their unit (Decree 13 Art. 14: the controller's duty).
EXPORT_ROLES = frozenset({Role.UNIT_ADMIN})


class ExportForm(forms.Form):
    so_dinh_danh = forms.CharField(
        label=gettext_lazy("Số định danh cá nhân hoặc mã số thuế của người yêu cầu"), max_length=20
    )
    ly_do = forms.CharField(
        label=gettext_lazy("Căn cứ: số, ngày của văn bản yêu cầu"),
        max_length=200,
        help_text=gettext_lazy("Ví dụ: Đơn yêu cầu ngày 02/12/2026, tiếp nhận tại Trung tâm PVHCC."),
    )

    def clean_so_dinh_danh(self) -> str:
        value = self.cleaned_data["so_dinh_danh"].strip().replace(" ", "")
        try:
            return personal_id_clean(value) if len(value) == 12 else tax_code_clean(value)
        except ValidationError as exc:
            raise ValidationError(exc.messages[0]) from exc


def _account(request: HttpRequest) -> Account:
    user = getattr(request.user, "_wrapped", request.user)
    assert isinstance(user, Account)
    return user


@require_http_methods(["GET", "HEAD", "POST"])
@official_required
def personal_data_export_view(request: HttpRequest) -> HttpResponse:
    officer = _account(request)
    if not official_role_set(user=officer) & EXPORT_ROLES:
        raise PermissionDenied(_("Chỉ quản trị đơn vị được xuất dữ liệu cá nhân theo yêu cầu của người dân."))
    form = ExportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["so_dinh_danh"]
        account = Account.objects.filter(Q(personal_id=number) | Q(tax_code=number)).first()
        if account is None and not Dossier.objects.filter(applicant_id_number=number).exists():
            # Nothing is recorded in the log either: there was nothing to read.
            form.add_error("so_dinh_danh", _("Hệ thống không lưu dữ liệu nào của số định danh này."))
        else:
            document = personal_data_export(
                subject=Subject(account=account, id_number=number),
                requested_by=officer,
                reason=form.cleaned_data["ly_do"],
            )
            body = json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
            response = HttpResponse(body, content_type="application/json; charset=utf-8")
            day = timezone.localdate().strftime("%Y%m%d")
            response["Content-Disposition"] = f'attachment; filename="du-lieu-ca-nhan-{day}.json"'
            add_never_cache_headers(response)
            return response
    status = 400 if form.is_bound else 200
    response = render(request, "backoffice/personal_data_export.html", {"form": form}, status=status)
    add_never_cache_headers(response)
    return response
