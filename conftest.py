"""Project-wide pytest configuration."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

# Property tests hit the database-backed calendar; keep them deterministic in CI and fast locally.
settings.register_profile(
    "default", deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci", deadline=None, max_examples=400, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci" if __import__("os").environ.get("CI") else "default")
