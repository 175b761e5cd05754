"""Whole-flow benchmark (issue 9): the life of a dossier through the API, with every process's CPU counted.

    .venv/bin/python bench/flow_bench.py [--clients 4,8] [--seconds 30] [--rounds 1] [--quick]

Against the PostgreSQL database of ``DATABASE_URL`` (default postgres://postgres@localhost:5432/motcua_flow,
created if missing; ``migrate`` + ``load-demo``), starts what production runs, as real processes:
gunicorn (``gunicorn.conf.py``: 2 workers × 2 threads with keep-alive, or ``--sync`` workers; ``DEBUG``
off, persistent database connections) and the job worker (``motcua run-jobs`` with one worker, as
``make run`` does; e-mails are written to files).

Then, for each number of clients, windows of ``--seconds`` alternate between

* **flow**: each client is a closed loop repeating the eight requests of a dossier's life, every one of
  which must succeed — online submission (a citizen's token) → accept (reception) → forward to the
  specialist → forward to the leader → approve (leader) → record signature (clerk) → result ready
  (clerk) → return (reception), demo officials of phường Hạ Long; the process of the procedure needs no
  claim or reassignment between them (the forwards name the next assignee);
* **bare**: the same closed loop against ``/bench/bare-flow/<n>`` (bench/urls.py), which writes the
  same rows each real request writes — dossier, code counter, components, fees, idempotency record,
  steps, hash-chained events, outbox jobs — by hand-written SQL, one transaction per request: the
  floor under the flow on the same server, middleware and database.

Each window reports complete flows/s, requests/s, p50/p95/p99 per request type, and CPU seconds per flow
of the web workers (gunicorn master + workers), the job worker (the ``run-jobs`` process tree) and
PostgreSQL (processes whose comm is ``postgres``: the backends of the benchmark's database and the
server's own processes; see ``CpuMeter``), read from ``/proc/<pid>/stat`` from the start of the window
to the moment the job backlog has drained (that time is reported too). Then the read side
at the largest number of clients: an official's dossier GET, the official's queue page, the public
lookup and the bare primary-key read, with CPU per request.

``--quick`` (~1.5 minutes): 10 s windows, 5 s reads. Results: ``bench/results/flow_postgresql.json``.
The database only grows (flow and bare dossiers are kept): use a dedicated one.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import io
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pypdf

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (
    BIN,
    HOST,
    ROOT,
    Req,
    bench_env,
    concurrent_throughput,
    prepare_database,
    server,
    standins,
    summarise,
    write_result,
)

DEFAULT_DATABASE = "postgres://postgres@localhost:5432/motcua_flow"
# Đăng ký thường trú at the Trung tâm PVHCC phường Hạ Long (as bench/dossier_bench.py P2).
FLOW_PROCEDURE = "1.004222"
FLOW_CENTRE = "pvhcc-6688"
FLOW_CITIZEN_ID = "022099000002"
# Demo officials of phường Hạ Long (motcua/devtools/demo_officials.py) with the roles each step needs.
RECEPTION = "tiepnhan.halong"
SPECIALIST = "chuyenvien.halong"
LEADER = "lanhdao.halong"
CLERK = "vanthu.halong"
OFFICIALS = (RECEPTION, SPECIALIST, LEADER, CLERK)
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------------------------------
# The flow, as data the client processes (no Django there) run


@dataclass(frozen=True)
class FlowStep:
    """One request of the flow: ``label`` for the per-type figures, the token's owner, path and body."""

    label: str
    who: str
    path: str  # ``{code}`` and ``{row_version}`` are filled from the previous answer
    body: dict[str, Any] = field(default_factory=dict)


def _signed_result() -> dict[str, str]:
    """An online dossier's signature carries the signed result file (a one-page PDF, base64 in the JSON).

    Not in the bare floor (bench/urls.py): the floor copies the engine's rows, not the stored file.
    """
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return {"result_file_base64": base64.b64encode(out.getvalue()).decode(), "result_file_name": "qd.pdf"}


def real_flow(centre_code: str) -> list[FlowStep]:
    submission = {
        "procedure": FLOW_PROCEDURE,
        "receiving_unit": centre_code,
        "summary": "Đăng ký thường trú (đo tải cả quy trình)",
        "applicant": {
            "name": "Nguyễn Văn Đo Tải",
            "id_number": "022090001234",
            "phone": "0912345678",
            # With an e-mail address the applicant is notified (jobs written to files), as in real use.
            "email": "do.tai@example.test",
            "address": "Tổ 1, khu 2, phường Hạ Long, tỉnh Quảng Ninh",
        },
        "components": [{"document_order": 1}],
    }
    action = "/api/v1/dossiers/{code}/actions/"
    return [
        FlowStep("submit", "citizen", "/api/v1/dossiers", submission),
        FlowStep("accept", RECEPTION, action + "accept"),
        FlowStep("forward → specialist", RECEPTION, action + "forward", {"assignee": SPECIALIST}),
        FlowStep("forward → leader", SPECIALIST, action + "forward", {"assignee": LEADER}),
        FlowStep("approve", LEADER, action + "approve", {"note": "Đồng ý"}),
        FlowStep(
            "record_signature",
            CLERK,
            action + "record_signature",
            {"signer": LEADER, "signature_reference": "QĐ-đo-tải", **_signed_result()},
        ),
        FlowStep("mark_result_ready", CLERK, action + "mark_result_ready"),
        FlowStep("return_result", RECEPTION, action + "return_result", {"method": "online"}),
    ]


def bare_flow(template: int, labels: list[str]) -> list[FlowStep]:
    query = f"?template={template}&dossier={{code}}&row_version={{row_version}}"
    return [FlowStep(label, "", f"/bench/bare-flow/{n}{query}") for n, label in enumerate(labels)]


@dataclass
class FlowResult:
    flows: int = 0
    failed_flows: int = 0
    samples: dict[str, list[float]] = field(default_factory=dict)
    first_error: str = ""


def _one_flow(
    conn: http.client.HTTPConnection,
    steps: list[FlowStep],
    tokens: dict[str, str],
    real: bool,
    samples: dict[str, list[float]],
) -> tuple[http.client.HTTPConnection, str, str]:
    """Run the flow once on ``conn``: (the connection to go on with, the dossier's code, the first error)."""
    code, version = "", 0
    for step in steps:
        headers = {"Content-Type": "application/json"}
        body = dict(step.body)
        if real:
            headers["Authorization"] = f"Bearer {tokens[step.who]}"
            if step.label == "submit":
                headers["Idempotency-Key"] = uuid.uuid4().hex
            else:
                body["row_version"] = version
        path = step.path.format(code=code, row_version=version)
        started = time.perf_counter()
        try:
            conn.request("POST", path, body=json.dumps(body).encode(), headers=headers)
            response = conn.getresponse()
            status, raw = response.status, response.read()
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            conn = http.client.HTTPConnection(HOST, port_of(conn), timeout=60)
            status, raw = 0, repr(exc).encode()
        samples[step.label].append(time.perf_counter() - started)
        if not 200 <= status < 300:
            return conn, code, f"{step.label} POST {path} → {status}: {raw[:300]!r}"
        answer = json.loads(raw)
        code, version = answer["code"], int(answer["row_version"])
    return conn, code, ""


def port_of(conn: http.client.HTTPConnection) -> int:
    return int(conn.port or 80)


def _flow_loop(args: tuple[int, list[FlowStep], dict[str, str], float, int, bool]) -> FlowResult:
    """One client process: ``threads`` closed loops, each a keep-alive connection repeating the flow.

    A flow counts when its eight answers are 2xx before the window ends; the first failure of a flow
    abandons it (counted in ``failed_flows``) and the loop starts a new one.
    """
    port, steps, tokens, duration, threads, real = args
    result = FlowResult(samples={step.label: [] for step in steps})
    lock = threading.Lock()
    barrier = threading.Barrier(threads)

    def loop() -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        local = FlowResult(samples={step.label: [] for step in steps})
        barrier.wait()
        deadline = time.perf_counter() + duration
        while time.perf_counter() < deadline:
            conn, _code, error = _one_flow(conn, steps, tokens, real, local.samples)
            if error:
                local.failed_flows += 1
                local.first_error = local.first_error or error
            elif time.perf_counter() <= deadline:
                local.flows += 1
        conn.close()
        with lock:
            result.flows += local.flows
            result.failed_flows += local.failed_flows
            for label, samples in local.samples.items():
                result.samples[label].extend(samples)
            result.first_error = result.first_error or local.first_error

    workers = [threading.Thread(target=loop) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return result


def run_flows(
    port: int, steps: list[FlowStep], tokens: dict[str, str], *, seconds: float, clients: int, real: bool
) -> FlowResult:
    """``clients`` closed loops over two client processes (the box has two cores; threads wait on I/O)."""
    processes = min(2, clients)
    per = [clients // processes + (1 if n < clients % processes else 0) for n in range(processes)]
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(processes) as pool:
        parts = pool.map(_flow_loop, [(port, steps, tokens, seconds, threads, real) for threads in per])
    total = FlowResult(samples={step.label: [] for step in steps})
    for part in parts:
        total.flows += part.flows
        total.failed_flows += part.failed_flows
        for label, samples in part.samples.items():
            total.samples[label].extend(samples)
        total.first_error = total.first_error or part.first_error
    return total


# --------------------------------------------------------------------------------------------------
# CPU from /proc


@dataclass(frozen=True)
class ProcStat:
    comm: str
    ppid: int
    own: int  # utime + stime, ticks
    reaped: int  # cutime + cstime: the CPU of its children that exited and were waited for


def _stat(pid: int) -> ProcStat | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # comm is in parentheses and may hold spaces: split after its closing parenthesis.
    comm = raw[raw.index("(") + 1 : raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2 :].split()
    return ProcStat(
        comm, int(fields[1]), int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14])
    )


def _all_stats() -> dict[int, ProcStat]:
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            found = _stat(int(entry))
            if found is not None:
                stats[int(entry)] = found
    return stats


def _tree(root: int, stats: dict[int, ProcStat]) -> set[int]:
    members = {root}
    grew = True
    while grew:
        grew = False
        for pid, stat in stats.items():
            if stat.ppid in members and pid not in members:
                members.add(pid)
                grew = True
    return members & set(stats)


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _box_ticks() -> tuple[int, int]:
    """(busy, total) ticks of the whole machine from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


@dataclass(frozen=True)
class CpuSnapshot:
    at: float
    ticks: dict[str, int]
    box: tuple[int, int]


class CpuMeter:
    """CPU ticks of the web server, the job worker and PostgreSQL at one instant, from /proc.

    * web, jobs: the process trees under the gunicorn master and ``run-jobs``, each process's own time
      plus that of its exited children (cutime + cstime: `--workers N` forks worker processes, and
      their CPU must not vanish with them).
    * postgres: the backends connected to the benchmark's database (their command line names it) and
      the server's own processes (checkpointer, WAL writer, autovacuum…), own time only: the
      postmaster's children time would include other databases' backends (other users of this
      PostgreSQL), reported apart as ``postgres_other_databases``. The benchmark keeps database
      connections for the whole run, so no backend of ours exits (and loses its CPU) in a window.
    """

    def __init__(self, web_root: int, jobs_root: int, database: str) -> None:
        self.web_root = web_root
        self.jobs_root = jobs_root
        self.database = database

    def snapshot(self) -> CpuSnapshot:
        stats = _all_stats()
        ticks = {
            "web": sum(stats[pid].own + stats[pid].reaped for pid in _tree(self.web_root, stats)),
            "jobs": sum(stats[pid].own + stats[pid].reaped for pid in _tree(self.jobs_root, stats)),
            "postgres": 0,
            "postgres_other_databases": 0,
        }
        for pid, stat in stats.items():
            if stat.comm != "postgres":
                continue
            words = _cmdline(pid).split()
            if len(words) > 1 and words[1].endswith(":"):
                del words[1]  # the cluster name of Debian's packaging: "postgres: 15/main: …"
            # A client backend: "postgres: <user> <database> <host(port) | [local]> <state>".
            is_backend = (
                len(words) >= 4 and words[0] == "postgres:" and ("(" in words[3] or words[3] == "[local]")
            )
            if is_backend and words[2] != self.database:
                ticks["postgres_other_databases"] += stat.own
            else:
                ticks["postgres"] += stat.own
        return CpuSnapshot(time.perf_counter(), ticks, _box_ticks())

    @staticmethod
    def seconds(start: CpuSnapshot, end: CpuSnapshot) -> dict[str, float]:
        """CPU seconds per group between two snapshots (a process born in between counts from zero)."""
        out = {name: (ticks - start.ticks[name]) / CLK_TCK for name, ticks in end.ticks.items()}
        busy = end.box[0] - start.box[0]
        total = end.box[1] - start.box[1]
        out["box_busy_share"] = busy / total if total else 0.0
        # Busy time of the whole machine (clients, other users' work included): ``box − web − jobs −
        # postgres`` is what the measured processes did not use, e.g. the load generator.
        out["box_busy"] = busy / CLK_TCK
        out["wall"] = end.at - start.at
        return out


# --------------------------------------------------------------------------------------------------
# Processes and fixtures


def _group_members(pgid: int) -> list[int]:
    members = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.getpgid(int(entry)) == pgid:
                    members.append(int(entry))
            except OSError:
                continue
    return members


@contextmanager
def job_worker(env: dict[str, str], leftovers: list[int]) -> Iterator[subprocess.Popen[bytes]]:
    """``motcua run-jobs`` with one worker, as ``make run`` starts it, in a process group of its own.

    Stopped with SIGTERM as ``make run`` stops it; any of its processes still alive after that (the
    former django-q2 cluster's processes were seen to outlive the command) are listed in ``leftovers``
    and stopped through the group, so no worker of this run keeps taking jobs in the next one.
    """
    proc = subprocess.Popen(
        [str(BIN / "motcua"), "run-jobs"],
        env={**env, "MOTCUA_JOBS_WORKERS": "1"},
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        yield proc
    finally:
        proc.terminate()
        stopping = time.perf_counter()
        timed_out = False
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            timed_out = True
            proc.kill()
            proc.wait()
        waited = time.perf_counter() - stopping
        time.sleep(1)
        leftovers.extend(_group_members(proc.pid))
        if leftovers:
            print(
                f"  ! run-jobs left {len(leftovers)} processes after SIGTERM: {leftovers} (the command "
                f"{'did not exit in 30 s and was killed' if timed_out else f'exited in {waited:.1f} s'})",
                flush=True,
            )
            os.killpg(proc.pid, signal.SIGTERM)
            time.sleep(5)
            if _group_members(proc.pid):
                os.killpg(proc.pid, signal.SIGKILL)


def gunicorn_master(port: int) -> int:
    """The pid of the gunicorn master bound to ``port`` (harness.server does not expose its Popen)."""
    stats = _all_stats()
    for pid, stat in stats.items():
        cmdline = _cmdline(pid)
        if stat.ppid == os.getpid() and "gunicorn" in cmdline and f"--bind={HOST}:{port}" in cmdline:
            return pid
    raise RuntimeError("gunicorn master not found")


def ensure_database(url: str) -> None:
    """Create the benchmark database if it does not exist (PostgreSQL only)."""
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def fixtures() -> dict[str, Any]:
    """Tokens of the citizen and the four officials, minted in-process (identity.services)."""
    from motcua.accounts.models import Account
    from motcua.accounts.services import citizen_account_ensure
    from motcua.identity.services import api_token_create
    from motcua.org.models import Unit

    citizen = citizen_account_ensure(personal_id=FLOW_CITIZEN_ID, full_name="Công dân đo cả quy trình")
    tokens = {"citizen": api_token_create(user=citizen, name="bench flow")[1]}
    for username in OFFICIALS:
        tokens[username] = api_token_create(user=Account.objects.get(username=username), name="bench flow")[1]
    return {"tokens": tokens, "centre_code": Unit.objects.get(slug=FLOW_CENTRE).agency_code}


def backlog() -> int:
    """Jobs due and not finished (a retry scheduled later is not backlog: it is reported apart)."""
    from django.utils import timezone

    from motcua.jobs.models import Job, JobStatus

    return Job.objects.filter(
        status__in=(JobStatus.PENDING, JobStatus.RUNNING), run_after__lte=timezone.now()
    ).count()


def job_counts(since_pk: int) -> dict[str, int]:
    from django.db.models import Count

    from motcua.jobs.models import Job

    rows = Job.objects.filter(pk__gt=since_pk).values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}


def last_job() -> int:
    from motcua.jobs.models import Job

    return Job.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def wait_drained(timeout: float = 300.0) -> float:
    """Seconds until the job backlog is empty (polled every 50 ms)."""
    started = time.perf_counter()
    while backlog() and time.perf_counter() - started < timeout:
        time.sleep(0.05)
    return time.perf_counter() - started


def flow_window(
    meter: CpuMeter,
    port: int,
    steps: list[FlowStep],
    tokens: dict[str, str],
    *,
    seconds: float,
    clients: int,
    real: bool,
) -> dict[str, Any]:
    """One window: the closed loop, then (real flow) the wait for the job backlog; CPU over both."""
    jobs_before = last_job()
    start = meter.snapshot()
    result = run_flows(port, steps, tokens, seconds=seconds, clients=clients, real=real)
    window_end = meter.snapshot()
    drain = wait_drained() if real else 0.0
    end = meter.snapshot()
    requests = sum(len(samples) for samples in result.samples.values())
    cpu = CpuMeter.seconds(start, end)
    cpu_window = CpuMeter.seconds(start, window_end)
    # CPU is divided by the flows' worth of requests served (requests ÷ 8), not by complete flows
    # only: the flows the window's end cut short used CPU too.
    flows = max(requests / len(steps), 1.0)
    figures: dict[str, Any] = {
        "kind": "flow" if real else "bare",
        "clients": clients,
        "seconds": seconds,
        "flows": result.flows,
        "failed_flows": result.failed_flows,
        "first_error": result.first_error,
        "flows_per_s": round(result.flows / seconds, 2),
        "requests_per_s": round(requests / seconds, 1),
        "latency_ms": {label: summarise(samples).as_dict() for label, samples in result.samples.items()},
        "drain_s": round(drain, 2),
        # Window start to backlog drained: the job worker's work for this window's flows is in it.
        "cpu_s": {k: round(v, 2) for k, v in cpu.items()},
        "cpu_per_flow_s": {name: round(cpu[name] / flows, 4) for name in ("web", "jobs", "postgres")}
        | {"total": round((cpu["web"] + cpu["jobs"] + cpu["postgres"]) / flows, 4)},
        "box_busy_share_in_window": round(cpu_window["box_busy_share"], 3),
        "jobs_share_of_box_in_window": round(
            cpu_window["jobs"] / (cpu_window["wall"] * (os.cpu_count() or 1)), 3
        ),
    }
    if real:
        written = job_counts(jobs_before)
        figures["jobs_written"] = written
        # Per submitted dossier (flows cut by the window's end enqueued jobs too).
        submitted = max(len(result.samples["submit"]), 1)
        figures["jobs_per_dossier"] = round(sum(written.values()) / submitted, 1)
    if result.failed_flows:
        print(f"  ! {result.failed_flows} flows failed; first: {result.first_error}", flush=True)
    return figures


def read_window(
    meter: CpuMeter, port: int, reqs: list[Req], *, seconds: float, connections: int
) -> dict[str, Any]:
    start = meter.snapshot()
    measured = concurrent_throughput(port, reqs, seconds=seconds, connections=connections)
    cpu = CpuMeter.seconds(start, meter.snapshot())
    count = max(measured.requests, 1)
    return {
        **measured.as_dict(),
        "cpu_ms_per_request": {name: round(cpu[name] * 1000 / count, 2) for name in ("web", "postgres")},
        "box_busy_share": round(cpu["box_busy_share"], 3),
    }


def template_dossier(port: int, steps: list[FlowStep], tokens: dict[str, str]) -> int:
    """One real flow, sequentially (it also warms the workers): the dossier the bare flow copies rows of."""
    from motcua.dossiers.models import Dossier

    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    samples: dict[str, list[float]] = {step.label: [] for step in steps}
    for _ in range(3):
        conn, code, error = _one_flow(conn, steps, tokens, True, samples)
        if error:
            raise RuntimeError(f"the flow fails: {error}")
    conn.close()
    return Dossier.objects.get(code=code).pk


# --------------------------------------------------------------------------------------------------
# Report


def print_table(result: dict[str, Any]) -> None:
    print()
    print(
        f"{'window':<14}{'flows/s':>9}{'req/s':>8}{'CPU/flow s':>11}{'web':>8}{'jobs':>8}{'pg':>8}"
        f"{'drain s':>9}{'box':>6}"
    )
    for w in result["windows"]:
        cpu = w["cpu_per_flow_s"]
        print(
            f"{w['kind'] + ' ×' + str(w['clients']):<14}{w['flows_per_s']:>9.2f}{w['requests_per_s']:>8.1f}"
            f"{cpu['total']:>11.3f}{cpu['web']:>8.3f}{cpu['jobs']:>8.3f}{cpu['postgres']:>8.3f}"
            f"{w['drain_s']:>9.2f}{w['box_busy_share_in_window']:>6.0%}"
        )
    for clients, summary in result["summary"].items():
        print(
            f"{clients} clients: flow ÷ bare = {summary['flows_ratio']:.2f}× flows/s; "
            f"CPU per flow {summary['cpu_ratio']:.1f}× the floor"
        )
    print()
    print(f"{'request (flow, most clients)':<30}{'p50':>8}{'p95':>8}{'p99':>8}  ms")
    biggest = [w for w in result["windows"] if w["kind"] == "flow"][-1]
    for label, lat in biggest["latency_ms"].items():
        print(f"{label:<30}{lat['p50_ms']:>8.1f}{lat['p95_ms']:>8.1f}{lat['p99_ms']:>8.1f}")
    print()
    for name, read in result["reads"].items():
        cpu = read["cpu_ms_per_request"]
        print(
            f"{name:<30}{read['rps']:>8.0f} req/s  p95 {read['latency']['p95_ms']:.1f} ms  "
            f"CPU/req web {cpu['web']:.1f} ms + pg {cpu['postgres']:.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", default="4,8", help="Numbers of closed-loop clients, e.g. 4,8.")
    parser.add_argument("--seconds", type=float, default=30.0, help="Length of each flow / bare window.")
    parser.add_argument("--read-seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=1, help="Flow + bare window pairs per client count.")
    parser.add_argument("--quick", action="store_true", help="10 s windows, 5 s reads (~2 minutes).")
    parser.add_argument("--port", type=int, default=8767)
    parser.add_argument(
        "--threads",
        type=int,
        default=2,
        help="Threads per web worker (gunicorn.conf.py, production: 2); 1 with --sync: sync workers.",
    )
    parser.add_argument("--sync", action="store_true", help="gunicorn's sync workers (no keep-alive).")
    parser.add_argument("--skip-prepare", action="store_true", help="Do not run migrate + load-demo.")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.read_seconds = 10.0, 5.0
    clients_list = [int(part) for part in args.clients.split(",") if part.strip()]

    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE)
    if not os.environ["DATABASE_URL"].startswith("postgres"):
        raise SystemExit("bench/flow_bench.py measures PostgreSQL: set DATABASE_URL=postgres://…")
    env = bench_env(ROOT / "var" / "bench-flow")
    # Production keeps database connections open (settings: 60 s when PRODUCTION); here for the whole
    # run, so that no PostgreSQL backend exits inside a window and takes its CPU time out of /proc.
    env.setdefault("DATABASE_CONN_MAX_AGE", "3600")
    env.setdefault("MOTCUA_PUBLIC_BASE_URL", f"http://{HOST}:{args.port}")
    ensure_database(env["DATABASE_URL"])
    if not args.skip_prepare:
        prepare_database(env)
    os.environ.update(env)
    import django

    django.setup()
    fx = fixtures()
    tokens = fx["tokens"]
    steps = real_flow(fx["centre_code"])
    load = os.getloadavg()
    result: dict[str, Any] = {
        "database": env["DATABASE_URL"],
        "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "load_average_at_start": [round(x, 2) for x in load],
        "cpus": os.cpu_count(),
        "seconds": args.seconds,
        "flow": [f"{step.label} ({step.who})" for step in steps],
        "windows": [],
    }
    print(f"load average {load[0]:.1f}; {os.cpu_count()} CPUs; {env['DATABASE_URL']}", flush=True)
    leftovers: list[int] = []
    result["server"] = "sync workers" if args.sync else f"gunicorn.conf.py, {args.threads} threads per worker"
    # The outside services' stand-ins (SMS, Zalo, population database) as `make run` has them: every
    # process started below reads their address from the environment.
    env["MOTCUA_STANDINS_URL"] = f"http://{HOST}:{args.port + 20}"
    outside = standins(env, port=args.port + 20, var_dir=ROOT / "var" / "bench-flow")
    web = server(env, port=args.port, threads=1 if args.sync else args.threads, production=not args.sync)
    with outside, web, job_worker(env, leftovers) as jobs:
        database = env["DATABASE_URL"].rsplit("/", 1)[1].split("?")[0]
        meter = CpuMeter(gunicorn_master(args.port), jobs.pid, database)
        template = template_dossier(args.port, steps, tokens)
        bare = bare_flow(template, [step.label for step in steps])
        wait_drained()
        for clients in clients_list:
            for _ in range(args.rounds):
                for real, flow in ((True, steps), (False, bare)):
                    figures = flow_window(
                        meter, args.port, flow, tokens, seconds=args.seconds, clients=clients, real=real
                    )
                    result["windows"].append(figures)
                    print(
                        f"{figures['kind']} ×{clients}: {figures['flows_per_s']} flows/s, "
                        f"{figures['requests_per_s']} req/s, CPU/flow {figures['cpu_per_flow_s']}, "
                        f"drain {figures['drain_s']} s",
                        flush=True,
                    )
        from motcua.dossiers.models import Dossier

        codes = list(
            Dossier.objects.filter(applicant_id_number="022090001234", receiving_unit__slug=FLOW_CENTRE)
            .exclude(code__startswith="BENCH-")
            .order_by("-pk")
            .values_list("pk", "code")[:200]
        )
        official = (("Authorization", f"Bearer {tokens[RECEPTION]}"),)
        connections = max(clients_list)
        reads = {
            "official dossier GET": [
                Req("GET", f"/api/v1/dossiers/{code}", headers=official) for _, code in codes
            ],
            "official queue page": [
                Req("GET", f"/api/v1/dossiers?page={page}", headers=official) for page in (1, 2, 3)
            ],
            "public lookup": [Req("GET", f"/api/v1/public/dossiers/{code}") for _, code in codes],
            "bare PK read": [Req("GET", f"/bench/bare-dossier?id={pk}") for pk, _ in codes],
        }
        result["reads"] = {
            name: read_window(meter, args.port, reqs, seconds=args.read_seconds, connections=connections)
            for name, reqs in reads.items()
        }
        result["read_connections"] = connections
    summary = {}
    for clients in clients_list:
        flows = [w for w in result["windows"] if w["clients"] == clients and w["kind"] == "flow"]
        bares = [w for w in result["windows"] if w["clients"] == clients and w["kind"] == "bare"]
        best_flow = max(flows, key=lambda w: w["flows_per_s"])
        best_bare = max(bares, key=lambda w: w["flows_per_s"])
        summary[str(clients)] = {
            "flows_per_s": best_flow["flows_per_s"],
            "bare_flows_per_s": best_bare["flows_per_s"],
            "flows_ratio": round(best_flow["flows_per_s"] / max(best_bare["flows_per_s"], 0.01), 3),
            "cpu_per_flow_s": best_flow["cpu_per_flow_s"],
            "bare_cpu_per_flow_s": best_bare["cpu_per_flow_s"],
            "cpu_ratio": round(
                best_flow["cpu_per_flow_s"]["total"] / max(best_bare["cpu_per_flow_s"]["total"], 1e-6), 2
            ),
        }
    result["summary"] = summary
    result["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    result["job_worker_processes_left_after_sigterm"] = leftovers
    print_table(result)
    written = write_result("flow_postgresql", result)
    print(f"→ {written.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
