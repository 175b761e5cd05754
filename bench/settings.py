"""Settings for benchmark runs: the production-like app plus the bare baseline views."""

from __future__ import annotations

from motcua.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
LOGGING = {"version": 1, "disable_existing_loggers": True, "root": {"level": "ERROR", "handlers": []}}
# One client IP sends every benchmark request: lift the public-tracking rate limits (portal.tracking).
MOTCUA_TRACKING_RATE_LIMITS = {"LOOKUPS": (10**9, 60)}
# … and the assistant's (assistant.rate).
MOTCUA_ASSISTANT_RATE_LIMIT = (10**9, 60)
# … and the edge limits of the API and uploads (core.ratelimit).
_EDGE = ("API_PER_IP", "API_PER_CLIENT", "UPLOADS_PER_IP", "UPLOADS_PER_CLIENT")
MOTCUA_RATE_LIMITS = dict.fromkeys(_EDGE, (0, 60))
