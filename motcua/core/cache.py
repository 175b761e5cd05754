"""The shared cache when its backend is down — cache dùng chung (Redis) bị gián đoạn.

With ``REDIS_URL`` set, Django's cache is Redis; the rate-limit counters of public tracking live there
(``portal.tracking``). Redis being down must not take the pages that count with it: a counter that
cannot be read or written is skipped (the limit fails open for as long as Redis is away, a warning
logged at most once a minute per process so the log is not flooded), while ``/healthz`` reports the
cache as unavailable so that monitoring sees it (``core.views.healthz``).

The local-memory cache (the default) never fails this way; only a networked backend does.
"""

from __future__ import annotations

import logging
import time
import uuid

from django.core.cache import caches
from redis.exceptions import RedisError

logger = logging.getLogger("motcua.cache")

WARNING_INTERVAL_SECONDS = 60


# What a cache call raises when its backend cannot be reached (not a programming error): the Redis
# client's errors, and socket errors for any other networked backend.
CACHE_ERRORS: tuple[type[Exception], ...] = (RedisError, OSError)

_last_warning: dict[str, float] = {}


def cache_warn_unavailable(*, where: str, error: Exception) -> None:
    """Log that the cache is down for ``where``, at most once per ``WARNING_INTERVAL_SECONDS``."""
    now = time.monotonic()
    last = _last_warning.get(where)
    if last is not None and now - last < WARNING_INTERVAL_SECONDS:
        return
    _last_warning[where] = now
    logger.warning("Cache unavailable (%s: %s); %s continues without it.", type(error).__name__, error, where)


def cache_check(alias: str = "default") -> str | None:
    """A write and read round trip on the cache: None when it works, else the error as text."""
    cache = caches[alias]
    key = f"motcua:healthz:{uuid.uuid4().hex}"
    try:
        cache.set(key, 1, timeout=10)
        ok = cache.get(key) == 1
        cache.delete(key)
    except CACHE_ERRORS as exc:
        return f"{type(exc).__name__}: {exc}"
    return None if ok else "the value written could not be read back"
