"""Extended planner statistics on (is_open, current_unit_id) — PostgreSQL only.

Open dossiers are a small, uneven slice of the table (a busy department can hold thousands of them
while most units hold a few dozen). With per-column statistics the planner multiplies two
selectivities as if they were independent and estimates ~90 open rows for a unit that has ~2,000;
for deep queue pages it then joins every row before sorting instead of walking the partial
(current_unit, due_at, id) index. An MCV statistic over the pair gives it the real counts
(docs/benchmarks.md, P3: page 10 at 1 M dossiers p95 56 → 38 ms).
"""

from __future__ import annotations

from django.db import migrations

from motcua.core.migration_operations import postgresql_only

CREATE = (
    "CREATE STATISTICS IF NOT EXISTS dossier_open_unit_stats (mcv) "
    "ON is_open, current_unit_id FROM dossiers_dossier"
)
DROP = "DROP STATISTICS IF EXISTS dossier_open_unit_stats"


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0002_queue_indexes_tiebreak")]

    operations = [postgresql_only(CREATE, DROP)]
