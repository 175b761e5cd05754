"""Demo officials (``devtools.demo_officials``): every role of the demo units, fast and safe reruns."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from motcua.accounts.models import AccountKind
from motcua.devtools import demo_officials
from motcua.devtools.demo_officials import DEMO_PASSWORD, demo_officials_ensure
from motcua.org.models import Official, Role, RoleAssignment, Unit
from motcua.org.selectors import official_has_role
from motcua.org.services import role_assignment_revoke
from motcua.org.tests.conftest import BAI_CHAY, HA_LONG

pytestmark = pytest.mark.django_db


def test_demo_accounts_cover_every_role_of_the_chosen_units():
    accounts = demo_officials_ensure()

    assert len(accounts) == 42
    assert len({account.username for account in accounts}) == 42
    by_username = {account.username: account for account in accounts}
    lan = by_username["tiepnhan.halong"]
    assert (lan.full_name, lan.role, lan.unit_name) == (
        "Nguyễn Thị Lan",
        Role.RECEPTION,
        "Trung tâm Phục vụ hành chính công phường Hạ Long",
    )
    assert lan.unit_agency_code == "000.01.36.H49"
    assert by_username["quantri.quangninh"].role == Role.PROVINCE_ADMIN
    assert by_username["baocao.quangninh"].role == Role.REPORT_VIEWER
    commune_roles = {Role.RECEPTION, Role.SUPERVISOR, Role.SPECIALIST, Role.DIVISION_HEAD}
    commune_roles |= {Role.LEADER, Role.CLERK, Role.UNIT_ADMIN}
    for place in ("halong", "baichay", "coto"):
        assert {a.role for a in accounts if a.username.endswith(f".{place}")} == commune_roles
    department_roles = {Role.SPECIALIST, Role.DIVISION_HEAD, Role.LEADER, Role.CLERK, Role.UNIT_ADMIN}
    for place in ("sotuphap", "sonnmt"):
        assert {a.role for a in accounts if a.username.endswith(f".{place}")} == department_roles
    assert {a.unit_name for a in accounts if a.username.endswith(".coto")} == {
        "Ủy ban nhân dân đặc khu Cô Tô",
        "Trung tâm Phục vụ hành chính công đặc khu Cô Tô",
    }


def test_demo_accounts_load_the_units_when_missing_and_sign_in(client):
    assert not Unit.objects.exists()

    accounts = demo_officials_ensure()

    assert Unit.objects.count() == 125
    # One step in the demo (the second factor is not required outside production): password → queue.
    signed_in = client.post("/can-bo/dang-nhap", {"username": "tiepnhan.halong", "password": DEMO_PASSWORD})
    assert signed_in.status_code == 302
    assert signed_in["Location"] == "/can-bo/"
    staff = set(get_user_model().objects.filter(is_staff=True).values_list("username", flat=True))
    assert staff == {a.username for a in accounts if a.role in {Role.UNIT_ADMIN, Role.PROVINCE_ADMIN}}
    names = dict(get_user_model().objects.values_list("username", "full_name"))
    assert all(names[a.username] == a.full_name != "" for a in accounts)
    assert set(get_user_model().objects.values_list("kind", flat=True)) == {AccountKind.OFFICIAL}


def test_demo_rerun_is_fast_and_keeps_changed_passwords(monkeypatch, django_assert_max_num_queries):
    demo_officials_ensure()
    user = get_user_model().objects.get(username="lanhdao.coto")
    user.set_password("Mat-khau-rieng-2026")
    user.save()

    def no_hashing(*args, **kwargs):
        raise AssertionError("rerun must not hash passwords")

    monkeypatch.setattr(demo_officials, "make_password", no_hashing)
    with django_assert_max_num_queries(10):
        accounts = demo_officials_ensure()

    assert len(accounts) == 42
    assert get_user_model().objects.get(username="lanhdao.coto").check_password("Mat-khau-rieng-2026")
    assert RoleAssignment.objects.count() == 42


def test_demo_rerun_restores_a_revoked_demo_role():
    demo_officials_ensure()
    lan = Official.objects.get(user__username="tiepnhan.halong")
    centre = Unit.objects.get(slug=f"pvhcc-{HA_LONG}")
    role_assignment_revoke(official=lan, unit=centre, role=Role.RECEPTION)

    demo_officials_ensure()

    lan = Official.objects.select_related("user").get(pk=lan.pk)
    assert official_has_role(user=lan.user, unit=centre, roles=[Role.RECEPTION])


def test_demo_receptionist_of_ha_long_has_no_rights_in_bai_chay():
    demo_officials_ensure()
    user = get_user_model().objects.get(username="tiepnhan.halong")

    assert official_has_role(
        user=user, unit=Unit.objects.get(slug=f"pvhcc-{HA_LONG}"), roles=[Role.RECEPTION]
    )
    for slug in (f"pvhcc-{BAI_CHAY}", f"ubnd-{BAI_CHAY}", f"ubnd-{HA_LONG}", "pvhcc-tinh"):
        assert not official_has_role(user=user, unit=Unit.objects.get(slug=slug), roles=list(Role))
