"""The reference deployment started from its own files (deploy/): nginx with deploy/nginx/motcua.conf in
front (TLS, a throw-away certificate), gunicorn and a job worker run as motcua-web.service and
motcua-jobs@.service would run them (their ExecStart, WorkingDirectory, Environment= and the shipped
env file, with the test's paths and database), after ``motcua collectstatic`` as at install. Then,
through nginx: a hashed static file with its long cache, readiness, an authorised download sent by
nginx (X-Accel-Redirect) with the right bytes, unauthorised ones refused, bodies too large refused with
a clear message, the job worker running a job, and graceful stops: SIGTERM to gunicorn while a request
is in flight — the request still completes — and to the job worker.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import ssl
import subprocess
import threading
import time
from contextlib import ExitStack, suppress
from pathlib import Path
from typing import Any

import pytest
import time_machine

from motcua.core.tests.upload_files import pdf_bytes
from motcua.dossiers.models import DossierResultDocument
from motcua.dossiers.tests.factories import MONDAY_0900, dossier_at, world_build
from motcua.identity.services import api_token_create
from motcua.jobs.models import Job, JobStatus
from motcua.jobs.tests.worker_process import database_url
from tests.deploy.rendering import (
    SERVER_NAME,
    SYSTEMD,
    Paths,
    nginx_binary,
    nginx_command,
    nginx_render,
    render,
    unit_environment,
    unit_parse,
    unit_replacements,
)
from tests.processes import START_TIMEOUT_SECONDS, free_port

pytestmark = [pytest.mark.slow]


class Site:
    """HTTPS requests to the test's nginx, under the site's name."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.context = ssl.create_default_context()
        self.context.check_hostname = False
        self.context.verify_mode = ssl.CERT_NONE  # the throw-away certificate

    def request(
        self, method: str, path: str, *, headers: dict[str, str] | None = None, body: bytes | None = None
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.context, timeout=60)
        try:
            conn.request(method, path, body=body, headers={"Host": SERVER_NAME, **(headers or {})})
            response = conn.getresponse()
            return response.status, response.headers, response.read()
        finally:
            conn.close()


def _start(command: list[str], *, env: dict[str, str], cwd: str, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=10)


def _wait(condition: Any, what: str, logs: list[Path], procs: list[subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS * 2
    while True:
        with suppress(OSError, http.client.HTTPException):
            if condition():
                return
        dead = [p for p in procs if p.poll() is not None]
        if dead or time.monotonic() > deadline:
            text = "\n".join(
                f"--- {log.name}\n{log.read_text(errors='replace')}" for log in logs if log.exists()
            )
            pytest.fail(f"{what}: {'a process exited' if dead else 'timed out'}\n{text}")
        time.sleep(0.1)


@pytest.fixture
def media(settings: Any, deploy_paths: Paths) -> Path:
    settings.MEDIA_ROOT = deploy_paths.media
    return deploy_paths.media


@pytest.mark.django_db(transaction=True)  # committed rows: the site's processes read them
def test_the_reference_stack_serves_through_nginx_and_stops_gracefully(
    deploy_paths: Paths, certificate: tuple[Path, Path], media: Path
):
    if nginx_binary() is None:
        pytest.skip("nginx is not installed (.ci/run installs it)")

    # --- The units, rendered with the test's paths; the shipped env file as their EnvironmentFile.
    replacements = unit_replacements(deploy_paths)
    env_file = deploy_paths.etc / "motcua.env"
    env_file.write_text((SYSTEMD.parent / "motcua.env.example").read_text())
    web = unit_parse(render((SYSTEMD / "motcua-web.service").read_text(), replacements))
    jobs = unit_parse(render((SYSTEMD / "motcua-jobs@.service").read_text(), replacements))
    overrides = {
        "DATABASE_URL": database_url(),
        "MOTCUA_VAR_DIR": str(deploy_paths.var),
        "MEDIA_ROOT": str(media),
        "REDIS_URL": "",  # the database's cache table: no Redis server in the test
        "WEB_CONCURRENCY": "1",
        "MOTCUA_JOBS_POLL_MS": "100",
        # Small, so a body between Django's limit and nginx's (101 MB) stays small in the test.
        "MOTCUA_UPLOAD_MAX_REQUEST_BYTES": str(1024 * 1024),
        "MOTCUA_UPLOAD_MAX_BYTES": str(512 * 1024),
        "MOTCUA_PORTAL_UPLOAD_MAX_BYTES": str(512 * 1024),
        "DEPLOY_TEST_DIR": str(deploy_paths.root),
    }
    if "PYTHONPATH" in os.environ:  # a checkout other than the virtualenv's editable install
        overrides["PYTHONPATH"] = os.environ["PYTHONPATH"]
    web_env = unit_environment(web, overrides)
    jobs_env = unit_environment(jobs, overrides)
    assert web_env["MOTCUA_MODE"] == "production"
    assert web_env["MOTCUA_BIND"] == f"unix:{deploy_paths.socket}"
    motcua = str(Path(web.exec_start[0]).with_name("motcua"))

    cert, key = certificate
    https_port, http_port = free_port(), free_port()
    conf = nginx_render(deploy_paths, http_port=http_port, https_port=https_port, cert=cert, key=key)
    logs = {name: deploy_paths.root / f"{name}.log" for name in ("gunicorn", "jobs", "nginx")}
    log_list = [*logs.values(), deploy_paths.nginx / "logs" / "error.log"]
    site = Site(https_port)
    with ExitStack() as stack:
        # --- Install step: static files collected (hashed names, manifest, .gz copies), before the web
        # server starts (it reads the manifest once). Meanwhile the data, the job worker and nginx.
        collectstatic = _start(
            [motcua, "collectstatic", "--noinput"],
            env=web_env,
            cwd=web.working_directory,
            log=deploy_paths.root / "collectstatic.log",
        )
        stack.callback(_stop, collectstatic)

        # --- Data: citizen An's finished dossier with its signed result; tokens for An and an outsider.
        with time_machine.travel(MONDAY_0900, tick=False):
            world = world_build()
            returned = dossier_at(world, "returned")
        result = DossierResultDocument.objects.get(dossier=returned)
        stored = result.file.storage.open(result.file.name, "rb").read()
        assert stored.startswith(b"%PDF")
        _row, an_token = api_token_create(user=world.an, name="deploy test")
        _row, outsider_token = api_token_create(user=world.binh, name="deploy test")

        worker = _start(jobs.exec_start, env=jobs_env, cwd=jobs.working_directory, log=logs["jobs"])
        stack.callback(_stop, worker)
        nginx = _start(
            nginx_command(deploy_paths, conf),
            env=dict(os.environ),
            cwd=str(deploy_paths.nginx),
            log=logs["nginx"],
        )
        stack.callback(_stop, nginx)

        assert collectstatic.wait(timeout=300) == 0, (deploy_paths.root / "collectstatic.log").read_text()
        manifest = json.loads((deploy_paths.var / "static" / "staticfiles.json").read_text())["paths"]

        # gunicorn exactly as the unit's ExecStart, serving motcua plus one slow test page.
        gunicorn = _start(
            [*web.exec_start, "tests.deploy.slow_wsgi:application"],
            env=web_env,
            cwd=web.working_directory,
            log=logs["gunicorn"],
        )
        stack.callback(_stop, gunicorn)
        procs = [gunicorn, worker, nginx]
        _wait(lambda: site.request("GET", "/healthz/live")[0] == 200, "the site answers", log_list, procs)

        # Readiness: database, migrations, static manifest; the request id passed through and back.
        status, headers, body = site.request(
            "GET", "/healthz/ready", headers={"X-Request-ID": "deploy-test-0001"}
        )
        assert status == 200, body
        assert json.loads(body)["status"] == "ok"
        assert headers["X-Request-ID"] == "deploy-test-0001"
        assert len(site.request("GET", "/healthz/live")[1]["X-Request-ID"]) == 32  # nginx's own

        # Plain HTTP goes to HTTPS.
        plain = http.client.HTTPConnection("127.0.0.1", http_port, timeout=30)
        plain.request("GET", "/tra-cuu", headers={"Host": SERVER_NAME})
        redirect = plain.getresponse()
        assert (redirect.status, redirect.headers["Location"]) == (301, f"https://{SERVER_NAME}/tra-cuu")
        plain.close()

        # A hashed static file: nginx from STATIC_ROOT, cached a year, compressed copy when asked.
        original, hashed = next((k, v) for k, v in sorted(manifest.items()) if k.endswith(".css"))
        status, headers, body = site.request("GET", f"/static/{hashed}")
        assert status == 200
        assert body == (deploy_paths.var / "static" / hashed).read_bytes()
        assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
        status, headers, _ = site.request("GET", f"/static/{hashed}", headers={"Accept-Encoding": "gzip"})
        assert (status, headers["Content-Encoding"]) == (200, "gzip")
        status, headers, _ = site.request("GET", f"/static/{original}")
        assert (status, headers["Cache-Control"]) == (200, "public, max-age=3600")

        # The pages link the hashed names (the manifest is read: no fallback).
        status, _, page = site.request("GET", "/tra-cuu")
        assert status == 200
        assert b"/static/css/" in page

        # An authorised download: Django checks who and the SHA-256, nginx sends the bytes.
        url = f"/api/v1/dossiers/{returned.code}/results/{result.pk}"
        status, headers, body = site.request("GET", url, headers={"Authorization": f"Bearer {an_token}"})
        assert status == 200, body[:500]
        assert body == stored
        assert headers["Content-Type"] == "application/pdf"
        assert (
            headers["Content-Disposition"]
            == f'attachment; filename="Ket-qua-{returned.code}-{result.pk}.pdf"'
        )
        assert headers["Cache-Control"] == "private, no-store"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Accel-Redirect"] is None
        # Only nginx answers a range (Django's streamed answer would send it whole): nginx sent it.
        status, headers, body = site.request(
            "GET", url, headers={"Authorization": f"Bearer {an_token}", "Range": "bytes=0-3"}
        )
        assert (status, body) == (206, b"%PDF")

        # Refused: no token, someone else's token, the internal location asked for directly.
        assert site.request("GET", url)[0] == 401
        assert site.request("GET", url, headers={"Authorization": f"Bearer {outsider_token}"})[0] == 404
        assert site.request("GET", f"/_protected/{result.file.name}")[0] == 404

        # An altered file: refused by Django before nginx would send anything.
        (media / result.file.name).write_bytes(stored + b"% altered")
        status, _, body = site.request("GET", url, headers={"Authorization": f"Bearer {an_token}"})
        assert status == 409, body[:500]
        (media / result.file.name).write_bytes(stored)

        # Too large: over Django's limit (1 MB here) → Django's 413 naming it; over nginx's → nginx's own.
        boundary = "deploytest"
        multipart = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="scan.pdf"\r\n'
                "Content-Type: application/pdf\r\n\r\n"
            ).encode()
            + pdf_bytes()
            + b"0" * (1536 * 1024)
            + f"\r\n--{boundary}--\r\n".encode()
        )
        form = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        status, _, body = site.request("POST", "/api/v1/dossiers", headers=form, body=multipart)
        assert status == 413, body[:500]
        assert json.loads(body)["code"] == "too_large"
        assert "1 MB" in json.loads(body)["detail"]
        # Within the limits but without a token: answered before a byte of the body is read, the rest
        # read to its end (core.unread_body) so nginx gets the 401 rather than a closed socket (502).
        small = multipart.replace(b"0" * (1536 * 1024), b"0" * (768 * 1024))
        status, _, body = site.request("POST", "/api/v1/dossiers", headers=form, body=small)
        assert status == 401, body[:500]
        for path, marker in (("/api/v1/dossiers", "tối đa 100 MB"), ("/kho-du-lieu", "quá lớn")):
            conn = http.client.HTTPSConnection("127.0.0.1", https_port, context=site.context, timeout=30)
            conn.putrequest("POST", path, skip_host=True)
            conn.putheader("Host", SERVER_NAME)
            conn.putheader("Content-Type", form["Content-Type"])
            conn.putheader("Content-Length", str(200 * 1024 * 1024))
            conn.endheaders()  # no body: nginx answers from the length alone
            response = conn.getresponse()
            text = response.read().decode()
            conn.close()
            assert response.status == 413, (path, text)
            assert marker in text, (path, text)

        # The job worker runs jobs (its periodic sweep, enqueued at its start) on the same database.
        _wait(
            lambda: Job.objects.filter(name="jobs.sweep", status=JobStatus.DONE).exists(),
            "the worker ran a job",
            log_list,
            procs,
        )

        # Graceful stop of the web server: a request in flight when SIGTERM arrives completes.
        answers: list[tuple[int, bytes]] = []
        slow = threading.Thread(target=lambda: answers.append(site.request("GET", "/_deploy-test/slow")[::2]))
        slow.start()
        _wait((deploy_paths.root / "slow-started").exists, "the slow request started", log_list, procs)
        gunicorn.send_signal(signal.SIGTERM)  # what `systemctl stop motcua-web` sends
        time.sleep(0.5)  # let the stop begin while the request is in flight
        (deploy_paths.root / "slow-release").touch()
        slow.join(timeout=60)
        assert answers == [(200, b"finished")], logs["gunicorn"].read_text()
        assert gunicorn.wait(timeout=60) == 0, logs["gunicorn"].read_text()

        # And of the job worker.
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=60) == 0, logs["jobs"].read_text()
        assert "stopped" in logs["jobs"].read_text()
