from __future__ import annotations

from django.apps import AppConfig


class AssistantConfig(AppConfig):
    """The virtual assistant — trợ lý ảo: finds procedures from everyday words, answers from the catalogue."""

    name = "motcua.assistant"
    label = "assistant"
    verbose_name = "Trợ lý ảo"
