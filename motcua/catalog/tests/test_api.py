from __future__ import annotations

import pytest

from motcua.catalog.models import Procedure
from motcua.catalog.search import index_invalidate, procedure_search
from motcua.catalog.tests.factories import ProcedureFactory, detailed_procedure, realistic_catalogue

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/procedures"


@pytest.fixture(autouse=True)
def _fresh_index(settings):
    settings.CATALOG_SEARCH_CHECK_SECONDS = 3600
    index_invalidate()
    yield
    index_invalidate()


@pytest.fixture
def catalogue() -> dict[str, Procedure]:
    return realistic_catalogue()


def test_list_shape(client, catalogue):
    response = client.get(LIST_URL, {"q": "dang ki khai sinh"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"total", "page", "page_size", "items"}
    assert body["page"] == 1
    assert body["page_size"] == 20
    assert body["total"] == procedure_search(query="dang ki khai sinh").total
    first = body["items"][0]
    assert set(first) == {
        "code",
        "name",
        "field",
        "level",
        "service_level",
        "processing_time",
        "popularity",
        "url",
    }
    assert first["code"] == "1.001193"
    assert first["name"] == "Thủ tục đăng ký khai sinh"
    assert first["field"]["name"] == "Hộ tịch"
    assert set(first["field"]) == {"id", "code", "name"}
    assert first["level"] == "commune"
    assert first["service_level"] is None
    assert first["processing_time"] is None
    assert first["popularity"] == 17_610
    assert first["url"] == "/thu-tuc/1.001193/"


def test_list_processing_time(client):
    detailed_procedure()
    item = client.get(LIST_URL, {"q": "1.999001"}).json()["items"][0]
    assert item["processing_time"] == {
        "amount": 3.0,
        "unit": "working_days",
        "text": "03 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ",
    }


def test_list_empty_query_is_popularity_order(client, catalogue):
    body = client.get(LIST_URL).json()
    assert body["total"] == len(catalogue)
    assert [i["code"] for i in body["items"][:3]] == ["1.004194", "1.004222", "1.012575"]


def test_list_filters(client, catalogue):
    field = catalogue["1.004194"].field
    by_code = client.get(LIST_URL, {"field": field.code}).json()
    by_id = client.get(LIST_URL, {"field": str(field.pk)}).json()
    assert by_code == by_id
    assert {i["code"] for i in by_code["items"]} == {"1.004194", "1.002755", "1.010028", "1.004222"}
    commune = client.get(LIST_URL, {"q": "tam tru", "level": "commune"}).json()
    assert [i["code"] for i in commune["items"]] == ["1.004194"]
    for value in ("partial", "partial_online"):
        body = client.get(LIST_URL, {"online": value}).json()
        assert {i["code"] for i in body["items"]} == {"1.004222", "1.003460"}
    full = client.get(LIST_URL, {"online": "full_online", "level": "central"}).json()
    assert all(i["service_level"] == "full_online" for i in full["items"])
    assert full["total"] > 0


def test_list_pagination(client, catalogue):
    for n in range(25):
        ProcedureFactory(name=f"Cấp phép khai thác thử {n}", popularity=n)
    index_invalidate()
    page1 = client.get(LIST_URL, {"q": "khai thac"}).json()
    page2 = client.get(LIST_URL, {"q": "khai thac", "page": 2}).json()
    assert page1["total"] == page2["total"] == 25
    assert len(page1["items"]) == 20
    assert len(page2["items"]) == 5
    assert page2["page"] == 2
    assert not {i["code"] for i in page1["items"]} & {i["code"] for i in page2["items"]}


def test_list_no_results_is_an_empty_first_page(client, catalogue):
    body = client.get(LIST_URL, {"q": "qqqq zzzz"}).json()
    assert body == {"total": 0, "page": 1, "page_size": 20, "items": []}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"level": "galaxy"}, "Cấp thực hiện không hợp lệ"),
        ({"online": "maybe"}, "Mức độ trực tuyến không hợp lệ"),
        ({"page": 0}, "Số trang phải từ 1 trở lên"),
        ({"page": -3}, "Số trang phải từ 1 trở lên"),
        ({"page": 99}, "vượt quá số trang"),
        ({"page": "abc"}, "Tham số không hợp lệ: page"),
        ({"q": "x" * 201}, "dài quá 200 ký tự"),
        ({"field": "khong-co"}, "Không có lĩnh vực"),
        ({"field": "999999"}, "Không có lĩnh vực"),
    ],
)
def test_list_bad_input_is_400_in_vietnamese(client, catalogue, params, message):
    response = client.get(LIST_URL, params)
    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_list_query_count(client, catalogue, django_assert_num_queries):
    procedure_search(query="")  # build the index outside the measured block
    with django_assert_num_queries(1):
        assert client.get(LIST_URL, {"q": "dang ky"}).status_code == 200
    with django_assert_num_queries(1):
        client.get(LIST_URL, {"level": "commune", "online": "full", "page": 1})
    with django_assert_num_queries(2):  # + the field lookup
        client.get(LIST_URL, {"field": catalogue["1.004194"].field.code})


def test_detail(client):
    detailed_procedure()
    response = client.get(f"{LIST_URL}/1.999001")
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == "1.999001"
    assert body["level"] == "commune"
    assert body["level_label"] == "Cấp xã"
    assert body["service_level"] == "full_online"
    assert body["service_level_label"] == "Toàn trình"
    assert body["audience"] == ["citizen"]
    assert body["competent_authority"] == "Ủy ban nhân dân cấp xã"
    assert body["steps"] == ["Nộp hồ sơ", "Thẩm tra hồ sơ", "Trả kết quả"]
    assert body["legal_basis"] == ["Luật Hộ tịch 2014"]
    assert [d["name"] for d in body["documents"]] == ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"]
    assert body["documents"][0]["form_template"] == "Mẫu TK-01"
    assert body["documents"][1]["required"] is False
    assert [(f["amount_vnd"], f["amount_text"]) for f in body["fees"]] == [
        (50_000, "50.000 đồng"),
        (0, "Miễn phí"),
        (None, "Chưa công bố"),
    ]
    process = body["process"]
    assert process["version"] == 2
    assert process["source"] == "data"
    assert process["total"] == {"amount": 3.0, "unit": "working_days"}
    assert [s["name"] for s in process["steps"]] == ["Tiếp nhận hồ sơ", "Thẩm định", "Trả kết quả"]
    assert process["steps"][1]["actor_role"] == "specialist"
    assert process["steps"][2]["duration"] == {"amount": 0.5, "unit": "working_days"}
    assert body["versions_count"] == 2
    assert body["url"] == "/thu-tuc/1.999001/"
    assert body["is_active"] is True


def test_detail_without_details(client, catalogue):
    body = client.get(f"{LIST_URL}/1.002755").json()
    assert body["documents"] == []
    assert body["fees"] == []
    assert body["process"] is None
    assert body["versions_count"] == 0


def test_detail_query_count(client, django_assert_num_queries):
    detailed_procedure()
    with django_assert_num_queries(5):
        client.get(f"{LIST_URL}/1.999001")


def test_detail_unknown_is_404_in_vietnamese(client, catalogue):
    response = client.get(f"{LIST_URL}/9.999999")
    assert response.status_code == 404
    assert response.json() == {
        "detail": "Không tìm thấy thủ tục có mã “9.999999”.",
        "code": "not_found",
        "errors": {},
        "current_version": None,
    }


def test_openapi_documents_both_endpoints(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/procedures" in schema["paths"]
    assert "/api/v1/procedures/{code}" in schema["paths"]
