"""``/healthz/live`` and ``/healthz/ready`` (core/health.py)."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.db.migrations.recorder import MigrationRecorder

from motcua.core.health import readiness_forget


@pytest.fixture(autouse=True)
def _migration_check_runs_again():
    readiness_forget()
    yield
    readiness_forget()


def test_live_answers_without_the_database(client):
    # No django_db mark: any query here would fail the test.
    response = client.get("/healthz/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_ready_when_database_migrations_and_static_are_in_place(client, django_assert_max_num_queries):
    response = client.get("/healthz/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "migrations": "ok", "static": "ok"}
    # Once passed, the migration check is not run again by this process: one SELECT 1.
    with django_assert_max_num_queries(1):
        assert client.get("/healthz/ready").status_code == 200


@pytest.mark.django_db
def test_not_ready_while_a_migration_is_unapplied(client):
    # The database as it is just before `migrate` applies the latest jobs migration.
    latest = MigrationRecorder.Migration.objects.filter(app="jobs").order_by("-name").first()
    assert latest is not None
    latest.delete()
    response = client.get("/healthz/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["migrations"] == "pending"
    assert f"jobs.{latest.name}" in body["detail"]["migrations"]
    assert body["database"] == "ok"


@pytest.mark.django_db
def test_not_ready_without_the_database(client):
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz/ready")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"
    assert response.json()["migrations"] == "unknown"


@pytest.mark.django_db
def test_not_ready_in_production_without_the_static_manifest(client, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "motcua.core.staticfiles.FallbackManifestStaticFilesStorage"},
    }
    settings.STATIC_ROOT = tmp_path
    response = client.get("/healthz/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["static"] == "missing"
    assert "collectstatic" in body["detail"]["static"]
    assert body["database"] == body["migrations"] == "ok"
    # Live stays up: restarting the process would not collect the files.
    assert client.get("/healthz/live").status_code == 200


@pytest.mark.django_db
def test_health_endpoints_need_no_login_and_skip_the_https_redirect(client, settings):
    """Anonymous, over plain HTTP; outside /api/ and without uploads, so no rate limit counts them."""
    settings.SECURE_SSL_REDIRECT = True  # as in production
    assert client.get("/healthz/live").status_code == 200
    assert client.get("/healthz/ready").status_code == 200
    assert client.get("/").status_code == 301
