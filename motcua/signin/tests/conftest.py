"""Fixtures of the sign-in tests: officials of two communes with passwords, a unit admin of each."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts.models import Account
from motcua.org.models import Role, Unit
from motcua.org.tests.factories import OfficialFactory, UnitFactory, UserFactory

PASSWORD = "mat-khau-can-bo-2026"


@pytest.fixture(autouse=True)
def _fast_hashes(settings: Any) -> None:
    # PBKDF2 costs ~0.5 s per hash; these tests check behaviour, not the hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Office:
    commune_a: Unit
    commune_b: Unit
    lan: Account  # reception, commune A's centre
    binh: Account  # reception, commune B's centre
    admin_a: Account  # unit admin of commune A
    admin_b: Account  # unit admin of commune B


def _official(username: str, unit: Unit, role: Role) -> Account:
    user = cast(Account, UserFactory(username=username, full_name=username.title()))
    user.set_password(PASSWORD)
    user.save()
    OfficialFactory(user=user, full_name=user.full_name, assignments=[(unit, role)])
    return user


@pytest.fixture
def office(db: None) -> Office:
    commune_a = cast(Unit, UnitFactory(name="UBND phường Hạ Long"))
    commune_b = cast(Unit, UnitFactory(name="UBND phường Bãi Cháy"))
    centre_a = cast(Unit, UnitFactory(commune_centre=True, parent=commune_a))
    centre_b = cast(Unit, UnitFactory(commune_centre=True, parent=commune_b))
    return Office(
        commune_a=commune_a,
        commune_b=commune_b,
        lan=_official("lan", centre_a, Role.RECEPTION),
        binh=_official("binh", centre_b, Role.RECEPTION),
        admin_a=_official("quantri.a", commune_a, Role.UNIT_ADMIN),
        admin_b=_official("quantri.b", commune_b, Role.UNIT_ADMIN),
    )


def password_post(client: Client, username: str, password: str = PASSWORD, **extra: Any) -> Any:
    return client.post("/can-bo/dang-nhap", {"username": username, "password": password}, **extra)


def code_now(device: TOTPDevice) -> str:
    """The code an authenticator app shows now, computed from the device's secret (RFC 6238)."""
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def signed_in(client: Client) -> bool:
    return client.get("/can-bo/").status_code == 200
