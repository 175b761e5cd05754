from __future__ import annotations

from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    """Rating and feedback — đánh giá mức độ hài lòng, phản ánh, kiến nghị (PAKN) on dossiers."""

    name = "motcua.feedback"
    label = "feedback"
    verbose_name = "Đánh giá, phản ánh kiến nghị"
