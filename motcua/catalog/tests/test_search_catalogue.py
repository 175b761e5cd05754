"""Search against the full real catalogue (data/catalog, ~2,400 procedures) imported by the importer.

The catalogue is the shared ``real_catalogue`` (loaded once per test process, see the root conftest).
"""

from __future__ import annotations

import pytest

from motcua.catalog.models import Procedure
from motcua.catalog.search import normalize_query, procedure_search
from motcua.catalog.selectors import procedure_list

pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.usefixtures("real_catalogue")]


@pytest.fixture(autouse=True)
def _no_periodic_check(settings):
    settings.CATALOG_SEARCH_CHECK_SECONDS = 3600


def codes(query: str, n: int = 5, **filters) -> list[str]:
    ids = procedure_search(query=query, limit=n, **filters).ids
    by_id = Procedure.objects.in_bulk(ids)
    return [by_id[i].code for i in ids]


def names(query: str, n: int = 5) -> list[str]:
    ids = procedure_search(query=query, limit=n).ids
    by_id = Procedure.objects.in_bulk(ids)
    return [normalize_query(by_id[i].name) for i in ids]


def test_whole_catalogue_is_indexed():
    assert Procedure.objects.count() > 2_300
    # Everything that applies in Quảng Ninh; procedures of other provinces are never found.
    assert (
        procedure_search(query="").total
        == Procedure.objects.filter(is_active=True, applies_here=True).count()
    )


def test_procedures_of_other_provinces_are_not_found():
    """Issue 8 point 17: Quảng Ninh's search listed "… trên địa bàn tỉnh Thanh Hóa" procedures."""
    elsewhere = Procedure.objects.filter(applies_here=False)
    assert elsewhere.filter(name__contains="tỉnh Thanh Hóa").count() >= 10
    assert elsewhere.filter(name__contains="Thừa Thiên Huế").exists()  # a name from before the 2025 merger
    assert not Procedure.objects.filter(applies_here=False, name__contains="Quảng Ninh").exists()
    found = Procedure.objects.in_bulk(procedure_search(query="Thanh Hóa", limit=50).ids).values()
    assert not [p.name for p in found if "Thanh Hóa" in p.name]
    hits = procedure_search(query="cấp giấy phép sử dụng đê kè bảo vệ đê neo đậu tàu thuyền", limit=20).ids
    assert Procedure.objects.get(code="1.006666").pk not in hits
    # National procedures that only mention provinces in general stay.
    assert Procedure.objects.get(code="1.011467").applies_here is False
    general = Procedure.objects.filter(name__contains="tỉnh, thành phố trực thuộc trung ương")
    assert general.exists()
    assert all(p.applies_here for p in general)


@pytest.mark.parametrize(
    "query",
    [
        "dang ky khai sinh",
        "đăng kí khai sinh",
        "Đăng ký khai sinh",
        "khai sinh",
        "khai snh",
        "dang ki khai sinh",
        "khaisinh",
        "ddawng kys khai sinh",
        "1.001193",
        "001193",
    ],
)
def test_birth_registration_first(query):
    assert codes(query)[0] == "1.001193"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("tam tru", "1.004194"),
        ("dang ki tam tru", "1.004194"),
        ("đăng ký tạm trú", "1.004194"),
        ("1.004194", "1.004194"),
        ("004194", "1.004194"),
        ("1.004194.000.00.00.H49", "1.004194"),
        ("thuong tru", "1.004222"),
        ("dang ky thuong tru", "1.004222"),
        ("ket hon", "1.000894"),
        ("dang ky ket hon", "1.000894"),
        ("ho kinh doanh", "1.001612"),
        ("khai tu", "1.000656"),
        ("ly lich tu phap", "3.000333"),
        ("phieu ly lich tu phap", "3.000333"),
        ("ho chieu", "1.001456"),
        ("tro cap that nghiep", "1.001978"),
        ("chung thuc ban sao", "2.000815"),
        ("an toan thuc pham", "2.000117"),
    ],
)
def test_common_queries(query, expected):
    assert codes(query)[0] == expected


@pytest.mark.parametrize(
    ("query", "phrase"),
    [
        ("giay phep xay dung", "giay phep xay dung"),
        ("can cuoc", "can cuoc"),
        ("bang lai xe", "giay phep lai xe"),
        ("so do", "giay chung nhan quyen su dung dat"),
        ("dang ki kinh doanh", "dang ki"),
        ("ket hon co yeu to nuoc ngoai", "ket hon co yeu to nuoc ngoai"),
    ],
)
def test_top_results_contain_the_phrase(query, phrase):
    assert all(phrase in name for name in names(query, n=2)), names(query, n=2)


def test_household_business_registration():
    # "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh" contains the literal phrase; both belong on top.
    assert set(codes("dang ky ho kinh doanh", n=2)) == {"1.001612", "2.000720"}


def test_building_permit_of_the_commune_centres_is_near_the_top():
    assert "1.013225" in codes("giay phep xay dung", n=10)
    assert codes("cap giay phep xay dung moi cap iii iv nha o rieng le")[0] == "1.013225"


def test_filters_on_real_data():
    commune = procedure_search(query="khai sinh", level="commune", limit=100)
    levels = set(Procedure.objects.filter(pk__in=commune.ids).values_list("level", flat=True))
    assert levels <= {"commune", "both"}
    assert commune.total >= 1
    central = codes("tam tru", n=100, level="central")
    assert "1.004194" not in central  # detailed record says commune
    full = procedure_search(query="", service_level="full_online", limit=100)
    assert set(Procedure.objects.filter(pk__in=full.ids).values_list("service_level", flat=True)) == {
        "full_online"
    }


@pytest.mark.parametrize(
    ("query", "filters"),
    [("dang ky khai sinh", {}), ("dat dai", {"level": "province"}), ("giay phep", {"offset": 100}), ("", {})],
)
def test_page_fetch_keeps_the_search_order(query, filters):
    # Its speed is measured in bench/inprocess_bench.py (search CPU), not asserted here.
    ranked = procedure_search(query=query, limit=20, **filters)
    page = procedure_list(query=query, limit=20, **filters)
    assert ranked.ids
    assert [procedure.pk for procedure in page.items] == ranked.ids
    assert page.total == ranked.total
