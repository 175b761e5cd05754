"""Unread-body drill — an upload refused before it is read, through nginx, under concurrency.

    .venv/bin/python bench/drills/unread_body_drill.py [--requests 1000] [--clients 8] [--size-mb 4]

Starts what production runs in front of Django — gunicorn with ``gunicorn.conf.py`` (2 workers) on a
unix socket behind nginx with the reference site's proxy settings (HTTP/1.1 keep-alive upstream,
``proxy_request_buffering on``) — and sends multipart uploads over Django's limit (1 MB here), each
answered 413 from its declared length before a byte is read. Twice, in the same run: first with
``MOTCUA_UNREAD_BODY_DRAIN_BYTES=0`` (the baseline: gunicorn discards 64 KB of the unread body and
closes the connection while nginx still sends it), then with the default (``core.unread_body`` reads
the rest first). Prints the answers' status counts of each; every one should be the 413, and a 502 is
the fault. nginx must be installed (``apt-get install nginx``); needs no database (the 413 is given
before any query).
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BOUNDARY = "drill-boundary"

NGINX_CONF = """
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
daemon off;
events {{ worker_connections 256; }}
http {{
  access_log off;
  client_body_temp_path {work}/body;
  proxy_temp_path {work}/proxy;
  upstream motcua_web {{ server unix:{work}/web.sock fail_timeout=0; keepalive 16; }}
  server {{
    listen 127.0.0.1:{port};
    client_max_body_size 101m;
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Host localhost;
    proxy_request_buffering on;
    proxy_buffering on;
    location / {{ proxy_pass http://motcua_web; }}
  }}
}}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _body(size: int) -> bytes:
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="scan.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    return head + b"%PDF-1.4\n" + b"0" * size + f"\r\n--{BOUNDARY}--\r\n".encode()


def _send(port: int, body: bytes, count: int, clients: int) -> Counter[int]:
    seen: Counter[int] = Counter()
    lock = threading.Lock()

    def client() -> None:
        for _ in range(count // clients):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request(
                "POST",
                "/api/v1/dossiers",
                body=body,
                headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
            )
            response = conn.getresponse()
            response.read()
            conn.close()
            with lock:
                seen[response.status] += 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return seen


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz/live")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("the site did not answer within 30 s")


def run(
    *, drain: int | None, requests: int, clients: int, size: int, work: Path
) -> tuple[Counter[int], float]:
    port = _free_port()
    work.chmod(0o755)  # nginx's workers (nobody, when started as root) reach the socket through it
    for sub in ("body", "proxy"):
        (work / sub).mkdir(exist_ok=True)
    (work / "nginx.conf").write_text(NGINX_CONF.format(work=work, port=port))
    env = dict(os.environ)
    env.update(
        MOTCUA_BIND=f"unix:{work}/web.sock",
        WEB_CONCURRENCY="2",
        MOTCUA_UPLOAD_MAX_REQUEST_BYTES=str(1024 * 1024),
        DATABASE_URL=f"sqlite:///{work}/unused.sqlite3",
    )
    if drain is not None:
        env["MOTCUA_UNREAD_BODY_DRAIN_BYTES"] = str(drain)
    gunicorn = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "-c", "gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=(work / "gunicorn.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    nginx = subprocess.Popen(["nginx", "-c", str(work / "nginx.conf"), "-p", str(work)])
    try:
        try:
            _wait_for(port)
        except RuntimeError:
            raise SystemExit((work / "gunicorn.log").read_text()[-3000:]) from None
        started = time.monotonic()
        seen = _send(port, _body(size), requests, clients)
        return seen, time.monotonic() - started
    finally:
        for proc in (nginx, gunicorn):
            proc.terminate()
            proc.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--size-mb", type=float, default=4)
    args = parser.parse_args()
    if shutil.which("nginx") is None:
        raise SystemExit("nginx is not installed (apt-get install nginx)")
    size = int(args.size_mb * 1024 * 1024)
    for label, drain in (("baseline, unread body left to gunicorn", 0), ("core.unread_body (default)", None)):
        with tempfile.TemporaryDirectory() as folder:
            seen, seconds = run(
                drain=drain, requests=args.requests, clients=args.clients, size=size, work=Path(folder)
            )
        answers = ", ".join(f"{status}: {count}" for status, count in sorted(seen.items()))
        print(f"{label}: {answers} ({seconds:.1f} s)")


if __name__ == "__main__":
    main()
