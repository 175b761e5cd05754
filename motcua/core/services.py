"""Writes of the core app."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save

from motcua.core.models import REFERENCE_DATA_ROW, ReferenceDataVersion
from motcua.core.selectors import ReferenceDataCommit


def reference_data_changed() -> None:
    """Give the reference data a new stamp, in the caller's transaction (it commits with the change).

    Call it from every write to reference data that processes keep in memory — the catalogue, the
    organisation, the working-time calendar: ORM saves and deletes do it through signals
    (``reference_data_watch`` in the apps' ``ready``); bulk writes (import, COPY, ``update()``) call it
    themselves. Followers (``core.selectors.ReferenceDataFollower``) of this process re-read the stamp
    once the transaction commits; until then its own reads see its writes, no one else's do.
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
    transaction.on_commit(ReferenceDataCommit(stamp))


def _on_reference_write(sender: type[Model], **kwargs: Any) -> None:
    reference_data_changed()


def reference_data_watch(*models: type[Model]) -> None:
    """Restamp the reference data whenever one of ``models`` is saved or deleted through the ORM."""
    for model in models:
        label = model._meta.label
        post_save.connect(_on_reference_write, sender=model, dispatch_uid=f"refdata-{label}-save")
        post_delete.connect(_on_reference_write, sender=model, dispatch_uid=f"refdata-{label}-delete")
