"""Lockout after repeated failures — khóa đăng nhập tạm thời (django-axes, configured in settings).

Axes' backend comes first in ``AUTHENTICATION_BACKENDS``: a locked-out account or address is refused
before ``ModelBackend`` hashes the password, so repeated guesses cost a database read, not ~0.5 s of
PBKDF2 each (a few clients posting wrong passwords stalled both web workers). Failures count per
account and per client address (wrong passwords, and wrong second-factor codes: ``views`` reports
them), each against its own limit (``MOTCUA_LOGIN_FAILURE_LIMIT``, ``MOTCUA_LOGIN_IP_FAILURE_LIMIT``),
within ``MOTCUA_LOGIN_COOLOFF_MINUTES``. The refusal says the same whether the account exists or not.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_lockout_parameters
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext

from motcua.core.ratelimit import client_ip


def client_ip_address(request: HttpRequest) -> str | None:
    """The address the lockout counts: the project's one (trusted proxies only, ``core.ratelimit``);
    None when there is none (axes stores it in an address column: PostgreSQL's inet refuses "unknown")."""
    address = client_ip(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def lockout_message() -> str:
    return gettext(
        "Đăng nhập tạm thời bị khóa do nhập sai nhiều lần. Vui lòng thử lại sau %(minutes)s phút "
        "hoặc liên hệ quản trị đơn vị để được mở khóa."
    ) % {"minutes": settings.MOTCUA_LOGIN_COOLOFF_MINUTES}


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with a separate, higher limit for a client address than for an account.

    Axes compares one number with one limit; the address's failures are scaled onto the account's limit
    so that ``failures ≥ limit`` holds exactly when either count reaches its own limit.
    """

    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        parameters = get_lockout_parameters(request, credentials)
        account_limit = int(settings.MOTCUA_LOGIN_FAILURE_LIMIT)
        address_limit = max(1, int(settings.MOTCUA_LOGIN_IP_FAILURE_LIMIT))
        worst = 0
        for parameter, attempts in zip(parameters, self.get_user_attempts(request, credentials), strict=True):
            failures = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            if parameter == "ip_address":
                failures = failures * account_limit // address_limit
            worst = max(worst, failures)
        return worst


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """The login page again, with the lockout's message, HTTP 429 (``AXES_LOCKOUT_CALLABLE``)."""
    from motcua.signin.forms import OfficialLoginForm
    from motcua.signin.session import pending_clear

    pending_clear(request)
    username = ""
    if isinstance(credentials, dict):
        username = str(credentials.get("username") or "")
    form = OfficialLoginForm(request, initial={"username": username})
    return render(
        request,
        "signin/login.html",
        {"form": form, "lockout_message": lockout_message(), "next": request.POST.get("next", "")},
        status=429,
    )
