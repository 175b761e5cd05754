"""Writes of the national-portal app: the count of dossiers whose receipt reached DVCQG (``models``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time

from django.db import transaction
from django.db.models import BigIntegerField, F
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

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
    (created with its event). Returns the dossiers counted. Call inside the rebuild's transaction."""
    from motcua.nationalportal.subscribers import DOSSIER_SYNC

    jobs = Job.objects.filter(
        name=DOSSIER_SYNC, status=JobStatus.DONE, payload__kind__in=sorted(RECEIPT_KINDS)
    )
    synced = SyncedDossier.objects.all()
    counts = DailySyncCount.objects.all()
    if since is not None:
        jobs = jobs.filter(created_at__gte=datetime.combine(since, time.min, tzinfo=local_zone()))
        synced, counts = synced.filter(day__gte=since), counts.filter(day__gte=since)
    synced.delete()
    counts.delete()
    earlier = set(SyncedDossier.objects.values_list("dossier_id", flat=True)) if since is not None else set()
    zone = local_zone()
    first: dict[int, date] = {}
    for dossier_id, created_at in (
        jobs.annotate(dossier_ref=Cast(KT("payload__dossier_id"), BigIntegerField()))
        .order_by("created_at", "pk")
        .values_list("dossier_ref", "created_at")
        .iterator(chunk_size=20_000)
    ):
        if dossier_id not in earlier and dossier_id not in first:
            first[dossier_id] = created_at.astimezone(zone).date()
    units = dict(_units(first))
    rows = [SyncedDossier(dossier_id=pk, day=day) for pk, day in first.items() if pk in units]
    SyncedDossier.objects.bulk_create(rows, batch_size=5_000)
    per_day: dict[tuple[date, int], int] = {}
    for row in rows:
        key = (row.day, units[row.dossier_id])
        per_day[key] = per_day.get(key, 0) + 1
    DailySyncCount.objects.bulk_create(
        [DailySyncCount(day=d, unit_id=u, count=n) for (d, u), n in sorted(per_day.items())], batch_size=5_000
    )
    return len(rows)


def _units(dossier_ids: Iterable[int]) -> Iterable[tuple[int, int]]:
    ids = sorted(dossier_ids)
    for i in range(0, len(ids), 5_000):
        yield from Dossier.objects.filter(pk__in=ids[i : i + 5_000]).values_list("pk", "competent_unit_id")


def _add(day: date, unit_id: int, n: int) -> None:
    row, _ = DailySyncCount.objects.get_or_create(day=day, unit_id=unit_id)
    DailySyncCount.objects.filter(pk=row.pk).update(count=F("count") + n)
