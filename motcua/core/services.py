"""Writes of the core app."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import connection
from django.db.models import Model
from django.db.models.signals import post_delete, post_save

from motcua.core.models import REFERENCE_DATA_ROW, ReferenceDataVersion


def reference_data_changed() -> None:
    """Give the reference data a new stamp, in the caller's transaction (it commits with the change).

    Call it from every write to the catalogue or the organisation that reaches reference data in
    memory caches: ORM saves and deletes do it through signals (``catalog`` and ``org`` apps); bulk
    writes (import, COPY, ``update()``) call it themselves.
    """
    stamp = secrets.token_hex(16)
    # Raw SQL: this runs on every catalogue save, and an UPDATE that finds no row (a database created
    # before the migration's row, or a test that flushed it) falls back to creating it.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {ReferenceDataVersion._meta.db_table} SET stamp = %s WHERE id = %s",
            [stamp, REFERENCE_DATA_ROW],
        )
        updated = cursor.rowcount
    if not updated:
        ReferenceDataVersion.objects.update_or_create(id=REFERENCE_DATA_ROW, defaults={"stamp": stamp})


def _on_reference_write(sender: type[Model], **kwargs: Any) -> None:
    reference_data_changed()


def reference_data_watch(*models: type[Model]) -> None:
    """Restamp the reference data whenever one of ``models`` is saved or deleted through the ORM."""
    for model in models:
        label = model._meta.label
        post_save.connect(_on_reference_write, sender=model, dispatch_uid=f"refdata-{label}-save")
        post_delete.connect(_on_reference_write, sender=model, dispatch_uid=f"refdata-{label}-delete")
