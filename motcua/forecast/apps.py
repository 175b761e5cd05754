from __future__ import annotations

from django.apps import AppConfig


class ForecastConfig(AppConfig):
    """Lateness forecast — dự báo nguy cơ trễ hạn of every open dossier (docs/architecture.md §25)."""

    name = "motcua.forecast"
    label = "forecast"
    verbose_name = "Dự báo nguy cơ trễ hạn"
