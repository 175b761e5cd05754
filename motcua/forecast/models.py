"""Lateness forecasts — dự báo nguy cơ trễ hạn: one row per open dossier, rewritten by the periodic job.

Pages read this table (the official's queue, the leadership list); they never compute a forecast.
"""

from __future__ import annotations

from django.db import models

from motcua.dossiers.models import Dossier
from motcua.org.models import Unit


class LatenessForecast(models.Model):
    """The probability that an open dossier misses its due time (hẹn trả), with the main reason."""

    dossier = models.OneToOneField(
        Dossier,
        verbose_name="hồ sơ",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="lateness_forecast",
    )
    # Where the dossier is now (copied from it at computation): the leadership list filters and groups
    # on it without joining the dossier table first.
    unit = models.ForeignKey(
        Unit, verbose_name="đơn vị đang xử lý", on_delete=models.CASCADE, related_name="+"
    )
    probability = models.FloatField("xác suất trễ hạn")
    expected_finish_at = models.DateTimeField("dự kiến xử lý xong lúc", null=True, blank=True)
    reason = models.CharField("lý do chính", max_length=300)
    # The model's inputs and intermediate figures (docs/architecture.md §25), for the curious and tests.
    factors = models.JSONField("các yếu tố", default=dict, blank=True)
    computed_at = models.DateTimeField("tính lúc")

    class Meta:
        verbose_name = "dự báo nguy cơ trễ hạn"
        verbose_name_plural = "dự báo nguy cơ trễ hạn"
        indexes = [models.Index(fields=["unit", "-probability"], name="forecast_unit_probability")]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.probability:.0%}"

    @property
    def percent(self) -> int:
        return round(self.probability * 100)
