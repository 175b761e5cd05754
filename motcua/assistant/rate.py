"""The assistant's rate limit (``MOTCUA_ASSISTANT_RATE_LIMIT`` = (messages, seconds)) per client IP and
per client (API token or signed-in account), on the shared counters of ``core.ratelimit``: the panel,
the kiosk and the API count together."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from motcua.core.ratelimit import client_ident, client_ip, rate_limit_hit

DEFAULT_RATE_LIMIT = (30, 60)  # a person types a message every few seconds at most


def assistant_rate_limited(request: HttpRequest) -> int:
    """Seconds to wait when this client is over the limit (count this message), else 0.

    Per IP, because an anonymous visitor has nothing else to count by; per client as well, because a
    whole commune centre (its kiosks and counters) may reach us from one address while one integrator's
    token must not use up the assistant for everybody behind it — nor dodge the limit by rotating
    addresses."""
    limit, seconds = getattr(settings, "MOTCUA_ASSISTANT_RATE_LIMIT", DEFAULT_RATE_LIMIT)
    wait = rate_limit_hit(scope="assistant", ident=client_ip(request), limit=int(limit), seconds=int(seconds))
    client = client_ident(request)
    if client is not None:
        wait = max(
            wait,
            rate_limit_hit(scope="assistant-client", ident=client, limit=int(limit), seconds=int(seconds)),
        )
    return wait
