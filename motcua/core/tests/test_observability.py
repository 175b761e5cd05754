"""Observability: the request id in JSON log lines and jobs, /metrics, the dashboard and the alert rules.

Real parts: the API submission enqueues its jobs in the request, the worker's claim loop
(``jobs_run_due``) runs them, the log lines go through the project's formatter and filter.
"""

from __future__ import annotations

import io
import json
import logging
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from django.test import Client, RequestFactory
from django.utils import timezone

from motcua.core import metrics
from motcua.core.logcontext import JsonLogFormatter, LogContextFilter, TextLogFormatter, log_context_bind
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import World, dossier_at, world_build
from motcua.jobs.delivery import jobs_run_due
from motcua.jobs.models import Job, JobStatus
from motcua.nationalportal.subscribers import DOSSIER_SYNC

ROOT = Path(__file__).resolve().parents[3]
DASHBOARD = ROOT / "deploy" / "grafana" / "motcua-dashboard.json"
ALERTS = ROOT / "deploy" / "prometheus" / "alerts.yml"
# A metric name in a PromQL expression; histogram series end in _bucket / _count / _sum.
_METRIC = re.compile(r"\bmotcua_[a-z0-9_]+")
_HISTOGRAM_SUFFIX = re.compile(r"_(bucket|count|sum)$")


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """Log lines as production writes them (JSON formatter, context filter) at INFO, captured."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLogFormatter())
    handler.addFilter(LogContextFilter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def _records(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def _submit(world: World, client: Client, **headers: str):
    body = {
        "procedure": world.procedure.code,
        "receiving_unit": world.centre_a.agency_code,
        "applicant": {
            "kind": "person",
            "name": "Nguyễn Văn An",
            "id_number": "022090001234",
            "birth_date": "1990-05-01",
            "phone": "0912345678",
            "email": "an@example.test",
            "address": "Tổ 1, khu 2, phường Hạ Long",
        },
        "representative": None,
        "summary": "Xin cấp giấy phép thử nghiệm",
        "components": [{"document_order": 1, "paper_presented": False}],
    }
    return client.post(
        "/api/v1/dossiers",
        body,
        content_type="application/json",
        headers={"Idempotency-Key": "obs-0001", **headers},
    )


@pytest.mark.django_db
def test_the_request_id_follows_the_request_into_its_jobs(json_lines, admin_client):
    world = world_build()
    client = Client()
    client.force_login(world.an)
    response = _submit(world, client, **{"X-Request-ID": "nginx-4f2a9c"})
    assert response.status_code == 201, response.content
    assert response["X-Request-ID"] == "nginx-4f2a9c"
    jobs = list(Job.objects.filter(status=JobStatus.PENDING))
    assert {job.name for job in jobs} >= {DOSSIER_SYNC}
    assert {job.request_id for job in jobs} == {"nginx-4f2a9c"}

    jobs_run_due(job_ids=[job.id for job in jobs])  # the worker's own loop, in this process

    sync_lines = [r for r in _records(json_lines) if r.get("job_name") == DOSSIER_SYNC]
    assert sync_lines, json_lines.getvalue()
    sync_job = next(job for job in jobs if job.name == DOSSIER_SYNC)
    for line in sync_lines:
        assert line["request_id"] == "nginx-4f2a9c"
        assert line["job_id"] == sync_job.id
        assert {"timestamp", "level", "logger", "message"} <= line.keys()
    # No personal data of the submission in any line (ID number, phone, name).
    text = json_lines.getvalue()
    for personal in ("022090001234", "0912345678", "Nguyễn Văn An"):
        assert personal not in text
    # From a log line back to the jobs: the admin's search by request id.
    found = admin_client.get("/admin/jobs/job/", {"q": "nginx-4f2a9c"})
    assert found.context["cl"].result_count == len(jobs)


@pytest.mark.parametrize("incoming", [None, "", "a" * 65, "bad id", "x\ninjected", "ça"])
def test_a_missing_or_odd_request_id_is_replaced_by_a_fresh_one(client, incoming):
    headers = {} if incoming is None else {"X-Request-ID": incoming}
    response = client.get("/healthz/live", headers=headers)
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_json_lines_hold_only_their_fields_never_the_request_or_its_query(json_lines):
    # django.request attaches the request object (its text holds the query string) to its records.
    request = RequestFactory().get("/tra-cuu", {"ma": "G22.99-260101-0001", "so": "0912345678"})
    with log_context_bind(request_id="r-1"):
        logging.getLogger("django.request").warning(
            "Not Found: %s", request.path, extra={"request": request, "status_code": 404}
        )
    [line] = _records(json_lines)
    assert line == {
        "timestamp": line["timestamp"],
        "level": "WARNING",
        "logger": "django.request",
        "message": "Not Found: /tra-cuu",
        "request_id": "r-1",
        "status_code": 404,
    }


@pytest.mark.django_db
def test_django_s_own_error_lines_carry_the_request_id(client, json_lines):
    # Logged by Django after the middleware returned: the id comes from the request on the record.
    client.get("/khong-co-trang-nay", {"so": "0912345678"}, headers={"X-Request-ID": "r-404"})
    lines = [r for r in _records(json_lines) if r["logger"] == "django.request"]
    assert lines == [
        {
            "timestamp": lines[0]["timestamp"],
            "level": "WARNING",
            "logger": "django.request",
            "message": "Not Found: /khong-co-trang-nay",
            "request_id": "r-404",
            "status_code": 404,
        }
    ]


def test_text_lines_show_the_request_id_when_there_is_one():
    formatter = TextLogFormatter("%(levelname)s%(request_tag)s %(message)s")
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    LogContextFilter().filter(record)
    assert formatter.format(record) == "INFO hello"
    with log_context_bind(request_id="abc"):
        record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
        LogContextFilter().filter(record)
    assert formatter.format(record) == "INFO [abc] hello"


# -- /metrics ------------------------------------------------------------------------------------------


def _scrape(client: Client, **kwargs) -> str:
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode()


def _exported_names(text: str) -> set[str]:
    return {line.split()[2] for line in text.splitlines() if line.startswith("# TYPE ")}


@pytest.mark.django_db
def test_metrics_are_served_to_allowed_addresses_or_the_token_only(client, settings):
    _scrape(client)  # the test client comes from 127.0.0.1 (default allowed)
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.7").status_code == 404
    # Through an undeclared reverse proxy every client looks like loopback: not let in by address.
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 404
    settings.MOTCUA_METRICS_ALLOWED_IPS = ["10.20.0.0/16"]
    _scrape(client, REMOTE_ADDR="10.20.3.4")
    assert client.get("/metrics").status_code == 404
    settings.MOTCUA_METRICS_TOKEN = "s3cret-token"
    _scrape(client, REMOTE_ADDR="203.0.113.7", HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403


@pytest.mark.django_db
def test_metrics_report_latency_per_view_queue_sync_lag_and_overdue_per_unit(client, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    world = world_build()
    dossier = dossier_at(world, "appraisal")  # enqueues its events' jobs (DVCQG sync among them)
    Dossier.objects.filter(pk=dossier.pk).update(due_at=timezone.now() - timedelta(hours=1))
    Job.objects.filter(name=DOSSIER_SYNC).update(created_at=timezone.now() - timedelta(minutes=30))
    client.get("/healthz/live")

    text = _scrape(client)

    assert re.search(
        r'motcua_http_request_duration_seconds_count\{method="GET",status="200",view="healthz_live"\} [1-9]',
        text,
    )
    assert re.search(r'motcua_jobs\{name="nationalportal\.dossier_sync",status="pending"\} [1-9]', text)
    assert re.search(r"^motcua_dvcqg_sync_pending [1-9]", text, re.M)
    lag = float(re.search(r"^motcua_dvcqg_sync_lag_seconds (\S+)", text, re.M).group(1))
    assert lag == pytest.approx(1800, abs=1)
    unit = dossier.current_unit
    assert f'motcua_dossiers_overdue{{unit="{unit.slug or unit.pk}",unit_name="{unit.name}"}} 1.0' in text
    for collector in ("dossiers", "jobs", "nationalportal"):
        assert f'motcua_metrics_collector_up{{collector="{collector}"}} 1.0' in text


@pytest.mark.django_db
def test_a_failing_collector_is_reported_down_and_the_scrape_goes_on(client, monkeypatch):
    def broken():
        raise RuntimeError("database unavailable")

    monkeypatch.setitem(metrics._collectors, "broken", broken)
    text = _scrape(client)
    assert 'motcua_metrics_collector_up{collector="broken"} 0.0' in text
    assert 'motcua_metrics_collector_up{collector="jobs"} 1.0' in text


@pytest.mark.django_db
def test_the_middleware_adds_no_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get("/healthz/live").status_code == 200


# -- the dashboard and the alert rules name exported metrics -----------------------------------------


def _base_name(name: str) -> str:
    return _HISTOGRAM_SUFFIX.sub("", name) if name.startswith("motcua_http_") else name


def _exprs_of_dashboard() -> list[str]:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    assert dashboard["uid"]
    assert dashboard["panels"]
    return [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]


def _exprs_of_alerts() -> dict[str, str]:
    rules = yaml.safe_load(ALERTS.read_text(encoding="utf-8"))
    return {rule["alert"]: rule["expr"] for group in rules["groups"] for rule in group["rules"]}


@pytest.mark.django_db
def test_the_dashboard_and_the_alerts_use_exported_metrics_only(client):
    exported = _exported_names(_scrape(client))
    alerts = _exprs_of_alerts()
    assert {
        "MotcuaJobQueueStalled",
        "MotcuaJobsDead",
        "MotcuaDvcqgSyncLag",
        "MotcuaOverdueGrowing",
        "MotcuaHigh5xxRate",
        "MotcuaSlowRequests",
    } <= alerts.keys()
    for where, expr in [*(("dashboard", e) for e in _exprs_of_dashboard()), *alerts.items()]:
        names = {_base_name(name) for name in _METRIC.findall(expr)}
        assert names, f"{where}: {expr} names no motcua metric"
        assert names <= exported, f"{where}: {sorted(names - exported)} not exported by /metrics"


@pytest.mark.skipif(
    shutil.which("promtool") is None, reason="promtool (Debian package prometheus) not installed"
)
def test_promtool_accepts_the_alert_rules():
    result = subprocess.run(
        ["promtool", "check", "rules", str(ALERTS)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
