"""Writes of the national-portal app: the count of dossiers whose receipt reached DVCQG (``models``)."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db import transaction
from django.db.models import BigIntegerField, Count, Exists, F, Min, OuterRef
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, TruncDate

from motcua.core.orm import rows_insert_select
from motcua.dossiers.deadlines import local_zone
from motcua.dossiers.events import EventKind
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.jobs.models import Job, JobStatus
from motcua.nationalportal.models import DailySyncCount, SyncedDossier

RECEIPT_KINDS = frozenset({EventKind.RECEIVE, EventKind.ACCEPT})


def synced_dossier_record(*, dossier_id: int, seq: int) -> bool:
    """Count the dossier as synced on the local day of its event ``seq``, once; False when it was
    already counted (or is gone)."""
    with transaction.atomic():
        at = DossierEvent.objects.filter(dossier_id=dossier_id, seq=seq).values_list("at", flat=True).first()
        unit_id = Dossier.objects.filter(pk=dossier_id).values_list("competent_unit_id", flat=True).first()
        if at is None or unit_id is None:
            return False
        day = at.astimezone(local_zone()).date()
        _, created = SyncedDossier.objects.get_or_create(dossier_id=dossier_id, defaults={"day": day})
        if not created:
            return False
        _add(day, unit_id, 1)
        return True


def sync_counts_rebuild(*, since: date | None = None) -> int:
    """Recompute ``SyncedDossier`` and ``DailySyncCount`` (from ``since`` on, or all) from the done
    sync jobs of receipts — what ``reports-rebuild`` does for indicator 1.4. The day is the job's
    (created with its event). Returns the dossiers counted. Call inside the rebuild's transaction.

    Two ``INSERT … SELECT``: production keeps every sync job (about one per event), so the jobs are
    grouped by dossier in the database rather than read one by one."""
    from motcua.nationalportal.subscribers import DOSSIER_SYNC

    zone = local_zone()
    jobs = Job.objects.filter(
        name=DOSSIER_SYNC, status=JobStatus.DONE, payload__kind__in=sorted(RECEIPT_KINDS)
    )
    synced = SyncedDossier.objects.all()
    counts = DailySyncCount.objects.all()
    if since is not None:
        jobs = jobs.filter(created_at__gte=datetime.combine(since, time.min, tzinfo=zone))
        synced, counts = synced.filter(day__gte=since), counts.filter(day__gte=since)
    synced.delete()
    counts.delete()
    # The local date is monotonic in the instant: the first job's day is the smallest day.
    firsts = (
        jobs.annotate(dossier_ref=Cast(KT("payload__dossier_id"), BigIntegerField()))
        .filter(Exists(Dossier.objects.filter(pk=OuterRef("dossier_ref"))))
        # Counted before ``since``: kept, not counted again.
        .exclude(Exists(SyncedDossier.objects.filter(dossier_id=OuterRef("dossier_ref"))))
        .values("dossier_ref")
        .annotate(first_day=Min(TruncDate("created_at", tzinfo=zone)))
        .values_list("dossier_ref", "first_day")
    )
    inserted = rows_insert_select(SyncedDossier._meta.db_table, ("dossier_id", "day"), firsts)
    per_day = (
        SyncedDossier.objects.filter(day__gte=since) if since is not None else SyncedDossier.objects.all()
    )
    rows_insert_select(
        DailySyncCount._meta.db_table,
        ("day", "unit_id", "count"),
        per_day.values("day", unit_ref=F("dossier__competent_unit_id"))
        .annotate(n=Count("dossier_id"))
        .values_list("day", "unit_ref", "n"),
    )
    return inserted


def _add(day: date, unit_id: int, n: int) -> None:
    row, _ = DailySyncCount.objects.get_or_create(day=day, unit_id=unit_id)
    DailySyncCount.objects.filter(pk=row.pk).update(count=F("count") + n)
