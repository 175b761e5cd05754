from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from motcua.org.models import AreaKind, Role, Unit, UnitKind
from motcua.org.selectors import (
    official_has_role,
    official_managed_units,
    official_manages_province,
    official_roles,
    official_units,
    unit_counters,
    unit_get,
    unit_list,
    unit_search,
)
from motcua.org.tests.conftest import BAI_CHAY, CO_TO, HA_LONG, QuangNinh
from motcua.org.tests.factories import OfficialFactory, UnitFactory

pytestmark = pytest.mark.django_db

ALL_ROLES = list(Role)

# --------------------------------------------------------------------------------------------------
# Permission matrix: persona × unit → the roles the persona holds there. Everything not listed is empty.
# --------------------------------------------------------------------------------------------------

HL_CENTRE, HL_COMMITTEE = f"pvhcc-{HA_LONG}", f"ubnd-{HA_LONG}"
BC_CENTRE, BC_COMMITTEE = f"pvhcc-{BAI_CHAY}", f"ubnd-{BAI_CHAY}"
CT_CENTRE = f"pvhcc-{CO_TO}"
MATRIX_UNITS = [
    "ubnd-tinh",
    "pvhcc-tinh",
    "so-tu-phap",
    "so-nong-nghiep-moi-truong",
    HL_COMMITTEE,
    HL_CENTRE,
    BC_COMMITTEE,
    BC_CENTRE,
    CT_CENTRE,
]
EXPECTED: dict[str, dict[str, set[Role]]] = {
    # Her own centre only: not the committee above it, not the neighbouring ward.
    "chi_lan": {HL_CENTRE: {Role.RECEPTION}},
    "anh_minh": {BC_CENTRE: {Role.RECEPTION}},
    # A committee role reaches the committee's own centre, nothing else.
    "ong_cuong": {HL_COMMITTEE: {Role.LEADER}, HL_CENTRE: {Role.LEADER}},
    "anh_duc": {HL_COMMITTEE: {Role.UNIT_ADMIN}, HL_CENTRE: {Role.UNIT_ADMIN}},
    # Same at the province: UBND tỉnh reaches its centre, not the departments or communes under it.
    "ong_thang": {"ubnd-tinh": {Role.LEADER}, "pvhcc-tinh": {Role.LEADER}},
    # A department does not reach the provincial centre.
    "chi_mai": {"so-tu-phap": {Role.SPECIALIST}},
    "co_ngoc": {"pvhcc-tinh": {Role.RECEPTION}},
    # Province-wide roles at UBND tỉnh reach every unit, but only as themselves.
    "ba_hoa": {unit: {Role.PROVINCE_ADMIN} for unit in MATRIX_UNITS},
    "anh_tuan": {unit: {Role.REPORT_VIEWER} for unit in MATRIX_UNITS},
    # A report viewer held at a commune stays in that commune.
    "chi_thao": {BC_COMMITTEE: {Role.REPORT_VIEWER}, BC_CENTRE: {Role.REPORT_VIEWER}},
    "anh_son": {},  # account disabled
    "chi_ha": {},  # assignment revoked
    "khach": {},
    "ong_tu": {unit: set(Role) for unit in MATRIX_UNITS},  # superuser
}


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_permission_matrix(personas, quang_ninh: QuangNinh, persona: str):
    user = personas[persona]
    for slug in MATRIX_UNITS:
        unit = quang_ninh[slug]
        expected = EXPECTED[persona].get(slug, set())
        assert official_roles(user=user, unit=unit) == expected, (persona, slug)
        for role in Role:
            assert official_has_role(user=user, unit=unit, roles=[role]) == (role in expected), (
                persona,
                slug,
                role,
            )


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_sql_scope_agrees_with_python_scope_on_every_unit(personas, persona: str):
    user = personas[persona]
    units = list(Unit.objects.filter(is_active=True))
    for roles in (None, [Role.RECEPTION], [Role.LEADER, Role.REPORT_VIEWER], [Role.PROVINCE_ADMIN]):
        wanted = ALL_ROLES if roles is None else roles
        from_sql = set(official_units(user=user, roles=roles).values_list("pk", flat=True))
        from_python = {unit.pk for unit in units if official_has_role(user=user, unit=unit, roles=wanted)}
        assert from_sql == from_python, roles


def test_an_official_of_commune_a_has_no_rights_anywhere_in_commune_b(personas, quang_ninh: QuangNinh):
    lan = personas["chi_lan"]
    commune_b = Unit.objects.filter(area_code=BAI_CHAY)
    assert commune_b.count() == 2
    assert not official_units(user=lan).filter(pk__in=commune_b).exists()
    assert list(official_units(user=lan)) == [quang_ninh.centre(HA_LONG)]


def test_centre_role_does_not_reach_up_to_the_committee(personas, quang_ninh: QuangNinh):
    assert not official_has_role(
        user=personas["chi_lan"], unit=quang_ninh.committee(HA_LONG), roles=ALL_ROLES
    )


def test_province_wide_roles_reach_all_125_units(personas):
    assert official_units(user=personas["anh_tuan"]).count() == 125
    assert official_units(user=personas["anh_tuan"], roles=[Role.RECEPTION]).count() == 0
    assert official_units(user=personas["ong_tu"], roles=[Role.RECEPTION]).count() == 125


def test_anonymous_user_has_nothing(quang_ninh: QuangNinh):
    anonymous = AnonymousUser()
    assert not official_units(user=anonymous).exists()
    assert official_roles(user=anonymous, unit=quang_ninh.province) == frozenset()


def test_inactive_units_give_and_receive_no_rights(personas, quang_ninh: QuangNinh):
    centre = quang_ninh.centre(HA_LONG)
    Unit.objects.filter(pk=centre.pk).update(is_active=False)
    centre.refresh_from_db()
    lan, cuong = personas["chi_lan"], personas["ong_cuong"]

    assert not official_has_role(user=lan, unit=centre, roles=ALL_ROLES)
    assert not official_units(user=lan).exists()
    assert not official_units(user=cuong).filter(pk=centre.pk).exists()
    Unit.objects.filter(pk=quang_ninh.committee(HA_LONG).pk).update(is_active=False)
    assert not official_units(user=personas["ong_cuong"]).exists()


def test_official_units_is_one_lazy_query(personas, django_assert_num_queries):
    with django_assert_num_queries(0):
        units = official_units(user=personas["ong_cuong"], roles=[Role.LEADER])
    with django_assert_num_queries(1):
        assert len(list(units)) == 2


def test_official_units_composes_as_a_subquery(personas, django_assert_num_queries):
    with django_assert_num_queries(1):
        names = list(
            Unit.objects.filter(parent__in=official_units(user=personas["ong_cuong"])).values_list(
                "name", flat=True
            )
        )
    assert names == ["Trung tâm Phục vụ hành chính công phường Hạ Long"]


def test_role_checks_cost_one_query_per_user_object(personas, django_assert_num_queries):
    units = list(Unit.objects.all())
    user = personas["ong_cuong"]
    with django_assert_num_queries(1):
        allowed = [unit for unit in units if official_has_role(user=user, unit=unit, roles=[Role.LEADER])]
        official_roles(user=user, unit=units[0])
    assert len(allowed) == 2


def test_role_strings_are_accepted_and_bad_ones_rejected(personas, quang_ninh: QuangNinh):
    unit = quang_ninh.centre(HA_LONG)
    assert official_has_role(user=personas["chi_lan"], unit=unit, roles=["reception"])
    with pytest.raises(ValueError, match="tiep_nhan"):
        official_has_role(user=personas["chi_lan"], unit=unit, roles=["tiep_nhan"])


def test_province_management(personas):
    assert official_manages_province(user=personas["ba_hoa"])
    assert official_manages_province(user=personas["ong_tu"])
    assert not official_manages_province(user=personas["anh_tuan"])
    assert not official_manages_province(user=personas["anh_duc"])
    managed = official_managed_units(user=personas["anh_duc"]).values_list("slug", flat=True)
    assert set(managed) == {HL_COMMITTEE, HL_CENTRE}


# --------------------------------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------------------------------


def test_unit_list_puts_the_province_first_and_filters(quang_ninh: QuangNinh):
    units = list(unit_list())
    assert len(units) == 125
    assert [unit.kind for unit in units[:2]] == [UnitKind.PROVINCE_COMMITTEE, UnitKind.PROVINCE_CENTRE]
    assert units[2].name == "Văn phòng Ủy ban nhân dân tỉnh Quảng Ninh"
    assert unit_list(kind=UnitKind.COMMUNE_CENTRE).count() == 54
    assert unit_list(kind=UnitKind.COMMUNE_COMMITTEE, area_kind=AreaKind.SPECIAL_ZONE).count() == 2


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("ha long", {"Ủy ban nhân dân phường Hạ Long", "Trung tâm Phục vụ hành chính công phường Hạ Long"}),
        ("HẠ LONG ubnd", {"Ủy ban nhân dân phường Hạ Long"}),
        (
            "đặc khu cô tô",
            {"Ủy ban nhân dân đặc khu Cô Tô", "Trung tâm Phục vụ hành chính công đặc khu Cô Tô"},
        ),
        ("tu phap", {"Sở Tư pháp tỉnh Quảng Ninh"}),
        ("000.00.03", {"Sở Tư pháp tỉnh Quảng Ninh"}),
        ("không có đơn vị này", set()),
    ],
)
def test_unit_list_search_is_accent_insensitive(quang_ninh: QuangNinh, q: str, expected: set[str]):
    assert {unit.name for unit in unit_list(q=q)} == expected


def test_unit_search_narrows_any_unit_queryset(quang_ninh: QuangNinh):
    committees = Unit.objects.filter(kind=UnitKind.COMMUNE_COMMITTEE)
    assert {unit.name for unit in unit_search(committees, "ha long")} == {"Ủy ban nhân dân phường Hạ Long"}
    assert unit_search(committees, "  ").count() == committees.count()  # no word: everything
    assert unit_search(committees, None).count() == committees.count()
    assert unit_search(committees, "--").count() == committees.count()


def test_unit_list_hides_inactive_units_unless_asked(quang_ninh: QuangNinh):
    Unit.objects.filter(slug="so-ngoai-vu").update(is_active=False)
    assert not unit_list(q="ngoai vu").exists()
    assert unit_list(q="ngoai vu", include_inactive=True).count() == 1


def test_unit_get(quang_ninh: QuangNinh):
    unit = unit_get(agency_code=" 000.00.36.H49 ")
    assert unit is not None
    assert unit.name == "Ủy ban nhân dân phường Hạ Long"
    assert unit_get(slug=f"pvhcc-{HA_LONG}") == quang_ninh.centre(HA_LONG)
    assert unit_get(agency_code="000.99.99.H49") is None
    with pytest.raises(TypeError):
        unit_get()


def test_unit_counters_lists_active_counters_in_order(quang_ninh: QuangNinh):
    centre = quang_ninh.centre(CO_TO)
    centre.counters.filter(number=2).update(is_active=False)
    assert list(unit_counters(unit=centre).values_list("number", flat=True)) == [1, 3, 4, 5]
    assert unit_counters(unit=centre, include_inactive=True).count() == 5


def test_factories_build_a_commune_centre_with_its_committee():
    centre = UnitFactory.create(commune_centre=True)
    official = OfficialFactory.create(assignments=[(centre.parent, Role.LEADER)])

    assert centre.parent.kind == UnitKind.COMMUNE_COMMITTEE
    assert centre.area_code == centre.parent.area_code
    assert official_has_role(user=official.user, unit=centre, roles=[Role.LEADER])
    assert not official.user.has_usable_password()
