"""Models of the core app: only the reference-data version stamp."""

from __future__ import annotations

from django.db import models

REFERENCE_DATA_ROW = 1


class ReferenceDataVersion(models.Model):
    """The stamp of the reference data (catalogue, processes, units) — phiên bản dữ liệu dùng chung.

    One row. Every write to the catalogue or the organisation changes ``stamp`` in its own transaction,
    so a process that caches reference data in memory (``core.selectors.reference_data_cached``) sees a
    new stamp exactly when the change is committed — across gunicorn workers, without a shared cache.
    The stamp is random rather than a counter: a rolled-back write's stamp can never come back and make
    a snapshot read inside that transaction look current.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=REFERENCE_DATA_ROW)
    stamp = models.CharField(max_length=32)

    class Meta:
        verbose_name = "phiên bản dữ liệu dùng chung"

    def __str__(self) -> str:
        return self.stamp
