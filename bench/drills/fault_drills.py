"""Fault drills — diễn tập sự cố: real processes are killed, the database restarted, the disk filled.

    .venv/bin/python bench/drills/fault_drills.py prepare --database-url postgres://…/motcua_faults
    .venv/bin/python bench/drills/fault_drills.py kill --database-url … [--prepared] [--seconds 20]
    .venv/bin/python bench/drills/fault_drills.py pg-restart [--seconds 15]
    .venv/bin/python bench/drills/fault_drills.py storage --database-url … [--prepared]

Each drill starts what production runs — gunicorn with ``gunicorn.conf.py`` (2 workers × 2 threads,
persistent database connections) and the job worker ``motcua run-jobs`` — against a PostgreSQL
database migrated and loaded with the demo data (``prepare``, or ``--prepared`` for one that is), drives
online submissions over HTTP (``POST /api/v1/dossiers`` with a citizen's token and an
``Idempotency-Key``; a client retries a failed or unanswered request with the same key, as the API
asks), breaks something for real, then checks the data and prints its figures:

* ``kill``: client threads submit while a killer SIGKILLs, at random moments, a gunicorn worker (the
  master starts another), the whole gunicorn (master and workers; the drill restarts it, as systemd
  would) or the job worker's process group (restarted). Afterwards: every acknowledged dossier exists
  exactly once, no key made two dossiers, the day's code numbers of the unit are gap-free (1…counter),
  every dossier has its events, steps and components, every job is done (none dead or left running),
  the notification e-mails number one per job, and ``motcua verify-audit`` passes.
* ``pg-restart``: a private PostgreSQL cluster (``initdb`` in a temporary folder on a free port, as the
  ``postgres`` user when run as root: the machine's shared server is never touched) is restarted twice
  under load, once ``-m fast`` and once ``-m immediate`` (a crash: recovery from the WAL). Every answer
  must be a success or a clean 503 in the API's error shape (code ``database_unavailable``, Vietnamese),
  never a 500 or a broken connection; submissions succeed again without restarting any process; the
  same data checks as ``kill``.
* ``storage``: the media folder is a tiny tmpfs (``mount``, root only; the drill is skipped otherwise).
  A dossier is taken to the signing step; the disk is filled, then remounted read-only, and the signed
  result is uploaded (``record_signature``): each time a 503 ``storage_unavailable``, the dossier
  unchanged, no result row, no file or partial file left. With space back the same upload succeeds, and
  every stored file row points at a file that exists. Then the S3 store (``MOTCUA_STORAGE=s3`` against
  the moto stand-in of ``tests/s3.py``) is stopped before an upload: the same 503, nothing written.

Exit status 0 when every check holds; ``--json PATH`` writes the figures. ``tests/drills/
test_fault_drills.py`` runs the three in CI on PostgreSQL (short windows); longer local runs:
``--seconds 120 --clients 8``.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import glob
import http.client
import io
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PROJECT_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT_DIR))

from bench.drills.backup_drill import DrillFailed, motcua  # noqa: E402 (after the path above)

BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
# The job worker's lease after a kill: a killed attempt is taken over once it expires (> the timeout).
JOB_LEASE_SECONDS = 6
JOB_TIMEOUT_SECONDS = 5
DRAIN_TIMEOUT_SECONDS = 90


class DrillSkipped(Exception):
    pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def drill_env(*, database_url: str, workdir: Path, media_root: Path | None = None) -> dict[str, str]:
    """The processes' environment: bench settings (no rate limits for one client IP), local storage."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": database_url,
        # Persistent connections as in production: a database restart breaks them under the workers.
        "DATABASE_CONN_MAX_AGE": "60",
        "MOTCUA_VAR_DIR": str(workdir / "var"),
        "MEDIA_ROOT": str(media_root or workdir / "media"),
        "MOTCUA_STORAGE": "local",
        # The drills' own seal key, the same in every run on a kept database (verify-audit checks seals).
        "MOTCUA_AUDIT_SEAL_KEY": "motcua-fault-drills-seal-key-not-a-secret",
        "MOTCUA_JOBS_WORKERS": "1",
        "MOTCUA_JOBS_LEASE_SECONDS": str(JOB_LEASE_SECONDS),
        "MOTCUA_JOBS_TIMEOUT_SECONDS": str(JOB_TIMEOUT_SECONDS),
        "MOTCUA_JOBS_POLL_MS": "200",
        "WEB_CONCURRENCY": "2",
        "MOTCUA_WEB_THREADS": "2",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_DIR), os.environ.get("PYTHONPATH")])),
    }


def database_create(url: str) -> None:
    import psycopg
    from psycopg import errors, sql

    parts = urlsplit(url)
    admin = psycopg.connect(
        host=parts.hostname or "localhost",
        port=parts.port or 5432,
        user=parts.username or None,
        password=parts.password or None,
        dbname="postgres",
        autocommit=True,
    )
    with admin, contextlib.suppress(errors.DuplicateDatabase):
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(parts.path.lstrip("/"))))


def prepare(url: str, workdir: Path) -> float:
    """Create the database if needed, ``migrate`` and ``load-demo`` it; seconds taken."""
    started = time.monotonic()
    database_create(url)
    env = drill_env(database_url=url, workdir=workdir)
    for args in (["migrate", "--noinput", "-v", "0"], ["load-demo"]):
        motcua(args, env=env)
    return time.monotonic() - started


# --------------------------------------------------------------------------------------------------
# The processes


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                stat = Path(f"/proc/{entry}/stat").read_text()
                if int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
                    found.append(int(entry))
    return found


def _group_kill(proc: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


class _Supervised:
    """A production process the drill starts, kills as a whole process group and starts again."""

    command: list[str]

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None
        self.restarts = 0

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                self.command,
                env=self.env,
                cwd=PROJECT_DIR,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group: a kill takes its children too
            )

    def kill_and_restart(self) -> None:
        assert self.proc is not None
        _group_kill(self.proc)
        self.start()
        self.restarts += 1

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            _group_kill(self.proc, signal.SIGTERM)


class Web(_Supervised):
    """gunicorn with the production ``gunicorn.conf.py``; ``start`` returns once it answers."""

    command = [str(BIN / "gunicorn"), "--config", str(PROJECT_DIR / "gunicorn.conf.py")]

    def __init__(self, env: dict[str, str], workdir: Path) -> None:
        self.port = free_port()
        super().__init__({**env, "MOTCUA_BIND": f"{HOST}:{self.port}"}, workdir / "gunicorn.log")

    def start(self) -> None:
        super().start()
        assert self.proc is not None
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError, http.client.HTTPException):
                conn = http.client.HTTPConnection(HOST, self.port, timeout=5)
                conn.request("GET", "/healthz/live")
                if conn.getresponse().status == 200:
                    conn.close()
                    return
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise DrillFailed(f"gunicorn did not start:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.1)

    def kill_worker(self) -> bool:
        """SIGKILL one worker; its master starts another."""
        assert self.proc is not None
        workers = _children(self.proc.pid)
        if not workers:
            return False
        with contextlib.suppress(ProcessLookupError):
            os.kill(random.choice(workers), signal.SIGKILL)
        return True


class JobWorker(_Supervised):
    command = [str(BIN / "motcua"), "run-jobs"]

    def __init__(self, env: dict[str, str], workdir: Path) -> None:
        super().__init__(env, workdir / "run-jobs.log")


# --------------------------------------------------------------------------------------------------
# The load: online submissions, retried with the same key


@dataclass
class Load:
    port: int
    token: str
    body: dict[str, Any]
    attempts: int = 20
    acked: dict[str, str] = field(default_factory=dict)  # key → code
    keys: set[str] = field(default_factory=set)
    outcomes: Counter[str] = field(default_factory=Counter)
    unclean: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    last_ack: float = 0.0

    def _post(self, conn: http.client.HTTPConnection, key: str) -> tuple[int, str, bytes]:
        headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {self.token}",
            "Idempotency-Key": key,
        }
        conn.request("POST", "/api/v1/dossiers", body=json.dumps(self.body).encode(), headers=headers)
        response = conn.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()

    def submit_one(self, conn: http.client.HTTPConnection) -> http.client.HTTPConnection:
        key = uuid.uuid4().hex
        with self.lock:
            self.keys.add(key)
        for _ in range(self.attempts):
            try:
                status, content_type, raw = self._post(conn, key)
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
                outcome, detail = "connection_error", repr(exc)
            else:
                if status in (200, 201):
                    code = json.loads(raw)["code"]
                    with self.lock:
                        self.outcomes[f"http_{status}"] += 1
                        self.acked[key] = code
                        self.last_ack = time.monotonic()
                    return conn
                outcome, detail = f"http_{status}", raw[:300].decode(errors="replace")
                if status == 503 and content_type.startswith("application/json"):
                    outcome = f"http_503_{json.loads(raw).get('code')}"
            with self.lock:
                self.outcomes[outcome] += 1
                if not outcome.startswith(("http_503_", "connection_error")):
                    self.unclean.append(f"{outcome}: {detail}")
            if self.stop.is_set() and outcome.startswith("http_4"):
                return conn
            time.sleep(0.2)  # a client's short pause before it retries with the same key
        return conn

    def run(self, clients: int) -> list[threading.Thread]:
        def loop() -> None:
            conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
            while not self.stop.is_set():
                conn = self.submit_one(conn)
            conn.close()

        threads = [threading.Thread(target=loop, daemon=True) for _ in range(clients)]
        for thread in threads:
            thread.start()
        return threads


def submission_fixtures() -> tuple[dict[str, str], dict[str, Any]]:
    """Tokens of the demo citizen and officials (in-process, ``bench.flow_bench``) and a submission body."""
    from bench.flow_bench import fixtures, real_flow

    fx = fixtures()
    steps = real_flow(fx["centre_code"])
    body = dict(steps[0].body)
    body["summary"] = f"Diễn tập sự cố {secrets.token_hex(3)}"
    return fx["tokens"], {"body": body, "steps": steps}


def django_setup(env: dict[str, str]) -> None:
    os.environ.update({k: v for k, v in env.items() if k not in ("MOTCUA_BIND",)})
    import django

    django.setup()


# --------------------------------------------------------------------------------------------------
# The checks


def jobs_drained(since: int, timeout: float = DRAIN_TIMEOUT_SECONDS) -> float:
    """Seconds until no job since ``since`` is pending or running (a killed attempt's lease included)."""
    from django.db import close_old_connections

    from motcua.jobs.models import Job, JobStatus

    started = time.monotonic()
    while time.monotonic() - started < timeout:
        close_old_connections()
        with contextlib.suppress(Exception):
            if not Job.objects.filter(
                pk__gt=since, status__in=(JobStatus.PENDING, JobStatus.RUNNING)
            ).exists():
                return time.monotonic() - started
        time.sleep(0.25)
    return -1.0  # not drained: data_checks names the jobs left


def last_job() -> int:
    from motcua.jobs.models import Job

    return Job.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def data_checks(
    load: Load, *, jobs_since: int, workdir: Path, env: dict[str, str]
) -> tuple[dict[str, Any], list[str]]:
    """Every invariant the drills promise: (figures, the broken ones)."""
    from django.db import close_old_connections, connection
    from django.db.models import Count, Q

    from motcua.dossiers.codes import dossier_code_format
    from motcua.dossiers.models import Dossier, DossierCodeCounter
    from motcua.jobs.models import Job, JobStatus
    from motcua.notifications.models import ChannelDelivery

    close_old_connections()
    connection.close()
    problems: list[str] = []
    mine = Dossier.objects.filter(summary=load.body["summary"])
    by_key: Counter[str] = Counter()
    codes = {}
    for key, code in mine.values_list("idempotency_key", "code"):
        plain = (key or "").rsplit(":", 1)[-1]
        by_key[plain] += 1
        codes[plain] = code
    duplicates = [key for key, n in by_key.items() if n > 1]
    if duplicates:
        problems.append(f"{len(duplicates)} keys made more than one dossier")
    lost = [key for key, code in load.acked.items() if codes.get(key) != code]
    if lost:
        problems.append(f"{len(lost)} acknowledged dossiers missing or with another code: {lost[:3]}")
    if set(by_key) - load.keys:
        problems.append("dossiers with keys the clients never sent")
    committed_unacknowledged = len(set(by_key) - set(load.acked))
    # Gap-free codes: each (unit, day) counter the drill's dossiers drew from numbers exactly the
    # dossiers of that unit and day, 1…last_number (a rolled-back receipt rolled its number back).
    prefixes = {code.rsplit("-", 1)[0] + "-" for code in codes.values()}
    gaps = 0
    counters = 0
    for counter in DossierCodeCounter.objects.select_related("unit"):
        prefix = dossier_code_format(agency_code=counter.unit.agency_code, day=counter.day, number=1)
        prefix = prefix.rsplit("-", 1)[0] + "-"
        if prefix not in prefixes:
            continue
        counters += 1
        numbers = sorted(
            int(code.rsplit("-", 1)[1])
            for code in Dossier.objects.filter(code__startswith=prefix).values_list("code", flat=True)
        )
        if numbers != list(range(1, counter.last_number + 1)):
            gaps += 1
            problems.append(
                f"codes of {prefix}… are not 1…{counter.last_number}: {len(numbers)} dossiers, "
                f"missing {sorted(set(range(1, counter.last_number + 1)) - set(numbers))[:5]}"
            )
    # No half-written dossier: each has its receipt event and its components.
    half_written = (
        mine.annotate(events_n=Count("events", distinct=True), parts=Count("components", distinct=True))
        .filter(Q(events_n=0) | Q(parts=0))
        .count()
    )
    if half_written:
        problems.append(f"{half_written} dossiers without events or components")
    jobs = Counter(Job.objects.filter(pk__gt=jobs_since).values_list("status", flat=True))
    if set(jobs) - {JobStatus.DONE}:
        problems.append(f"jobs not done: {dict(jobs)}")
    # The handlers' effects outside. SMS and Zalo: one ``ChannelDelivery`` per dossier and channel,
    # and each dossier's code in exactly one message the stand-ins accepted — a job re-run after a
    # kill resends an SMS with the same RequestId (the provider drops the copy, as eSMS does) and never
    # resends a Zalo message left ``uncertain`` (at most once). E-mail (SMTP has no such key): at least
    # one file per job; a copy only if the job worker was killed between sending and committing.
    deliveries = Counter(
        ChannelDelivery.objects.filter(dossier_code__in=codes.values()).values_list("channel", "status")
    )
    received = _standins_received(workdir)
    messages: Counter[tuple[str, int]] = Counter()
    for code in codes.values():
        for service in ("sms", "zns"):
            messages[(service, sum(code in content for content in received.get(service, [])))] += 1
    duplicated_messages = sum(n for (service, count), n in messages.items() if count > 1)
    if duplicated_messages:
        problems.append(f"{duplicated_messages} dossier messages sent twice by SMS or Zalo")
    sms_sent = sum(n for (channel, status), n in deliveries.items() if channel == "sms" and status == "sent")
    sms_received = sum(n for (service, count), n in messages.items() if service == "sms" and count == 1)
    if sms_sent != sms_received or sms_sent != len(codes):
        problems.append(f"{len(codes)} dossiers, {sms_sent} SMS deliveries sent, {sms_received} received")
    done = Counter(
        Job.objects.filter(pk__gt=jobs_since, status=JobStatus.DONE).values_list("name", flat=True)
    )
    mail_dir = workdir / "var" / "mail"
    # Django's file backend may append several messages to one file: count the messages, not files.
    mails = sum(
        path.read_bytes().count(b"\nMessage-ID: ")
        for path in (mail_dir.glob("*") if mail_dir.exists() else [])
    )
    if mails < done["notifications.applicant_email"]:
        problems.append(f"{done['notifications.applicant_email']} e-mail jobs done, {mails} e-mails")
    audit = motcua(["verify-audit"], env=env, check=False)
    if audit.returncode != 0:
        problems.append(f"verify-audit failed:\n{audit.stdout[-2000:]}\n{audit.stderr[-2000:]}")
    figures = {
        "dossiers": len(by_key),
        "acknowledged": len(load.acked),
        "committed_unacknowledged": committed_unacknowledged,
        "duplicate_keys": len(duplicates),
        "counters_checked": counters,
        "code_gaps": gaps,
        "half_written": half_written,
        "jobs": dict(jobs),
        "deliveries": {f"{channel} {status}": n for (channel, status), n in sorted(deliveries.items())},
        "messages_per_dossier": {
            f"{service} ×{count}": n for (service, count), n in sorted(messages.items())
        },
        "email_jobs_and_files": [done["notifications.applicant_email"], mails],
        "verify_audit": (audit.stdout.strip().splitlines() or [""])[-1],
    }
    return figures, problems


def _standins_received(workdir: Path) -> dict[str, list[str]]:
    """The messages the stand-ins accepted, by service (``sms``, ``zns``): their content."""
    import sqlite3

    path = workdir / "var" / "standins.sqlite3"
    found: dict[str, list[str]] = {}
    if path.exists():
        with contextlib.closing(sqlite3.connect(path)) as db:
            for service, content in db.execute(
                "SELECT service, content FROM received WHERE result = 'accepted'"
            ):
                found.setdefault(service, []).append(content)
    return found


def finish(figures: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    if problems:
        raise DrillFailed("; ".join(problems) + "\nfigures: " + json.dumps(figures, ensure_ascii=False))
    return figures


@contextlib.contextmanager
def outside_standins(env: dict[str, str], workdir: Path) -> Iterator[None]:
    """The SMS / Zalo / population stand-ins (``make run``'s), their received messages in var/."""
    from bench.harness import standins

    port = free_port()
    env["MOTCUA_STANDINS_URL"] = f"http://{HOST}:{port}"
    with standins(env, port=port, var_dir=workdir / "var"):
        yield


# --------------------------------------------------------------------------------------------------
# Drill (a): SIGKILL of the web and job workers under load


def drill_kill(url: str, workdir: Path, *, seconds: float, clients: int, seed: int | None) -> dict[str, Any]:
    rng = random.Random(seed)
    env = drill_env(database_url=url, workdir=workdir)
    django_setup(env)
    tokens, flow = submission_fixtures()
    kills: Counter[str] = Counter()
    since = last_job()
    with outside_standins(env, workdir):
        web, jobs = Web(env, workdir), JobWorker(env, workdir)
        web.start()
        jobs.start()
        started = time.monotonic()
        load = Load(port=web.port, token=tokens["citizen"], body=flow["body"])
        load_seconds, drain = _kill_under_load(
            load, web, jobs, rng, kills, started=started, seconds=seconds, clients=clients, since=since
        )
    figures, problems = data_checks(load, jobs_since=since, workdir=workdir, env=env)
    figures.update(
        drill="kill",
        seconds=round(load_seconds, 1),
        clients=clients,
        kills=dict(kills),
        web_restarts=web.restarts,
        job_worker_restarts=jobs.restarts,
        outcomes=dict(load.outcomes),
        unclean=load.unclean[:5],
        drain_seconds=round(drain, 1),
        acknowledged_per_second=round(len(load.acked) / load_seconds, 1),
    )
    if not load.acked:
        problems.append("no submission was acknowledged")
    return finish(figures, problems)


def _kill_under_load(
    load: Load,
    web: Web,
    jobs: JobWorker,
    rng: random.Random,
    kills: Counter[str],
    *,
    started: float,
    seconds: float,
    clients: int,
    since: int,
) -> tuple[float, float]:
    try:
        threads = load.run(clients)
        deadline = started + seconds
        # Each kind of kill once first (a short CI window sees all three), then at random.
        planned = ["web_worker", "job_worker", "web_all"]
        while time.monotonic() < deadline:
            time.sleep(rng.uniform(1.5, 4.0))
            what = (
                planned.pop(0)
                if planned
                else rng.choice(["web_worker", "web_worker", "web_all", "job_worker"])
            )
            print(
                f"{time.monotonic() - started:5.1f} s: kill {what}; {len(load.acked)} acknowledged",
                flush=True,
            )
            if what == "web_worker" and web.kill_worker():
                kills["web_worker"] += 1
            elif what == "web_all":
                web.kill_and_restart()
                kills["web_all"] += 1
            elif what == "job_worker":
                time.sleep(rng.uniform(0, 0.3))
                jobs.kill_and_restart()
                kills["job_worker"] += 1
        load_seconds = time.monotonic() - started
        load.stop.set()
        for thread in threads:
            thread.join(timeout=60)
        drain = jobs_drained(since)
    finally:
        load.stop.set()
        web.stop()
        jobs.stop()
    return load_seconds, drain


# --------------------------------------------------------------------------------------------------
# Drill (b): PostgreSQL restarted under load (a private cluster)


class PrivateCluster:
    """A PostgreSQL cluster of our own in a temporary folder, on a free port: restarting it disturbs no
    one else (the machine's shared server is never touched)."""

    def __init__(self) -> None:
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not found and not shutil.which("initdb"):
            raise DrillSkipped("no PostgreSQL server binaries (initdb) on this machine")
        self.bin = Path(found[-1]).parent if found else Path(shutil.which("initdb") or "").parent
        self.dir = Path(tempfile.mkdtemp(prefix="motcua-drill-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # initdb refuses root: the cluster runs as the postgres user
            shutil.chown(self.dir, "postgres", "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str) -> None:
        # Output to a file, not a pipe: the server pg_ctl starts inherits it and would hold a pipe open.
        with tempfile.TemporaryFile() as out:
            result = subprocess.run(
                [*self.as_user, *args], stdout=out, stderr=subprocess.STDOUT, cwd=self.dir
            )
            if result.returncode != 0:
                out.seek(0)
                raise DrillFailed(
                    f"{' '.join(args)} → {result.returncode}\n{out.read().decode(errors='replace')}"
                )

    def start(self) -> None:
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8"
        )
        # fsync off: the drill's crash is of the server's processes, not of the machine; the kernel's
        # page cache survives it, and CI's shared disk is spared.
        options = f"-p {self.port} -k {self.dir} -c listen_addresses={HOST} -c fsync=off"
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.dir / "log"),
            "-w",
            "start",
        )

    @property
    def url(self) -> str:
        return f"postgres://postgres@{HOST}:{self.port}/motcua_drill"

    def restart(self, mode: str) -> float:
        started = time.monotonic()
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-m",
            mode,
            "-l",
            str(self.dir / "log"),
            "-w",
            "restart",
        )
        return time.monotonic() - started

    def remove(self) -> None:
        with contextlib.suppress(DrillFailed):
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)


def copy_database(source: str, target: str) -> float:
    """``pg_dump`` of a prepared database restored into ``target`` (quicker than migrate + load-demo)."""
    started = time.monotonic()
    database_create(target)
    with tempfile.NamedTemporaryFile(suffix=".dump") as dump:
        for command in (
            ["pg_dump", "--format=custom", "--no-owner", f"--file={dump.name}", source],
            ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={target}", dump.name],
        ):
            result = subprocess.run(command, capture_output=True, text=True)
            if result.returncode != 0:
                raise DrillFailed(f"{command[0]} → {result.returncode}\n{result.stderr[-2000:]}")
    return time.monotonic() - started


def drill_pg_restart(
    workdir: Path, *, seconds: float, clients: int, copy_from: str | None = None
) -> dict[str, Any]:
    cluster = PrivateCluster()
    try:
        cluster.start()
        prepare_seconds = (
            copy_database(copy_from, cluster.url) if copy_from else prepare(cluster.url, workdir)
        )
        env = drill_env(database_url=cluster.url, workdir=workdir)
        django_setup(env)
        tokens, flow = submission_fixtures()
        since = last_job()
        with outside_standins(env, workdir):
            web, jobs = Web(env, workdir), JobWorker(env, workdir)
            web.start()
            jobs.start()
            load = Load(port=web.port, token=tokens["citizen"], body=flow["body"], attempts=100)
            restarts: list[dict[str, Any]] = []
            try:
                started = time.monotonic()
                threads = load.run(clients)
                for mode, at in (("fast", 0.25), ("immediate", 0.6)):
                    time.sleep(max(0.0, started + seconds * at - time.monotonic()))
                    acked_before = len(load.acked)
                    print(
                        f"{time.monotonic() - started:5.1f} s: restart -m {mode}; {acked_before} acked",
                        flush=True,
                    )
                    down = cluster.restart(mode)
                    back_at = time.monotonic()
                    # Service resumes by itself: new acknowledgements after the restart, no process
                    # restarted. A request in flight at the restart may still succeed right after it.
                    while len(load.acked) <= acked_before + clients and time.monotonic() - back_at < 60:
                        time.sleep(0.05)
                    restarts.append(
                        {
                            "mode": mode,
                            "restart_seconds": round(down, 2),
                            "acknowledged_again_after_s": round(load.last_ack - back_at, 2)
                            if len(load.acked) > acked_before + clients
                            else None,
                        }
                    )
                time.sleep(max(0.0, started + seconds - time.monotonic()))
                load_seconds = time.monotonic() - started
                load.stop.set()
                for thread in threads:
                    thread.join(timeout=max(1.0, started + seconds + 90 - time.monotonic()))
                drain = jobs_drained(since)
                survived = all(p.proc is not None and p.proc.poll() is None for p in (web, jobs))
            finally:
                load.stop.set()
                web.stop()
                jobs.stop()
        figures, problems = data_checks(load, jobs_since=since, workdir=workdir, env=env)
        figures.update(
            drill="pg-restart",
            prepare_seconds=round(prepare_seconds, 1),
            seconds=round(load_seconds, 1),
            clients=clients,
            restarts=restarts,
            outcomes=dict(load.outcomes),
            unclean=load.unclean[:5],
            drain_seconds=round(drain, 1),
            processes_survived=survived,
        )
        if load.unclean:
            problems.append(f"{len(load.unclean)} unclean answers, first: {load.unclean[0]}")
        if load.outcomes["connection_error"]:  # the web server stays up: every request gets an answer
            problems.append(f"{load.outcomes['connection_error']} requests without an answer")
        if not survived:
            problems.append("a process died with the database")
        for restart in restarts:
            if restart["acknowledged_again_after_s"] is None:
                problems.append(f"no submission succeeded in 60 s after the {restart['mode']} restart")
        return finish(figures, problems)
    finally:
        from django.db import connections

        connections.close_all()
        cluster.remove()


# --------------------------------------------------------------------------------------------------
# Drill (c): the file store fails on upload


def _signed_pdf(kib: int) -> bytes:
    """A one-page PDF of about ``kib`` KiB (padded metadata), as the signed result."""
    import pypdf

    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Subject": secrets.token_hex(kib * 512)})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@contextlib.contextmanager
def tiny_disk(path: Path, kib: int) -> Iterator[Path]:
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={kib}k", "tmpfs", str(path)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        raise DrillSkipped(f"cannot mount a tmpfs (root needed): {mounted.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def _to_signing(
    conn: http.client.HTTPConnection, tokens: dict[str, str], flow: dict[str, Any]
) -> tuple[str, int]:
    """A new online dossier taken to the signing step: submit → accept → forward → forward → approve."""
    code, version = "", 0
    for step in flow["steps"][:5]:
        body = dict(flow["body"] if step.label == "submit" else step.body)
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {tokens[step.who]}"}
        if step.label == "submit":
            headers["Idempotency-Key"] = uuid.uuid4().hex
        else:
            body["row_version"] = version
        conn.request("POST", step.path.format(code=code), body=json.dumps(body), headers=headers)
        response = conn.getresponse()
        raw = response.read()
        if response.status not in (200, 201):
            raise DrillFailed(f"{step.label} → {response.status}: {raw[:300]!r}")
        answer = json.loads(raw)
        code, version = answer["code"], int(answer["row_version"])
    return code, version


def _record_signature(
    conn: http.client.HTTPConnection, tokens: dict[str, str], flow: dict[str, Any], *, code: str, version: int
) -> tuple[int, dict[str, Any], str]:
    """The clerk records the signature with the signed result (a 96 KiB PDF, base64 in the JSON)."""
    sign = flow["steps"][5]
    payload = {
        **sign.body,
        "result_file_base64": base64.b64encode(_signed_pdf(96)).decode(),
        "result_file_name": "quyet-dinh.pdf",
        "row_version": version,
    }
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {tokens[sign.who]}"}
    conn.request("POST", sign.path.format(code=code), body=json.dumps(payload), headers=headers)
    response = conn.getresponse()
    raw = response.read()
    content_type = response.getheader("Content-Type", "")
    parsed = json.loads(raw) if content_type.startswith("application/json") else {}
    return response.status, parsed, content_type


def _s3_outage(
    env: dict[str, str], workdir: Path, tokens: dict[str, str], flow: dict[str, Any]
) -> dict[str, Any]:
    """The S3 store (``MOTCUA_STORAGE=s3``; the moto stand-in the tests use) stopped during an upload."""
    from motcua.dossiers.models import Dossier, DossierResultDocument
    from tests.s3 import ACCESS_KEY, REGION, SECRET_KEY, MotoS3

    s3 = MotoS3.start()
    s3.client().create_bucket(Bucket="motcua-drill")
    s3_env = {
        **env,
        "MOTCUA_STORAGE": "s3",
        "MOTCUA_S3_ENDPOINT_URL": s3.url,
        "MOTCUA_S3_BUCKET": "motcua-drill",
        "MOTCUA_S3_ACCESS_KEY": ACCESS_KEY,
        "MOTCUA_S3_SECRET_KEY": SECRET_KEY,
        "MOTCUA_S3_REGION": REGION,
    }
    web = Web(s3_env, workdir)
    web.start()
    try:
        conn = http.client.HTTPConnection(HOST, web.port, timeout=120)
        code, version = _to_signing(conn, tokens, flow)
        before = Dossier.objects.values("status", "row_version").get(code=code)
        s3.stop()
        status, answer, content_type = _record_signature(conn, tokens, flow, code=code, version=version)
        after = Dossier.objects.values("status", "row_version").get(code=code)
        rows = DossierResultDocument.objects.filter(dossier__code=code).count()
        case = {
            "status": status,
            "code": answer.get("code"),
            "dossier_unchanged": after == before,
            "rows": rows,
        }
        if status != 503 or answer.get("code") != "storage_unavailable" or after != before or rows:
            raise DrillFailed(f"storage drill, S3 down: {status} {content_type} {answer}; {case}")
        conn.close()
        return case
    finally:
        web.stop()
        s3.stop()


def drill_storage(url: str, workdir: Path) -> dict[str, Any]:
    with tiny_disk(workdir / "media", 1024) as media:
        env = drill_env(database_url=url, workdir=workdir, media_root=media)
        django_setup(env)
        from django.core.files.storage import default_storage

        from motcua.dossiers.models import Dossier, DossierComponent, DossierResultDocument

        tokens, flow = submission_fixtures()
        web = Web(env, workdir)
        web.start()
        cases: dict[str, Any] = {}
        try:
            conn = http.client.HTTPConnection(HOST, web.port, timeout=60)
            code, version = _to_signing(conn, tokens, flow)

            def record_signature() -> tuple[int, dict[str, Any], str]:
                return _record_signature(conn, tokens, flow, code=code, version=version)

            before = Dossier.objects.values("status", "row_version").get(code=code)
            baseline = _files(media)
            filler = media / "filler.bin"

            def failure_case(name: str) -> None:
                status, answer, content_type = record_signature()
                after = Dossier.objects.values("status", "row_version").get(code=code)
                left = [f for f in _files(media) if f not in baseline and f != "filler.bin"]
                cases[name] = {"status": status, "code": answer.get("code"), "detail": answer.get("detail")}
                problems = []
                if status != 503 or answer.get("code") != "storage_unavailable":
                    problems.append(f"answer {status} {content_type} {answer}")
                if after != before:
                    problems.append(f"the dossier changed: {before} → {after}")
                if DossierResultDocument.objects.filter(dossier__code=code).exists():
                    problems.append("a result row was written")
                if left:
                    problems.append(f"files left behind: {left}")
                if problems:
                    raise DrillFailed(f"storage drill, {name}: " + "; ".join(problems))

            # 1. Disk full: all but a few KiB taken, the upload is larger than what is left.
            stats = os.statvfs(media)
            filler.write_bytes(b"\0" * max(0, stats.f_bavail * stats.f_frsize - 16 * 1024))
            failure_case("disk_full")
            # 2. Read-only file system (a failed disk remounted read-only by the kernel).
            filler.unlink()
            subprocess.run(["mount", "-o", "remount,ro", str(media)], check=True)
            try:
                failure_case("read_only")
            finally:
                subprocess.run(["mount", "-o", "remount,rw", str(media)], check=True)
            # 3. Space back: the same request succeeds.
            status, answer, _ = record_signature()
            if status != 200:
                raise DrillFailed(f"storage drill: the upload after recovery → {status} {answer}")
            cases["recovered"] = {"status": status}
            conn.close()
        finally:
            web.stop()
        cases["s3_down"] = _s3_outage(env, workdir, tokens, flow)
        stored = DossierResultDocument.objects.filter(dossier__code=code)
        # This drill's dossier's file rows (a kept database's earlier runs had their files on earlier
        # mounts): each must point at a file of the store.
        names = [
            *stored.values_list("file", flat=True),
            *DossierComponent.objects.filter(dossier__code=code)
            .exclude(file="")
            .values_list("file", flat=True),
        ]
        missing = [name for name in names if name and not default_storage.exists(name)]
        partials = [f for f in _files(media) if "/.partial-" in f or f.startswith(".partial-")]
        audit = motcua(["verify-audit"], env=env, check=False)
        figures = {
            "drill": "storage",
            "cases": cases,
            "result_rows": stored.count(),
            "files": len(_files(media)),
            "rows_without_file": len(missing),
            "partial_files": len(partials),
            "verify_audit": (audit.stdout.strip().splitlines() or [""])[-1],
        }
        if stored.count() != 1 or missing or partials or audit.returncode != 0:
            raise DrillFailed(f"storage drill: {figures}\n{audit.stdout[-1000:]}")
        return figures


# --------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("drill", choices=("prepare", "kill", "pg-restart", "storage"))
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DRILL_DATABASE_URL", "postgres://postgres@localhost:5432/motcua_faults"),
        help="PostgreSQL database of kill/storage (created and prepared unless --prepared)",
    )
    parser.add_argument(
        "--prepared",
        action="store_true",
        help="the database is migrated and loaded (pg-restart: copied into its cluster with pg_dump)",
    )
    parser.add_argument("--seconds", type=float, default=20.0, help="load window (kill, pg-restart)")
    parser.add_argument("--clients", type=int, default=4, help="client threads submitting")
    parser.add_argument("--seed", type=int, default=None, help="the killer's random seed (kill)")
    parser.add_argument("--json", help="write the figures here")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs) and print it")
    options = parser.parse_args(argv)
    # A stop (CI's timeout, Ctrl-C) still runs the clean-up: processes, the private cluster, the mount.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(1))
    workdir = Path(tempfile.mkdtemp(prefix="motcua-faults-"))
    try:
        if options.drill != "pg-restart" and not options.prepared:
            print(
                f"prepared {options.database_url} in {prepare(options.database_url, workdir):.1f} s",
                flush=True,
            )
        if options.drill == "prepare":
            return 0
        if options.drill == "kill":
            figures = drill_kill(
                options.database_url,
                workdir,
                seconds=options.seconds,
                clients=options.clients,
                seed=options.seed,
            )
        elif options.drill == "pg-restart":
            figures = drill_pg_restart(
                workdir,
                seconds=options.seconds,
                clients=options.clients,
                copy_from=options.database_url if options.prepared else None,
            )
        else:
            figures = drill_storage(options.database_url, workdir)
        figures["ok"] = True
    except DrillSkipped as exc:
        figures = {"drill": options.drill, "ok": True, "skipped": str(exc)}
    except DrillFailed as exc:
        figures = {"drill": options.drill, "ok": False, "error": str(exc)}
    finally:
        if options.keep:
            print(f"work folder: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    text = json.dumps(figures, ensure_ascii=False, indent=2)
    print(text)
    if options.json:
        Path(options.json).write_text(text + "\n", encoding="utf-8")
    return 0 if figures["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
