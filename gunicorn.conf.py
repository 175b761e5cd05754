"""gunicorn settings for production: ``gunicorn -c gunicorn.conf.py`` (binds ``$MOTCUA_BIND``: an address,
or ``unix:/run/motcua/web.sock`` behind nginx as in deploy/systemd/motcua-web.service).

Threaded workers (``gthread``) rather than gunicorn's default sync workers, for two reasons measured by
``bench/flow_bench.py`` (docs/benchmarks.md, "Whole flow"): a sync worker closes the connection after
every response, so a client (the reverse proxy, an integrator's API client) pays a new TCP connection
per request; and a sync worker sits idle while its request waits on PostgreSQL, which left a 2-core box
at 90–93 % CPU under full load. Two threads per worker overlap one request's database wait with another's
Python work; more threads only add contention for the interpreter lock (Django's work is CPU-bound).
"""

from __future__ import annotations

import os

wsgi_app = "motcua.wsgi:application"
bind = os.environ.get("MOTCUA_BIND", "127.0.0.1:8000")
# One worker per core is the right size for CPU-bound Django work next to PostgreSQL on the same box.
workers = int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 2))
worker_class = "gthread"
threads = int(os.environ.get("MOTCUA_WEB_THREADS", "2"))
# Seconds an idle keep-alive connection stays open: long enough for a reverse proxy's connection pool
# or an API client's next request, short enough not to pin threads to idle clients.
keepalive = int(os.environ.get("MOTCUA_WEB_KEEPALIVE_SECONDS", "5"))
timeout = int(os.environ.get("MOTCUA_WEB_TIMEOUT_SECONDS", "60"))
# Graceful stop (SIGTERM from systemd, deploy/systemd/motcua-web.service) and reload (SIGHUP, `systemctl
# reload`): a worker stops accepting and finishes the requests in flight for up to this long before it is
# killed. As long as the longest request may run (`timeout`), so a stop never cuts an upload or a report
# export half-way; the unit's TimeoutStopSec is above it.
graceful_timeout = int(os.environ.get("MOTCUA_WEB_GRACEFUL_TIMEOUT_SECONDS", str(timeout)))
# gunicorn's control socket (`gunicornc`, in $HOME or $XDG_RUNTIME_DIR) is not used: systemd starts, stops
# and reloads the server with signals, and the service account's home is not writable under its sandbox.
control_socket_disable = True
# Request size limits at the server, before Django (docs/architecture.md §27): the request line (a URL
# longer than this is a 414), the number of header fields and each one's size. Bodies are limited by
# Django's settings (DATA_UPLOAD_MAX_MEMORY_SIZE, MOTCUA_UPLOAD_MAX_REQUEST_BYTES: 413) and the proxy.
limit_request_line = int(os.environ.get("MOTCUA_WEB_LIMIT_REQUEST_LINE", "8190"))
limit_request_fields = int(os.environ.get("MOTCUA_WEB_LIMIT_REQUEST_FIELDS", "100"))
limit_request_field_size = int(os.environ.get("MOTCUA_WEB_LIMIT_REQUEST_FIELD_SIZE", "8190"))

# gunicorn's own lines (start, worker exits and timeouts) in the application's format when it writes
# JSON (MOTCUA_LOG_FORMAT, same default as motcua/settings.py): one log stream for the collector.
_production = os.environ.get("MOTCUA_MODE", "development").strip() == "production"
if os.environ.get("MOTCUA_LOG_FORMAT", "json" if _production else "text").strip() == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "motcua.core.logcontext.JsonLogFormatter"}},
        "handlers": {
            "json_console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        # Replaces gunicorn's defaults (CONFIG_DEFAULTS), whose root logger names a handler not defined here.
        "root": {"level": "INFO", "handlers": ["json_console"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["json_console"], "propagate": False},
            # A logging config switches gunicorn's access log on; it would write query strings (a
            # tracking lookup's ID or phone digits). Off, as without one: the reverse proxy logs access.
            "gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False},
        },
    }


# Prometheus in multi-process mode (motcua/core/metrics.py): with PROMETHEUS_MULTIPROC_DIR set, each
# worker writes its counters to files there and a scrape of any worker sums them all. The directory is
# emptied when the server starts (values of a previous run would be summed in), and a worker that exits
# has its live-only figures dropped. Unset (one process, development): nothing to do.
def on_starting(server: object) -> None:
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        os.makedirs(directory, exist_ok=True)
        for entry in os.scandir(directory):
            if entry.name.endswith(".db"):
                os.unlink(entry.path)


def child_exit(server: object, worker: object) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]
