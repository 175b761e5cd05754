"""Public tracking — tra cứu hồ sơ: the /tra-cuu pages and GET /api/v1/public/dossiers/{code}."""

from __future__ import annotations

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from motcua.dossiers.tests.factories import MONDAY_0900, World, dossier_at
from motcua.portal.api import PublicDossierOut

PAGE = "/tra-cuu"
API = "/api/v1/public/dossiers/"

OFFICIAL_NAMES = (
    "Nguyễn Thị Lan",
    "Trần Văn Minh",
    "Lê Thị Tâm",
    "Vũ Văn Hùng",
    "Hoàng Thị Hoa",
    "Đào Văn Bình",
)


def _no_official_data(text: str, world: World) -> None:
    for name in OFFICIAL_NAMES:
        assert name not in text
    for key in ("lan", "minh", "hung", "hoa"):
        assert world.users[key].username not in text


@pytest.fixture
def supplement(world: World):
    with time_machine.travel(MONDAY_0900, tick=False):
        return dossier_at(world, "supplement")


@pytest.fixture
def returned(world: World):
    with time_machine.travel(MONDAY_0900, tick=True):
        return dossier_at(world, "returned")


# -- page ------------------------------------------------------------------------------------------


def test_form_page(client: Client, db):
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tra cứu hồ sơ" in html
    assert 'name="ma"' in html
    assert 'for="id_ma"' in html  # labelled input
    assert 'aria-describedby="id_ma_helptext"' in html
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_query_string_code_redirects_to_dossier_page(client: Client, supplement):
    response = client.get(PAGE, {"ma": supplement.code.lower()})
    assert response.status_code == 302
    assert response["Location"] == f"/tra-cuu/{supplement.code}"


def test_empty_code_is_a_friendly_error(client: Client, db):
    response = client.post(PAGE, {"ma": "  "})
    assert response.status_code == 400
    assert "Vui lòng nhập mã hồ sơ." in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()


def test_detail_page_public_content(client: Client, world: World, supplement):
    response = client.get(f"{PAGE}/{supplement.code}")
    assert response.status_code == 200
    html = response.content.decode()
    assert supplement.code in html
    assert "Yêu cầu bổ sung giấy tờ" in html  # DVCQG status label
    assert world.procedure.name in html
    assert "Thẩm định" in html  # current step, by unit only
    assert "Ủy ban nhân dân phường Hạ Long" in html
    assert "Đang xử lý tại" in html
    assert "Hẹn trả kết quả" in html
    assert "09:00 02/03/2026" in html  # times in Asia/Ho_Chi_Minh
    assert "Trước hạn" in html or "Đúng hạn" in html  # finished step carries its on-time mark
    # Nothing personal without the verifier, and never officials.
    assert "N. V. A." not in html
    assert "Nguyễn Văn An" not in html
    assert "Bản sao giấy khai sinh" not in html
    assert "0912345678" not in html
    _no_official_data(html, world)
    assert 'name="robots" content="noindex' in html
    assert "no-cache" in response["Cache-Control"]


def test_detail_page_verifier_unlocks_initials_and_items(client: Client, world: World, supplement):
    response = client.post(f"{PAGE}/{supplement.code}", {"so_cuoi": "5678"})  # last 4 of the phone
    assert response.status_code == 200
    html = response.content.decode()
    assert "N. V. A." in html
    assert "Bản sao giấy khai sinh" in html
    assert "Bản chụp bị mờ" in html
    assert "Nguyễn Văn An" not in html
    _no_official_data(html, world)


def test_lookup_form_with_verifier_renders_without_putting_digits_in_url(client: Client, supplement):
    response = client.post(PAGE, {"ma": supplement.code, "so_cuoi": "1234"})  # last 4 of the ID number
    assert response.status_code == 200
    assert "N. V. A." in response.content.decode()


def test_wrong_verifier_shows_public_part_only(client: Client, supplement):
    response = client.post(f"{PAGE}/{supplement.code}", {"so_cuoi": "0000"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "4 số cuối chưa đúng" in html
    assert "N. V. A." not in html
    assert "Bản sao giấy khai sinh" not in html


def test_malformed_verifier_is_a_form_error(client: Client, supplement):
    response = client.post(f"{PAGE}/{supplement.code}", {"so_cuoi": "12a4"})
    assert response.status_code == 400
    assert "Chỉ nhập đúng 4 chữ số cuối." in response.content.decode()


def test_verifier_form_needs_csrf(supplement):
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"{PAGE}/{supplement.code}", {"so_cuoi": "5678"})
    assert response.status_code == 403


def test_unknown_code_page(client: Client, db):
    response = client.get(f"{PAGE}/000.00.00.H49-260101-9999")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Không tìm thấy hồ sơ" in html
    assert "000.00.00.H49-260101-9999" in html
    assert 'name="ma"' in html  # a form to try again


def test_finished_dossier_timeline_marks(client: Client, world: World, returned):
    html = client.get(f"{PAGE}/{returned.code}").content.decode()
    assert "Đã trả kết quả" in html
    assert "Đang xử lý tại" not in html
    for step in ("Tiếp nhận hồ sơ", "Thẩm định", "Phê duyệt", "Ký số", "Trả kết quả"):
        assert step in html
    assert html.count("mark mark--early") + html.count("mark mark--on_time") >= 5
    _no_official_data(html, world)


def test_page_queries(client: Client, supplement, django_assert_max_num_queries):
    # One query (dossier with its steps); no session or user lookup for an anonymous visitor.
    with django_assert_max_num_queries(1):
        assert client.get(f"{PAGE}/{supplement.code}").status_code == 200


# -- API -------------------------------------------------------------------------------------------


def test_api_public_content(client: Client, world: World, supplement):
    response = client.get(API + supplement.code)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    PublicDossierOut.model_validate(body)  # the hand-built body matches the documented schema
    assert body["code"] == supplement.code
    assert body["status"] == 5
    assert body["status_label"] == "Yêu cầu bổ sung giấy tờ"
    assert body["procedure_code"] == world.procedure.code
    assert body["current_unit_name"] == "Ủy ban nhân dân phường Hạ Long"
    assert body["current_step_name"] == "Thẩm định"
    assert body["received_at"] == "2026-03-02T09:00:00+07:00"
    assert body["appointed_at"] is not None
    assert [s["name"] for s in body["steps"]] == ["Tiếp nhận hồ sơ", "Thẩm định"]
    assert body["steps"][0]["outcome"] in ("early", "on_time")
    assert body["steps"][0]["outcome_label"] in ("Trước hạn", "Đúng hạn")
    assert body["verified"] is False
    assert body["applicant_initials"] is None
    assert body["supplement_items"] is None
    _no_official_data(response.content.decode(), world)
    assert "Nguyễn Văn An" not in response.content.decode()


def test_api_verifier_header_and_query(client: Client, world: World, supplement):
    body = client.get(API + supplement.code, headers={"X-Verifier": "5678"}).json()
    assert body["verified"] is True
    assert body["applicant_initials"] == "N. V. A."
    assert body["supplement_items"] == [{"name": "Bản sao giấy khai sinh", "note": "Bản chụp bị mờ"}]
    _no_official_data(str(body), world)
    body = client.get(API + supplement.code, {"verifier": "1234"}).json()
    assert body["verified"] is True
    wrong = client.get(API + supplement.code, {"verifier": "4321"}).json()
    assert wrong["verified"] is False
    assert wrong["applicant_initials"] is None


def test_api_unknown_code(client: Client, db):
    response = client.get(API + "khong-co")
    assert response.status_code == 404
    assert response.json() == {
        "detail": "Không tìm thấy hồ sơ có mã «KHONG-CO». Vui lòng kiểm tra lại mã hồ sơ in trên "
        "Giấy tiếp nhận hồ sơ và hẹn trả kết quả.",
        "code": "not_found",
        "errors": {},
        "current_version": None,
    }


def test_api_malformed_verifier(client: Client, supplement):
    response = client.get(API + supplement.code, {"verifier": "12"})
    assert response.status_code == 400
    assert "4 chữ số cuối" in response.json()["detail"]


def test_api_status_is_current(client: Client, world: World, supplement):
    from motcua.dossiers import services

    assert client.get(API + supplement.code).json()["status"] == 5
    services.dossier_receive_supplement(
        actor=world.minh, dossier=supplement, row_version=supplement.row_version
    )
    assert client.get(API + supplement.code).json()["status"] == 4


def test_api_queries_and_no_session(client: Client, supplement, django_assert_num_queries):
    with django_assert_num_queries(1):  # portal.selectors: one precompiled query
        response = client.get(API + supplement.code)
    assert response.status_code == 200
    assert not response.cookies  # no session, no CSRF cookie


# -- rate limits -----------------------------------------------------------------------------------


def test_lookup_rate_limit_page_and_api_share_it(client: Client, supplement, settings):
    settings.MOTCUA_TRACKING_RATE_LIMITS = {"LOOKUPS": (3, 60)}
    assert client.get(API + supplement.code).status_code == 200
    assert client.get(f"{PAGE}/{supplement.code}").status_code == 200
    assert client.get(API + "khong-co").status_code == 404
    response = client.get(API + supplement.code)
    assert response.status_code == 429
    assert "quá nhiều lần" in response.json()["detail"]
    assert int(response["Retry-After"]) > 0
    page = client.get(f"{PAGE}/{supplement.code}")
    assert page.status_code == 429
    assert "Tạm thời không tra cứu được" in page.content.decode()
    assert "Retry-After" in page
    # Another client IP is not affected.
    assert client.get(API + supplement.code, REMOTE_ADDR="10.0.0.2").status_code == 200


def test_wrong_verifier_limit_per_ip(client: Client, supplement, settings):
    settings.MOTCUA_TRACKING_RATE_LIMITS = {"WRONG_VERIFIER_PER_IP": (2, 900)}
    for guess in ("0001", "0002"):
        assert client.get(API + supplement.code, {"verifier": guess}).json()["verified"] is False
    blocked = client.get(API + supplement.code, {"verifier": "5678"})  # even the right one: locked
    assert blocked.status_code == 429
    assert "sai 4 số cuối quá nhiều lần" in blocked.json()["detail"]
    # The public part stays available, and correct verifiers never count.
    assert client.get(API + supplement.code).status_code == 200
    other = client.get(API + supplement.code, {"verifier": "5678"}, REMOTE_ADDR="10.0.0.3")
    assert other.json()["verified"] is True
    page = client.post(f"{PAGE}/{supplement.code}", {"so_cuoi": "5678"})
    assert page.status_code == 429
    assert "Xem tình trạng hồ sơ (không xác minh)" in page.content.decode()


def test_wrong_verifier_limit_per_dossier_across_ips(client: Client, supplement, settings):
    settings.MOTCUA_TRACKING_RATE_LIMITS = {"WRONG_VERIFIER_PER_CODE": (3, 86400)}
    for n in range(3):
        client.get(API + supplement.code, {"verifier": f"000{n}"}, REMOTE_ADDR=f"10.1.0.{n}")
    response = client.get(API + supplement.code, {"verifier": "5678"}, REMOTE_ADDR="10.1.0.99")
    assert response.status_code == 429


def test_forwarded_for_is_ignored_without_trusted_proxy(client: Client, supplement, settings):
    settings.MOTCUA_TRACKING_RATE_LIMITS = {"LOOKUPS": (1, 60)}
    assert client.get(API + supplement.code, HTTP_X_FORWARDED_FOR="1.1.1.1").status_code == 200
    assert client.get(API + supplement.code, HTTP_X_FORWARDED_FOR="2.2.2.2").status_code == 429


def test_forwarded_for_with_trusted_proxy(client: Client, supplement, settings):
    settings.MOTCUA_TRACKING_RATE_LIMITS = {"LOOKUPS": (1, 60)}
    settings.MOTCUA_TRUSTED_PROXY_COUNT = 1
    assert client.get(API + supplement.code, HTTP_X_FORWARDED_FOR="9.9.9.9, 1.1.1.1").status_code == 200
    assert client.get(API + supplement.code, HTTP_X_FORWARDED_FOR="9.9.9.9, 2.2.2.2").status_code == 200
    assert client.get(API + supplement.code, HTTP_X_FORWARDED_FOR="8.8.8.8, 2.2.2.2").status_code == 429


# -- language --------------------------------------------------------------------------------------


def test_english_page_translates_the_statuses_not_the_records(client: Client, world: World, returned):
    """Labels of the engine's statuses come from the English catalogue; names stay as recorded."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(f"{PAGE}/{returned.code}").content.decode()
    assert "Result returned" in html  # DvcqgStatus.RETURNED
    assert "Completed" in html  # the steps' StepStatus.DONE
    assert "On time" in html or "Early" in html  # the steps' Outcome
    assert "Đã trả kết quả" not in html
    assert "Đã hoàn thành" not in html
    for step in ("Tiếp nhận hồ sơ", "Thẩm định", "Phê duyệt"):  # the process's own step names
        assert step in html


def test_api_status_label_stays_vietnamese_when_english_was_chosen(client: Client, world: World, supplement):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(f"{API}{supplement.code}").json()
    assert body["status_label"] == "Yêu cầu bổ sung giấy tờ"
