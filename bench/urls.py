"""Bare Django views that do the nearest trivial work to each benchmarked endpoint.

They run in the same server, same process model and same middleware stack as the real endpoints, so
a ratio against them isolates the cost of our own code.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from motcua.catalog.models import Procedure
from motcua.dossiers.models import (
    Dossier,
    DossierComponent,
    DossierEvent,
    DossierFee,
    DossierStep,
    StepStatus,
)
from motcua.identity.models import IdempotentRequest
from motcua.jobs.models import Job, JobStatus
from motcua.urls import handler500  # noqa: F401  (the app's 503 for a database or store that is down)
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


# --------------------------------------------------------------------------------------------------
# The floor under the whole flow (bench/flow_bench.py): the rows the eight requests of a dossier's life
# write, written by hand-written SQL, one transaction per request.

# What each request of the real flow writes (captured from the real flow's queries, PostgreSQL):
#   step index → (step seq finished, template step inserted); every request also locks the dossier
#   (except the submission, which creates it), inserts its event, updates the dossier and inserts its
#   outbox jobs (as many as the template's event has). The submission also upserts the code counter and
#   inserts the components, fees and the idempotency record.
BARE_FLOW_STEPS: tuple[tuple[str, int | None, int | None], ...] = (
    ("submit", None, None),
    ("accept", None, 0),
    ("forward", 0, 1),
    ("forward", 1, 2),
    ("approve", 2, 3),
    ("record_signature", None, None),
    ("mark_result_ready", 3, 4),
    ("return_result", 4, None),
)


@dataclass(frozen=True)
class _FlowTemplate:
    """The rows of one dossier the real flow wrote: each bare request copies the ones its step wrote."""

    dossier: int
    unit_id: int
    components: tuple[int, ...]
    fees: tuple[int, ...]
    events: tuple[tuple[int, str], ...]  # (id, to_state) by seq
    steps: tuple[int, ...]  # by seq
    jobs: tuple[tuple[int, ...], ...]  # the outbox jobs each event enqueued, by event seq
    idempotent_request: int | None


_TEMPLATES: dict[int, _FlowTemplate] = {}
_COPY_SQL: dict[tuple[str, tuple[str, ...]], tuple[str, tuple[str, ...]]] = {}


def _template(dossier_id: int) -> _FlowTemplate:
    """Read once per worker process (the bare flow then runs on cached ids only)."""
    found = _TEMPLATES.get(dossier_id)
    if found is None:
        dossier = Dossier.objects.values("code", "receiving_unit_id").get(pk=dossier_id)
        events = tuple(
            DossierEvent.objects.filter(dossier_id=dossier_id).order_by("seq").values_list("pk", "to_state")
        )
        # Outbox keys are "<handler>:<dossier id>:<event seq>" (dossiers/events.py): a job per handler
        # interested in the event (national-portal sync for every one, e-mail for some).
        by_seq: dict[int, list[int]] = {}
        for pk, key in Job.objects.filter(idempotency_key__regex=rf"^[^:]+:{dossier_id}:[0-9]+$").values_list(
            "pk", "idempotency_key"
        ):
            by_seq.setdefault(int(key.rsplit(":", 1)[1]), []).append(pk)
        found = _FlowTemplate(
            dossier=dossier_id,
            unit_id=dossier["receiving_unit_id"],
            components=tuple(
                DossierComponent.objects.filter(dossier_id=dossier_id).values_list("pk", flat=True)
            ),
            fees=tuple(DossierFee.objects.filter(dossier_id=dossier_id).values_list("pk", flat=True)),
            events=tuple(
                DossierEvent.objects.filter(dossier_id=dossier_id)
                .order_by("seq")
                .values_list("pk", "to_state")
            ),
            steps=tuple(
                DossierStep.objects.filter(dossier_id=dossier_id).order_by("seq").values_list("pk", flat=True)
            ),
            jobs=tuple(tuple(sorted(by_seq.get(seq, []))) for seq in range(1, len(events) + 1)),
            idempotent_request=IdempotentRequest.objects.order_by("-pk").values_list("pk", flat=True).first(),
        )
        _TEMPLATES[dossier_id] = found
    return found


def _copy_row(cursor: Any, model: Any, template_pk: int, overrides: dict[str, object]) -> int:
    """``INSERT … SELECT`` of the template row with ``overrides``: the same table, width and indexes.

    The statement is written once per (table, overridden columns) and kept: no ORM compilation per row.
    """
    table = model._meta.db_table
    key = (table, tuple(sorted(overrides)))
    cached = _COPY_SQL.get(key)
    if cached is None:
        qn = connection.ops.quote_name
        columns = [f.column for f in model._meta.concrete_fields if not f.primary_key]
        values = ["%s" if c in overrides else qn(c) for c in columns]
        sql = (
            f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in columns)}) "
            f"SELECT {', '.join(values)} FROM {qn(table)} WHERE id = %s RETURNING id"
        )
        cached = (sql, tuple(c for c in columns if c in overrides))
        _COPY_SQL[key] = cached
    sql, order = cached
    cursor.execute(sql, [*(overrides[c] for c in order), template_pk])
    return int(cursor.fetchone()[0])


@csrf_exempt
def bare_flow_step(request: HttpRequest, index: int) -> JsonResponse:
    """Request ``index`` of the bare flow: the rows the real request writes, by hand-written SQL.

    Query: ``template`` (a dossier the real flow took to the end), ``dossier`` and ``row_version`` (what
    the previous bare request answered; absent for the submission). Answers ``{code, row_version}``.
    """
    template = _template(int(request.GET["template"]))
    _name, finish_seq, insert_step = BARE_FLOW_STEPS[index]
    now = timezone.now()
    event_id, to_state = template.events[index]
    with transaction.atomic(), connection.cursor() as cursor:
        if index == 0:
            cursor.execute(
                "INSERT INTO dossiers_dossiercodecounter (unit_id, day, last_number) VALUES (%s, %s, 1) "
                "ON CONFLICT (unit_id, day) DO UPDATE "
                "SET last_number = dossiers_dossiercodecounter.last_number + 1 RETURNING last_number",
                [template.unit_id, timezone.localdate(now)],
            )
            number = cursor.fetchone()[0]
            dossier_id = _copy_row(
                cursor,
                Dossier,
                template.dossier,
                {
                    "code": f"{BARE_DOSSIER_PREFIX}{uuid.uuid4().hex}-{number}",
                    "idempotency_key": uuid.uuid4().hex,
                    "state": to_state,
                    "row_version": 0,
                    "is_open": True,
                    "submitted_at": now,
                },
            )
            for component in template.components:
                _copy_row(cursor, DossierComponent, component, {"dossier_id": dossier_id})
            for fee in template.fees:
                _copy_row(cursor, DossierFee, fee, {"dossier_id": dossier_id})
            if template.idempotent_request is not None:
                _copy_row(cursor, IdempotentRequest, template.idempotent_request, {"key": uuid.uuid4().hex})
            version = 0
        else:
            dossier_id = int(request.GET["dossier"])
            version = int(request.GET["row_version"])
            # SQLite has no row locks (a write locks the database): the clause is PostgreSQL's only.
            lock = " FOR UPDATE" if connection.vendor == "postgresql" else ""
            cursor.execute(f"SELECT row_version FROM dossiers_dossier WHERE id = %s{lock}", [dossier_id])
            if cursor.fetchone()[0] != version:
                return JsonResponse({"detail": "conflict"}, status=409)
        if finish_seq is not None:
            cursor.execute(
                "UPDATE dossiers_dossierstep SET status = %s, finished_at = %s "
                "WHERE dossier_id = %s AND seq = %s",
                [StepStatus.DONE, now, dossier_id, finish_seq + 1],
            )
        step_id = None
        if insert_step is not None:
            step_id = _copy_row(
                cursor,
                DossierStep,
                template.steps[insert_step],
                {
                    "dossier_id": dossier_id,
                    "started_at": now,
                    "status": StepStatus.ACTIVE,
                    "finished_at": None,
                    "outcome": "",
                },
            )
        digest = hashlib.sha256(f"{dossier_id}:{index}:{now.isoformat()}".encode()).hexdigest()
        _copy_row(cursor, DossierEvent, event_id, {"dossier_id": dossier_id, "at": now, "hash": digest})
        cursor.execute(
            "UPDATE dossiers_dossier SET state = %s, row_version = row_version + 1, "
            "current_step_id = COALESCE(%s, current_step_id), is_open = %s WHERE id = %s",
            # The return closes the dossier: it leaves the officials' queues (their partial indexes).
            [to_state, step_id, index < len(BARE_FLOW_STEPS) - 1, dossier_id],
        )
        # Written as delivered: the floor has the outbox rows, not their delivery.
        for job in template.jobs[index]:
            _copy_row(
                cursor,
                Job,
                job,
                {"idempotency_key": uuid.uuid4().hex, "status": JobStatus.DONE, "run_after": now},
            )
    return JsonResponse(
        {"code": str(dossier_id), "row_version": version + 1}, status=201 if index == 0 else 200
    )


urlpatterns = [
    path("bench/bare-json", bare_json),
    path("bench/bare-procedure", bare_procedure_read),
    path("bench/bare-dossier", bare_dossier_read),
    path("bench/bare-write", bare_write),
    path("bench/bare-dossier-write", bare_dossier_write),
    path("bench/bare-flow/<int:index>", bare_flow_step),
    *app_urlpatterns,
]
