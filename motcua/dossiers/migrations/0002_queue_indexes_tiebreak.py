"""Queue indexes end with ``id``, the tie-breaker of the queue order (due_at NULLS LAST, id).

Most open dossiers have no due time (processes that publish no time budget): with ``id`` outside the
index, a deep page or a status filter sorted the whole NULL group of the unit. The new indexes are
created before the old ones are dropped. On a large PostgreSQL table this takes a SHARE lock on
dossiers while each (partial, open-dossiers-only) index is built — seconds at 1 M rows.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(("is_open", True)),
                fields=["current_unit", "due_at", "id"],
                name="dossier_open_unit_due_id",
            ),
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(("is_open", True)),
                fields=["current_unit", "status", "due_at", "id"],
                name="dossier_open_unit_st_due_id",
            ),
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(("is_open", True)),
                fields=["current_assignee", "due_at", "id"],
                name="dossier_open_assignee_due_id",
            ),
        ),
        migrations.RemoveIndex(model_name="dossier", name="dossier_open_unit_due"),
        migrations.RemoveIndex(model_name="dossier", name="dossier_open_unit_status_due"),
        migrations.RemoveIndex(model_name="dossier", name="dossier_open_assignee_due"),
    ]
