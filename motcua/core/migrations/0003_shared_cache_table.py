"""The table of the shared database cache (``core.cache.SharedDatabaseCache``): rate-limit counters.

Created whatever ``CACHES`` says (Redis or the database), with Django's own ``createcachetable`` code, so
that a deployment can move between Redis and the database without a manual step; ``IF NOT EXISTS``
semantics (a table already made by ``createcachetable`` is kept).
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = "motcua_cache"  # core.cache.DATABASE_CACHE_TABLE, frozen here as migrations must be


def create_table(apps: Any, schema_editor: Any) -> None:
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop_table(apps: Any, schema_editor: Any) -> None:
    if TABLE in schema_editor.connection.introspection.table_names():
        schema_editor.execute(f"DROP TABLE {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("core", "0002_reference_data_stamp")]

    operations = [migrations.RunPython(create_table, drop_table, elidable=False)]
