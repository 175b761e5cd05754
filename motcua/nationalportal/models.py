"""What the national-portal app keeps: which dossiers' receipts reached DVCQG, and how many a day.

Indicator 1.4 of Decision 766 (reports) reads ``DailySyncCount`` — a few rows per unit and day —
instead of the sync jobs, one per dossier event. ``SyncedDossier`` makes the count idempotent: a
dossier counts once, on the day of its first delivered receipt (a retried job, or an acceptance after
a counter receipt, adds nothing). ``services.sync_counts_rebuild`` recomputes both from the jobs.
"""

from __future__ import annotations

from django.db import models

from motcua.dossiers.models import Dossier
from motcua.org.models import Unit


class SyncedDossier(models.Model):
    """A dossier whose receipt (``receive`` or ``accept``) was delivered to DVCQG."""

    dossier = models.OneToOneField(
        Dossier, verbose_name="hồ sơ", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField("ngày tiếp nhận được đồng bộ")

    class Meta:
        verbose_name = "hồ sơ đã đồng bộ DVCQG"
        verbose_name_plural = "hồ sơ đã đồng bộ DVCQG"

    def __str__(self) -> str:
        return f"{self.dossier_id} @ {self.day}"


class DailySyncCount(models.Model):
    """Dossiers of ``unit`` (competent) whose receipt first reached DVCQG on ``day`` (local date of the
    event)."""

    day = models.DateField("ngày")
    unit = models.ForeignKey(Unit, verbose_name="đơn vị", on_delete=models.PROTECT, related_name="+")
    count = models.IntegerField("số hồ sơ", default=0)

    class Meta:
        verbose_name = "số hồ sơ đồng bộ DVCQG theo ngày"
        verbose_name_plural = "số hồ sơ đồng bộ DVCQG theo ngày"
        constraints = [models.UniqueConstraint(fields=["day", "unit"], name="nationalportal_sync_day_unit")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day}: {self.count}"
