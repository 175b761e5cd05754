"""Công khai and dữ liệu mở — the public transparency board and the open-data catalogue (anonymous).

``/cong-khai/``: per unit, the current month's on-time rate, dossiers overdue and Decision 766 total
(``reports.transparency``, cached ≤ 15 min). ``/du-lieu-mo/``: the datasets of ``reports.opendata``
as CSV and JSON (streamed), their DCAT-AP catalogue as JSON-LD, and the licence (CC BY 4.0). Neither
shows personal data: counts per unit, procedure, channel and day only, small counts suppressed.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from motcua.org.models import UnitKind
from motcua.reports import opendata, transparency

OPEN_DATA_CACHE_SECONDS = 15 * 60


@require_GET
def transparency_page(request: HttpRequest) -> HttpResponse:
    board = transparency.board_for()
    response = render(
        request,
        "portal/transparency.html",
        {
            "board": board,
            "groups": [(_(UnitKind(kind).label), rows) for kind, rows in board.groups],
        },
    )
    response["Cache-Control"] = f"public, max-age={transparency.BOARD_TTL}"
    return response


def _catalog(request: HttpRequest) -> dict[str, Any]:
    base = request.build_absolute_uri(reverse("portal:open_data"))
    return opendata.dcat_catalog(base_url=base, modified=timezone.localdate())


@require_GET
def open_data_page(request: HttpRequest) -> HttpResponse:
    catalog = _catalog(request)
    first, last = opendata.daily_range()
    response = render(
        request,
        "portal/open_data.html",
        {
            "datasets": list(opendata.DATASETS.values()),
            "catalog_json": json.dumps(catalog, ensure_ascii=False, indent=1),
            "license_url": opendata.LICENSE_URL,
            "license_name": opendata.LICENSE_NAME,
            "threshold": opendata.min_count(),
            "first": first,
            "last": last,
        },
    )
    response["Cache-Control"] = f"public, max-age={OPEN_DATA_CACHE_SECONDS}"
    return response


@require_GET
def open_data_catalog(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(_catalog(request), json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/ld+json; charset=utf-8"
    return response


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@require_GET
def open_data_download(request: HttpRequest, slug: str, ext: str) -> StreamingHttpResponse:
    """A dataset as CSV or JSON, streamed (``?tu=`` / ``?den=`` narrow the daily dataset's days)."""
    dataset = opendata.DATASETS.get(slug)
    if dataset is None or ext not in ("csv", "json"):
        raise Http404
    options: dict[str, Any] = {}
    if slug == "tong-hop-theo-ngay":
        options = {"first": _date(request.GET.get("tu")), "last": _date(request.GET.get("den"))}
    rows = opendata.dataset_rows(slug, **options)
    if ext == "csv":
        response = StreamingHttpResponse(
            opendata.csv_chunks(dataset, rows), content_type="text/csv; charset=utf-8"
        )
    else:
        response = StreamingHttpResponse(
            opendata.json_chunks(rows), content_type="application/json; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{slug}.{ext}"'
    response["Cache-Control"] = f"public, max-age={OPEN_DATA_CACHE_SECONDS}"
    response["Link"] = f'<{opendata.LICENSE_URL}>; rel="license"'
    return response
