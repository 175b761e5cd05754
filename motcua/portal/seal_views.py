"""Published seals of the audit log — nhật ký niêm phong (``dossiers.sealing``, architecture §29).

One row per seal (one a day): its number, time, the dossiers and events it covers, the Merkle root
and the HMAC. Anyone may copy the list (page, JSON, CSV): a history rewritten later in the database
no longer matches what was published here before.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from motcua.dossiers.models import AuditSeal
from motcua.dossiers.sealing import seals_published

FIELDS = ("seq", "sealed_at", "dossier_count", "event_count", "root", "prev_mac", "mac", "key_id")


def _row(seal: AuditSeal) -> dict[str, Any]:
    return {name: getattr(seal, name) for name in FIELDS} | {"sealed_at": seal.sealed_at.isoformat()}


@require_safe
def seals_page(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/audit_seals.html", {"seals": seals_published()})


@require_safe
def seals_json(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(
        {
            "description": "Niêm phong nhật ký xử lý hồ sơ: gốc cây Merkle và HMAC-SHA256 mỗi ngày",
            "seals": [_row(seal) for seal in seals_published()],
        },
        json_dumps_params={"ensure_ascii": False, "indent": 1},
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def seals_csv(request: HttpRequest) -> HttpResponse:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    for seal in seals_published():
        writer.writerow(_row(seal))
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="nhat-ky-niem-phong.csv"'
    response["Access-Control-Allow-Origin"] = "*"
    return response
