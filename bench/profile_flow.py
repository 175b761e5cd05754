"""In-process profile of the whole flow (issue 9, lean request paths): CPU and queries per request type.

    DATABASE_URL=postgres://postgres@localhost:5432/motcua_lean \\
        .venv/bin/python bench/profile_flow.py [--flows 30] [--profile LABEL] [--top 30] [--queries LABEL]

Runs the eight requests of ``bench/flow_bench.py`` (submission → … → return) and the read side (an
official's dossier GET, the public lookup) through Django's WSGI handler in this process — no HTTP, no
gunicorn, the whole middleware stack — ``--flows`` times after two warm-up flows, and prints per request
type the median and mean CPU of this process (``time.process_time``, so PostgreSQL's own work is not in
it) and the number of SQL queries. ``--profile LABEL`` (or ``all``) runs cProfile over that request type
and prints the ``--top`` functions by cumulative and by own time; ``--queries LABEL`` prints that
request's SQL. The database must be migrated and hold the demo data (``motcua migrate`` +
``motcua load-demo``, as ``flow_bench.prepare_database``); it only grows.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.flow_bench import RECEPTION, FlowStep, fixtures, real_flow

DEFAULT_DATABASE = "postgres://postgres@localhost:5432/motcua_lean"


def _call(
    app: Callable[..., Any], method: str, path: str, *, body: bytes, headers: dict[str, str]
) -> tuple[int, bytes]:
    """One request through the WSGI application, as gunicorn would hand it over."""
    from wsgiref.util import setup_testing_defaults

    path_only, _, query = path.partition("?")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path_only,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    for name, value in headers.items():
        key = name.upper().replace("-", "_")
        environ[key if key == "CONTENT_TYPE" else f"HTTP_{key}"] = value
    setup_testing_defaults(environ)
    answer: dict[str, Any] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        answer["status"] = int(status.split()[0])

    chunks = app(environ, start_response)
    try:
        raw = b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()
    return answer["status"], raw


class Runner:
    """The flow's requests and the reads, each measured (CPU, queries) and optionally profiled."""

    def __init__(self, *, tokens: dict[str, str], steps: list[FlowStep], profile: str, queries: str) -> None:
        from django.core.wsgi import get_wsgi_application

        self.app = get_wsgi_application()
        self.tokens = tokens
        self.steps = steps
        self.profile_label = profile
        self.queries_label = queries
        self.cpu: dict[str, list[float]] = {}
        self.counts: dict[str, list[int]] = {}
        # CPU time, not wall time: waiting for PostgreSQL is not this process's cost.
        self.profiler = cProfile.Profile(time.process_time)
        self.record = False

    def request(
        self, label: str, method: str, path: str, *, who: str | None, body: dict[str, Any] | None
    ) -> dict[str, Any]:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        headers = {"Content-Type": "application/json"}
        if who is not None:
            headers["Authorization"] = f"Bearer {self.tokens[who]}"
        if label == "submit":
            headers["Idempotency-Key"] = uuid.uuid4().hex
        raw_body = json.dumps(body).encode() if body is not None else b""
        profiling = self.record and self.profile_label in (label, "all")
        # Queries are counted on the first recorded run of each type only: capturing them swaps in
        # Django's debug cursor, whose logging would inflate the CPU of the runs that are timed.
        counting = self.record and label not in self.counts
        with CaptureQueriesContext(connection) if counting else contextlib.nullcontext() as captured:
            started = time.process_time()
            if profiling:
                self.profiler.enable()
            status, raw = _call(self.app, method, path, body=raw_body, headers=headers)
            if profiling:
                self.profiler.disable()
            spent = time.process_time() - started
        if not 200 <= status < 300:
            raise RuntimeError(f"{label} {method} {path} → {status}: {raw[:500]!r}")
        if captured is not None:
            self.counts[label] = [len(captured.captured_queries)]
            if self.queries_label in (label, "all"):
                print(f"--- SQL of {label} ({len(captured.captured_queries)} queries)")
                for query in captured.captured_queries:
                    print(f"  {query['sql'][:400]}")
        elif self.record:
            self.cpu.setdefault(label, []).append(spent)
        return json.loads(raw)

    def flow(self) -> str:
        code, version = "", 0
        for step in self.steps:
            body = dict(step.body)
            if step.label != "submit":
                body["row_version"] = version
            answer = self.request(step.label, "POST", step.path.format(code=code), who=step.who, body=body)
            code, version = answer["code"], int(answer["row_version"])
        return code

    def reads(self, code: str) -> None:
        self.request("official GET", "GET", f"/api/v1/dossiers/{code}", who=RECEPTION, body=None)
        self.request("public lookup", "GET", f"/api/v1/public/dossiers/{code}", who=None, body=None)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--flows", type=int, default=30)
    parser.add_argument("--profile", default="", help="A request type's label, or 'all'.")
    parser.add_argument("--queries", default="", help="Print the SQL of this request type (first run).")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--json", default="", help="Write the figures to this file too.")
    args = parser.parse_args()

    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    # As flow_bench.py runs gunicorn: persistent connections (else every request connects anew).
    os.environ.setdefault("DATABASE_CONN_MAX_AGE", "3600")
    os.environ.setdefault(
        "MOTCUA_VAR_DIR", str(Path(__file__).resolve().parent.parent / "var" / "bench-profile")
    )
    import django

    django.setup()
    fx = fixtures()
    runner = Runner(
        tokens=fx["tokens"], steps=real_flow(fx["centre_code"]), profile=args.profile, queries=args.queries
    )
    for _ in range(2):  # warm-up: imports, caches, connections
        runner.reads(runner.flow())
    runner.record = True
    for _ in range(args.flows + 1):  # the first recorded flow counts queries
        runner.reads(runner.flow())

    print(f"{'request':<24}{'CPU ms p50':>12}{'mean':>8}{'queries':>9}")
    figures = {}
    for label, samples in runner.cpu.items():
        counts = runner.counts[label]
        p50, mean = statistics.median(samples) * 1000, statistics.fmean(samples) * 1000
        figures[label] = {"cpu_ms_p50": round(p50, 2), "cpu_ms_mean": round(mean, 2), "queries": max(counts)}
        print(f"{label:<24}{p50:>12.2f}{mean:>8.2f}{max(counts):>9}")
    flow_labels = [step.label for step in runner.steps]
    total = sum(figures[label]["cpu_ms_p50"] for label in flow_labels)
    print(
        f"{'flow (8 requests)':<24}{total:>12.2f}{'':>8}{sum(figures[x]['queries'] for x in flow_labels):>9}"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    if args.profile:
        for order in ("cumulative", "tottime"):
            out = io.StringIO()
            pstats.Stats(runner.profiler, stream=out).sort_stats(order).print_stats(args.top)
            print(out.getvalue())


if __name__ == "__main__":
    main()
