"""Retry policy of the job outbox, read from ``settings.MOTCUA_JOBS`` with safe defaults.

Read at call time (not import time) so tests can change it with pytest-django's ``settings``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Attempts before a job is marked dead; a handler can lower or raise it for itself.
    "MAX_ATTEMPTS": 8,
    # Delay before retry n is BASE × 2^(n-1) seconds, capped at MAX, then stretched by up to JITTER
    # (a fraction) so jobs that failed together (e.g. DVCQG down) do not all come back together.
    "BACKOFF_BASE_SECONDS": 30.0,
    "BACKOFF_MAX_SECONDS": 3600.0,
    "BACKOFF_JITTER": 0.25,
}


def job_setting(key: str) -> Any:
    """Return one retry-policy value, the project setting winning over the default."""
    configured: dict[str, Any] = getattr(settings, "MOTCUA_JOBS", {})
    return configured.get(key, DEFAULTS[key])
