"""Reports at province scale (issue 14 item 8): the monthly province report and the 766 index from the
aggregates, against the same figures by a plain GROUP BY over the dossier table, in the same run.

    DATABASE_URL=postgres://…/motcua_sim .venv/bin/python bench/reports_bench.py [--rebuild] [--rounds 5]

Run it on a database filled by ``motcua simulate`` (PostgreSQL). ``--rebuild`` first recomputes the
aggregates from the events (``motcua reports-rebuild``; the simulation enqueues no jobs, so that is
where its aggregates come from) and times it. Then, for the last full month before the newest
dossier: ``statistics`` of the province, ``index766_for`` the province (with the previous month),
both together (the item's "monthly province report and index"), the ranking of the communes, and the
baseline — one SQL statement over ``dossiers_dossier`` with the
figures a plain report computes (received, carried over, resolved by outcome, withdrawn, stopped,
open and overdue at the end of the month), grouped by competent unit. Each timed ``--rounds`` times
after one warm-up; medians and the first (cold) run are reported, with the load average before and
after (the machine is shared) and the aggregate rows a month reads. Results:
``bench/results/reports.json``.
"""

from __future__ import annotations

import argparse
import os
import statistics as stats_module
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import write_result

IN_MONTH = "finished_at >= %(start)s AND finished_at < %(end)s"
OPEN_AT_END = "received_at < %(end)s AND (finished_at IS NULL OR finished_at >= %(end)s)"
BASELINE_SQL = f"""
SELECT competent_unit_id,
  COUNT(*) FILTER (WHERE received_at >= %(start)s AND received_at < %(end)s) AS received,
  COUNT(*) FILTER (WHERE received_at < %(start)s
                   AND (finished_at IS NULL OR finished_at >= %(start)s)) AS carried_over,
  COUNT(*) FILTER (WHERE {IN_MONTH} AND outcome = 'early') AS early,
  COUNT(*) FILTER (WHERE {IN_MONTH} AND outcome = 'on_time') AS on_time,
  COUNT(*) FILTER (WHERE {IN_MONTH} AND outcome = 'late') AS late,
  COUNT(*) FILTER (WHERE {IN_MONTH} AND state = 'withdrawn') AS withdrawn,
  COUNT(*) FILTER (WHERE {IN_MONTH} AND state = 'stopped') AS stopped,
  COUNT(*) FILTER (WHERE {OPEN_AT_END}) AS open_end,
  COUNT(*) FILTER (WHERE {OPEN_AT_END} AND due_at < %(end)s) AS overdue_end,
  COUNT(*) FILTER (WHERE received_at >= %(start)s AND received_at < %(end)s
                   AND channel IN ('online', 'dvcqg')) AS online,
  AVG(EXTRACT(EPOCH FROM finished_at - received_at))
      FILTER (WHERE {IN_MONTH} AND outcome <> '') AS mean_s
FROM dossiers_dossier
GROUP BY competent_unit_id
"""


def _timed(fn: Callable[[], Any], rounds: int) -> tuple[Any, dict[str, float]]:
    started = time.perf_counter()
    result = fn()
    cold = time.perf_counter() - started
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - started)
    return result, {
        "cold_s": round(cold, 4),
        "median_s": round(stats_module.median(samples), 4),
        "rounds": rounds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rebuild", action="store_true", help="recompute the aggregates first (timed)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, help="rebuild processes (default: one per CPU)")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Max

    from motcua.dossiers.deadlines import local_zone
    from motcua.dossiers.models import Dossier, DossierEvent
    from motcua.reports.drilldown import dossiers_behind
    from motcua.reports.index766 import index766_for, index766_ranking
    from motcua.reports.models import (
        DailyAggregate,
        MonthlyAggregate,
        MonthlyUnitAggregate,
        MonthlyUnitDuration,
    )
    from motcua.reports.periods import Period
    from motcua.reports.selectors import statistics
    from motcua.reports.services import aggregates_rebuild

    result: dict[str, Any] = {"database": connection.vendor}
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM dossiers_dossier")
        result["dossiers"] = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM dossiers_dossierevent")
        result["events"] = cursor.fetchone()[0]
    print(f"{result['dossiers']:,} dossiers, {result['events']:,} events")
    if args.rebuild:
        started = time.perf_counter()
        rebuilt = aggregates_rebuild(batch=10_000, workers=args.workers)
        seconds = time.perf_counter() - started
        result["rebuild"] = {
            "seconds": round(seconds, 1),
            "workers": args.workers or os.cpu_count(),
            "dossiers_per_s": round(rebuilt.dossiers / seconds),
            "events_per_s": round(rebuilt.events / seconds),
            "daily_rows": rebuilt.daily_rows,
            "monthly_rows": rebuilt.monthly_rows,
        }
        print(
            f"rebuild: {seconds:.1f} s, {rebuilt.daily_rows:,} daily / {rebuilt.monthly_rows:,} monthly rows"
        )
    newest = (
        Dossier.objects.aggregate(m=Max("received_at"))["m"]
        or DossierEvent.objects.aggregate(m=Max("at"))["m"]
    )
    local = newest.astimezone(local_zone()).date()
    month = Period.month(local.year, local.month).previous()
    result["period"] = month.label
    print(f"period: {month.label}")
    month_first = month.first
    result["aggregate_rows"] = {
        "daily": DailyAggregate.objects.count(),
        "monthly": MonthlyAggregate.objects.count(),
        "monthly_unit": MonthlyUnitAggregate.objects.count(),
        "monthly_unit_duration": MonthlyUnitDuration.objects.count(),
    }
    # What a month's report reads grows with these (keys), not with the dossiers.
    result["keys_per_month"] = {
        "monthly": MonthlyAggregate.objects.filter(month=month_first).count(),
        "monthly_unit": MonthlyUnitAggregate.objects.filter(month=month_first).count(),
        "months_of_history": MonthlyUnitAggregate.objects.values("month").distinct().count(),
    }

    result["load_average_before"] = [round(x, 2) for x in os.getloadavg()]
    province, result["statistics"] = _timed(lambda: statistics(period=month), args.rounds)
    index, result["index766"] = _timed(lambda: index766_for(period=month), args.rounds)
    # The target of item 8: the monthly province report and its index, together.
    _both, result["report_and_index"] = _timed(
        lambda: (statistics(period=month), index766_for(period=month)), args.rounds
    )
    _ranking, result["ranking_communes"] = _timed(lambda: index766_ranking(period=month), args.rounds)
    start, end = month.start_instant(), month.end_instant()

    def baseline() -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(BASELINE_SQL, {"start": start, "end": end})
            return list(cursor.fetchall())

    rows, result["baseline_group_by"] = _timed(baseline, args.rounds)
    # Drill-down of a past month's levels (the list behind "in progress at the end" and "overdue"),
    # province-wide: the slowest drill-down, it reads the events of the dossiers open at the end.
    open_listed, result["drilldown_in_progress"] = _timed(
        lambda: dossiers_behind(figure="in_progress", period=month, unit_ids=None).count(), args.rounds
    )
    overdue_listed, result["drilldown_overdue"] = _timed(
        lambda: dossiers_behind(figure="in_progress_overdue", period=month, unit_ids=None).count(), 1
    )
    totals = [sum(r[i] or 0 for r in rows) for i in range(1, 12)]
    result["figures"] = {
        "aggregates": {
            "received": province.received_new,
            "carried_over": province.carried_over,
            "resolved": [province.resolved_early, province.resolved_on_time, province.resolved_late],
            "withdrawn": province.withdrawn,
            "stopped": province.stopped,
            "in_progress": province.in_progress,
            "overdue": province.in_progress_overdue,
            "online": province.online.numerator,
            "processing_days_mean": str(province.processing_days_mean),
            "processing_days_median": str(province.processing_days_median),
            "index766_total": str(index.total),
        },
        "drilldown": {"in_progress": open_listed, "overdue": overdue_listed},
        "baseline": {
            "received": totals[0],
            "carried_over": totals[1],
            "resolved": totals[2:5],
            "withdrawn": totals[5],
            "stopped": totals[6],
            "in_progress": totals[7],
            "overdue": totals[8],
            "online": totals[9],
        },
    }
    result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    for key in (
        "statistics",
        "index766",
        "report_and_index",
        "ranking_communes",
        "baseline_group_by",
        "drilldown_in_progress",
        "drilldown_overdue",
    ):
        print(f"{key}: {result[key]}")
    print(result["figures"])
    path = write_result("reports", result)
    print(f"→ {path}")


if __name__ == "__main__":
    main()
