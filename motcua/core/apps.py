from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "motcua.core"
    label = "core"
    verbose_name = "Lõi"

    def ready(self) -> None:
        from django import forms

        from motcua.core import checks, uploads  # noqa: F401  (register their system checks)
        from motcua.core.text import ControlCharactersValidator

        # Every form text field of the project, the admin included, refuses control characters: Django
        # checks only NUL, and a field-by-field opt-in would miss the next form. Subclasses with their
        # own validators (e-mail, URL, slug) refuse them already.
        if ControlCharactersValidator() not in forms.CharField.default_validators:
            forms.CharField.default_validators = [
                *forms.CharField.default_validators,
                ControlCharactersValidator(),
            ]
