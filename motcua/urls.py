from __future__ import annotations

from django.contrib import admin
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from motcua.api import api, api_not_found
from motcua.core.metrics import metrics_view
from motcua.core.views import healthz, healthz_live, healthz_ready
from motcua.jobs.views import jobs_health
from motcua.worktime import api as worktime_api

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # For the orchestrator / load balancer: the process is up; it can serve (core/health.py).
    path("healthz/live", healthz_live, name="healthz_live"),
    path("healthz/ready", healthz_ready, name="healthz_ready"),
    # The job queue for monitoring: 503 when due jobs wait too long (no worker takes them).
    path("healthz/jobs", jobs_health, name="healthz_jobs"),
    # Prometheus: allowed addresses or a bearer token only (core/metrics.py, docs/operations.md).
    path("metrics", metrics_view, name="metrics"),
    # The due-date calculator is the hottest read endpoint: routed straight to its (plain Django) view,
    # skipping Ninja's dispatch, which costs more than the deadline arithmetic. Ninja still documents it.
    # CSRF-exempt like every Ninja view (a read; a POST to it is a 405, not a CSRF refusal).
    path("api/v1/calendar/due", csrf_exempt(require_GET(worktime_api.due))),
    path("api/v1/", api.urls),
    # Everything else under /api/ (unknown paths and versions): JSON 404 in the API's error shape.
    re_path(r"^api/(?P<rest>.*)$", api_not_found),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("can-bo/", include("motcua.signin.urls")),
    # Security keys' WebAuthn ceremonies (JSON; motcua/signin/webauthn.py).
    path("can-bo/khoa-bao-mat/", include("motcua.signin.webauthn")),
    path("can-bo/", include("motcua.backoffice.urls")),
    path("", include("motcua.assistant.urls")),
    path("kiosk/", include("motcua.kiosk.urls")),
    path("", include("motcua.payments.urls")),
    path("", include("motcua.portal.urls")),
    path("", include("motcua.catalog.urls")),
]

# Uncaught exceptions: 503 in Vietnamese when the database or the file store is down, else the 500 page
# (motcua/core/unavailable.py).
handler500 = "motcua.core.unavailable.server_error"
