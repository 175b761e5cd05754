from __future__ import annotations

import pytest

from motcua.org.models import Unit
from motcua.org.tests.conftest import CO_TO, HA_LONG, QuangNinh

pytestmark = pytest.mark.django_db

URL = "/api/v1/units"


def test_list_is_public_and_complete(client, quang_ninh: QuangNinh, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get(URL)

    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == 125
    assert rows[0] == {
        "agency_code": "000.00.00.H49",
        "name": "Ủy ban nhân dân tỉnh Quảng Ninh",
        "short_name": "UBND tỉnh Quảng Ninh",
        "kind": "province_committee",
        "kind_label": "UBND tỉnh",
        "area_code": 22,
        "area_kind": "tinh",
        "area_kind_label": "Tỉnh",
        "parent_agency_code": None,
        "address": "",
    }
    centre = next(row for row in rows if row["agency_code"] == "000.01.36.H49")
    assert centre == {
        "agency_code": "000.01.36.H49",
        "name": "Trung tâm Phục vụ hành chính công phường Hạ Long",
        "short_name": "Trung tâm PVHCC phường Hạ Long",
        "kind": "commune_centre",
        "kind_label": "Trung tâm Phục vụ hành chính công xã, phường, đặc khu",
        "area_code": HA_LONG,
        "area_kind": "phuong",
        "area_kind_label": "Phường",
        "parent_agency_code": "000.00.36.H49",
        "address": "Phường Hạ Long, tỉnh Quảng Ninh",
    }


def test_list_query_count_does_not_grow_with_units(client, quang_ninh: QuangNinh, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert len(client.get(URL, {"kind": "commune_centre"}).json()) == 54


def test_list_filters_by_kind_and_area_kind(client, quang_ninh: QuangNinh):
    zones = client.get(URL, {"kind": "commune_committee", "area_kind": "dac_khu"}).json()
    assert [row["name"] for row in zones] == [
        "Ủy ban nhân dân đặc khu Vân Đồn",
        "Ủy ban nhân dân đặc khu Cô Tô",
    ]
    departments = client.get(URL, {"kind": "department"}).json()
    assert len(departments) == 15
    assert {row["parent_agency_code"] for row in departments} == {"000.00.00.H49"}


@pytest.mark.parametrize("q", ["co to", "Cô Tô", "CÔ TÔ", "đặc khu co to"])
def test_list_search_ignores_accents_and_case(client, quang_ninh: QuangNinh, q: str):
    rows = client.get(URL, {"q": q}).json()
    assert {row["area_code"] for row in rows} == {CO_TO}
    assert len(rows) == 2


def test_list_hides_inactive_units(client, quang_ninh: QuangNinh):
    Unit.objects.filter(slug="so-ngoai-vu").update(is_active=False)
    assert len(client.get(URL).json()) == 124


@pytest.mark.parametrize(("params", "name"), [({"kind": "district"}, "kind"), ({"q": "x" * 201}, "q")])
def test_list_rejects_bad_filters_in_vietnamese(client, quang_ninh: QuangNinh, params, name):
    response = client.get(URL, params)
    assert response.status_code == 400
    assert response.json()["detail"] == f"Tham số không hợp lệ: {name}."


def test_detail_by_agency_code(client, quang_ninh: QuangNinh, django_assert_num_queries):
    with django_assert_num_queries(2):
        response = client.get(f"{URL}/000.01.36.H49")

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Trung tâm Phục vụ hành chính công phường Hạ Long"
    assert body["parent_agency_code"] == "000.00.36.H49"
    assert body["phone"] == body["email"] == ""
    assert [counter["number"] for counter in body["counters"]] == [1, 2, 3, 4, 5]
    assert body["counters"][0]["label"] == "Tư pháp, hộ tịch, chứng thực"


def test_detail_of_a_committee_has_no_counters(client, quang_ninh: QuangNinh):
    body = client.get(f"{URL}/000.00.00.H49").json()
    assert body["kind"] == "province_committee"
    assert body["counters"] == []


@pytest.mark.parametrize("code", ["000.99.99.H49", "khong-co"])
def test_unknown_code_is_404_in_vietnamese(client, quang_ninh: QuangNinh, code: str):
    response = client.get(f"{URL}/{code}")
    assert response.status_code == 404
    assert response.json() == {
        "detail": f"Không tìm thấy đơn vị có mã định danh «{code}».",
        "code": "not_found",
        "errors": {},
        "current_version": None,
    }


def test_inactive_unit_detail_is_404(client, quang_ninh: QuangNinh):
    Unit.objects.filter(agency_code="000.00.12.H49").update(is_active=False)
    assert client.get(f"{URL}/000.00.12.H49").status_code == 404


def test_openapi_documents_both_operations(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/units" in paths
    detail = paths["/api/v1/units/{agency_code}"]["get"]
    # 400, 429 and 503 are the refusals every operation lists (``motcua.api.COMMON_REFUSALS``).
    assert set(detail["responses"]) == {"200", "400", "404", "429", "503"}
