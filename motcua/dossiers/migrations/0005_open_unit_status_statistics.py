"""Extended planner statistics on (is_open, current_unit_id, status) — PostgreSQL only.

The pair statistic of 0003 tells the planner how many open dossiers a unit holds, but a status filter
is then estimated as independent of the unit: 10 rows where the provincial centre holds 541 dossiers
with "Đã có kết quả" (status 9), so the planner joined all of them and sorted instead of walking the
partial (current_unit, status, due_at, id) index (docs/benchmarks.md, P3 status filter). The MCV
list over the triple gives it the real counts per unit and status.
"""

from __future__ import annotations

from django.db import migrations

from motcua.core.migration_operations import postgresql_only

CREATE = (
    "CREATE STATISTICS IF NOT EXISTS dossier_open_unit_status_stats (mcv) "
    "ON is_open, current_unit_id, status FROM dossiers_dossier"
)
DROP = "DROP STATISTICS IF EXISTS dossier_open_unit_status_stats"


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0004_lean_write_indexes")]

    operations = [postgresql_only(CREATE, DROP)]
