from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "motcua.core"
    label = "core"
    verbose_name = "Lõi"

    def ready(self) -> None:
        from motcua.core import checks, uploads  # noqa: F401  (register their system checks)
        from motcua.core.forms import form_text_controls_refused

        # Every form text field of the project, the admin and Django's own forms included, refuses
        # control characters: Django checks only NUL, and a field-by-field opt-in would miss the next form.
        form_text_controls_refused()
