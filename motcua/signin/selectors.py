"""Reads of the officials' sign-in: second-factor devices, current lockouts and who may release them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from motcua.accounts.models import Account, AccountOrAnonymous
from motcua.org.models import RoleAssignment
from motcua.org.selectors import official_managed_units, official_manages_province
from motcua.signin.models import RecoveryCodeDevice


def second_factor_device(*, user: Account) -> TOTPDevice | None:
    """The account's confirmed authenticator (one at most: enrolling a new one replaces it)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def security_keys(*, user: Account) -> list[WebAuthnCredential]:
    """The account's security keys / passkeys (django-otp-webauthn), newest first."""
    return list(WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("-pk"))


def recovery_device(*, user: Account) -> RecoveryCodeDevice | None:
    return RecoveryCodeDevice.objects.filter(user=user, confirmed=True).first()


@dataclass(frozen=True)
class Lockout:
    """An account (``username``) or a client address (``ip_address``) refused until ``until``."""

    username: str
    ip_address: str
    failures: int
    until: dt.datetime


def _cooloff_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=int(settings.MOTCUA_LOGIN_COOLOFF_MINUTES))


def _cooloff_end(last: dt.datetime) -> dt.datetime:
    return last + dt.timedelta(minutes=int(settings.MOTCUA_LOGIN_COOLOFF_MINUTES))


def _managed_usernames(user: AccountOrAnonymous) -> set[str] | None:
    """Logins of the officials ``user`` administers; None for all (province admin, superuser)."""
    if official_manages_province(user=user):
        return None
    units = official_managed_units(user=user)
    return set(
        RoleAssignment.objects.filter(unit__in=units, is_active=True).values_list(
            "official__user__username", flat=True
        )
    )


def lockout_may_release(*, user: AccountOrAnonymous, username: str = "", ip_address: str = "") -> bool:
    """A unit admin releases the officials of their units; an address (which may be a whole centre's,
    or an attacker's) only a province admin or a superuser."""
    if not (user.is_authenticated and user.is_active):
        return False
    if ip_address:
        return official_manages_province(user=user)
    managed = _managed_usernames(user)
    return managed is None or username in managed


def lockouts_visible(*, user: AccountOrAnonymous) -> list[Lockout]:
    """The lockouts in force that ``user`` may release, accounts first."""
    if not (user.is_authenticated and user.is_active):
        return []
    recent = AccessAttempt.objects.filter(attempt_time__gte=_cooloff_start())
    result: list[Lockout] = []
    managed = _managed_usernames(user)
    if managed is None or managed:
        by_account = (
            recent.exclude(username__isnull=True)
            .values("username")
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            .filter(failures__gte=settings.MOTCUA_LOGIN_FAILURE_LIMIT)
            .order_by("username")
        )
        if managed is not None:
            by_account = by_account.filter(username__in=managed)
        result += [
            Lockout(
                username=row["username"],
                ip_address="",
                failures=row["failures"],
                until=_cooloff_end(row["last"]),
            )
            for row in by_account
        ]
    if managed is None:
        by_address = (
            recent.exclude(ip_address__isnull=True)
            .values("ip_address")
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            .filter(failures__gte=settings.MOTCUA_LOGIN_IP_FAILURE_LIMIT)
            .order_by("ip_address")
        )
        result += [
            Lockout(
                username="",
                ip_address=row["ip_address"],
                failures=row["failures"],
                until=_cooloff_end(row["last"]),
            )
            for row in by_address
        ]
    return result


def lockout_page_allowed(*, user: AccountOrAnonymous) -> bool:
    """Unit admins, province admins and superusers see the unlock page."""
    return official_manages_province(user=user) or official_managed_units(user=user).exists()
