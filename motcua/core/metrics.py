"""Prometheus metrics: request latency per view, and the apps' figures read from the database at scrape time.

Exporter: ``prometheus-client`` (the Prometheus project's own Python client) rather than
django-prometheus. What we need of django-prometheus is one histogram, and its latency-by-view
histogram has no status label (we want a 5xx rate and a p95 per view from one series), while it brings
a pair of middlewares and database/cache wrappers we would leave switched off. Our middleware is a few
lines around the client's ``Histogram``.

* ``RequestMetricsMiddleware`` observes ``motcua_http_request_duration_seconds{view, method, status}``:
  ``view`` is the URL pattern's name (``backoffice:dossier_detail``; ``unresolved`` for a path no route
  matches — never the path itself, which would give one series per dossier code), ``method`` one of
  the HTTP methods (``other`` for anything else), ``status`` the response code. No query, no cache call.
* **Several gunicorn workers**: each worker is a process with its own counters, and a scrape reaches
  one of them. With ``PROMETHEUS_MULTIPROC_DIR`` set (gunicorn.conf.py, docs/operations.md) the client
  keeps every process's values in memory-mapped files there, and the scrape sums them
  (``MultiProcessCollector``); ``gunicorn.conf.py``'s ``child_exit`` marks a dead worker's files.
  Without it (``runserver``, tests) the process's own registry is served.
* **Figures from the database** (queue depth, sync lag, overdue dossiers): not counters kept in
  memory — they would be per process and lost at restart — but computed when Prometheus scrapes, by
  collectors each app registers in its ``AppConfig.ready`` (``metrics_collector_register``), so that
  this module, at the bottom of the layers, names no app. Each collector runs a few aggregate queries
  over partial indexes (open dossiers, active or dead jobs); one that fails (database down) reports
  ``motcua_metrics_collector_up{collector} 0`` and the scrape goes on.
* ``/metrics`` (``metrics_view``) answers only the addresses of ``MOTCUA_METRICS_ALLOWED_IPS``
  (default loopback; CIDR ranges allowed) or a request with ``Authorization: Bearer
  <MOTCUA_METRICS_TOKEN>``; anyone else gets a 404 (a wrong token: 403).
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import time
from collections.abc import Callable, Iterable
from functools import lru_cache

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from motcua.core.ratelimit import client_ip

logger = logging.getLogger(__name__)

REQUEST_DURATION = Histogram(
    "motcua_http_request_duration_seconds",
    "Thời gian xử lý yêu cầu HTTP theo view, phương thức và mã trạng thái (giây)",
    ["view", "method", "status"],
    # Pages answer in tens of milliseconds; exports and PDFs take seconds.
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNRESOLVED_VIEW = "unresolved"

MetricsCollect = Callable[[], Iterable[Metric]]
_collectors: dict[str, MetricsCollect] = {}


def metrics_collector_register(name: str, collect: MetricsCollect) -> None:
    """Have ``collect()`` (metric families computed now) called at every scrape of ``/metrics``.

    Called from an app's ``AppConfig.ready``; registering a name again replaces it (a reload).
    """
    _collectors[name] = collect


def metrics_collector_names() -> list[str]:
    return sorted(_collectors)


class _AppCollectors:
    """The registered collectors, each in its own try: a failing one does not empty the scrape."""

    def collect(self) -> Iterable[Metric]:
        up = GaugeMetricFamily(
            "motcua_metrics_collector_up",
            "1 nếu bộ thu số liệu từ cơ sở dữ liệu chạy được ở lần lấy số liệu này",
            labels=["collector"],
        )
        for name, collect in sorted(_collectors.items()):
            try:
                families = list(collect())
            except Exception as exc:
                # One line, no traceback: while the database is down this repeats at every scrape.
                logger.error("Metrics collector %s failed: %s: %s", name, type(exc).__name__, exc)
                up.add_metric([name], 0)
                continue
            up.add_metric([name], 1)
            yield from families
        yield up


class _ProcessRegistry:
    """This process's own metrics (no multiprocess directory): the client's default registry."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


def metrics_render() -> bytes:
    """The text exposition of every metric, as ``/metrics`` serves it."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        registry.register(_ProcessRegistry())
    registry.register(_AppCollectors())
    return generate_latest(registry)


@lru_cache(maxsize=8)
def _networks(allowed: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(each, strict=False) for each in allowed)


def _address_allowed(request: HttpRequest) -> bool:
    # Behind a reverse proxy that nobody declared (MOTCUA_TRUSTED_PROXY_COUNT=0), every request comes
    # from the proxy's address — often loopback: a forwarded request is then never let in by address.
    proxies = int(getattr(settings, "MOTCUA_TRUSTED_PROXY_COUNT", 0) or 0)
    if proxies == 0 and "HTTP_X_FORWARDED_FOR" in request.META:
        return False
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    return any(address in network for network in _networks(tuple(settings.MOTCUA_METRICS_ALLOWED_IPS)))


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    """``/metrics`` for Prometheus: the allowed addresses, or the bearer token; 404 to anyone else."""
    token = str(getattr(settings, "MOTCUA_METRICS_TOKEN", "") or "")
    given = request.headers.get("Authorization", "")
    if given.startswith("Bearer "):
        if not token or not hmac.compare_digest(given.removeprefix("Bearer ").strip(), token):
            return HttpResponseForbidden("Mã truy cập số liệu giám sát không đúng.")
    elif not _address_allowed(request):
        raise Http404
    return HttpResponse(metrics_render(), content_type=CONTENT_TYPE_LATEST)


class RequestMetricsMiddleware:
    """Observes each request's duration under its view's name, method and status (no query)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name or UNRESOLVED_VIEW) if match is not None else UNRESOLVED_VIEW
        method = request.method if request.method in _METHODS else "other"
        REQUEST_DURATION.labels(view, method, str(response.status_code)).observe(
            time.perf_counter() - started
        )
        return response
