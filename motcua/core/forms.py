"""Rules every Django form of the project obeys, the admin's and Django's own included (``core.apps``)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

# C0 controls other than tab, LF and CR (multi-line notes); NUL is refused by Django's own validator.
_CONTROLS = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f]")


class ControlCharactersValidator:
    """Refuse C0 control characters in form text (every ``forms.CharField``).

    Django's forms refuse only NUL; a bell or an escape pasted from another program would otherwise be
    stored, printed on the forms and sent to the national portal. The API's JSON bodies get the same
    rule in ``core.middleware``.
    """

    message = "Không được chứa ký tự điều khiển (chỉ cho phép xuống dòng và tab)."
    code = "control_characters"

    def __call__(self, value: object) -> None:
        if isinstance(value, str) and _CONTROLS.search(value):
            raise ValidationError(self.message, code=self.code)


_refuse_controls = ControlCharactersValidator()


def form_text_controls_refused() -> None:
    """Run ``ControlCharactersValidator`` after the validators of every ``forms.CharField``.

    At validation time rather than as a default validator: form classes defined before the app
    registry is ready (Django's authentication forms, the admin's) copy their fields' validators at
    import, so a validator added then would miss them. Idempotent.
    """
    original = forms.CharField.run_validators
    if getattr(original, "refuses_controls", False):
        return

    def run_validators(self: forms.CharField, value: Any) -> None:
        original(self, value)
        if value not in self.empty_values:
            _refuse_controls(value)

    run_validators.refuses_controls = True  # type: ignore[attr-defined]
    forms.CharField.run_validators = run_validators  # type: ignore[method-assign,assignment]
