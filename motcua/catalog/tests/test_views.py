from __future__ import annotations

import re

import pytest
from django.urls import reverse

from motcua.catalog.models import Procedure
from motcua.catalog.search import index_invalidate, procedure_search
from motcua.catalog.tests.factories import ProcedureFactory, detailed_procedure, realistic_catalogue

pytestmark = pytest.mark.django_db

SEARCH_URL = "/thu-tuc/"


@pytest.fixture(autouse=True)
def _fresh_index(settings):
    settings.CATALOG_SEARCH_CHECK_SECONDS = 3600
    index_invalidate()
    yield
    index_invalidate()


@pytest.fixture
def catalogue() -> dict[str, Procedure]:
    return realistic_catalogue()


def result_codes(html: str) -> list[str]:
    return re.findall(r'href="/thu-tuc/([0-9.]+)/"', html.split('id="result-count"', 1)[1])


# ---- home -----------------------------------------------------------------------------------------


def test_routes():
    assert reverse("catalog:home") == "/"
    assert reverse("catalog:procedure_search") == SEARCH_URL
    assert reverse("catalog:procedure_detail", args=["1.001193"]) == "/thu-tuc/1.001193/"


def test_home(client, catalogue):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Hệ thống thông tin giải quyết TTHC tỉnh Quảng Ninh" in html
    assert '<html lang="vi">' in html
    assert 'class="skip-link" href="#main"' in html
    assert '<main id="main"' in html
    assert 'action="/thu-tuc/"' in html
    assert 'name="q"' in html
    assert '<label for="home-q"' in html
    # Most popular procedures first.
    assert html.index("/thu-tuc/1.004194/") < html.index("/thu-tuc/1.004222/")
    assert "Đăng ký, quản lý cư trú" in html  # field chips
    assert "/static/vendor/htmx.min.js" in html
    assert "/static/css/app.css" in html


def test_home_empty_catalogue(client):
    response = client.get("/")
    assert response.status_code == 200


# ---- search page ----------------------------------------------------------------------------------


def test_search_full_page(client, catalogue):
    response = client.get(SEARCH_URL, {"q": "dang ki khai sinh"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html
    assert 'id="search-form"' in html
    assert 'hx-get="/thu-tuc/"' in html
    assert 'hx-push-url="true"' in html
    # Back button: htmx asks the server for the full page instead of restoring a stale snapshot.
    assert 'hx-history="false"' in html
    assert result_codes(html)[0] == "1.001193"
    assert "Tìm thấy" in html
    assert response["Vary"]
    assert "HX-Request" in response["Vary"]


def test_search_htmx_returns_partial(client, catalogue):
    response = client.get(SEARCH_URL, {"q": "khai sinh"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="search-form"' not in html
    assert 'id="result-count"' in html
    assert 'aria-live="polite"' in html
    assert result_codes(html)[0] == "1.001193"


def test_search_htmx_history_restore_gets_full_page(client, catalogue):
    response = client.get(
        SEARCH_URL, {"q": "khai sinh"}, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in response.content.decode()


def test_search_empty_query_lists_all_by_popularity(client, catalogue):
    html = client.get(SEARCH_URL).content.decode()
    assert result_codes(html)[:2] == ["1.004194", "1.004222"]
    assert f"Tìm thấy {len(catalogue)} thủ tục" in html


def test_search_filters(client, catalogue):
    field = catalogue["1.004194"].field
    html = client.get(SEARCH_URL, {"field": field.code}).content.decode()
    assert set(result_codes(html)) == {"1.004194", "1.002755", "1.010028", "1.004222"}
    html = client.get(SEARCH_URL, {"field": str(field.pk), "level": "commune"}).content.decode()
    assert set(result_codes(html)) == {"1.004194", "1.004222"}
    html = client.get(SEARCH_URL, {"online": "partial"}).content.decode()
    assert set(result_codes(html)) == {"1.004222", "1.003460"}
    html = client.get(SEARCH_URL, {"q": "tam tru", "online": "full"}).content.decode()
    assert result_codes(html)[0] == "1.004194"
    assert "1.003460" not in result_codes(html)
    # The selected filters are kept in the form.
    assert '<option value="full" selected>' in html


def test_search_invalid_filters_are_reported_and_ignored(client, catalogue):
    response = client.get(SEARCH_URL, {"q": "khai sinh", "field": "khong-co", "level": "galaxy"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Không có lĩnh vực này." in html
    assert "Cấp thực hiện không hợp lệ" in html
    assert result_codes(html)[0] == "1.001193"


def test_search_too_long_query_is_reported(client, catalogue):
    html = client.get(SEARCH_URL, {"q": "khai sinh " * 30}).content.decode()
    assert 'aria-invalid="true"' in html
    assert "Từ khóa tìm kiếm dài quá 200 ký tự." in html  # the project's "ký tự", as in the API
    assert "kí tự" not in html


def test_search_no_results(client, catalogue):
    html = client.get(SEARCH_URL, {"q": "qqqq zzzz"}).content.decode()
    assert "Không tìm thấy thủ tục phù hợp." in html
    assert result_codes(html) == []


def test_search_pagination(client, catalogue):
    for n in range(45):
        ProcedureFactory(name=f"Cấp giấy phép khai thác thử nghiệm {n}", popularity=n)
    index_invalidate()
    total = procedure_search(query="khai thac").total
    assert total == 45
    html = client.get(SEARCH_URL, {"q": "khai thac"}).content.decode()
    assert len(result_codes(html)) == 20
    assert "trang 1/3" in html
    assert 'href="?q=khai+thac&amp;page=2"' in html
    assert 'rel="next"' in html
    assert 'hx-get="?q=khai+thac&amp;page=2"' in html
    page3 = client.get(SEARCH_URL, {"q": "khai thac", "page": 3}, HTTP_HX_REQUEST="true").content.decode()
    assert len(result_codes(page3)) == 5
    assert 'aria-current="page"><span class="visually-hidden">Trang </span>3' in page3
    assert 'start="41"' in page3
    # A page past the end shows the last page rather than nothing.
    beyond = client.get(SEARCH_URL, {"q": "khai thac", "page": 99}).content.decode()
    assert result_codes(beyond) == result_codes(page3)


def test_search_query_count_is_constant(client, catalogue, django_assert_num_queries):
    procedure_search(query="")  # build the index outside the measured block
    # page of procedures (+ field) · field list for the filter
    with django_assert_num_queries(2):
        client.get(SEARCH_URL, {"q": "dang ky", "level": "commune"})
    with django_assert_num_queries(2):
        client.get(SEARCH_URL)
    # The htmx partial has no filter form: only the page of procedures.
    with django_assert_num_queries(1):
        client.get(SEARCH_URL, {"q": "khai sinh"}, HTTP_HX_REQUEST="true")
    # + the field lookup of the filter
    with django_assert_num_queries(3):
        client.get(SEARCH_URL, {"field": catalogue["1.004194"].field.code})


# ---- detail page ----------------------------------------------------------------------------------


def test_detail(client):
    detailed_procedure()
    response = client.get("/thu-tuc/1.999001/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" in html
    assert "Đăng ký khai sinh thử nghiệm" in html
    assert "1.999001" in html
    assert "Hộ tịch" in html
    assert "Cấp xã" in html
    assert "Toàn trình" in html
    assert "3 ngày làm việc" in html
    assert "03 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ" in html
    assert "Ủy ban nhân dân cấp xã" in html
    assert "Trung tâm Phục vụ hành chính công xã, phường, đặc khu" in html
    assert "Trực tuyến toàn trình" in html
    assert "Tờ khai đăng ký khai sinh" in html
    assert "Mẫu TK-01" in html
    assert "1 bản chính" in html
    assert "Tùy trường hợp" in html  # the optional document
    assert "50.000 đồng" in html
    assert "Miễn phí" in html
    assert "Chưa công bố" in html
    assert "Thẩm tra hồ sơ" in html  # steps
    assert "Quy trình nội bộ" in html
    assert "Công chức tư pháp - hộ tịch" in html
    assert "0,5 ngày làm việc" in html
    assert "Bước cũ" not in html  # only the current process
    assert "Giấy khai sinh" in html
    assert "Luật Hộ tịch 2014" in html
    assert 'aria-current="page">1.999001' in html


def test_detail_query_count(client, django_assert_num_queries):
    detailed_procedure()
    with django_assert_num_queries(5):
        client.get("/thu-tuc/1.999001/")


def test_detail_name_only_procedure(client, catalogue):
    html = client.get("/thu-tuc/1.002755/").content.decode()
    assert "Gia hạn tạm trú" in html
    assert "Thành phần hồ sơ chưa được công bố" in html
    assert "Cơ quan ngành dọc" in html


@pytest.mark.parametrize(
    ("level", "expected", "absent"),
    [
        ("province", "Trung tâm Phục vụ hành chính công tỉnh Quảng Ninh", "54 trung tâm cấp xã"),
        ("both", "54 trung tâm cấp xã", None),
        ("", "Cấp thực hiện chưa được công bố", "54 trung tâm cấp xã"),
    ],
)
def test_detail_where_to_submit_follows_level(client, level, expected, absent):
    ProcedureFactory(
        code="1.555555",
        name="Thủ tục thử",
        level=level,
        service_level="partial_online",
        processing_time_amount=5,
        processing_time_unit="working_days",
    )
    html = client.get("/thu-tuc/1.555555/").content.decode()
    assert expected in html
    assert "Trực tuyến một phần" in html
    if absent:
        assert absent not in html


@pytest.mark.parametrize("service_level", ["full_online", "partial_online"])
def test_detail_says_online_submission_is_closed_without_a_processing_time(client, service_level):
    """Issue 8 point 13: the engine refuses such submissions; the page says so, and why."""
    ProcedureFactory(code="1.555556", name="Thủ tục chưa có thời hạn", service_level=service_level)
    html = client.get("/thu-tuc/1.555556/").content.decode()
    assert "Chưa nhận hồ sơ trực tuyến" in html
    assert "chưa được công bố thời hạn giải quyết" in html
    assert "Trực tuyến toàn trình" not in html
    assert "Trực tuyến một phần</strong>" not in html


def test_detail_unknown_code_is_vietnamese_404(client, catalogue):
    response = client.get("/thu-tuc/9.999999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Không tìm thấy thủ tục" in html
    assert "9.999999" in html
    assert '<html lang="vi">' in html


def test_detail_published_code_redirects(client, catalogue):
    response = client.get("/thu-tuc/1.004194.000.00.00.H49/")
    assert response.status_code == 301
    assert response["Location"] == "/thu-tuc/1.004194/"


def test_detail_inactive_procedure_is_shown_with_notice(client, catalogue):
    Procedure.objects.filter(code="1.001193").update(is_active=False)
    html = client.get("/thu-tuc/1.001193/").content.decode()
    assert "đã bãi bỏ" in html


def test_site_404_page_is_vietnamese(client):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_language_switch(client, catalogue):
    html = client.get("/").content.decode()
    assert 'action="/i18n/setlang/"' in html
    assert 'name="language" value="en"' in html
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/thu-tuc/"})
    assert response.status_code == 302
    assert response["Location"] == "/thu-tuc/"
    assert '<html lang="en">' in client.get("/thu-tuc/").content.decode()


def test_methods_other_than_get_are_refused(client, catalogue):
    assert client.post(SEARCH_URL).status_code == 405
