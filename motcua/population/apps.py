from __future__ import annotations

from django.apps import AppConfig


class PopulationConfig(AppConfig):
    """The national population database adapter — CSDL quốc gia về dân cư."""

    name = "motcua.population"
    label = "population"
    verbose_name = "CSDL quốc gia về dân cư"
