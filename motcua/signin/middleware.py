"""Officials' sessions — phiên làm việc của cán bộ: idle timeout, and the second factor enforced.

After ``AuthenticationMiddleware`` and django-otp's ``OTPMiddleware``. A session opened by the officials'
sign-in (``session.session_complete``) ends after ``MOTCUA_OFFICIAL_SESSION_IDLE_SECONDS`` without a
request; each request re-arms it (the session is written at most once a minute). Where the second
factor is required, a password account's session that did not pass it (opened before the setting was
turned on, or by any other door) is ended, so no page, API call or admin screen sees it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.contrib.auth import logout
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django_otp import DEVICE_ID_SESSION_KEY

from motcua.signin.session import (
    EXPIRED_KEY,
    SESSION_KEY,
    TOUCH_EVERY_SECONDS,
    session_lifetime,
    signs_in_with_password,
)


def _unverified(request: HttpRequest) -> bool:
    """A session naming a device that no longer verifies (removed, replaced): django-otp drops the
    device from the session when the user is read."""
    if DEVICE_ID_SESSION_KEY not in request.session:
        return False
    user = request.user
    return signs_in_with_password(user) and not user.is_verified()  # type: ignore[union-attr]


class OfficialSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        session = request.session
        data: dict[str, Any] | None = session.get(SESSION_KEY)
        if data is not None:
            now = int(time.time())
            seen = int(data.get("seen", 0))
            idle = int(settings.MOTCUA_OFFICIAL_SESSION_IDLE_SECONDS)
            if now - seen > idle:
                logout(request)  # flushes the session: the request goes on anonymous
                request.session[EXPIRED_KEY] = True
            elif now - seen >= TOUCH_EVERY_SECONDS:
                session[SESSION_KEY] = {**data, "seen": now}
                session.set_expiry(session_lifetime())
        if (
            settings.MOTCUA_OFFICIAL_2FA_REQUIRED
            and AUTH_SESSION_KEY in request.session
            and DEVICE_ID_SESSION_KEY not in request.session
            and signs_in_with_password(request.user)
        ) or (settings.MOTCUA_OFFICIAL_2FA_REQUIRED and _unverified(request)):
            logout(request)
        return self.get_response(request)
