"""Benchmark harness: a real gunicorn server on loopback, a load client, percentile maths.

Every benchmark measures our endpoint *and* a bare baseline view (bench/urls.py) on the same server
in the same run and reports the ratio, so figures are comparable across machines.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"


def bench_env(var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    env.setdefault("MOTCUA_VAR_DIR", str(var_dir))
    env["PYTHONPATH"] = str(ROOT)
    return env


def prepare_database(env: dict[str, str]) -> None:
    """Migrate and load the demo data (idempotent), exactly as `make run` does."""
    for args in (["migrate", "--noinput", "-v0"], ["load-demo"]):
        subprocess.run([str(BIN / "motcua"), *args], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)


@contextmanager
def standins(env: dict[str, str], *, port: int, var_dir: Path) -> Iterator[str]:
    """The stand-ins of the outside services (sandbox/standins: population database, eSMS, Zalo ZNS) as
    ``make run`` starts them, on ``port``; yields their base URL. The job worker's SMS and Zalo jobs then
    do their real HTTP exchange (in production the providers' servers answer, not this box: their CPU
    is not counted in the benchmark's figures)."""
    var_dir.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [str(BIN / "gunicorn")],
        cwd=ROOT / "sandbox" / "standins",
        env={**env, "STANDINS_BIND": f"{HOST}:{port}", "STANDINS_DB": str(var_dir / "standins.sqlite3")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection((HOST, port), timeout=1):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the stand-ins process did not start") from None
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@contextmanager
def server(
    env: dict[str, str], *, port: int, workers: int = 2, threads: int = 1, production: bool = False
) -> Iterator[None]:
    """gunicorn on loopback; ``threads`` > 1 uses the gthread worker (keep-alive, N requests each).

    ``production``: the project's ``gunicorn.conf.py`` (threaded workers, keep-alive) with ``workers``
    and ``threads`` given here.
    """
    config = ["--config", str(ROOT / "gunicorn.conf.py")] if production else []
    proc = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            *config,
            "motcua.wsgi:application",
            f"--bind={HOST}:{port}",
            f"--workers={workers}",
            f"--threads={threads}",
            "--log-level=warning",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, _ = get_once(port, "/healthz")
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not become healthy in 30 s")
            time.sleep(0.2)
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def get_once(port: int, path: str, headers: Sequence[tuple[str, str]] = ()) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        conn.request("GET", path, headers=dict(headers))
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@dataclass(frozen=True)
class Latency:
    count: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float

    def as_dict(self) -> dict[str, float]:
        return {
            "count": self.count,
            "p50_ms": self.p50_ms,
            "p95_ms": self.p95_ms,
            "p99_ms": self.p99_ms,
            "mean_ms": self.mean_ms,
        }


def percentile(sorted_values: Sequence[float], pct: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(pct / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


def summarise(samples_s: Sequence[float]) -> Latency:
    ms = sorted(s * 1000 for s in samples_s)
    return Latency(len(ms), percentile(ms, 50), percentile(ms, 95), percentile(ms, 99), statistics.fmean(ms))


def sequential_latency(port: int, paths: Sequence[str], *, rounds: int, warmup: int = 1) -> Latency:
    """``sequential_requests`` of plain GETs of ``paths``."""
    return sequential_requests(port, [Req("GET", path) for path in paths], rounds=rounds, warmup=warmup)


def _client_loop(args: tuple[int, list[str], float, int]) -> tuple[int, list[float]]:
    port, paths, duration, connections = args
    conns = [http.client.HTTPConnection(HOST, port, timeout=30) for _ in range(connections)]
    samples: list[float] = []
    deadline = time.perf_counter() + duration
    i = 0
    errors = 0
    while time.perf_counter() < deadline:
        conn = conns[i % connections]
        path = paths[i % len(paths)]
        started = time.perf_counter()
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        samples.append(time.perf_counter() - started)
        if response.status != 200:
            errors += 1
        i += 1
    for conn in conns:
        conn.close()
    return errors, samples


@dataclass(frozen=True)
class Throughput:
    requests: int
    errors: int
    seconds: float
    latency: Latency

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def as_dict(self) -> dict[str, object]:
        return {
            "requests": self.requests,
            "errors": self.errors,
            "rps": round(self.rps, 1),
            "latency": self.latency.as_dict(),
        }


def throughput(port: int, paths: list[str], *, seconds: float, clients: int) -> Throughput:
    """`clients` processes, each a closed loop of keep-alive requests, for a fixed duration."""
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(clients) as pool:
        # Each client runs for exactly `seconds` once started, so that is the denominator (process
        # start-up time is outside the measured loop).
        results = pool.map(_client_loop, [(port, paths, seconds, 1)] * clients)
    samples = [s for _, batch in results for s in batch]
    return Throughput(len(samples), sum(e for e, _ in results), seconds, summarise(samples))


def result_path(name: str) -> Path:
    """Where ``write_result(name, …)`` writes: ``bench/results/<name>.json``."""
    return ROOT / "bench" / "results" / f"{name}.json"


def write_result(name: str, payload: dict[str, object]) -> Path:
    path = result_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------------
# Concurrent connections across processes, any method (dossier benchmarks)


@dataclass(frozen=True)
class Req:
    """One request template; ``{uuid}`` in a header value or the body is replaced per request."""

    method: str
    path: str
    body: str = ""
    headers: tuple[tuple[str, str], ...] = ()


def _send(conn: http.client.HTTPConnection, req: Req) -> tuple[int, bytes]:
    body = req.body
    headers = dict(req.headers)
    if "{uuid}" in body or any("{uuid}" in value for value in headers.values()):
        unique = uuid.uuid4().hex
        body = body.replace("{uuid}", unique)
        headers = {name: value.replace("{uuid}", unique) for name, value in headers.items()}
    conn.request(req.method, req.path, body=body.encode() if body else None, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def _threads_loop(
    args: tuple[int, list[Req], float, int, int, tuple[int, ...]],
) -> tuple[int, list[float], str]:
    """One process: ``threads`` closed loops, each with its own keep-alive connection."""
    port, reqs, duration, threads, offset, ok = args
    lock = threading.Lock()
    samples: list[float] = []
    errors = [0]
    first_error: list[str] = []
    start_barrier = threading.Barrier(threads)

    def loop(index: int) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        local: list[float] = []
        bad = 0
        i = offset + index * 7919
        start_barrier.wait()
        deadline = time.perf_counter() + duration
        while time.perf_counter() < deadline:
            req = reqs[i % len(reqs)]
            started = time.perf_counter()
            try:
                status, body = _send(conn, req)
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
                status, body = 0, repr(exc).encode()
            local.append(time.perf_counter() - started)
            if status not in ok:
                bad += 1
                if not first_error:
                    first_error.append(f"{req.method} {req.path} → {status}: {body[:300]!r}")
            i += 1
        conn.close()
        with lock:
            samples.extend(local)
            errors[0] += bad

    workers = [threading.Thread(target=loop, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return errors[0], samples, first_error[0] if first_error else ""


def concurrent_throughput(
    port: int,
    reqs: list[Req],
    *,
    seconds: float,
    connections: int,
    processes: int = 2,
    ok: tuple[int, ...] = (200,),
) -> Throughput:
    """``connections`` concurrent keep-alive connections spread over ``processes`` client processes.

    Each connection is a closed loop (send, wait for the answer, send the next) for ``seconds``;
    latency samples include any queueing in the server. Raises if more than 1 % of answers are not in
    ``ok`` (printing the first bad answer).
    """
    processes = max(1, min(processes, connections))
    per = [connections // processes + (1 if n < connections % processes else 0) for n in range(processes)]
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(processes) as pool:
        results = pool.map(
            _threads_loop, [(port, reqs, seconds, threads, n * 104729, ok) for n, threads in enumerate(per)]
        )
    samples = [s for _, batch, _ in results for s in batch]
    errors = sum(e for e, _, _ in results)
    if samples and errors > len(samples) / 100:
        first = next((message for _, _, message in results if message), "")
        raise RuntimeError(f"{errors}/{len(samples)} answers not in {ok}; first: {first}")
    return Throughput(len(samples), errors, seconds, summarise(samples))


def sequential_requests(port: int, reqs: Sequence[Req], *, rounds: int, warmup: int = 1) -> Latency:
    """One keep-alive connection, one request at a time: the latency a single user sees."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    samples: list[float] = []
    for round_no in range(warmup + rounds):
        for req in reqs:
            started = time.perf_counter()
            status, body = _send(conn, req)
            elapsed = time.perf_counter() - started
            if status != 200:
                raise RuntimeError(f"{req.method} {req.path} → {status}: {body[:300]!r}")
            if round_no >= warmup:
                samples.append(elapsed)
    conn.close()
    return summarise(samples)
