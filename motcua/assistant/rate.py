"""The assistant's rate limit per client (``MOTCUA_ASSISTANT_RATE_LIMIT`` = (messages, seconds)),
on the shared counters of ``core.ratelimit``: the panel, the kiosk and the API count together."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from motcua.core.ratelimit import client_ip, rate_limit_hit

DEFAULT_RATE_LIMIT = (30, 60)  # a person types a message every few seconds at most


def assistant_rate_limited(request: HttpRequest) -> int:
    """Seconds to wait when this client is over the limit (count this message), else 0."""
    limit, seconds = getattr(settings, "MOTCUA_ASSISTANT_RATE_LIMIT", DEFAULT_RATE_LIMIT)
    return rate_limit_hit(scope="assistant", ident=client_ip(request), limit=int(limit), seconds=int(seconds))
