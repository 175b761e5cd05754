"""The job table becomes the worker's queue (motcua/jobs/delivery.py).

* A partial index on ``run_after`` of the active jobs replaces (status, run_after): the claim and the
  idle worker's "when is the next job due" read only pending and running rows.
* PostgreSQL: a statement trigger notifies ``motcua_jobs`` after every INSERT into ``jobs_job``, so
  the enqueuing transaction wakes the LISTENing worker when it commits, without a round trip of its
  own. SQLite has no LISTEN/NOTIFY: the worker polls.

Jobs pending before this migration keep their ``run_after`` and run as before (their django-q2
deliveries are no longer read); a job left ``running`` by the old worker is taken over at once.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models

NOTIFY_FUNCTION = """
CREATE OR REPLACE FUNCTION motcua_jobs_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('motcua_jobs', '');
    RETURN NULL;
END;
$$;
CREATE TRIGGER jobs_job_notify AFTER INSERT ON jobs_job
    FOR EACH STATEMENT EXECUTE FUNCTION motcua_jobs_notify();
"""
DROP_NOTIFY = """
DROP TRIGGER IF EXISTS jobs_job_notify ON jobs_job;
DROP FUNCTION IF EXISTS motcua_jobs_notify();
"""


def _trigger_create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(NOTIFY_FUNCTION)


def _trigger_drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_NOTIFY)


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="job",
            name="jobs_job_status_run_after",
        ),
        migrations.AddIndex(
            model_name="job",
            index=models.Index(
                condition=models.Q(("status__in", ["pending", "running"])),
                fields=["run_after"],
                name="jobs_job_due",
            ),
        ),
        migrations.RunPython(_trigger_create, _trigger_drop, elidable=False),
    ]
