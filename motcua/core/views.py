from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from motcua.core.cache import cache_check
from motcua.core.health import readiness


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness check for load balancers and monitoring: the database and the cache.

    503 when either fails, naming it (``database`` / ``cache``: ``ok`` or ``unavailable``) with the
    error in ``detail``. The pages keep working without the cache (``core.cache``), but the tracking
    rate limits are off while it is down, which an operator must hear about.
    """
    body: dict[str, object] = {"status": "ok", "database": "ok", "cache": "ok"}
    details: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means unhealthy
        body["database"] = "unavailable"
        details["database"] = str(exc)
    if cache_error := cache_check():
        body["cache"] = "unavailable"
        details["cache"] = cache_error
    if details:
        body["status"] = "error"
        body["detail"] = details
        return JsonResponse(body, status=503)
    return JsonResponse(body)


@never_cache
@require_GET
def healthz_live(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. No database, no cache (``core.health``)."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def healthz_ready(request: HttpRequest) -> JsonResponse:
    """Readiness: database, migrations applied, static manifest in production; 503 naming what is not."""
    result = readiness()
    body: dict[str, object] = {
        "status": "ok" if result.ready else "error",
        "database": result.database,
        "migrations": result.migrations,
        "static": result.static,
    }
    if not result.ready:
        body["detail"] = result.detail
    return JsonResponse(body, status=200 if result.ready else 503)
