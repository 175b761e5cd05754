"""The fee due in the officials' and applicants' API: amount, status and explanation; fees_total kept."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client

from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import MONDAY_0900, World
from motcua.dossiers.tests.test_api import URL, _client, _post
from motcua.dossiers.tests.test_services_receipt_fees import PER_CASE, THUONG_TRU, with_schedule

pytestmark = pytest.mark.django_db


def test_the_dossier_says_what_is_due_and_why(world: World) -> None:
    procedure = with_schedule(THUONG_TRU)
    client = _client(world.an)
    with time_machine.travel(MONDAY_0900, tick=False):
        response = _post(client, world, procedure=procedure.code)
    assert response.status_code == 201, response.content
    created = response.json()
    detail = client.get(f"{URL}/{created['code']}").json()
    for body in (created, detail):
        assert body["fees_total"] == 10_000  # the online rate, not 20.000 + 10.000
        assert body["fee_status"] == "due"
        assert body["fee_status_label"] == "Phải nộp"
        assert body["fee_summary"] == "Phải nộp: 10.000 đồng"
        assert "mức nộp trực tuyến" in body["fee_explanation"]
        assert body["fees"] == [
            {
                "name": "Lệ phí đăng ký thường trú - nộp trực tuyến",
                "amount_vnd": 10_000,
                "explanation": body["fees"][0]["explanation"],
                "paid": False,
            }
        ]
        assert body["fees"][0]["explanation"].startswith("Lệ phí đăng ký thường trú - nộp trực tuyến (mức")


def test_an_unpublished_amount_is_not_reported_as_free(world: World) -> None:
    procedure = with_schedule([{"name": "Lệ phí", "amount_vnd": None, "note": ""}])
    with time_machine.travel(MONDAY_0900, tick=False):
        body = _post(_client(world.an), world, procedure=procedure.code).json()
    assert (body["fees_total"], body["fee_status"], body["fees_paid"]) == (0, "unpublished", False)
    assert body["fee_summary"] == "Chưa công bố mức thu"


def test_the_applicant_names_the_case(world: World) -> None:
    procedure = with_schedule(PER_CASE)
    client = _client(world.an)
    with time_machine.travel(MONDAY_0900, tick=False):
        chosen = _post(client, world, procedure=procedure.code, fee_case="trường hợp gia hạn")
        unknown = _post(client, world, key="key-0002", procedure=procedure.code, fee_case="trường hợp khác")
    assert chosen.status_code == 201, chosen.content
    assert (chosen.json()["fees_total"], chosen.json()["fee_case"]) == (50_000, "trường hợp gia hạn")
    assert unknown.status_code == 400
    assert unknown.json()["errors"] == {
        "fee_case": "Trường hợp tính phí không có trong biểu phí của thủ tục. "
        "Chọn một trong: trường hợp cấp mới; trường hợp gia hạn."
    }


# -- fee_case: what GET /procedures/{code} lists is what POST /dossiers accepts (issue 8 point 10) ----

WITH_CONDITION = [
    *PER_CASE,
    {"name": "Phí cấp bản sao trích lục (nếu có yêu cầu)", "amount_vnd": 8000, "note": ""},
]
CONDITION = "nếu có yêu cầu"


def test_procedure_detail_lists_the_cases_and_keeps_conditions_apart(world: World) -> None:
    procedure = with_schedule(WITH_CONDITION)
    body = Client().get(f"/api/v1/procedures/{procedure.code}").json()
    assert body["fee_cases"] == ["trường hợp cấp mới", "trường hợp gia hạn"]
    lines = {f["name"]: f for f in body["fees"]}
    new = lines["Lệ phí cấp giấy phép - trường hợp cấp mới"]
    assert (new["case_name"], new["conditional"], new["condition"]) == ("trường hợp cấp mới", False, "")
    copy = lines["Phí cấp bản sao trích lục (nếu có yêu cầu)"]
    assert (copy["case_name"], copy["conditional"], copy["condition"]) == ("", True, CONDITION)
    assert copy["case_group"] == ""


def test_a_conditions_name_is_refused_as_a_case_with_what_to_send(world: World) -> None:
    """The audit: 1.001193 listed case_name "nếu có yêu cầu", and sending it answered a bare 400."""
    procedure = with_schedule(WITH_CONDITION)
    with time_machine.travel(MONDAY_0900, tick=False):
        response = _post(_client(world.an), world, procedure=procedure.code, fee_case=CONDITION)
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "fee_case": "«nếu có yêu cầu» là điều kiện thu của khoản «Phí cấp bản sao trích lục (nếu có yêu "
        "cầu)», không phải trường hợp tính phí: khoản này chỉ thu khi phát sinh, không chọn khi nộp hồ "
        "sơ. Chọn một trong: trường hợp cấp mới; trường hợp gia hạn."
    }
    assert not Dossier.objects.filter(procedure=procedure).exists()


def test_a_schedule_without_cases_says_to_leave_fee_case_empty(world: World) -> None:
    procedure = with_schedule([WITH_CONDITION[-1]])
    with time_machine.travel(MONDAY_0900, tick=False):
        response = _post(_client(world.an), world, procedure=procedure.code, fee_case=CONDITION)
        empty = _post(_client(world.an), world, key="key-0002", procedure=procedure.code)
    assert response.status_code == 400
    assert response.json()["errors"]["fee_case"].endswith(
        "Biểu phí của thủ tục không có mức theo trường hợp: để trống trường này."
    )
    assert empty.status_code == 201, empty.content
    assert "chỉ thu nếu có yêu cầu" in empty.json()["fee_explanation"]


@pytest.mark.slow
def test_every_case_listed_in_the_shipped_catalogue_is_accepted(real_catalogue: None, world: World) -> None:
    """Every procedure of data/catalog with a fee schedule, as an integrator reads it: each value of
    ``fee_cases`` (and no case at all) makes a dossier charged for it, and each line's ``condition`` is
    listed apart and refused as a case. (The shipped schedules have conditions — "nếu có yêu cầu",
    "nếu phải trích đo" — but no case alternatives yet: ``fee_cases`` must then be empty.)"""
    client = Client()
    submitter = _client(world.an)
    with_fees = (
        Procedure.objects.filter(is_active=True, applies_here=True, fees__isnull=False)
        .distinct()
        .order_by("code")
    )
    assert with_fees.count() >= 10
    conditions: list[tuple[str, str]] = []
    created: list[str] = []
    posted = 0
    for procedure in with_fees:
        detail = client.get(f"/api/v1/procedures/{procedure.code}").json()
        assert detail["fee_cases"] == list(
            dict.fromkeys(f["case_name"] for f in detail["fees"] if f["case_group"])
        ), procedure.code
        components = [
            {"document_order": d["order"], "paper_presented": False}
            for d in detail["documents"]
            if d["required"]
        ] or [{"name": "Đơn đề nghị"}]
        for case in ["", *detail["fee_cases"]]:
            posted += 1
            with time_machine.travel(MONDAY_0900, tick=False):
                response = _post(
                    submitter,
                    world,
                    key=f"case-{posted}",
                    procedure=procedure.code,
                    components=components,
                    fee_case=case,
                )
            # Some are refused for reasons of their own (no published processing time: closed online,
            # issue 8 point 13; no competent unit found from this receiving unit) — never the fee case.
            if response.status_code == 400:
                assert "fee_case" not in response.json()["errors"], (procedure.code, case)
                continue
            assert response.status_code == 201, (procedure.code, case, response.content.decode())
            created.append(procedure.code)
            if case:
                assert response.json()["fee_case"] == case
        for line in detail["fees"]:
            if not line["conditional"]:
                continue
            assert line["case_name"] == "", procedure.code
            assert line["condition"] not in detail["fee_cases"]
            conditions.append((procedure.code, line["condition"]))
            posted += 1
            with time_machine.travel(MONDAY_0900, tick=False):
                refused = _post(
                    submitter,
                    world,
                    key=f"case-{posted}",
                    procedure=procedure.code,
                    components=components,
                    fee_case=line["condition"],
                )
            assert refused.status_code == 400
            assert refused.json()["errors"]["fee_case"].startswith(
                f"«{line['condition']}» là điều kiện thu của khoản «{line['name']}»"
            )
    assert ("1.001193", CONDITION) in conditions  # the audit's example
    assert "1.001193" in created
