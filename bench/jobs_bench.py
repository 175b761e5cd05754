"""Job worker benchmark (issue 9): CPU of ``motcua run-jobs`` idle, and per job while it drains a backlog.

    .venv/bin/python bench/jobs_bench.py [--flows 200] [--rounds 3] [--idle-seconds 30] [--skip-prepare]

Against the database of ``DATABASE_URL`` (default postgres://postgres@localhost:5432/motcua_jobs_bench,
created if missing; ``migrate`` + ``load-demo`` unless ``--skip-prepare``; SQLite URLs work too). Starts
the worker as ``make run`` does (one process, its own process group) and reads its CPU (utime + stime
of every process in the group, plus reaped children) from ``/proc``:

* **idle**: over ``--idle-seconds`` with nothing to do, as a share of one CPU;
* **per job**: ``--flows`` × 12 jobs are committed 12 per transaction (a dossier's life enqueues 8
  ``nationalportal.dossier_sync`` and 4 ``notifications.applicant_email`` jobs), while the worker runs;
  CPU from the first commit until none is pending, divided by the jobs. The payloads are those the engine
  builds for the demo dossiers' events (real dossiers, real e-mails, written to files by the demo
  backend), under fresh keys. The **baseline** is the same number of jobs of a handler that does nothing
  (``bench/jobs_handlers.py``), in the same run: its CPU per job is the worker's own cost, and the
  ratio real/baseline is comparable across machines.

Runs against older code too (the django-q2 worker): copy this file and ``jobs_handlers.py`` into that
tree's ``bench/`` and run it from there.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TICK = os.sysconf("SC_CLK_TCK")
PER_FLOW = (("nationalportal.dossier_sync", 8), ("notifications.applicant_email", 4))


def group_ticks(pgid: int) -> int:
    """CPU ticks of every process in the group: own time plus that of children it reaped."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            raw = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid:  # pgrp
            total += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
    return total


def ensure_database(url: str) -> None:
    if not url.startswith("postgres"):
        return
    base, name = url.rsplit("/", 1)
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def templates() -> dict[str, list[dict[str, Any]]]:
    """Payloads of real jobs, by handler name: what the engine enqueues for the demo dossiers' events.

    load-demo writes its dossiers without jobs; the events are published here in a transaction that
    is rolled back, keeping only the payloads. Its applicants have no e-mail address: they are given
    one (in the benchmark's own database), so that every e-mail job builds and sends its message.
    """
    from django.db import transaction

    from motcua.dossiers.events import event_publish
    from motcua.dossiers.models import Dossier, DossierEvent
    from motcua.jobs.models import Job

    Dossier.objects.filter(applicant_email="").update(applicant_email="nguoi-nop@example.vn")

    class RolledBack(Exception):
        pass

    found: dict[str, list[dict[str, Any]]] = {}
    try:
        with transaction.atomic():
            for event in DossierEvent.objects.select_related("dossier").order_by("pk")[:600]:
                event_publish(dossier=event.dossier, event=event)
            for name, _ in PER_FLOW:
                found[name] = list(Job.objects.filter(name=name).values_list("payload", flat=True)[:400])
            raise RolledBack
    except RolledBack:
        pass
    missing = [name for name, payloads in found.items() if not payloads]
    if missing:
        raise SystemExit(f"no {missing} jobs for the demo dossiers: run without --skip-prepare (load-demo)")
    return found


def enqueue_flows(flows: int, payloads: dict[str, list[dict[str, Any]]] | None) -> int:
    """Commit ``flows`` × 12 jobs, 12 per transaction; ``payloads`` None: the no-op baseline job."""
    from django.db import transaction

    from motcua.jobs.services import JobRequest, job_enqueue_many

    run = uuid.uuid4().hex[:8]
    for flow in range(flows):
        requests = []
        for name, count in PER_FLOW:
            for n in range(count):
                if payloads is None:
                    requests.append(
                        JobRequest(
                            name="bench.noop", payload={"n": n}, idempotency_key=f"{run}:{flow}:{name}:{n}"
                        )
                    )
                else:
                    pool = payloads[name]
                    payload = pool[(flow * count + n) % len(pool)]
                    requests.append(
                        JobRequest(name=name, payload=payload, idempotency_key=f"{run}:{flow}:{name}:{n}")
                    )
        with transaction.atomic():
            job_enqueue_many(requests)
    return flows * 12


def backlog() -> int:
    from motcua.jobs.models import Job

    return Job.objects.filter(status__in=["pending", "running"]).count()


def drain(pgid: int, flows: int, payloads: dict[str, list[dict[str, Any]]] | None) -> dict[str, float]:
    start = group_ticks(pgid)
    started = time.perf_counter()
    jobs = enqueue_flows(flows, payloads)
    deadline = time.monotonic() + 600
    while backlog():
        if time.monotonic() > deadline:
            raise SystemExit("the backlog did not drain in 10 minutes")
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    cpu = (group_ticks(pgid) - start) / TICK
    return {"jobs": jobs, "seconds": round(seconds, 2), "cpu_ms_per_job": round(cpu * 1000 / jobs, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--flows", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--idle-seconds", type=float, default=30)
    parser.add_argument("--skip-prepare", action="store_true")
    args = parser.parse_args()

    env = dict(os.environ)
    env.setdefault("DATABASE_URL", "postgres://postgres@localhost:5432/motcua_jobs_bench")
    env["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    env.setdefault("MOTCUA_VAR_DIR", str(ROOT / "var" / "bench-jobs"))
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    env["MOTCUA_JOBS_WORKERS"] = "1"
    manage = [sys.executable, "-m", "motcua.manage"]
    ensure_database(env["DATABASE_URL"])
    if not args.skip_prepare:
        for command in (["migrate", "--noinput", "-v0"], ["load-demo"]):
            subprocess.run([*manage, *command], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    os.environ.update(env)
    import django

    django.setup()
    import bench.jobs_handlers  # noqa: F401  (registers the baseline job here too: enqueue checks names)

    payloads = templates()
    if backlog():
        raise SystemExit("jobs are pending before the benchmark: run a worker to drain them first")

    worker = subprocess.Popen(
        [*manage, "run-jobs", "--import", "bench.jobs_handlers"], env=env, cwd=ROOT, start_new_session=True
    )
    try:
        time.sleep(5)  # started, handlers imported, connections open
        drain(worker.pid, 10, None)  # warm-up: imports, templates, prepared statements
        drain(worker.pid, 10, payloads)
        time.sleep(2)
        start = group_ticks(worker.pid)
        time.sleep(args.idle_seconds)
        idle = (group_ticks(worker.pid) - start) / TICK / args.idle_seconds
        print(f"idle: {idle * 100:.2f} % of one CPU over {args.idle_seconds:.0f} s", flush=True)
        for round_ in range(1, args.rounds + 1):
            baseline = drain(worker.pid, args.flows, None)
            real = drain(worker.pid, args.flows, payloads)
            ratio = real["cpu_ms_per_job"] / baseline["cpu_ms_per_job"] if baseline["cpu_ms_per_job"] else 0
            print(
                f"round {round_}: {real['jobs']} jobs; baseline (no-op) {baseline['cpu_ms_per_job']:.2f} "
                f"ms/job ({baseline['seconds']} s); flow jobs {real['cpu_ms_per_job']:.2f} ms/job "
                f"({real['seconds']} s); ratio {ratio:.2f}",
                flush=True,
            )
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, 9)
            worker.wait()


if __name__ == "__main__":
    main()
