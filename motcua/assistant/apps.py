from __future__ import annotations

from django.apps import AppConfig


class AssistantConfig(AppConfig):
    """The virtual assistant — trợ lý ảo: finds procedures from everyday words, answers from the catalogue."""

    name = "motcua.assistant"
    label = "assistant"
    verbose_name = "Trợ lý ảo"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from motcua.assistant.models import FaqEntry
        from motcua.assistant.selectors import faq_cache_clear

        def _faq_changed(**kwargs: object) -> None:
            faq_cache_clear()

        post_save.connect(_faq_changed, sender=FaqEntry, dispatch_uid="assistant.faq_saved", weak=False)
        post_delete.connect(_faq_changed, sender=FaqEntry, dispatch_uid="assistant.faq_deleted", weak=False)
