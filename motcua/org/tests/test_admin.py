from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from motcua.accounts.models import Account, AccountKind
from motcua.accounts.tests.factories import AccountFactory
from motcua.org.models import Counter, Official, Role, RoleAssignment
from motcua.org.tests.conftest import BAI_CHAY, HA_LONG, QuangNinh
from motcua.org.tests.factories import OfficialFactory, UserFactory

pytestmark = pytest.mark.django_db


def changelist(model: str) -> str:
    return reverse(f"admin:org_{model}_changelist")


def change(model: str, pk: int) -> str:
    return reverse(f"admin:org_{model}_change", args=[pk])


@pytest.fixture
def staff_of_bai_chay(quang_ninh: QuangNinh) -> Official:
    """anh Minh's colleague: an official of Bãi Cháy whom Hạ Long's admin must never see."""
    return OfficialFactory.create(
        full_name="Đào Văn Long", assignments=[(quang_ninh.committee(BAI_CHAY), Role.SPECIALIST)]
    )


@pytest.fixture
def staff_of_ha_long(quang_ninh: QuangNinh) -> Official:
    return OfficialFactory.create(
        full_name="Vũ Văn Hùng", assignments=[(quang_ninh.centre(HA_LONG), Role.RECEPTION)]
    )


def _inline_management(prefix: str = "assignments", total: int = 1, initial: int = 0) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


# --------------------------------------------------------------------------------------------------
# Superuser
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["unit", "counter", "official", "roleassignment"])
def test_superuser_pages_render(client, personas, quang_ninh: QuangNinh, staff_of_ha_long, model):
    client.force_login(personas["ong_tu"])
    assert client.get(changelist(model)).status_code == 200
    assert client.get(reverse(f"admin:org_{model}_add")).status_code == 200
    obj = {
        "unit": quang_ninh.centre(HA_LONG),
        "counter": Counter.objects.first(),
        "official": staff_of_ha_long,
        "roleassignment": RoleAssignment.objects.first(),
    }[model]
    assert client.get(change(model, obj.pk)).status_code == 200


def test_unit_changelist_filters_and_accent_insensitive_search(client, personas, quang_ninh: QuangNinh):
    client.force_login(personas["ong_tu"])
    response = client.get(changelist("unit"), {"q": "bai chay"})
    assert response.status_code == 200
    assert [unit.name for unit in response.context["cl"].result_list] == [
        "Trung tâm Phục vụ hành chính công phường Bãi Cháy",
        "Ủy ban nhân dân phường Bãi Cháy",
    ]
    filtered = client.get(
        changelist("unit"), {"kind__exact": "commune_committee", "area_kind__exact": "dac_khu"}
    )
    assert filtered.context["cl"].result_count == 2


def test_editing_a_code_in_admin_marks_it_manual(client, personas, quang_ninh: QuangNinh):
    from motcua.org.services import units_load_quang_ninh

    unit = quang_ninh["so-tu-phap"]
    client.force_login(personas["ong_tu"])
    form = client.get(change("unit", unit.pk)).context["adminform"].form
    data = {key: value for key, value in form.initial.items() if value is not None}
    data.update({"agency_code": "000.00.93.H49", "parent": quang_ninh.province.pk, "is_active": "on"})
    data.update(_inline_management("counters", total=0))

    response = client.post(change("unit", unit.pk), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    unit.refresh_from_db()
    assert (unit.agency_code, unit.agency_code_manual) == ("000.00.93.H49", True)
    units_load_quang_ninh()
    unit.refresh_from_db()
    assert unit.agency_code == "000.00.93.H49"


def test_malformed_code_is_refused(client, personas, quang_ninh: QuangNinh):
    unit = quang_ninh["so-tu-phap"]
    client.force_login(personas["ong_tu"])
    form = client.get(change("unit", unit.pk)).context["adminform"].form
    data = {key: value for key, value in form.initial.items() if value is not None}
    data.update({"agency_code": "H49-TP", "parent": quang_ninh.province.pk})
    data.update(_inline_management("counters", total=0))

    response = client.post(change("unit", unit.pk), data)

    assert response.status_code == 200
    assert "000.00.00.H49" in str(response.context["adminform"].form.errors["agency_code"])


# --------------------------------------------------------------------------------------------------
# Unit admin of Hạ Long (anh Đức) vs Bãi Cháy
# --------------------------------------------------------------------------------------------------


def test_unit_admin_sees_only_own_officials(client, personas, staff_of_ha_long, staff_of_bai_chay):
    client.force_login(personas["anh_duc"])

    response = client.get(changelist("official"))

    assert response.status_code == 200
    names = {official.full_name for official in response.context["cl"].result_list}
    assert "Vũ Văn Hùng" in names
    assert "Đào Văn Long" not in names
    assert all("Bãi Cháy" not in name for name in names)
    assert "ông Tư, quản trị hệ thống (superuser)" not in names


def test_unit_admin_never_sees_a_superuser_even_one_with_a_role_in_the_unit(
    client, personas, quang_ninh: QuangNinh
):
    superuser = personas["ong_tu"].official
    RoleAssignment.objects.create(official=superuser, unit=quang_ninh.centre(HA_LONG), role=Role.RECEPTION)
    client.force_login(personas["anh_duc"])

    assert superuser not in client.get(changelist("official")).context["cl"].result_list
    assert client.get(change("official", superuser.pk)).status_code == 302
    assignments = client.get(changelist("roleassignment")).context["cl"].result_list
    assert all(assignment.official_id != superuser.pk for assignment in assignments)


def test_unit_admin_cannot_open_another_communes_official(client, personas, staff_of_bai_chay):
    client.force_login(personas["anh_duc"])
    response = client.get(change("official", staff_of_bai_chay.pk))
    assert response.status_code == 302
    assert response.url == reverse("admin:index")


def test_unit_admin_sees_own_units_and_edits_contact_details_only(client, personas, quang_ninh: QuangNinh):
    client.force_login(personas["anh_duc"])
    listed = client.get(changelist("unit")).context["cl"].result_list
    assert {unit.slug for unit in listed} == {f"ubnd-{HA_LONG}", f"pvhcc-{HA_LONG}"}
    assert client.get(reverse("admin:org_unit_add")).status_code == 403
    centre = quang_ninh.centre(HA_LONG)
    page = client.get(change("unit", centre.pk))
    assert page.status_code == 200
    assert set(page.context["adminform"].form.fields) == {"address", "phone", "email"}

    response = client.post(
        change("unit", centre.pk),
        {
            "address": "Số 1 phố Thử Nghiệm, phường Hạ Long",
            "phone": "0203 3800 000",
            "email": "",
            "name": "Tên do quản trị đơn vị sửa",
            "agency_code": "000.00.99.H49",
            **_inline_management("counters", total=0),
        },
    )

    assert response.status_code == 302
    centre.refresh_from_db()
    assert centre.address == "Số 1 phố Thử Nghiệm, phường Hạ Long"
    assert centre.phone == "0203 3800 000"
    assert centre.name == "Trung tâm Phục vụ hành chính công phường Hạ Long"
    assert centre.agency_code == "000.01.36.H49"


def test_unit_admin_cannot_grant_province_admin_nor_roles_elsewhere(
    client, personas, quang_ninh: QuangNinh, staff_of_ha_long
):
    client.force_login(personas["anh_duc"])
    form = client.get(reverse("admin:org_roleassignment_add")).context["adminform"].form
    assert Role.PROVINCE_ADMIN.value not in {value for value, _ in form.fields["role"].choices}
    assert set(form.fields["unit"].queryset.values_list("slug", flat=True)) == {
        f"ubnd-{HA_LONG}",
        f"pvhcc-{HA_LONG}",
    }

    for unit, role in [
        (quang_ninh.centre(BAI_CHAY), Role.RECEPTION),
        (quang_ninh.province, Role.PROVINCE_ADMIN),
        (quang_ninh.committee(HA_LONG), Role.PROVINCE_ADMIN),
    ]:
        response = client.post(
            reverse("admin:org_roleassignment_add"),
            {"official": staff_of_ha_long.pk, "unit": unit.pk, "role": role.value, "is_active": "on"},
        )
        assert response.status_code == 200
        assert response.context["adminform"].form.errors
    assert RoleAssignment.objects.filter(official=staff_of_ha_long).count() == 1

    response = client.post(
        reverse("admin:org_roleassignment_add"),
        {
            "official": staff_of_ha_long.pk,
            "unit": quang_ninh.committee(HA_LONG).pk,
            "role": Role.SPECIALIST.value,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(official=staff_of_ha_long, role=Role.SPECIALIST).exists()


def test_unit_admin_creates_an_official_with_a_role_in_their_unit(client, personas, quang_ninh: QuangNinh):
    client.force_login(personas["anh_duc"])
    data = {
        "username": "tiepnhan2.halong",
        "password1": "Hoa-ban-trang-2026",
        "password2": "Hoa-ban-trang-2026",
        "full_name": "Phạm Thu Hà",
        "title": "Công chức tiếp nhận",
        "phone": "",
        **_inline_management(),
        "assignments-0-unit": str(quang_ninh.centre(HA_LONG).pk),
        "assignments-0-role": Role.RECEPTION.value,
        "assignments-0-is_active": "on",
    }

    response = client.post(reverse("admin:org_official_add"), data)

    assert response.status_code == 302
    official = Official.objects.get(user__username="tiepnhan2.halong")
    assert official.user.check_password("Hoa-ban-trang-2026")
    assert official.user.is_staff is False
    assert list(official.assignments.values_list("role", flat=True)) == ["reception"]


def test_unit_admin_must_give_a_new_official_a_role(client, personas):
    client.force_login(personas["anh_duc"])
    data = {
        "username": "khongvaitro",
        "password1": "Hoa-ban-trang-2026",
        "password2": "Hoa-ban-trang-2026",
        "full_name": "Người Không Vai Trò",
        **_inline_management(total=0),
    }

    response = client.post(reverse("admin:org_official_add"), data)

    assert response.status_code == 200
    assert not get_user_model().objects.filter(username="khongvaitro").exists()


def test_official_add_checks_passwords(client, personas):
    client.force_login(personas["ong_tu"])
    data = {
        "username": "yeu",
        "password1": "123",
        "password2": "123",
        "full_name": "A",
        **_inline_management(0),
    }
    response = client.post(reverse("admin:org_official_add"), data)
    assert response.status_code == 200
    assert "password1" in response.context["adminform"].form.errors


def test_official_add_refuses_a_taken_login_and_different_passwords(client, personas):
    client.force_login(personas["ong_tu"])
    get_user_model().objects.create_user(username="dacoroi")
    data = {
        "username": " dacoroi ",
        "password1": "Hoa-ban-trang-2026",
        "password2": "Hoa-ban-trang-2027",
        "full_name": "A",
        **_inline_management(0),
    }
    response = client.post(reverse("admin:org_official_add"), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["username"] == ["Tên đăng nhập «dacoroi» đã tồn tại."]
    assert errors["password2"] == ["Hai mật khẩu không khớp."]
    assert "password1" not in errors  # two different entries: neither is judged


def test_granting_unit_admin_in_admin_gives_staff_access(
    client, personas, quang_ninh: QuangNinh, staff_of_ha_long
):
    client.force_login(personas["ba_hoa"])
    response = client.post(
        reverse("admin:org_roleassignment_add"),
        {
            "official": staff_of_ha_long.pk,
            "unit": quang_ninh.committee(HA_LONG).pk,
            "role": Role.UNIT_ADMIN.value,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    staff_of_ha_long.user.refresh_from_db()
    assert staff_of_ha_long.user.is_staff is True


def test_unit_admin_cannot_relink_an_account_or_delete(client, personas, staff_of_ha_long):
    client.force_login(personas["anh_duc"])
    form = client.get(change("official", staff_of_ha_long.pk)).context["adminform"].form
    assert "user" not in form.fields
    delete = reverse("admin:org_official_delete", args=[staff_of_ha_long.pk])
    assert client.get(delete).status_code == 403


# --------------------------------------------------------------------------------------------------
# Province admin and others
# --------------------------------------------------------------------------------------------------


def test_province_admin_sees_every_commune(client, personas, staff_of_ha_long, staff_of_bai_chay):
    client.force_login(personas["ba_hoa"])
    names = {o.full_name for o in client.get(changelist("official")).context["cl"].result_list}
    assert {"Vũ Văn Hùng", "Đào Văn Long"} <= names
    assert client.get(changelist("unit")).context["cl"].result_count == 125
    form = client.get(reverse("admin:org_roleassignment_add")).context["adminform"].form
    assert Role.PROVINCE_ADMIN.value in {value for value, _ in form.fields["role"].choices}


def test_staff_without_an_admin_role_gets_nothing(client, personas):
    user = UserFactory.create(is_staff=True)
    client.force_login(user)
    for model in ("unit", "counter", "official", "roleassignment"):
        assert client.get(changelist(model)).status_code == 403
    index = client.get(reverse("admin:index"))
    assert "org" not in {app["app_label"] for app in index.context["app_list"]}


def test_reception_officer_is_not_an_admin(client, personas):
    # chị Lan has no is_staff: the admin turns her away at the door.
    client.force_login(personas["chi_lan"])
    response = client.get(changelist("official"))
    assert response.status_code == 302
    assert reverse("admin:login") in response.url


def test_unit_admin_counter_admin_is_scoped(client, personas, quang_ninh: QuangNinh):
    client.force_login(personas["anh_duc"])
    listed = client.get(changelist("counter")).context["cl"].result_list
    assert {counter.unit_id for counter in listed} == {quang_ninh.centre(HA_LONG).pk}
    other = Counter.objects.filter(unit=quang_ninh.centre(BAI_CHAY)).first()
    assert other is not None
    assert client.get(change("counter", other.pk)).status_code == 302


# --------------------------------------------------------------------------------------------------
# Accounts (accounts.admin.AccountAdmin, registered here with the province admin's read access)
# --------------------------------------------------------------------------------------------------


@pytest.fixture
def citizen():
    return AccountFactory.create(citizen=True, full_name="Nguyễn Văn Công Dân")


def test_province_admin_looks_accounts_up_by_kind_and_number(client, personas, citizen):
    company = AccountFactory.create(
        organisation=True, tax_code="5700100256", full_name="Công ty Than Hạ Long"
    )
    client.force_login(personas["ba_hoa"])
    url = reverse("admin:accounts_account_changelist")
    page = client.get(url)
    assert page.status_code == 200
    assert "Nguyễn Văn Công Dân" in page.content.decode()
    by_kind = client.get(url, {"kind__exact": AccountKind.CITIZEN}).content.decode()
    assert citizen.personal_id in by_kind
    assert "Công ty Than Hạ Long" not in by_kind
    by_tax_code = client.get(url, {"q": "5700100256"}).content.decode()
    assert "Công ty Than Hạ Long" in by_tax_code
    assert "Nguyễn Văn Công Dân" not in by_tax_code
    assert client.get(reverse("admin:accounts_account_change", args=[company.pk])).status_code == 200


def test_province_admin_reads_accounts_but_does_not_change_them(client, personas, citizen):
    client.force_login(personas["ba_hoa"])
    assert client.get(reverse("admin:accounts_account_add")).status_code == 403
    response = client.post(
        reverse("admin:accounts_account_change", args=[citizen.pk]),
        {
            "username": citizen.username,
            "kind": AccountKind.CITIZEN,
            "full_name": "Đổi tên",
            "is_superuser": "on",
        },
    )
    assert response.status_code == 403
    citizen.refresh_from_db()
    assert citizen.full_name == "Nguyễn Văn Công Dân"
    assert not citizen.is_superuser


def test_unit_admin_does_not_see_accounts(client, personas, citizen):
    client.force_login(personas["anh_duc"])
    assert client.get(reverse("admin:accounts_account_changelist")).status_code == 403


def test_superuser_creates_a_citizen_account_and_the_constraint_speaks_vietnamese(client, personas):
    client.force_login(personas["ong_tu"])
    assert client.get(reverse("admin:accounts_account_add")).status_code == 200
    form = {
        "username": "congdan1",
        "kind": AccountKind.CITIZEN,
        "full_name": "Lê Văn Tư",
        "usable_password": "false",
    }
    refused = client.post(reverse("admin:accounts_account_add"), form)
    assert refused.status_code == 200
    assert "Tài khoản công dân phải có số định danh cá nhân." in refused.content.decode()
    assert not Account.objects.filter(username="congdan1").exists()
    bad_province = client.post(reverse("admin:accounts_account_add"), {**form, "personal_id": "003090001234"})
    assert bad_province.status_code == 200
    assert "«003» không phải mã tỉnh" in bad_province.content.decode()
    assert not Account.objects.filter(username="congdan1").exists()
    created = client.post(reverse("admin:accounts_account_add"), {**form, "personal_id": "022090001234"})
    assert created.status_code == 302
    assert Account.objects.get(username="congdan1").personal_id == "022090001234"


def test_official_admin_keeps_the_account_name_in_step(client, personas, staff_of_ha_long):
    client.force_login(personas["ong_tu"])
    response = client.post(
        change("official", staff_of_ha_long.pk),
        {
            "user": staff_of_ha_long.user_id,
            "full_name": "Vũ Văn Hùng Anh",
            "title": "",
            "phone": "",
            **_inline_management(initial=0, total=0),
        },
    )
    assert response.status_code == 302
    staff_of_ha_long.user.refresh_from_db()
    assert staff_of_ha_long.user.full_name == "Vũ Văn Hùng Anh"
