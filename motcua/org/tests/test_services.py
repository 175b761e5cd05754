from __future__ import annotations

import json
import re
import shutil
from collections import Counter as Tally
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, ValidationError
from vietnam_provinces import ProvinceCode, Ward

from motcua.accounts.models import AccountKind
from motcua.org.models import (
    AGENCY_CODE_PATTERN,
    AreaKind,
    Counter,
    Official,
    Role,
    RoleAssignment,
    Unit,
    UnitKind,
)
from motcua.org.reference import data_dir
from motcua.org.selectors import official_has_role
from motcua.org.services import (
    AgencyCodeConflictError,
    official_account_errors,
    official_create,
    role_assignment_grant,
    role_assignment_revoke,
    units_load_quang_ninh,
)
from motcua.org.tests.conftest import BAI_CHAY, CO_TO, HA_LONG, VAN_DON, QuangNinh
from motcua.org.tests.factories import OfficialFactory, UnitFactory

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------------------------------
# units_load_quang_ninh
# --------------------------------------------------------------------------------------------------


def test_load_creates_the_two_tier_province():
    result = units_load_quang_ninh()

    kinds = Tally(Unit.objects.values_list("kind", flat=True))
    assert kinds == {
        UnitKind.PROVINCE_COMMITTEE: 1,
        UnitKind.PROVINCE_CENTRE: 1,
        UnitKind.DEPARTMENT: 15,
        UnitKind.COMMUNE_COMMITTEE: 54,
        UnitKind.COMMUNE_CENTRE: 54,
    }
    assert (result.created, result.updated, result.unchanged) == (125, 0, 0)
    province = Unit.objects.get(kind=UnitKind.PROVINCE_COMMITTEE)
    assert province.parent is None
    assert province.name == "Ủy ban nhân dân tỉnh Quảng Ninh"
    assert province.agency_code == "000.00.00.H49"
    assert province.area_code == 22
    assert set(Unit.objects.exclude(pk=province.pk).filter(parent=None)) == set()


def test_communes_are_quang_ninh_30_wards_22_communes_2_special_zones():
    units_load_quang_ninh()

    committees = Unit.objects.filter(kind=UnitKind.COMMUNE_COMMITTEE)
    assert Tally(committees.values_list("area_kind", flat=True)) == {
        AreaKind.WARD: 30,
        AreaKind.COMMUNE: 22,
        AreaKind.SPECIAL_ZONE: 2,
    }
    zones = committees.filter(area_kind=AreaKind.SPECIAL_ZONE).order_by("area_code")
    assert [unit.name for unit in zones] == [
        "Ủy ban nhân dân đặc khu Vân Đồn",
        "Ủy ban nhân dân đặc khu Cô Tô",
    ]
    assert [unit.area_code for unit in zones] == [VAN_DON, CO_TO]


def test_communes_come_from_the_package_not_from_a_typed_list():
    units_load_quang_ninh()

    package_codes = {int(ward.code) for ward in Ward.iter_by_province(ProvinceCode(22))}
    assert len(package_codes) == 54
    for kind in (UnitKind.COMMUNE_COMMITTEE, UnitKind.COMMUNE_CENTRE):
        assert set(Unit.objects.filter(kind=kind).values_list("area_code", flat=True)) == package_codes


def test_each_commune_centre_hangs_under_its_own_committee():
    units_load_quang_ninh()

    centres = Unit.objects.filter(kind=UnitKind.COMMUNE_CENTRE).select_related("parent")
    for centre in centres:
        assert centre.parent is not None
        assert centre.parent.kind == UnitKind.COMMUNE_COMMITTEE
        assert centre.parent.area_code == centre.area_code
        assert centre.area_kind == centre.parent.area_kind
    province = Unit.objects.get(kind=UnitKind.PROVINCE_COMMITTEE)
    assert set(
        Unit.objects.filter(
            kind__in=[UnitKind.COMMUNE_COMMITTEE, UnitKind.DEPARTMENT, UnitKind.PROVINCE_CENTRE]
        ).values_list("parent_id", flat=True)
    ) == {province.pk}


def test_names_addresses_and_codes_of_a_commune(quang_ninh: QuangNinh):
    committee, centre = quang_ninh.committee(HA_LONG), quang_ninh.centre(HA_LONG)
    assert committee.name == "Ủy ban nhân dân phường Hạ Long"
    assert committee.short_name == "UBND phường Hạ Long"
    assert centre.name == "Trung tâm Phục vụ hành chính công phường Hạ Long"
    assert committee.address == centre.address == "Phường Hạ Long, tỉnh Quảng Ninh"
    # Rule (agency_codes.py): communes ranked by official code from segment 30; Hạ Long is 7th.
    assert committee.agency_code == "000.00.36.H49"
    assert centre.agency_code == "000.01.36.H49"
    assert quang_ninh.committee(CO_TO).agency_code == "000.00.83.H49"
    assert quang_ninh["so-tu-phap"].agency_code == "000.00.03.H49"
    assert quang_ninh.province_centre.agency_code == "000.00.20.H49"


def test_every_code_is_unique_and_well_formed():
    units_load_quang_ninh()

    codes = list(Unit.objects.values_list("agency_code", flat=True))
    assert len(codes) == len(set(codes)) == 125
    assert all(re.match(AGENCY_CODE_PATTERN, code) for code in codes)


def test_departments_come_from_the_committed_data_file():
    units_load_quang_ninh()

    data = json.loads((data_dir() / "departments.json").read_text(encoding="utf-8"))
    assert "xác nhận" in data["note"].lower()
    names = set(Unit.objects.filter(kind=UnitKind.DEPARTMENT).values_list("name", flat=True))
    assert names == {row["name"] for row in data["departments"]}
    assert {"Sở Tư pháp tỉnh Quảng Ninh", "Sở Nông nghiệp và Môi trường tỉnh Quảng Ninh"} <= names


def test_default_counters_for_centres_only(quang_ninh: QuangNinh):
    assert quang_ninh.province_centre.counters.count() == 12
    assert list(quang_ninh.centre(HA_LONG).counters.values_list("number", flat=True)) == [1, 2, 3, 4, 5]
    assert Counter.objects.filter(unit__kind=UnitKind.COMMUNE_CENTRE).count() == 54 * 5
    assert not Counter.objects.exclude(
        unit__kind__in=[UnitKind.COMMUNE_CENTRE, UnitKind.PROVINCE_CENTRE]
    ).exists()


def test_rerun_changes_nothing_and_is_cheap(django_assert_max_num_queries):
    units_load_quang_ninh()
    before = list(Unit.objects.order_by("pk").values())

    with django_assert_max_num_queries(8):
        result = units_load_quang_ninh()

    assert (result.created, result.updated, result.unchanged, result.counters_created) == (0, 0, 125, 0)
    assert result.code_changes == ()
    assert list(Unit.objects.order_by("pk").values()) == before
    assert Counter.objects.count() == 12 + 54 * 5


def test_rerun_restores_a_changed_name_and_its_search_text(quang_ninh: QuangNinh):
    unit = quang_ninh.committee(BAI_CHAY)
    Unit.objects.filter(pk=unit.pk).update(name="Tên cũ", search_text="ten cu")

    result = units_load_quang_ninh()

    unit.refresh_from_db()
    assert result.updated == 1
    assert unit.name == "Ủy ban nhân dân phường Bãi Cháy"
    assert unit.search_text == "uy ban nhan dan phuong bai chay ubnd phuong bai chay 000 00 33 h49"


def test_unit_loader_restamps_the_reference_data_only_on_change(quang_ninh: QuangNinh):
    """Receipt caches units per process; the loader's bulk writes restamp (signals do not fire)."""
    from motcua.core.selectors import reference_data_stamp

    stamp = reference_data_stamp()
    units_load_quang_ninh()
    assert reference_data_stamp() == stamp  # nothing changed: the caches stay warm
    unit = quang_ninh.committee(BAI_CHAY)
    Unit.objects.filter(pk=unit.pk).update(name="Tên cũ")
    units_load_quang_ninh()
    assert reference_data_stamp() != stamp


def test_rerun_puts_a_moved_centre_back_under_its_committee(quang_ninh: QuangNinh):
    centre = quang_ninh.centre(HA_LONG)
    Unit.objects.filter(pk=centre.pk).update(parent=quang_ninh.committee(BAI_CHAY), kind=UnitKind.DEPARTMENT)

    assert units_load_quang_ninh().updated == 1

    centre.refresh_from_db()
    assert (centre.parent_id, centre.kind) == (quang_ninh.committee(HA_LONG).pk, UnitKind.COMMUNE_CENTRE)


def test_rerun_keeps_what_an_administrator_edited(quang_ninh: QuangNinh):
    committee, centre = quang_ninh.committee(HA_LONG), quang_ninh.centre(HA_LONG)
    committee.agency_code, committee.agency_code_manual = "000.07.22.H49", True
    committee.address = "Số 1 đường Thử Nghiệm, phường Hạ Long"
    committee.save()
    centre.counters.exclude(number=1).delete()
    centre.counters.filter(number=1).update(label="Một cửa chung")

    result = units_load_quang_ninh()

    committee.refresh_from_db()
    assert committee.agency_code == "000.07.22.H49"
    assert committee.address == "Số 1 đường Thử Nghiệm, phường Hạ Long"
    assert list(centre.counters.values_list("label", flat=True)) == ["Một cửa chung"]
    assert result.counters_created == 0
    assert result.code_changes == ()


def test_a_new_suffix_rederives_every_code_not_set_by_hand(quang_ninh: QuangNinh, settings):
    manual = quang_ninh.committee(CO_TO)
    manual.agency_code, manual.agency_code_manual = "000.00.99.H49", True
    manual.save()
    settings.MOTCUA_AGENCY_SUFFIX = "h50"

    result = units_load_quang_ninh()

    assert len(result.code_changes) == 124
    assert Unit.objects.get(pk=quang_ninh.province.pk).agency_code == "000.00.00.H50"
    assert Unit.objects.get(pk=quang_ninh.centre(CO_TO).pk).agency_code == "000.01.83.H50"
    assert Unit.objects.get(pk=manual.pk).agency_code == "000.00.99.H49"


def test_shifted_commune_segments_swap_codes_without_a_unique_clash(quang_ninh: QuangNinh, settings):
    # Each commune takes the old code of the next one: only safe because codes are parked first.
    settings.MOTCUA_ORG_AGENCY_CODES = {"COMMUNE_FIRST_SEGMENT": 31}

    result = units_load_quang_ninh()

    assert len(result.code_changes) == 108
    assert Unit.objects.get(pk=quang_ninh.committee(HA_LONG).pk).agency_code == "000.00.37.H49"
    assert not Unit.objects.filter(agency_code__startswith="~").exists()


def test_a_code_owned_by_another_unit_aborts_before_any_write():
    UnitFactory.create(agency_code="000.00.36.H49", slug=None, name="Đơn vị tạo tay")

    with pytest.raises(AgencyCodeConflictError, match=r"000\.00\.36\.H49"):
        units_load_quang_ninh()

    assert Unit.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "suffix", "message"),
    [
        ({}, "H4", "MOTCUA_AGENCY_SUFFIX"),
        ({"COMMUNE_FIRST_SEGMENT": 10}, "H49", "trùng dải mã cấp xã"),
        ({"COMMUNE_FIRST_SEGMENT": 60}, "H49", "Không đủ mã cấp 2"),
        ({"COMMUNE_SEGMENT": 1}, "H49", "khóa không hợp lệ"),
    ],
)
def test_bad_code_settings_fail_loudly(settings, overrides, suffix, message):
    settings.MOTCUA_AGENCY_SUFFIX = suffix
    settings.MOTCUA_ORG_AGENCY_CODES = overrides

    with pytest.raises(ImproperlyConfigured, match=message):
        units_load_quang_ninh()

    assert not Unit.objects.exists()


def test_a_renamed_department_in_the_data_file_is_renamed_in_place(settings, tmp_path: Path):
    units_load_quang_ninh()
    folder = tmp_path / "org"
    shutil.copytree(data_dir(), folder)
    path = folder / "departments.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["departments"][2]["name"] = "Sở Tư pháp tỉnh Quảng Ninh (tên mới)"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    settings.MOTCUA_ORG_DATA_DIR = folder

    result = units_load_quang_ninh()

    assert (result.created, result.updated) == (0, 1)
    assert Unit.objects.get(slug="so-tu-phap").name == "Sở Tư pháp tỉnh Quảng Ninh (tên mới)"


# --------------------------------------------------------------------------------------------------
# Officials and assignments
# --------------------------------------------------------------------------------------------------


def test_official_create_makes_account_profile_and_roles(quang_ninh: QuangNinh):
    official = official_create(
        username="nguyenthilan",
        password="Hoa-ban-trang-2026",
        full_name="  Nguyễn   Thị Lan ",
        title="Công chức tiếp nhận",
        assignments=[(quang_ninh.centre(HA_LONG), Role.RECEPTION)],
    )

    assert official.full_name == "Nguyễn Thị Lan"
    assert official.user.kind == AccountKind.OFFICIAL
    assert official.user.full_name == "Nguyễn Thị Lan"
    assert official.user.check_password("Hoa-ban-trang-2026")
    assert official.user.is_staff is False
    assert list(official.assignments.values_list("unit__slug", "role", "is_active")) == [
        (f"pvhcc-{HA_LONG}", "reception", True)
    ]


def test_official_create_gives_admin_roles_staff_access(quang_ninh: QuangNinh):
    official = official_create(
        username="quantri.moi",
        password="Hoa-ban-trang-2026",
        full_name="Lê Văn Quản",
        assignments=[(quang_ninh.committee(HA_LONG), Role.UNIT_ADMIN)],
    )

    assert official.user.is_staff is True


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"username": "taken"}, "username"),
        ({"username": " "}, "username"),
        ({"password": "12345678"}, "password"),
        ({"full_name": "  "}, "full_name"),
        ({"assignments": "province_admin_at_commune"}, "assignments"),
    ],
)
def test_official_create_refuses_bad_input_and_writes_nothing(quang_ninh: QuangNinh, kwargs, field):
    get_user_model().objects.create_user(username="taken")
    arguments = {
        "username": "moi",
        "password": "Hoa-ban-trang-2026",
        "full_name": "Trần Thị Mới",
        "assignments": [(quang_ninh.centre(HA_LONG), Role.RECEPTION)],
        **kwargs,
    }
    if arguments["assignments"] == "province_admin_at_commune":
        arguments["assignments"] = [(quang_ninh.committee(HA_LONG), Role.PROVINCE_ADMIN)]
    users_before = get_user_model().objects.count()

    with pytest.raises(ValidationError) as caught:
        official_create(**arguments)

    assert field in caught.value.message_dict
    assert get_user_model().objects.count() == users_before
    assert not Official.objects.exists()


def test_official_account_errors():
    get_user_model().objects.create_user(username="taken")

    assert official_account_errors(username="moi", password="Hoa-ban-trang-2026") == {}
    assert official_account_errors(username="taken", password="Hoa-ban-trang-2026") == {
        "username": ["Tên đăng nhập «taken» đã tồn tại."]
    }
    assert official_account_errors(username="", password=None) == {"username": ["Tên đăng nhập là bắt buộc."]}
    weak = official_account_errors(username="moi", password="123")
    assert set(weak) == {"password"}
    assert weak["password"]  # the validators' own messages
    assert official_account_errors(username="moi", password=None) == {}  # password not checked


def test_grant_is_idempotent_and_reactivates(quang_ninh: QuangNinh):
    official = OfficialFactory.create()
    centre = quang_ninh.centre(HA_LONG)

    first = role_assignment_grant(official=official, unit=centre, role=Role.RECEPTION)
    again = role_assignment_grant(official=official, unit=centre, role=Role.RECEPTION)
    assert first.pk == again.pk
    assert role_assignment_revoke(official=official, unit=centre, role=Role.RECEPTION) is True
    assert role_assignment_revoke(official=official, unit=centre, role=Role.RECEPTION) is False
    assert not official_has_role(user=official.user, unit=centre, roles=[Role.RECEPTION])
    role_assignment_grant(official=official, unit=centre, role=Role.RECEPTION)

    assert RoleAssignment.objects.filter(official=official).count() == 1
    assert official_has_role(user=official.user, unit=centre, roles=[Role.RECEPTION])


def test_grant_refreshes_the_cached_scope_of_the_same_user_object(quang_ninh: QuangNinh):
    official = OfficialFactory.create()
    centre = quang_ninh.centre(HA_LONG)
    assert not official_has_role(user=official.user, unit=centre, roles=[Role.RECEPTION])  # cached now

    role_assignment_grant(official=official, unit=centre, role=Role.RECEPTION)

    assert official_has_role(user=official.user, unit=centre, roles=[Role.RECEPTION])


def test_grant_refuses_province_admin_outside_the_province_committee_and_closed_units(quang_ninh: QuangNinh):
    official = OfficialFactory.create()
    closed = quang_ninh.centre(BAI_CHAY)
    closed.is_active = False
    closed.save()

    with pytest.raises(ValidationError, match="chỉ được giao tại UBND tỉnh"):
        role_assignment_grant(official=official, unit=quang_ninh["so-tu-phap"], role=Role.PROVINCE_ADMIN)
    with pytest.raises(ValidationError, match="ngừng hoạt động"):
        role_assignment_grant(official=official, unit=closed, role=Role.RECEPTION)
    assert not RoleAssignment.objects.exists()

    role_assignment_grant(official=official, unit=quang_ninh.province, role=Role.PROVINCE_ADMIN)
    official.user.refresh_from_db()
    assert official.user.is_staff is True
