"""The state of an official's sign-in in the session and cookies — trạng thái đăng nhập.

- *Pending*: the password was right, the second factor (or its enrolment) is still due. The session
  holds the account id, never a login: nothing but the second-factor and enrolment pages accept it, for
  ``PENDING_SECONDS``, and it dies with a password change or "sign out everywhere" (the auth hash).
- *Official session*: opened by ``session_complete``; ends after ``MOTCUA_OFFICIAL_SESSION_IDLE_SECONDS``
  without a request (``middleware``).
- *Remembered device*: a signed cookie bound to the account, its authenticator and its session hash,
  valid until the end of the working day and never more than ``MOTCUA_2FA_REMEMBER_MAX_SECONDS``.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any
from zoneinfo import ZoneInfo

import django_otp
from django.conf import settings
from django.contrib.auth import login
from django.core import signing
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone
from django_otp.models import Device

from motcua.accounts.models import Account

PENDING_KEY = "signin_pending"
PENDING_SECONDS = 5 * 60
# Wrong codes on one pending login before it is dropped (the password must be typed again).
PENDING_MAX_FAILURES = 5
SESSION_KEY = "official_session"
EXPIRED_KEY = "signin_expired"
TOUCH_EVERY_SECONDS = 60
REMEMBER_COOKIE = "motcua_2fa"
REMEMBER_SALT = "motcua.signin.remembered-device"


def _binding(user: Account) -> str:
    # The account's session hash changes with its password and with "sign out everywhere".
    return user.get_session_auth_hash()[:32]


# --- pending -----------------------------------------------------------------------------------------


def pending_start(request: HttpRequest, *, user: Account, next_url: str) -> None:
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[1]),
        "hash": _binding(user),
        "next": next_url,
        "at": int(time.time()),
        "failures": 0,
    }


def pending_get(request: HttpRequest) -> tuple[Account, dict[str, Any]] | None:
    """The account waiting for its second factor in this session, if still valid."""
    data = request.session.get(PENDING_KEY)
    if not isinstance(data, dict):
        return None
    if int(time.time()) - int(data.get("at", 0)) > PENDING_SECONDS:
        pending_clear(request)
        return None
    user = Account.objects.filter(pk=int(data.get("user") or 0), is_active=True).first()
    if user is None or _binding(user) != data.get("hash"):
        pending_clear(request)
        return None
    # What django.contrib.auth.login reads to record which backend authenticated the account.
    user.backend = data["backend"]  # type: ignore[attr-defined]
    return user, data


def pending_failure(request: HttpRequest) -> bool:
    """Count a wrong code; True when the pending login is now dropped."""
    data = dict(request.session.get(PENDING_KEY) or {})
    data["failures"] = int(data.get("failures", 0)) + 1
    if data["failures"] >= PENDING_MAX_FAILURES:
        pending_clear(request)
        return True
    request.session[PENDING_KEY] = data
    return False


def pending_clear(request: HttpRequest) -> None:
    if hasattr(request, "session"):
        request.session.pop(PENDING_KEY, None)


# --- the official's session ------------------------------------------------------------------------


def session_complete(request: HttpRequest, *, user: Account, device: Device | None) -> None:
    """Log ``user`` in (after the password and, if any, the second factor) and start the idle clock."""
    pending_clear(request)
    login(request, user, backend=getattr(user, "backend", None))
    if device is not None:
        django_otp.login(request, device)
    now = int(time.time())
    request.session[SESSION_KEY] = {"seen": now}
    request.session.set_expiry(session_lifetime())


def session_lifetime() -> int:
    # Twice the idle limit: the stored session outlives the limit a while, so the next request finds it
    # and ends it itself (and the login page can say why) instead of meeting an already-vanished session.
    return 2 * int(settings.MOTCUA_OFFICIAL_SESSION_IDLE_SECONDS)


def signs_in_with_password(user: Any) -> bool:
    """Accounts the officials' sign-in serves (and whose sessions need the second factor)."""
    from motcua.accounts.models import AccountKind

    return bool(
        user.is_authenticated and (user.kind == AccountKind.OFFICIAL or user.is_staff or user.is_superuser)
    )


# --- remembered device -----------------------------------------------------------------------------


def working_day_end(now: dt.datetime) -> dt.datetime:
    """The end of the working day at ``now`` (the last working period's end, local time); after it,
    tomorrow's."""
    worktime: dict[str, Any] = settings.WORKTIME
    zone = ZoneInfo(worktime["TIME_ZONE"])
    local = now.astimezone(zone)
    hour, minute = (int(part) for part in worktime["PERIODS"][-1][1].split(":"))
    end = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if end <= local:
        end += dt.timedelta(days=1)
    return end


def remembered_until(now: dt.datetime) -> dt.datetime:
    longest = now + dt.timedelta(seconds=int(settings.MOTCUA_2FA_REMEMBER_MAX_SECONDS))
    return min(working_day_end(now), longest)


def remember_set(response: HttpResponseBase, *, user: Account, device: Device) -> None:
    now = timezone.now()
    until = remembered_until(now)
    value = signing.dumps(
        {"u": user.pk, "d": device.persistent_id, "h": _binding(user), "x": int(until.timestamp())},
        salt=REMEMBER_SALT,
    )
    response.set_cookie(
        REMEMBER_COOKIE,
        value,
        max_age=max(1, int((until - now).total_seconds())),
        path="/can-bo/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def remembered_device(request: HttpRequest, *, user: Account, device: Device) -> bool:
    """Whether this browser's cookie vouches for ``user`` with ``device`` right now."""
    raw = request.COOKIES.get(REMEMBER_COOKIE)
    if not raw:
        return False
    try:
        data = signing.loads(raw, salt=REMEMBER_SALT, max_age=int(settings.MOTCUA_2FA_REMEMBER_MAX_SECONDS))
    except signing.BadSignature:
        return False
    return (
        isinstance(data, dict)
        and data.get("u") == user.pk
        and data.get("d") == device.persistent_id
        and data.get("h") == _binding(user)
        and int(data.get("x", 0)) > int(time.time())
    )
