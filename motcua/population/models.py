"""Audit of population database lookups — nhật ký tra cứu CSDL dân cư.

Personal data from the national database is read only for a purpose and every read is recorded: who
asked, whose number, when, why and what came of it (found, not found, refused, unavailable).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class LookupOutcome(models.TextChoices):
    FOUND = "found", "Có kết quả"
    NOT_FOUND = "not_found", "Không có công dân"
    REFUSED = "refused", "Từ chối (không có quyền)"
    UNAVAILABLE = "unavailable", "Không kết nối được"


class PopulationLookup(models.Model):
    """One lookup in the population database — một lần tra cứu CSDL dân cư."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="người tra cứu"
    )
    personal_id = models.CharField("số định danh được tra cứu", max_length=12)
    purpose = models.CharField("mục đích", max_length=200)
    outcome = models.CharField("kết quả", max_length=12, choices=LookupOutcome.choices)
    at = models.DateTimeField("lúc", auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "lượt tra cứu CSDL dân cư"
        verbose_name_plural = "nhật ký tra cứu CSDL dân cư"
        indexes = [models.Index(fields=["personal_id", "at"], name="population_lookup_person")]
        # Granted by role (org.backends): reception officials may look up the people they serve.
        permissions = [("lookup_any_person", "Tra cứu CSDL dân cư cho người khác")]

    def __str__(self) -> str:
        return f"{self.personal_id} — {self.get_outcome_display()}"


class DailyLookupCount(models.Model):
    """Lookups of ``actor`` that found the person on ``day`` (local date) — what indicator 4.6 of
    Decision 766 reads (by the actor's units) instead of the audit. Written with each audit row;
    ``services.lookup_counts_rebuild`` recomputes it from the audit."""

    day = models.DateField("ngày")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="người tra cứu"
    )
    count = models.IntegerField("số lượt có kết quả", default=0)

    class Meta:
        verbose_name = "số lượt tra cứu có kết quả theo ngày"
        verbose_name_plural = "số lượt tra cứu có kết quả theo ngày"
        constraints = [models.UniqueConstraint(fields=["day", "actor"], name="population_daily_count_key")]

    def __str__(self) -> str:
        return f"{self.actor_id} {self.day}: {self.count}"
