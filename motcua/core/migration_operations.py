"""Migration operations shared by the apps."""

from __future__ import annotations

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def postgresql_only(sql: str, reverse_sql: str) -> migrations.RunPython:
    """Run ``sql`` (and ``reverse_sql`` backwards) on PostgreSQL; nothing on other databases.

    For planner features SQLite does not have (extended statistics): ``RunSQL`` cannot be made
    conditional on the database, and the same migrations run on both.
    """

    def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(reverse_sql)

    return migrations.RunPython(forwards, backwards)
