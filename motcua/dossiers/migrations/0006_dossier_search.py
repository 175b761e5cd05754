"""Officials' dossier search (issue 8 point 11): folded applicant name, ID-number and trigram indexes."""

from __future__ import annotations

from typing import Any

from django.db import migrations, models

BATCH = 5000


def fill_applicant_search(apps: Any, schema_editor: Any) -> None:
    """Fold the names of existing dossiers, in batches (production holds about a million of them).

    PostgreSQL takes each batch as one ``UPDATE … FROM (VALUES …)``; other databases use
    ``bulk_update``. Names are folded in Python, exactly as ``Dossier.save`` does.
    """
    from motcua.core.text import fold

    connection = schema_editor.connection
    Dossier = apps.get_model("dossiers", "Dossier")
    rows = Dossier.objects.using(connection.alias).values_list("pk", "applicant_name").order_by("pk")
    batch: list[tuple[int, str]] = []

    def flush() -> None:
        if connection.vendor == "postgresql":
            values = ", ".join(["(%s, %s)"] * len(batch))
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE dossiers_dossier AS d SET applicant_search = v.folded "
                    f"FROM (VALUES {values}) AS v(id, folded) WHERE d.id = v.id",
                    [item for pair in batch for item in pair],
                )
        else:
            Dossier.objects.using(connection.alias).bulk_update(
                [Dossier(pk=pk, applicant_search=folded) for pk, folded in batch], ["applicant_search"]
            )
        batch.clear()

    for pk, name in rows.iterator(chunk_size=BATCH):
        batch.append((pk, fold(name)[:255]))
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()


TRIGRAM_INDEX = "dossier_applicant_search_trgm"


def trigram_index_create(apps: Any, schema_editor: Any) -> None:
    """A GIN trigram index for ``applicant_search LIKE '%…%'`` — PostgreSQL only (SQLite scans).

    ``pg_trgm`` ships with PostgreSQL (contrib) and is a trusted extension since PostgreSQL 13, so the
    database owner may create it. Kept out of ``Meta.indexes`` because the model state cannot express
    an index that exists on one back end only.
    """
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON dossiers_dossier "
        "USING gin (applicant_search gin_trgm_ops)"
    )


def trigram_index_drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0005_fee_due_explanation"),
    ]

    operations = [
        migrations.AddField(
            model_name="dossier",
            name="applicant_search",
            field=models.CharField(blank=True, editable=False, max_length=255),
        ),
        migrations.RunPython(fill_applicant_search, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(fields=["applicant_id_number"], name="dossier_applicant_id_number"),
        ),
        migrations.RunPython(trigram_index_create, trigram_index_drop),
    ]
