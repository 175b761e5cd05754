"""Dữ liệu cá nhân của tôi — the applicant's personal-data page (Decree 13/2023/NĐ-CP, docs/privacy.md).

Who viewed my data (officials' reads of my dossiers, from the access log) and the download of all the
data the system holds about me as one JSON document.
"""

from __future__ import annotations

import json
from typing import cast

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_POST

from motcua.accounts.models import Account
from motcua.portal.access import applicant_required
from motcua.privacy.registry import Subject
from motcua.privacy.selectors import personal_data_accesses_for_subject
from motcua.privacy.services import personal_data_export


@require_GET
@applicant_required
def personal_data_page(request: HttpRequest) -> HttpResponse:
    """«Ai đã xem dữ liệu của tôi»: only the signed-in applicant's own entries."""
    account = cast(Account, request.user)
    response = render(
        request,
        "portal/personal_data.html",
        {"accesses": personal_data_accesses_for_subject(account=account)},
    )
    add_never_cache_headers(response)
    return response


@require_POST
@applicant_required
def personal_data_download(request: HttpRequest) -> HttpResponse:
    """All my data as a JSON attachment (POST: a prefetching browser or crawler never builds one)."""
    account = cast(Account, request.user)
    document = personal_data_export(subject=Subject(account=account), requested_by=account)
    body = json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    day = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="du-lieu-ca-nhan-{day}.json"'
    add_never_cache_headers(response)
    return response
