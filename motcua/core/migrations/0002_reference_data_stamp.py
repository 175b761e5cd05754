"""The single reference-data stamp row (id 1) the per-process caches compare against."""

from __future__ import annotations

import secrets

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def stamp_create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("core", "ReferenceDataVersion").objects.create(id=1, stamp=secrets.token_hex(16))


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(stamp_create, migrations.RunPython.noop)]
