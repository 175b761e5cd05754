"""Dossier API — /api/v1/dossiers: submission with Idempotency-Key, reading, queue, actions."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import cast

import pytest
import time_machine
from django.db import connections
from django.test import Client

from motcua.accounts.models import Account
from motcua.accounts.services import account_permission_grant
from motcua.dossiers.actions import action_specs
from motcua.dossiers.models import (
    Dossier,
    DossierCodeCounter,
    DossierComponent,
    DossierEvent,
    DossierState,
)
from motcua.dossiers.tests.factories import (
    MONDAY_0900,
    World,
    dossier_at,
    procedure_with_process,
    process_to_return,
    vn,
    world_build,
)
from motcua.identity.models import IdempotentRequest
from motcua.identity.services import api_token_create
from motcua.jobs.models import Job
from motcua.org.tests.factories import UserFactory
from tests.caching import queries_besides_rate_counters

URL = "/api/v1/dossiers"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _submit_body(world: World, **overrides):
    body = {
        "procedure": world.procedure.code,
        "receiving_unit": world.centre_a.agency_code,
        "applicant": {
            "kind": "person",
            "name": "Nguyễn Văn An",
            "id_number": "022090001234",
            "birth_date": "1990-05-01",
            "phone": "0912345678",
            "email": "an@example.test",
            "address": "Tổ 1, khu 2, phường Hạ Long",
        },
        "representative": None,
        "summary": "Xin cấp giấy phép thử nghiệm",
        "components": [{"document_order": 1, "paper_presented": False}, {"name": "Ảnh 4x6"}],
    }
    body.update(overrides)
    return body


def _post(client: Client, world: World, *, key: str | None = "key-0001", **overrides):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(
        URL, _submit_body(world, **overrides), content_type="application/json", headers=headers
    )


# -- submission --------------------------------------------------------------------------------------


def test_submit_creates_dossier(world: World):
    client = _client(world.an)
    with time_machine.travel(MONDAY_0900, tick=False):
        response = _post(client, world)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == 1
    assert body["status_label"] == "Mới đăng ký"
    assert body["state"] == DossierState.SUBMITTED
    assert body["code"].startswith(world.centre_a.agency_code + "-260302-")
    assert body["procedure"]["code"] == world.procedure.code
    assert body["competent_unit"]["agency_code"] == world.commune_a.agency_code
    assert body["applicant"]["name"] == "Nguyễn Văn An"
    assert [c["name"] for c in body["components"]] == [
        "Đơn đề nghị (mẫu 01)",
        "Giấy tờ chứng minh (nếu có)",
        "Ảnh 4x6",
    ]
    assert body["channel"] == "online"
    assert body["allowed_actions"] == ["withdraw"]
    assert Dossier.objects.get(code=body["code"]).applicant_user == world.an


def test_submit_query_count(world: World, django_assert_max_num_queries):
    """The whole POST: session, reference-data stamp (procedure and units come from the per-process
    cache), the service, the key's record, role check — no key lookup up front, no savepoints, no
    reload of the created dossier (it was 46 with the session, then 34, then 25; 16 now, 12 with a
    token, whose user comes with its Official joined)."""
    client = _client(world.an)
    _post(client, world, key="warm-up")
    with time_machine.travel(MONDAY_0900, tick=False), django_assert_max_num_queries(16):
        response = _post(client, world, key="counted")
    assert response.status_code == 201, response.content
    body = response.json()
    stored = Dossier.objects.get(code=body["code"])
    assert [c["name"] for c in body["components"]] == list(
        stored.components.order_by("order").values_list("name", flat=True)
    )
    assert body["row_version"] == stored.row_version
    assert body["fees_total"] == stored.fees_total


def test_submit_retry_same_key_returns_same_dossier(world: World):
    client = _client(world.an)
    first = _post(client, world)
    again = _post(client, world)
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == first.json()
    assert Dossier.objects.count() == 1
    assert IdempotentRequest.objects.count() == 1


def test_submit_same_key_different_body_is_422(world: World):
    client = _client(world.an)
    assert _post(client, world).status_code == 201
    response = _post(client, world, summary="Nội dung khác")
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert "Idempotency-Key" in response.json()["detail"]
    assert Dossier.objects.count() == 1


def test_submit_keys_are_per_account(world: World):
    assert _post(_client(world.an), world).status_code == 201
    assert _post(_client(UserFactory(citizen=True)), world).status_code == 201
    assert Dossier.objects.count() == 2


def test_submit_requires_idempotency_key(world: World):
    response = _post(_client(world.an), world, key=None)
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Thiếu tiêu đề Idempotency-Key")
    assert Dossier.objects.count() == 0


@pytest.mark.parametrize(
    ("applicant", "field", "message"),
    [
        ({"birth_date": "2999-01-01"}, "applicant.birth_date", "Ngày sinh không được sau ngày hôm nay."),
        ({"birth_date": "1899-12-31"}, "applicant.birth_date", "Ngày sinh không được trước năm 1900."),
        (
            {"id_number": "022090001234", "birth_date": "1991-05-01"},
            "applicant.birth_date",
            "Ngày sinh không khớp với số định danh cá nhân: số 022090001234 ứng với năm sinh 1990.",
        ),
        ({"id_number": "003090001234"}, "applicant.id_number", "«003» không phải mã tỉnh"),
        (
            {"name": "<script>alert('x')</script> Nguyễn Văn A"},
            "applicant.name",
            "Họ tên chỉ gồm chữ cái, khoảng trắng và các dấu",
        ),
        ({"phone": "0612345678"}, "applicant.phone", "Số điện thoại «0612345678» không hợp lệ"),
        ({"email": "an@"}, "applicant.email", "Địa chỉ thư điện tử «an@» không hợp lệ."),
        (
            {"kind": "organisation", "name": "Công ty Than Hạ Long", "id_number": "0100109107"},
            "applicant.id_number",
            "sai chữ số kiểm tra",
        ),
    ],
)
def test_submit_bad_identity_is_400_and_creates_nothing(world: World, applicant, field, message):
    body = _submit_body(world)
    body["applicant"] |= applicant
    response = _client(world.an).post(
        URL, body, content_type="application/json", headers={"Idempotency-Key": "k-identity"}
    )
    assert response.status_code == 400
    assert message in response.json()["errors"][field]
    assert Dossier.objects.count() == 0
    assert IdempotentRequest.objects.count() == 0


def test_submit_normalises_phone_and_tax_code(world: World):
    body = _submit_body(world)
    body["applicant"] |= {
        "kind": "organisation",
        "name": "Công ty Than Hạ Long",
        "id_number": "0100109106001",
        "birth_date": None,
        "phone": "+84 912 345 678",
    }
    response = _client(world.an).post(
        URL, body, content_type="application/json", headers={"Idempotency-Key": "k-org"}
    )
    assert response.status_code == 201
    d = Dossier.objects.get()
    assert (d.applicant_id_number, d.applicant_phone) == ("0100109106-001", "0912345678")


def test_submit_requires_authentication(world: World):
    response = _post(Client(), world)
    assert response.status_code == 401
    assert Dossier.objects.count() == 0


def test_submit_with_service_token(world: World):
    """A service account submits once granted ``dossiers.submit_dossier`` (test_submit_permission)."""
    service = cast(Account, UserFactory(service=True))
    account_permission_grant(account=service, permission="dossiers.submit_dossier")
    _row, token = api_token_create(user=service, name="Cổng DVCQG")
    response = Client().post(
        URL,
        _submit_body(world),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "dvcqg-1"},
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"procedure": "9.999999"}, "procedure", "Không có thủ tục mã «9.999999»"),
        ({"receiving_unit": "000.00.00.X00"}, "receiving_unit", "Không có đơn vị đang hoạt động"),
        ({"components": [{"document_order": 7}]}, "components", "số thứ tự 7"),
        ({"chosen_unit": None, "receiving_unit": None}, None, "Tham số không hợp lệ: receiving_unit."),
    ],
)
def test_submit_bad_input_is_400_in_vietnamese(world: World, overrides, field, message):
    response = _post(_client(world.an), world, **overrides)
    assert response.status_code == 400
    body = response.json()
    assert message in body["detail"]
    if field:
        assert field in body["errors"]
    assert Dossier.objects.count() == 0
    assert IdempotentRequest.objects.count() == 0


def test_submit_missing_required_document_is_400_naming_each_one(world: World):
    """Issue 8 point 9: an incomplete dossier is not received online either."""
    response = _post(_client(world.an), world, components=[{"name": "Ảnh 4x6"}])
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert body["errors"]["components.document_1"] == "Thiếu thành phần bắt buộc: Đơn đề nghị (mẫu 01)."
    assert body["errors"]["components"] == (
        "Hồ sơ còn thiếu 1 thành phần bắt buộc nên chưa thể tiếp nhận: 1. Đơn đề nghị (mẫu 01). "
        "Vui lòng nộp đủ các thành phần này."
    )
    assert Dossier.objects.count() == 0
    assert DossierCodeCounter.objects.count() == 0


def test_submit_is_closed_for_a_procedure_without_processing_time(world: World):
    """Issue 8 point 13: no processing time, no online submission (no due time could be given)."""
    procedure = procedure_with_process(timed=False)
    response = _post(_client(world.an), world, procedure=procedure.code)
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body["errors"]) == {"procedure"}
    assert body["errors"]["procedure"].startswith(
        f"Thủ tục {procedure.code} chưa được công bố thời hạn giải quyết nên chưa tiếp nhận hồ sơ trực tuyến"
    )
    assert Dossier.objects.count() == 0


def test_submit_bad_applicant_from_engine_is_400(world: World):
    body = _submit_body(world)
    body["applicant"]["id_number"] = "12AB"
    response = _client(world.an).post(
        URL, body, content_type="application/json", headers={"Idempotency-Key": "k-bad"}
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "applicant.id_number": "Số định danh cá nhân phải gồm đúng 12 chữ số."
    }
    # The key was not consumed: the corrected body can use it.
    body["applicant"]["id_number"] = "022090001234"
    ok = _client(world.an).post(
        URL, body, content_type="application/json", headers={"Idempotency-Key": "k-bad"}
    )
    assert ok.status_code == 201


def test_submit_schema_error_names_the_field(world: World):
    body = _submit_body(world)
    body["applicant"]["name"] = ""
    response = _client(world.an).post(
        URL, body, content_type="application/json", headers={"Idempotency-Key": "x"}
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "Tham số không hợp lệ: applicant.name."


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_create_one_dossier():
    world = world_build()
    _row, token = api_token_create(user=world.an)
    body = _submit_body(world)
    barrier = threading.Barrier(4)
    results: list[tuple[int, str]] = []
    errors: list[BaseException] = []

    def submit() -> None:
        try:
            client = Client()
            barrier.wait()
            response = client.post(
                URL,
                body,
                content_type="application/json",
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "same-key"},
            )
            results.append((response.status_code, response.json()["code"]))
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(status for status, _ in results) == [200, 200, 200, 201]
    assert len({code for _, code in results}) == 1
    assert Dossier.objects.count() == 1


@pytest.mark.parametrize(("summary", "status"), [(None, 200), ("Nội dung khác", 422)])
def test_submit_retry_rolls_back_everything_it_wrote(world: World, summary, status):
    """A retry is not looked up first: it runs the submission, fails the unique key, and the whole
    transaction rolls back — no second dossier, no code number used, no event, no job — before the
    first request's record is replayed (200 for the same body, 422 for another)."""
    client = _client(world.an)
    first = _post(client, world)
    assert first.status_code == 201
    before = (
        DossierCodeCounter.objects.get().last_number,
        DossierEvent.objects.count(),
        Job.objects.count(),
        DossierComponent.objects.count(),
    )
    overrides = {} if summary is None else {"summary": summary}
    again = _post(client, world, **overrides)
    assert again.status_code == status, again.content
    if status == 200:
        assert again.json()["code"] == first.json()["code"]
    assert Dossier.objects.count() == 1
    assert IdempotentRequest.objects.count() == 1
    after = (
        DossierCodeCounter.objects.get().last_number,
        DossierEvent.objects.count(),
        Job.objects.count(),
        DossierComponent.objects.count(),
    )
    assert after == before


def test_a_retry_after_the_procedure_was_withdrawn_still_gets_its_dossier(world: World):
    client = _client(world.an)
    first = _post(client, world)
    assert first.status_code == 201
    world.procedure.is_active = False
    world.procedure.save()  # ngừng áp dụng: a new submission would be refused…
    again = _post(client, world)
    assert again.status_code == 200, again.content  # …but the retry of the first one is answered
    assert again.json()["code"] == first.json()["code"]
    fresh = _post(client, world, key="new-key")
    assert fresh.status_code == 400
    assert "ngừng áp dụng" in fresh.json()["errors"]["procedure"]


# -- reading ----------------------------------------------------------------------------------------


def test_get_for_applicant_and_official(world: World):
    with time_machine.travel(MONDAY_0900, tick=True):
        d = dossier_at(world, "appraisal")
    owner = _client(world.an).get(f"{URL}/{d.code}")
    assert owner.status_code == 200
    assert owner.json()["current_step"]["name"] == "Thẩm định"
    assert owner.json()["current_step"]["assignee_name"] is None  # the applicant sees units, not officials
    official = _client(world.minh).get(f"{URL}/{d.code}")
    assert official.status_code == 200
    assert official.json()["current_step"]["assignee_name"] == "Trần Văn Minh"
    assert "forward" in official.json()["allowed_actions"]
    assert official.json()["row_version"] == d.row_version


def test_get_shows_the_officers_appointment_and_its_reason(world: World):
    """Issue 8 point 13: a procedure without a processing time — the due time is the officer's."""
    from motcua.dossiers.tests.factories import dossier_receive_at_counter

    with time_machine.travel(MONDAY_0900, tick=False):
        d = dossier_receive_at_counter(
            world,
            procedure=procedure_with_process(timed=False),
            appointment_at=vn(2026, 3, 6, 16),
            appointment_reason="Cần xác minh thực địa",
        )
        body = _client(world.an).get(f"{URL}/{d.code}").json()
    assert body["appointment_reason"] == "Cần xác minh thực địa"
    assert body["due_at"] == "2026-03-06T16:00:00+07:00"


def test_get_hidden_from_outsiders(world: World):
    d = dossier_at(world, "received")
    for user in (world.binh, world.khach):
        response = _client(user).get(f"{URL}/{d.code}")
        assert response.status_code == 404
        assert response.json()["detail"].startswith("Không tìm thấy hồ sơ")
    assert _client(world.binh).get(f"{URL}/khong-co").status_code == 404


def test_list_scoped_to_official_units(world: World):
    d1 = dossier_at(world, "received")  # at centre A (Lan)
    d2 = dossier_at(world, "appraisal")  # at commune A (Minh)
    lan = _client(world.lan).get(URL).json()
    assert lan["total"] == 1
    assert [i["code"] for i in lan["items"]] == [d1.code]
    # Roles in the commune committee reach its centre too (org.selectors.official_units).
    minh = _client(world.minh).get(URL, {"unit": world.commune_a.agency_code}).json()
    assert [i["code"] for i in minh["items"]] == [d2.code]
    assert minh["items"][0]["assignee_name"] == "Trần Văn Minh"
    assert minh["items"][0]["current_step_name"] == "Thẩm định"
    assert _client(world.minh).get(URL).json()["total"] == 2
    outsider = _client(world.binh).get(URL).json()
    assert outsider == {"total": 0, "page": 1, "page_size": 20, "items": []}
    # Narrowing to a unit that is not theirs shows nothing either.
    assert _client(world.binh).get(URL, {"unit": world.commune_a.agency_code}).json()["total"] == 0
    # Citizens have no queue: they get their own dossiers (both are An's; test_api_applicant.py).
    assert {i["code"] for i in _client(world.an).get(URL).json()["items"]} == {d1.code, d2.code}


def test_list_filters_and_pagination(world: World):
    with time_machine.travel(MONDAY_0900, tick=True):
        codes = [dossier_at(world, "received").code for _ in range(3)]
        submitted = dossier_at(world, "submitted")
    client = _client(world.lan)
    everything = client.get(URL).json()
    assert everything["total"] == 4
    assert [i["code"] for i in everything["items"]][:3] == codes  # by due time, none (status 1) last
    assert client.get(URL, {"status": 1}).json()["items"][0]["code"] == submitted.code
    page = client.get(URL, {"page": 2, "page_size": 3}).json()
    assert page["total"] == 4
    assert [i["code"] for i in page["items"]] == [submitted.code]
    assert client.get(URL, {"procedure": world.procedure.code}).json()["total"] == 4
    assert client.get(URL, {"procedure": world.province_procedure.code}).json()["total"] == 0
    assert client.get(URL, {"unit": world.centre_a.agency_code}).json()["total"] == 4
    assert client.get(URL, {"due_before": "2026-03-01T00:00:00+07:00"}).json()["total"] == 0
    assert client.get(URL, {"due_before": "2026-04-01T00:00:00"}).json()["total"] == 3
    with time_machine.travel(vn(2026, 3, 20, 9), tick=False):
        overdue = client.get(URL, {"overdue": "true"}).json()
    assert overdue["total"] == 3
    assert all(item["overdue"] for item in overdue["items"])


def test_list_bad_filters_are_400(world: World):
    client = _client(world.lan)
    response = client.get(URL, {"unit": "000.00.00.X00"})
    assert response.status_code == 400
    assert "Không có đơn vị" in response.json()["detail"]
    assert client.get(URL, {"procedure": "9.999999"}).status_code == 400
    response = client.get(URL, {"status": 11})
    assert response.status_code == 400
    assert response.json()["detail"] == "Tham số không hợp lệ: status."
    assert client.get(URL, {"page": 0}).status_code == 400


def test_list_query_count_is_constant(world: World):
    client = _client(world.minh)
    dossier_at(world, "appraisal")
    client.get(URL)  # warm per-process caches (calendar)
    # The edge's rate-limit counters (shared database cache) are not the list's queries.
    with queries_besides_rate_counters() as one:
        assert client.get(URL).json()["total"] == 1
    for _ in range(4):
        dossier_at(world, "appraisal")
    with queries_besides_rate_counters() as five:
        assert client.get(URL).json()["total"] == 5
    assert len(five) == len(one)
    assert len(one) <= 6  # session, user, units, count, page (+ holiday calendar)


# -- actions -----------------------------------------------------------------------------------------


def _act(client: Client, code: str, action: str, **body):
    return client.post(f"{URL}/{code}/actions/{action}", body, content_type="application/json")


def test_action_happy_path(world: World):
    d = dossier_at(world, "submitted")
    lan = _client(world.lan)
    response = _act(lan, d.code, "accept", row_version=d.row_version)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == 2
    assert body["row_version"] == d.row_version + 1
    assert body["due_at"] is not None
    response = _act(
        lan, d.code, "forward", row_version=body["row_version"], assignee=world.minh.username, note="Đủ"
    )
    assert response.status_code == 200
    assert response.json()["current_step"]["name"] == "Thẩm định"
    assert response.json()["status"] == 4
    minh = _client(world.minh)
    response = _act(
        minh,
        d.code,
        "request_supplement",
        row_version=response.json()["row_version"],
        reason="Thiếu giấy tờ",
        items=[{"name": "Bản sao giấy khai sinh", "note": "Bản chụp bị mờ"}],
    )
    assert response.status_code == 200
    assert response.json()["status"] == 5


def test_action_conflict_is_409(world: World):
    d = dossier_at(world, "received")
    lan = _client(world.lan)
    assert _act(lan, d.code, "forward", row_version=d.row_version).status_code == 200
    response = _act(lan, d.code, "forward", row_version=d.row_version)
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conflict"
    assert body["detail"].startswith("Hồ sơ đã được người khác cập nhật")
    assert body["current_version"] == d.row_version + 1


def test_action_without_role_is_403(world: World):
    d = dossier_at(world, "approval")
    response = _act(_client(world.hoa), d.code, "approve", row_version=d.row_version)  # clerk, not leader
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert "lãnh đạo" in response.json()["detail"].lower()
    assert Dossier.objects.get(pk=d.pk).row_version == d.row_version


def test_action_by_outsider_is_404(world: World):
    d = dossier_at(world, "approval")
    assert _act(_client(world.binh), d.code, "approve", row_version=d.row_version).status_code == 404


def test_action_not_allowed_in_state_is_409(world: World):
    d = dossier_at(world, "received")
    response = _act(_client(world.lan), d.code, "accept", row_version=d.row_version)
    assert response.status_code == 409
    assert response.json()["code"] == "action_not_allowed"
    assert "Không thể thực hiện «Tiếp nhận hồ sơ»" in response.json()["detail"]


def test_action_bad_input_is_400(world: World):
    d = dossier_at(world, "submitted")
    response = _act(_client(world.lan), d.code, "refuse", row_version=d.row_version)
    assert response.status_code == 400
    assert response.json()["errors"] == {"reason": "Vui lòng nhập lý do từ chối."}
    response = _act(_client(world.lan), d.code, "refuse")
    assert response.status_code == 400
    assert response.json()["detail"] == "Tham số không hợp lệ: row_version."
    assert Dossier.objects.get(pk=d.pk).state == DossierState.SUBMITTED


def test_unknown_action_is_400(world: World):
    d = dossier_at(world, "received")
    response = _act(_client(world.lan), d.code, "teleport", row_version=d.row_version)
    assert response.status_code == 400
    assert response.json()["detail"] == "Tham số không hợp lệ: action."


def test_action_unknown_assignee_is_400(world: World):
    d = dossier_at(world, "received")
    response = _act(_client(world.lan), d.code, "forward", row_version=d.row_version, assignee="nobody")
    assert response.status_code == 400
    assert "nobody" in response.json()["errors"]["assignee"]


def test_applicant_withdraws(world: World):
    d = dossier_at(world, "submitted")
    response = _act(_client(world.an), d.code, "withdraw", row_version=d.row_version, reason="Nộp nhầm")
    assert response.status_code == 200
    assert response.json()["status"] == 7


def test_full_process_through_the_api(world: World):
    with time_machine.travel(MONDAY_0900, tick=True) as traveller:
        d = dossier_at(world, "received")
        version = d.row_version
        for user, action, extra in process_to_return(world):
            traveller.shift(timedelta(minutes=30))
            response = _act(_client(user), d.code, action, row_version=version, **extra)
            assert response.status_code == 200, (action, response.content)
            version = response.json()["row_version"]
    assert response.json()["status"] == 10
    assert response.json()["outcome"] == "early"


def test_extend_with_naive_local_time(world: World):
    with time_machine.travel(MONDAY_0900, tick=False):
        d = dossier_at(world, "appraisal")
        response = _act(
            _client(world.minh),
            d.code,
            "extend",
            row_version=d.row_version,
            new_due_at="2026-03-12T17:00:00",
            reason="Cần xác minh thêm",
        )
    assert response.status_code == 200, response.content
    assert response.json()["due_at"] == "2026-03-12T17:00:00+07:00"  # naive input = local time
    assert response.json()["extended"] is True


def test_reassign_through_the_api(world: World):
    d = dossier_at(world, "appraisal")
    hung = _client(world.hung)
    response = _act(
        hung, d.code, "reassign", row_version=d.row_version, assignee=world.tam.username, reason="Nghỉ phép"
    )
    assert response.status_code == 200, response.content
    assert response.json()["current_step"]["assignee_name"] == "Lê Thị Tâm"
    refused = _act(
        _client(world.minh), d.code, "reassign", row_version=d.row_version + 1, assignee=world.minh.username
    )
    assert refused.status_code == 403  # a specialist does not hand out work


# -- one operation per action, strict bodies, one error shape ------------------------------------------


@pytest.mark.parametrize("action", [spec.action for spec in action_specs()])
def test_unknown_field_is_refused_and_changes_nothing(world: World, action: str):
    d = dossier_at(world, "received")
    events = DossierEvent.objects.filter(dossier=d).count()
    response = _act(_client(world.lan), d.code, action, row_version=d.row_version, ghi_chu_la="x")
    assert response.status_code == 400, response.content
    assert response.json() == {
        "detail": "Tham số không hợp lệ: ghi_chu_la.",
        "code": "invalid",
        "errors": {"ghi_chu_la": "Trường này không được chấp nhận."},
        "current_version": None,
    }
    assert Dossier.objects.get(pk=d.pk).row_version == d.row_version
    assert DossierEvent.objects.filter(dossier=d).count() == events


def test_unknown_action_names_the_known_ones(world: World):
    d = dossier_at(world, "received")
    body = _act(_client(world.lan), d.code, "teleport", row_version=d.row_version).json()
    assert body["code"] == "invalid"
    assert body["errors"]["action"].startswith("Không có thao tác «teleport». Các thao tác: accept, refuse")


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"row_version": "Thiếu thông tin bắt buộc."}),
        ({"row_version": "hai"}, {"row_version": "Phải là một số nguyên."}),
        ({"row_version": -1}, {"row_version": "Phải lớn hơn hoặc bằng 0."}),
        ({"row_version": 1, "note": "x" * 2001}, {"note": "Dài quá 2000 ký tự."}),
        (
            {"row_version": 1, "method": "fax"},
            {"method": "Giá trị không hợp lệ; chấp nhận: 'counter', 'postal', 'online'."},
        ),
    ],
)
def test_framework_validation_errors_are_vietnamese_per_field(world: World, body, errors):
    d = dossier_at(world, "received")
    response = _act(_client(world.lan), d.code, "return_result", **body)
    assert response.status_code == 400
    assert response.json() == {
        "detail": f"Tham số không hợp lệ: {', '.join(errors)}.",
        "code": "invalid",
        "errors": errors,
        "current_version": None,
    }


def test_nested_fields_are_named_by_their_path(world: World):
    d = dossier_at(world, "appraisal")
    response = _act(
        _client(world.minh), d.code, "request_supplement", row_version=d.row_version, items=[{"note": "?"}]
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"items.0.name": "Thiếu thông tin bắt buộc."}
    body = _submit_body(world)
    body["applicant"]["phone"] = "0" * 21
    response = _client(world.an).post(
        URL, body, content_type="application/json", headers={"Idempotency-Key": "k"}
    )
    assert response.json()["errors"] == {"applicant.phone": "Dài quá 20 ký tự."}


def test_malformed_json_is_400_in_the_error_shape(world: World):
    d = dossier_at(world, "received")
    response = _client(world.lan).post(
        f"{URL}/{d.code}/actions/forward", "{row_version: 1", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Nội dung gửi lên không phải JSON hợp lệ.",
        "code": "invalid",
        "errors": {"body": "Nội dung gửi lên không phải JSON hợp lệ."},
        "current_version": None,
    }


def test_unauthenticated_is_401_in_the_error_shape(world: World):
    response = Client().get(URL)
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "unauthenticated"
    assert body["errors"] == {}
    assert body["detail"].startswith("Chưa xác thực")


@pytest.mark.django_db  # an API request counts in the shared (database) cache
def test_openapi_documents_one_schema_per_action(client: Client):
    schema = client.get("/api/v1/openapi.json").json()
    for spec in action_specs():
        operation = schema["paths"][f"/api/v1/dossiers/{{code}}/actions/{spec.action}"]["post"]
        assert operation["summary"] == spec.label
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        assert body == {"$ref": f"#/components/schemas/{spec.schema.__name__}"}
        assert operation["responses"]["409"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorOut"
        }
    assert schema["components"]["schemas"]["ErrorOut"]["required"] == ["detail", "code"]


def test_too_large_body_is_413_in_the_error_shape(world: World, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    d = dossier_at(world, "received")
    response = _act(_client(world.lan), d.code, "forward", row_version=d.row_version, note="x" * 2000)
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert response.json()["detail"].startswith("Nội dung gửi lên quá lớn (tối đa 1000 byte")
    assert Dossier.objects.get(pk=d.pk).row_version == d.row_version


# --------------------------------------------------------------------------------------------------
# Overseers (issue 8 point 12) and the search (point 11) through the API
# --------------------------------------------------------------------------------------------------


def _report_viewer(world: World):
    from motcua.dossiers.tests.factories import _official
    from motcua.org.models import Role

    return _official("baocao", "Phạm Thị Báo", [(world.province, Role.REPORT_VIEWER)])


def test_report_viewer_token_lists_initials_and_cannot_read_a_dossier(world: World):
    d = dossier_at(world, "appraisal")
    _row, token = api_token_create(user=_report_viewer(world))
    headers = {"Authorization": f"Bearer {token}"}
    listed = Client().get(URL, {"unit": world.commune_a.agency_code}, headers=headers)
    assert listed.status_code == 200
    assert [(i["code"], i["applicant_name"]) for i in listed.json()["items"]] == [(d.code, "N. V. A.")]
    detail = Client().get(f"{URL}/{d.code}", headers=headers)
    assert detail.status_code == 403
    body = detail.json()
    assert body["code"] == "personal_data"
    assert "không được xem nội dung hồ sơ" in body["detail"]
    assert "Nguyễn Văn An" not in detail.content.decode()
    action = Client().post(
        f"{URL}/{d.code}/actions/claim",
        data={"row_version": d.row_version},
        content_type="application/json",
        headers=headers,
    )
    assert action.status_code == 403
    assert "Nguyễn Văn An" not in action.content.decode()
    # Searching a name or an ID number tells a report viewer nothing; a code finds the dossier.
    for query in ("nguyen van an", "022090001234"):
        assert Client().get(URL, {"q": query}, headers=headers).json()["total"] == 0
    assert Client().get(URL, {"q": d.code}, headers=headers).json()["total"] == 1


def test_list_search_and_closed_status(world: World):
    returned = dossier_at(world, "returned")
    running = dossier_at(world, "appraisal")
    minh = _client(world.minh)
    found = minh.get(URL, {"q": "nguyen van an"}).json()
    assert {i["code"] for i in found["items"]} == {returned.code, running.code}
    assert found["items"][0]["applicant_name"] == "Nguyễn Văn An"
    assert [i["code"] for i in minh.get(URL, {"status": 10}).json()["items"]] == [returned.code]
    assert minh.get(URL, {"q": returned.code.lower()}).json()["total"] == 1
    assert _client(world.binh).get(URL, {"q": "nguyen van an"}).json()["total"] == 0


# persona → (detail status, list shows the applicant as) for a dossier at commune A's appraisal step
API_MATRIX = {
    "baocao": (403, "N. V. A."),  # report viewer, province-wide
    "qttinh": (403, "N. V. A."),  # province admin, province-wide
    "minh": (200, "Nguyễn Văn An"),  # specialist of commune A
    "lan": (200, None),  # reception of centre A: received it; now at commune A, so not in her list
    "binh": (404, None),  # every role, commune B: outsider
    "an": (200, "Nguyễn Văn An"),  # the applicant: no queue, their own dossiers (test_api_applicant.py)
}


@pytest.mark.parametrize("persona", API_MATRIX)
def test_api_permission_matrix(world: World, persona: str):
    from motcua.dossiers.tests.factories import _official
    from motcua.org.models import Role

    d = dossier_at(world, "appraisal")
    if persona == "baocao":
        user = _official("baocao", "Phạm Thị Báo", [(world.province, Role.REPORT_VIEWER)])
    elif persona == "qttinh":
        user = _official("qttinh", "Trịnh Văn Quản", [(world.province, Role.PROVINCE_ADMIN)])
    else:
        user = getattr(world, persona)
    detail_status, listed_as = API_MATRIX[persona]
    client = _client(user)
    assert client.get(f"{URL}/{d.code}").status_code == detail_status
    items = client.get(URL).json()["items"]
    assert [i["applicant_name"] for i in items] == ([listed_as] if listed_as else [])
