"""Dossier benchmarks (issue: dossier engine): P1 public lookup, P2 online submission, P3 officials' queue.

    .venv/bin/python bench/dossier_bench.py [--only p1,p2,p3] [--seconds 10] [--connections 16] [--label 1M]

Runs gunicorn (2 workers) on loopback against the database of ``DATABASE_URL`` (SQLite in
var/bench-dossier by default) after ``migrate`` + ``load-demo``, and measures each endpoint against a
bare Django view on the same server in the same run (bench/urls.py):

* P1 ``GET /api/v1/public/dossiers/{code}`` vs a bare primary-key read of a dossier, at
  ``--connections`` concurrent connections: target ≥ 0.8× and p99 < 50 ms at 16 connections.
* P2 ``POST /api/v1/dossiers`` (service token, ``Idempotency-Key``) vs a bare atomic write of the
  same dossier row (``Dossier.objects.create`` in ``transaction.atomic``, nothing else): target ≥ 0.5×.
  Also reported against a one-row insert into a 3-column scratch table, the cheapest write there is.
* P3 ``GET /api/v1/dossiers`` (an official's queue) at the database's scale: target p95 < 50 ms and,
  comparing two runs (``--label 100k`` / ``--label 1M`` on databases filled with ``motcua simulate``),
  1M ≤ 1.5× 100k. On PostgreSQL it also records ``EXPLAIN (ANALYZE, BUFFERS)`` of the queue queries.

Fill a database first for P3, e.g. ``motcua simulate --dossiers 1000000 --days 365`` (docs/benchmarks.md).
If the database has fewer than 2,000 dossiers, 2,000 are simulated so that P1 has codes to look up.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (
    ROOT,
    Req,
    bench_env,
    concurrent_throughput,
    get_once,
    prepare_database,
    result_path,
    sequential_requests,
    server,
    write_result,
)

# Đăng ký thường trú: commune level, among the most used procedures with a published processing time
# (online submission is closed for procedures without one, e.g. 1.004194 Đăng ký tạm trú).
SUBMIT_PROCEDURE = "1.004222"
# Its required documents by catalogue order: a submission must list them all (domain §4.5).
SUBMIT_DOCUMENTS = (1,)
SUBMIT_CENTRE = "pvhcc-6688"  # Trung tâm PVHCC phường Hạ Long
# The citizen whose token submits in P2 (accounts.services.citizen_account_ensure: login = this number).
BENCH_CITIZEN_ID = "022099000001"


def django_setup(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()


def fixtures() -> dict[str, Any]:
    """Codes to look up, tokens, the busiest official and the submission body (in-process, Django)."""
    from django.db.models import Count

    from bench.urls import bench_write_table_ensure
    from motcua.accounts.services import citizen_account_ensure
    from motcua.devtools.simulation import simulate
    from motcua.dossiers.models import Dossier
    from motcua.identity.services import api_token_create
    from motcua.org.models import RoleAssignment, Unit

    bench_write_table_ensure()
    total = Dossier.objects.count()
    if total < 2000:
        simulate(dossiers=2000, days=120, seed=1)
        total = Dossier.objects.count()
    rng = random.Random(5)
    top = Dossier.objects.order_by("-pk").values_list("pk", flat=True).first() or 1
    picks = sorted({rng.randint(1, top) for _ in range(400)})
    sample = list(Dossier.objects.filter(pk__in=picks).values_list("pk", "code")[:200])

    citizen = citizen_account_ensure(personal_id=BENCH_CITIZEN_ID, full_name="Công dân đo hiệu năng")
    _, citizen_token = api_token_create(user=citizen, name="bench P2")
    # The official whose queue is the largest: a role holder of the unit with the most open dossiers.
    busiest = (
        Dossier.objects.filter(is_open=True)
        .values("current_unit")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    official_user = None
    queue_unit = None
    if busiest:
        queue_unit = Unit.objects.get(pk=busiest["current_unit"])
        assignment = (
            RoleAssignment.objects.filter(unit=queue_unit, is_active=True)
            .select_related("official__user")
            .first()
        )
        official_user = assignment.official.user if assignment else None
    official_token = api_token_create(user=official_user, name="bench P3")[1] if official_user else None
    centre = Unit.objects.get(slug=SUBMIT_CENTRE)
    centres = list(
        Unit.objects.filter(kind="commune_centre", is_active=True)
        .order_by("pk")
        .values_list("agency_code", flat=True)
    )
    return {
        "total": total,
        "open": Dossier.objects.filter(is_open=True).count(),
        "sample": sample,
        "citizen_token": citizen_token,
        "official_token": official_token,
        "official": official_user.get_username() if official_user else None,
        "queue_unit": queue_unit.name if queue_unit else None,
        "queue_unit_open": busiest["n"] if busiest else 0,
        # The status filter case uses the unit's most common open status, so it returns rows.
        "queue_status": (
            Dossier.objects.filter(is_open=True, current_unit=queue_unit)
            .values("status")
            .annotate(n=Count("pk"))
            .order_by("-n")
            .values_list("status", flat=True)
            .first()
            or 4
        ),
        "centre_code": centre.agency_code,
        "centre_codes": centres,
        "bare_dossier_query": _bare_dossier_query(centre),
    }


def _bare_dossier_query(centre: Any) -> str:
    """Query string of the bare dossier write: the submitted procedure, its current process, a centre."""
    from motcua.catalog.models import ProcessDefinition

    process = ProcessDefinition.objects.get(procedure__code=SUBMIT_PROCEDURE, is_current=True)
    return f"procedure={process.procedure_id}&process={process.pk}&unit={centre.pk}"


def write_mark() -> dict[str, int]:
    """The highest ids before P2 writes: ``writes_undo`` removes everything above them afterwards."""
    from django.db.models import Max

    from motcua.dossiers.models import Dossier
    from motcua.jobs.models import Job

    return {
        "dossier": Dossier.objects.aggregate(m=Max("pk"))["m"] or 0,
        "job": Job.objects.aggregate(m=Max("pk"))["m"] or 0,
    }


def writes_undo(mark: dict[str, int]) -> int:
    """Delete what P2 wrote (submissions with their events, components, fees, jobs and
    idempotency records; the bare dossier rows), so that P3 and later runs see the simulated data only.
    Code counters keep their numbers. Returns the number of dossiers removed."""
    from django.db import transaction

    from motcua.dossiers.models import Dossier, DossierEvent
    from motcua.identity.models import IdempotentRequest
    from motcua.jobs.models import Job

    with transaction.atomic():
        new = Dossier.objects.filter(pk__gt=mark["dossier"])
        count = new.count()
        DossierEvent.objects.filter(dossier__in=new).delete()  # protected: the audit log outlives dossiers
        Job.objects.filter(pk__gt=mark["job"]).delete()
        IdempotentRequest.objects.filter(user__personal_id=BENCH_CITIZEN_ID).delete()
        new.delete()  # components, fees, steps, pauses cascade
    return count


def submit_body(centre_code: str) -> str:
    return json.dumps(
        {
            "procedure": SUBMIT_PROCEDURE,
            "receiving_unit": centre_code,
            "summary": "Đăng ký thường trú (đo tải {uuid})",
            "applicant": {
                "name": "Nguyễn Văn Đo Tải",
                "id_number": "022090001234",
                "phone": "0912345678",
                "address": "Tổ 1, khu 2, phường Hạ Long, tỉnh Quảng Ninh",
            },
            "components": [{"document_order": order} for order in SUBMIT_DOCUMENTS],
        },
        ensure_ascii=False,
    )


def page_shape(port: int, path: str, headers: tuple[tuple[str, str], ...]) -> dict[str, int]:
    """How many items the page returned and the total: two runs compare only pages of equal size."""
    _status, raw = get_once(port, path, headers)
    body = json.loads(raw or b"{}")
    return {"items": len(body.get("items", [])), "total": int(body.get("total", 0))}


def compare_scales(large: dict[str, Any], small: dict[str, Any]) -> dict[str, Any]:
    """p95 of each queue case at the large scale ÷ at the small one, where both pages hold the same
    number of items (an empty page at 100k says nothing about the cost at 1M)."""
    cases = {}
    for name, big in large.get("sequential", {}).items():
        little = small.get("sequential", {}).get(name)
        if not little or big.get("items") != little.get("items") or not big.get("items"):
            continue
        cases[name] = {
            "items": big["items"],
            "p95_ratio": round(big["p95_ms"] / little["p95_ms"], 2),
            "p50_ratio": round(big["p50_ms"] / little["p50_ms"], 2),
        }
    worst = max((c["p95_ratio"] for c in cases.values()), default=None)
    return {"cases": cases, "worst_p95_ratio": worst, "target": 1.5, "ok": worst is not None and worst <= 1.5}


def explain_queue(official: str | None, status: int) -> list[dict[str, str]]:
    """EXPLAIN (ANALYZE, BUFFERS) of the queries behind ``GET /api/v1/dossiers`` (PostgreSQL only)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from motcua.dossiers.selectors import dossier_queue

    if connection.vendor != "postgresql" or official is None:
        return []
    user = get_user_model()._default_manager.get(username=official)
    plans = []
    cases: tuple[tuple[str, dict[str, Any]], ...] = (
        ("page 1", {}),
        ("page 10", {"page": 10}),
        (f"status {status}", {"status": status}),
        ("overdue", {"overdue": True}),
    )
    for label, filters in cases:
        with CaptureQueriesContext(connection) as captured:
            dossier_queue(user=user, scope="unit", **filters)
        for query in captured.captured_queries:
            sql = query["sql"]
            if "dossiers_dossier" not in sql:
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            plans.append({"case": label, "sql": sql, "plan": plan})
    return plans


def selector_latency(official: str | None, rounds: int = 50) -> dict[str, float]:
    """``selectors.dossier_queue`` (page 1, scope unit) timed in-process: the database + ORM share of P3."""
    import time

    from django.contrib.auth import get_user_model

    from bench.harness import summarise
    from motcua.dossiers.selectors import dossier_queue

    if official is None:
        return {}
    user = get_user_model()._default_manager.get(username=official)
    samples = []
    for i in range(rounds + 5):
        started = time.perf_counter()
        dossier_queue(user=user, scope="unit", page=1 + i % 3)
        if i >= 5:
            samples.append(time.perf_counter() - started)
    return summarise(samples).as_dict()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", default="p1,p2,p3")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--write-connections", type=int, default=4)
    parser.add_argument(
        "--rounds", type=int, default=2, help="Alternating rounds per comparison (best kept)."
    )
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument(
        "--label", default="", help="Name of this data set, e.g. 100k or 1M (result file name)."
    )
    parser.add_argument("--skip-prepare", action="store_true", help="Do not run migrate + load-demo.")
    parser.add_argument(
        "--compare-with",
        default="",
        help="Label of an earlier P3 run (e.g. 100k) to divide this run's queue latencies by.",
    )
    args = parser.parse_args()
    only = {part.strip().lower() for part in args.only.split(",")}

    env = bench_env(ROOT / "var" / "bench-dossier")
    # Production keeps database connections open (settings: 60 s when PRODUCTION); without it every
    # request pays a new PostgreSQL connection (~5 ms) and the figures say nothing about our code.
    env.setdefault("DATABASE_CONN_MAX_AGE", "60")
    if not args.skip_prepare:
        prepare_database(env)
    django_setup(env)
    fx = fixtures()
    database = env.get("DATABASE_URL", "sqlite")
    vendor = "postgresql" if database.startswith("postgres") else "sqlite"
    result: dict[str, Any] = {
        "database": database,
        "dossiers": fx["total"],
        "open_dossiers": fx["open"],
        "seconds": args.seconds,
        "connections": args.connections,
    }
    print(f"{fx['total']:,} hồ sơ ({fx['open']:,} đang mở) trên {database}", flush=True)

    def best(runs: list[Any]) -> Any:
        return max(runs, key=lambda t: t.rps)

    with server(env, port=args.port):
        if "p1" in only:
            lookups = [Req("GET", f"/api/v1/public/dossiers/{code}") for _, code in fx["sample"]]
            bares = [Req("GET", f"/bench/bare-dossier?id={pk}") for pk, _ in fx["sample"]]
            lookup_runs, bare_runs = [], []
            for _ in range(args.rounds):
                bare_runs.append(
                    concurrent_throughput(
                        args.port, bares, seconds=args.seconds, connections=args.connections
                    )
                )
                lookup_runs.append(
                    concurrent_throughput(
                        args.port, lookups, seconds=args.seconds, connections=args.connections
                    )
                )
            lookup, bare = best(lookup_runs), best(bare_runs)
            ratio = lookup.rps / bare.rps
            result["p1"] = {
                "public_lookup": lookup.as_dict(),
                "bare_pk_read": bare.as_dict(),
                "ratio": round(ratio, 3),
                "ratio_target": 0.8,
                "ratio_ok": ratio >= 0.8,
                "p99_ms": lookup.latency.p99_ms,
                "p99_target_ms": 50,
                "p99_ok": lookup.latency.p99_ms < 50,
            }
            print(
                f"P1 lookup {lookup.rps:.0f} req/s (p99 {lookup.latency.p99_ms:.1f} ms) vs bare "
                f"{bare.rps:.0f} req/s = {ratio:.2f}× — target ≥ 0.8×, p99 < 50 ms",
                flush=True,
            )
        if "p2" in only:
            auth = (("Authorization", f"Bearer {fx['citizen_token']}"), ("Content-Type", "application/json"))
            # Citizens submit to all 54 commune centres; one centre alone serialises on its code counter.
            key = ("Idempotency-Key", "{uuid}")
            submits = [
                Req("POST", "/api/v1/dossiers", submit_body(code), (*auth, key))
                for code in fx["centre_codes"]
            ]
            one_centre = [Req("POST", "/api/v1/dossiers", submit_body(fx["centre_code"]), (*auth, key))]
            writes = [
                Req(
                    "POST",
                    "/bench/bare-write",
                    '{"payload": "{uuid}"}',
                    (("Content-Type", "application/json"),),
                )
            ]
            dossier_writes = [
                Req(
                    "POST",
                    f"/bench/bare-dossier-write?{fx['bare_dossier_query']}",
                    submit_body(fx["centre_code"]),
                    (("Content-Type", "application/json"),),
                )
            ]
            mark = write_mark()
            submit_runs, write_runs, dossier_write_runs = [], [], []
            for _ in range(args.rounds):
                write_runs.append(
                    concurrent_throughput(
                        args.port, writes, seconds=args.seconds, connections=args.write_connections, ok=(201,)
                    )
                )
                dossier_write_runs.append(
                    concurrent_throughput(
                        args.port,
                        dossier_writes,
                        seconds=args.seconds,
                        connections=args.write_connections,
                        ok=(201,),
                    )
                )
                submit_runs.append(
                    concurrent_throughput(
                        args.port,
                        submits,
                        seconds=args.seconds,
                        connections=args.write_connections,
                        ok=(201,),
                    )
                )
            submit, write = best(submit_runs), best(write_runs)
            dossier_write = best(dossier_write_runs)
            hotspot = concurrent_throughput(
                args.port, one_centre, seconds=args.seconds, connections=args.write_connections, ok=(201,)
            )
            ratio = submit.rps / dossier_write.rps
            scratch_ratio = submit.rps / write.rps
            result["p2"] = {
                "online_submission": submit.as_dict(),
                "bare_dossier_write": dossier_write.as_dict(),
                "bare_scratch_row_write": write.as_dict(),
                "ratio": round(ratio, 3),
                "ratio_vs_scratch_row": round(scratch_ratio, 3),
                "ratio_target": 0.5,
                "ratio_ok": ratio >= 0.5,
                "connections": args.write_connections,
                "one_centre_submission": hotspot.as_dict(),
                "dossiers_written_then_deleted": writes_undo(mark),
            }
            print(
                f"P2 submission {submit.rps:.0f} req/s (p95 {submit.latency.p95_ms:.1f} ms) vs bare dossier "
                f"write {dossier_write.rps:.0f} req/s = {ratio:.2f}× — target ≥ 0.5× "
                f"(vs a 3-column scratch-row write {write.rps:.0f} req/s: {scratch_ratio:.2f}×)",
                flush=True,
            )
        if "p3" in only and fx["official_token"]:
            official_auth = (("Authorization", f"Bearer {fx['official_token']}"),)
            cases = {
                "page 1": "/api/v1/dossiers",
                # Page 3 rather than a deeper one: the same rows 41–60 exist in the 100k data set too,
                # so the 1M ÷ 100k comparison is of equal work (OFFSET cost grows with the page).
                "page 3": "/api/v1/dossiers?page=3",
                "page 10": "/api/v1/dossiers?page=10",
                f"status {fx['queue_status']} (most common open status)": (
                    f"/api/v1/dossiers?status={fx['queue_status']}"
                ),
                "overdue": "/api/v1/dossiers?overdue=true",
                "page_size 50": "/api/v1/dossiers?page_size=50",
                "page_size 100": "/api/v1/dossiers?page_size=100",
            }
            per_case = {}
            all_samples = []
            for name, path in cases.items():
                latency = sequential_requests(
                    args.port, [Req("GET", path, headers=official_auth)], rounds=60, warmup=5
                )
                per_case[name] = {**latency.as_dict(), **page_shape(args.port, path, official_auth)}
                all_samples.append(latency.p95_ms)
            queue = [Req("GET", path, headers=official_auth) for path in cases.values()]
            loaded = concurrent_throughput(args.port, queue, seconds=args.seconds, connections=8)
            worst_p95 = max(all_samples)
            result["p3"] = {
                "official": fx["official"],
                "unit": fx["queue_unit"],
                "unit_open_dossiers": fx["queue_unit_open"],
                "sequential": per_case,
                "worst_p95_ms": worst_p95,
                "p95_target_ms": 50,
                "p95_ok": worst_p95 < 50,
                "concurrent_8": loaded.as_dict(),
                "median_p95_ms": statistics.median(all_samples),
            }
            print(
                f"P3 queue of {fx['official']} ({fx['queue_unit_open']:,} hồ sơ mở tại {fx['queue_unit']}): "
                f"worst p95 {worst_p95:.1f} ms sequential; 8 connections {loaded.rps:.0f} req/s, "
                f"p95 {loaded.latency.p95_ms:.1f} ms — target p95 < 50 ms",
                flush=True,
            )
    if "p3" in only and args.compare_with and "sequential" in result.get("p3", {}):
        other = result_path(f"dossier_{vendor}_{args.compare_with}")
        if other.exists():
            small = json.loads(other.read_text(encoding="utf-8")).get("p3", {})
            comparison = compare_scales(result["p3"], small)
            result["p3"]["scale_comparison"] = {"with": args.compare_with, **comparison}
            for name, case in comparison["cases"].items():
                print(
                    f"  {name}: {args.label or 'this run'} ÷ {args.compare_with} p95 = {case['p95_ratio']}×"
                )
            print(f"P3 scale: worst p95 ratio {comparison['worst_p95_ratio']}× — target ≤ 1.5×", flush=True)
    if "p3" in only:
        result.setdefault("p3", {})["selector_in_process"] = selector_latency(fx["official"])
        try:
            result["p3_plans"] = explain_queue(fx["official"], fx["queue_status"])
        except Exception as exc:  # the figures above are worth keeping even if EXPLAIN fails
            result["p3_plans_error"] = repr(exc)
    name = f"dossier_{vendor}{'_' + args.label if args.label else ''}"
    earlier = result_path(name)
    if earlier.exists():  # keep the parts of an earlier run that this one did not measure (--only)
        result = {**json.loads(earlier.read_text(encoding="utf-8")), **result}
    written = write_result(name, result)
    print(f"→ {written.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
