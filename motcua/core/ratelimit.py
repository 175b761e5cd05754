"""Fixed-window rate limits per client — giới hạn tần suất: the counters public tracking, the portal's
login, the virtual assistant, the API and uploads share (Django's cache; fail open when it is down).

The counters live in the cache every process shares (``core.cache``: Redis, or the database's
``motcua_cache`` table), so two gunicorn workers count together. When that cache is down the limits
fail open — requests go on uncounted, a warning is logged and ``/healthz`` answers 503.

``RateLimitMiddleware`` (``core.middleware``) applies the edge limits (``EDGE_LIMITS``, overridden by
``MOTCUA_RATE_LIMITS``) per client IP and per client (an API token, or the signed-in account), so one
noisy integrator cannot starve the others behind the same address and one address cannot mint clients
to dodge the limit: every request under ``/api/``, and every multipart (file) upload anywhere.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from motcua.core.cache import CACHE_ERRORS, cache_warn_unavailable

__all__ = ["EDGE_LIMITS", "client_ident", "client_ip", "edge_limits", "rate_count_incr", "rate_limit_hit"]

# name: (requests, window in seconds). Per IP above per client: an office or a kiosk puts many people
# behind one address. An integrator's batch import runs well under 10 requests a second per token.
EDGE_LIMITS: dict[str, tuple[int, int]] = {
    "API_PER_IP": (1200, 60),
    "API_PER_CLIENT": (600, 60),
    # File uploads (multipart requests): a counter clerk scans a few files per dossier.
    "UPLOADS_PER_IP": (120, 10 * 60),
    "UPLOADS_PER_CLIENT": (60, 10 * 60),
}

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


def edge_limits() -> dict[str, tuple[int, int]]:
    """``EDGE_LIMITS`` with ``MOTCUA_RATE_LIMITS``' overrides; a limit of 0 requests is off."""
    return {**EDGE_LIMITS, **(getattr(settings, "MOTCUA_RATE_LIMITS", None) or {})}


def client_ident(request: HttpRequest) -> str | None:
    """Who the client is, for the per-client limits: its bearer token (hashed: never kept in the cache)
    or its signed-in account; None for an anonymous browser (the per-IP limit then stands alone).

    The token is not checked here: a made-up one only gets a counter of its own, and the per-IP
    limit still holds for whoever makes them up.
    """
    authorization = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return "token:" + hashlib.sha256(credentials.strip().encode()).hexdigest()[:32]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"account:{user.pk}"
    return None
