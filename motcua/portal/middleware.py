"""Applicants' sessions — phiên đăng nhập của công dân, tổ chức: idle timeout and a longest lifetime.

A citizen often signs in on a shared computer (a commune's centre, an internet café): the session ends
after ``MOTCUA_PORTAL_SESSION_IDLE_SECONDS`` without a request (30 minutes; each request re-arms it)
and, whatever the activity, ``MOTCUA_PORTAL_SESSION_MAX_SECONDS`` after signing in (a working day).
Only sessions opened by the national-identity login carry the marker checked here; officials' sessions
follow Django's settings. The session's own expiry (cookie and stored row) is set to the same end, so
an abandoned session is gone even if no request ever comes back to be checked.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest
from django.http.response import HttpResponseBase

SESSION_KEY = "portal_applicant"
# Re-arming writes the session: at most once a minute, not at every request (the idle end moves by less).
TOUCH_EVERY_SECONDS = 60


def applicant_session_start(request: HttpRequest, *, id_token: str) -> None:
    """Mark the session just opened by the national-identity login (after ``login``)."""
    now = int(time.time())
    request.session[SESSION_KEY] = {"since": now, "seen": now, "id_token": id_token}
    request.session.set_expiry(_remaining(since=now, now=now))


def applicant_session_id_token(request: HttpRequest) -> str:
    """The ID token the provider issued at this session's login (for its RP-initiated logout)."""
    data = request.session.get(SESSION_KEY) or {}
    return str(data.get("id_token") or "")


def _remaining(*, since: int, now: int) -> int:
    idle = int(settings.MOTCUA_PORTAL_SESSION_IDLE_SECONDS)
    longest = int(settings.MOTCUA_PORTAL_SESSION_MAX_SECONDS)
    return max(1, min(idle, since + longest - now))


class ApplicantSessionMiddleware:
    """After ``AuthenticationMiddleware``: ends an applicant's session that has idled or lived too long."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        data: dict[str, Any] | None = request.session.get(SESSION_KEY)
        if data is not None:
            now = int(time.time())
            since, seen = int(data.get("since", 0)), int(data.get("seen", 0))
            idle = now - seen > int(settings.MOTCUA_PORTAL_SESSION_IDLE_SECONDS)
            too_old = now - since > int(settings.MOTCUA_PORTAL_SESSION_MAX_SECONDS)
            if idle or too_old:
                logout(request)  # flushes the session: the request goes on as an anonymous visitor
            elif now - seen >= TOUCH_EVERY_SECONDS:
                request.session[SESSION_KEY] = {**data, "seen": now}
                request.session.set_expiry(_remaining(since=since, now=now))
        return self.get_response(request)
