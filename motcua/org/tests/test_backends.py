"""Admin permissions granted by roles (``org.backends``), per named persona of ``conftest.PERSONAS``."""

from __future__ import annotations

import pytest

from motcua.accounts.models import Account
from motcua.org.backends import (
    PROVINCE_ADMIN_PERMISSIONS,
    RECEPTION_PERMISSIONS,
    UNIT_ADMIN_PERMISSIONS,
    role_permissions,
)
from motcua.org.models import Role
from motcua.org.services import role_assignment_revoke

pytestmark = pytest.mark.django_db

EDIT_PROCEDURE = "catalog.change_procedure"
VIEW_PROCEDURE = "catalog.view_procedure"
ADD_DAY_OFF = "worktime.add_calendarexception"


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("ba_hoa", PROVINCE_ADMIN_PERMISSIONS),
        ("anh_duc", UNIT_ADMIN_PERMISSIONS),
        ("anh_tuan", frozenset()),  # report viewer: reports, never the admin
        ("chi_thao", frozenset()),
        ("chi_lan", RECEPTION_PERMISSIONS),  # reception: population lookups at the counter, no admin
        ("ong_thang", frozenset()),  # the province leader is not its administrator
        ("anh_son", frozenset()),  # locked account
        ("chi_ha", frozenset()),  # revoked role
        ("khach", frozenset()),
    ],
)
def test_role_permissions_by_persona(
    personas: dict[str, Account], persona: str, expected: frozenset[str]
) -> None:
    assert role_permissions(user=personas[persona]) == expected


def test_has_perm_asks_the_roles(personas: dict[str, Account]) -> None:
    province_admin, unit_admin, viewer = personas["ba_hoa"], personas["anh_duc"], personas["anh_tuan"]
    assert province_admin.has_perm(EDIT_PROCEDURE)
    assert province_admin.has_perm(ADD_DAY_OFF)
    assert province_admin.has_module_perms("catalog")
    assert province_admin.has_module_perms("worktime")
    assert not province_admin.has_perm("catalog.add_procedure")  # procedures come from the national list
    assert not province_admin.has_perm("catalog.delete_procedure")
    assert unit_admin.has_perm(VIEW_PROCEDURE)
    assert not unit_admin.has_perm(EDIT_PROCEDURE)
    assert not unit_admin.has_perm(ADD_DAY_OFF)
    assert not viewer.has_perm(VIEW_PROCEDURE)
    assert not viewer.has_module_perms("catalog")
    assert personas["ong_tu"].has_perm("catalog.delete_procedure")


def test_a_revoked_admin_role_takes_the_permissions_away(personas: dict[str, Account], quang_ninh) -> None:
    user = Account.objects.get(pk=personas["ba_hoa"].pk)
    assert user.has_perm(EDIT_PROCEDURE)
    role_assignment_revoke(official=user.official, unit=quang_ninh.province, role=Role.PROVINCE_ADMIN)
    fresh = Account.objects.get(pk=user.pk)  # the next request loads the user again
    assert not fresh.has_perm(EDIT_PROCEDURE)
    assert not fresh.has_module_perms("catalog")
