"""The fee due in the officials' and applicants' API: amount, status and explanation; fees_total kept."""

from __future__ import annotations

import pytest
import time_machine

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
        "fee_case": "Trường hợp tính phí không có trong biểu phí của thủ tục."
    }
