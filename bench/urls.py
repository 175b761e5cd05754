"""Bare Django views that do the nearest trivial work to each benchmarked endpoint.

They run in the same server, same process model and same middleware stack as the real endpoints, so
a ratio against them isolates the cost of our own code.
"""

from __future__ import annotations

import json
import uuid

from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier
from motcua.urls import urlpatterns as app_urlpatterns


def bare_json(request: HttpRequest) -> JsonResponse:
    """Parse the same query parameters as the due-date API and echo them back: no calendar work."""
    return JsonResponse(
        {
            "start": request.GET.get("start", ""),
            "amount": request.GET.get("amount", ""),
            "unit": request.GET.get("unit", ""),
        }
    )


def bare_procedure_read(request: HttpRequest) -> JsonResponse:
    """One primary-key read of a procedure, serialised: the floor under any search request."""
    row = Procedure.objects.filter(pk=int(request.GET.get("id", "1"))).values("code", "name").first()
    return JsonResponse({"item": row})


def bare_dossier_read(request: HttpRequest) -> JsonResponse:
    """One primary-key read of a dossier, serialised: the floor under the public lookup (P1)."""
    row = (
        Dossier.objects.filter(pk=int(request.GET.get("id", "1")))
        .values("code", "status", "state", "submitted_at", "due_at", "outcome")
        .first()
    )
    return JsonResponse({"item": row})


BENCH_WRITE_TABLE = "bench_write"


def bench_write_table_ensure() -> None:
    """The scratch table of the bare write (created by bench/dossier_bench.py before the server starts)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {BENCH_WRITE_TABLE} "
            "(id INTEGER PRIMARY KEY, payload TEXT NOT NULL, created_at TIMESTAMP NOT NULL)"
            if connection.vendor == "sqlite"
            else f"CREATE TABLE IF NOT EXISTS {BENCH_WRITE_TABLE} "
            "(id BIGSERIAL PRIMARY KEY, payload TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL)"
        )


@csrf_exempt
def bare_write(request: HttpRequest) -> JsonResponse:
    """Insert one row in ``transaction.atomic``: the floor under an online submission (P2)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {BENCH_WRITE_TABLE} (payload, created_at) VALUES (%s, %s)",
            [request.body.decode()[:2000], timezone.now()],
        )
    return JsonResponse({"ok": True}, status=201)


BARE_DOSSIER_PREFIX = "BENCH-"


@csrf_exempt
def bare_dossier_write(request: HttpRequest) -> JsonResponse:
    """Insert one dossier row from the submission's JSON, ORM in ``transaction.atomic``: the floor under P2.

    The same table, indexes and columns as a real online submission's dossier row, without anything an
    online submission adds (validation, code counter, components, fees, audit event, outbox jobs,
    idempotency record). Rows are marked by their code prefix; the benchmark deletes them afterwards.
    """
    body = json.loads(request.body)
    applicant = body["applicant"]
    ids = {name: int(request.GET[name]) for name in ("procedure", "process", "unit")}
    with transaction.atomic():
        d = Dossier.objects.create(
            code=f"{BARE_DOSSIER_PREFIX}{uuid.uuid4().hex}",
            procedure_id=ids["procedure"],
            procedure_version=1,
            process_id=ids["process"],
            channel="online",
            receiving_unit_id=ids["unit"],
            competent_unit_id=ids["unit"],
            current_unit_id=ids["unit"],
            state="submitted",
            status=1,
            submitted_at=timezone.now(),
            summary=body.get("summary", ""),
            applicant_name=applicant["name"],
            applicant_id_number=applicant.get("id_number", ""),
            applicant_phone=applicant.get("phone", ""),
            applicant_address=applicant.get("address", ""),
        )
    return JsonResponse({"code": d.code}, status=201)


urlpatterns = [
    path("bench/bare-json", bare_json),
    path("bench/bare-procedure", bare_procedure_read),
    path("bench/bare-dossier", bare_dossier_read),
    path("bench/bare-write", bare_write),
    path("bench/bare-dossier-write", bare_dossier_write),
    *app_urlpatterns,
]
