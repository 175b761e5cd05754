"""Fixed-window rate limits per client — giới hạn tần suất: the counters public tracking, the portal's
login and the virtual assistant share (Django's cache; fail open when the cache is down).

With several server processes the counters must live in a shared cache (``REDIS_URL``); the default
local-memory cache counts per process, which multiplies the limits by the number of processes. When
that cache is down the limits fail open — requests go on uncounted, a warning is logged and
``/healthz`` answers 503 (``core.cache``).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from motcua.core.cache import CACHE_ERRORS, cache_warn_unavailable

__all__ = ["client_ip", "rate_count_incr", "rate_limit_hit"]

_LIMITS_OFF = "the rate limits"


def client_ip(request: HttpRequest) -> str:
    """The client's IP: ``REMOTE_ADDR``, or — behind N trusted proxies (``MOTCUA_TRUSTED_PROXY_COUNT``) —
    the address the outermost trusted proxy saw, from ``X-Forwarded-For``. Never trust the header
    without a configured proxy: anyone can send it to dodge the rate limits."""
    proxies = int(getattr(settings, "MOTCUA_TRUSTED_PROXY_COUNT", 0) or 0)
    if proxies > 0:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return str(request.META.get("REMOTE_ADDR", "") or "unknown")


def rate_count_incr(key: str, ttl: int, *, where: str = _LIMITS_OFF) -> int:
    """The window's count after this hit; 0 (under every limit) when the cache is unreachable
    (``where`` names the limits in the warning, which is logged once in a while per name)."""
    try:
        try:
            return cache.incr(key)
        except ValueError:  # first hit of the window (or the key expired between our calls)
            if cache.add(key, 1, timeout=ttl + 1):
                return 1
            return cache.incr(key)
    except CACHE_ERRORS as exc:
        cache_warn_unavailable(where=where, error=exc)
        return 0


def rate_limit_hit(*, scope: str, ident: str, limit: int, seconds: int) -> int:
    """Count one hit of ``ident`` in ``scope``'s fixed window of ``seconds``: the seconds until the
    window ends when this hit is over ``limit`` (refuse it), else 0."""
    now = time.time()
    index = int(now // seconds)
    ttl = max(1, int((index + 1) * seconds - now))
    return ttl if rate_count_incr(f"ratelimit:{scope}:{ident}:{index}", ttl) > limit else 0
