"""Every label the admin shows is Vietnamese (the admin is Vietnamese-only, docs/domain.md §13).

Django derives a label from the attribute name when none is given ("Processing time amount" from
``processing_time_amount``, "Bởi level" above a filter): these tests walk what ``admin.site`` shows —
the models, their inlines' models, the fields, the list columns and filters — and fail on such a label.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path, label_for_field
from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.utils.text import camel_case_to_spaces, capfirst

# Third-party apps whose labels come from their own catalogues (translated in locale/vi).
THIRD_PARTY: set[str] = set()


def _shown_models() -> Iterator[tuple[type[models.Model], admin.ModelAdmin]]:
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label in THIRD_PARTY:
            continue
        yield model, model_admin
        for inline in model_admin.inlines:
            yield inline.model, model_admin


def _default_label(name: str) -> str:
    return name.replace("_", " ")


def test_every_field_of_an_admin_model_has_a_vietnamese_label() -> None:
    untranslated = [
        f"{model._meta.label}.{field.name}"
        for model, _ in _shown_models()
        for field in model._meta.concrete_fields
        if str(field.verbose_name) == _default_label(field.name)
    ]
    assert not untranslated, f"trường chưa có tên tiếng Việt (verbose_name): {sorted(set(untranslated))}"


def test_every_admin_model_and_app_has_a_vietnamese_name() -> None:
    english = [
        model._meta.label
        for model, _ in _shown_models()
        if str(model._meta.verbose_name) == camel_case_to_spaces(model.__name__)
    ]
    assert not english, f"mô hình chưa có tên tiếng Việt: {english}"
    for model, _ in _shown_models():
        config = apps.get_app_config(model._meta.app_label)
        assert config.verbose_name != config.label.title(), f"ứng dụng {config.label} chưa có verbose_name"


@pytest.mark.parametrize("attribute", ["list_display", "list_filter", "readonly_fields"])
def test_every_admin_column_and_filter_has_a_vietnamese_title(attribute: str) -> None:
    """Columns from methods need ``admin.display(description=…)``; filters need a ``title``."""
    english = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label in THIRD_PARTY:
            continue
        entries = getattr(model_admin, attribute) or ()
        if isinstance(entries, str):
            continue
        for entry in entries:
            if isinstance(entry, tuple):  # (field name, FieldListFilter class)
                entry = entry[0]
            if isinstance(entry, type) and issubclass(entry, admin.SimpleListFilter):
                if str(entry.title) in ("", _default_label(entry.parameter_name or "")):
                    english.append(f"{model._meta.label}: {entry.__name__}")
                continue
            if not isinstance(entry, str) or entry == "__str__":
                continue
            if LOOKUP_SEP in entry:  # a related field's: its verbose_name is the title
                name = entry.rsplit(LOOKUP_SEP, 1)[1]
                label = str(get_fields_from_path(model, entry)[-1].verbose_name)
            else:
                name, label = entry, str(label_for_field(entry, model, model_admin))
            if label in (_default_label(name), capfirst(_default_label(name))):
                english.append(f"{model._meta.label}: {entry}")
    assert not english, f"cột / bộ lọc chưa có tiêu đề tiếng Việt: {english}"
