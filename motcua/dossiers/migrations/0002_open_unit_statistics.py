"""Extended planner statistics on open dossiers per unit (and status) — PostgreSQL only.

Open dossiers are a small, uneven slice of the table (a busy department can hold thousands of them
while most units hold a few dozen). With per-column statistics the planner multiplies two
selectivities as if they were independent and estimates ~90 open rows for a unit that has ~2,000;
for deep queue pages it then joins every row before sorting instead of walking the partial
(current_unit, due_at, id) index. An MCV statistic over the pair gives it the real counts
(docs/benchmarks.md, P3: page 10 at 1 M dossiers p95 56 → 38 ms).

The pair alone still lets a status filter be estimated as independent of the unit: 10 rows where the
provincial centre holds 541 dossiers with "Đã có kết quả" (status 9), so the planner joined all of
them and sorted instead of walking the partial (current_unit, status, due_at, id) index
(docs/benchmarks.md, P3 status filter). The MCV list over the triple gives it the real counts per
unit and status.
"""

from __future__ import annotations

from django.db import migrations

from motcua.core.migration_operations import postgresql_only

CREATE_UNIT = (
    "CREATE STATISTICS IF NOT EXISTS dossier_open_unit_stats (mcv) "
    "ON is_open, current_unit_id FROM dossiers_dossier"
)
DROP_UNIT = "DROP STATISTICS IF EXISTS dossier_open_unit_stats"
CREATE_UNIT_STATUS = (
    "CREATE STATISTICS IF NOT EXISTS dossier_open_unit_status_stats (mcv) "
    "ON is_open, current_unit_id, status FROM dossiers_dossier"
)
DROP_UNIT_STATUS = "DROP STATISTICS IF EXISTS dossier_open_unit_status_stats"


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0001_initial")]

    operations = [
        postgresql_only(CREATE_UNIT, DROP_UNIT),
        postgresql_only(CREATE_UNIT_STATUS, DROP_UNIT_STATUS),
    ]
