"""Counter intake prefilled from the population database (stand-in process): «Tra cứu CSDL dân cư»."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from motcua.backoffice.tests.conftest import client_for
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import World
from motcua.population.models import LookupOutcome, PopulationLookup

pytestmark = pytest.mark.django_db

BINH = "022192004567"  # Trần Thị Bình in data/demo/citizens.json
ADDRESS = "Số 12 đường Lê Thánh Tông, phường Hạ Long, tỉnh Quảng Ninh"


def _form_url(world: World) -> str:
    return reverse("backoffice:intake_form", args=[world.procedure.code])


def _posted(world: World, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "intent": "population",
        "receiving_unit": "",
        "channel": "counter",
        "applicant_kind": "person",
        "id_card_qr": "",
        "applicant_name": "",
        "applicant_id_number": BINH,
        "applicant_birth_date": "",
        "applicant_phone": "0987 654 321",
        "applicant_address": "",
        "summary": "",
    }
    data.update(overrides)
    return data


def _value(html: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert match, name
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else ""


def _label(html: str, name: str) -> str:
    match = re.search(rf'<label for="id_{name}">(.*?)</label>', html, re.S)
    assert match, name
    return match.group(1)


def test_the_button_comes_after_the_qr_button(world: World) -> None:
    html = client_for(world.lan).get(_form_url(world)).content.decode()
    assert html.index('value="qr"') < html.index('value="population"')
    assert "population-lookup.js" in html


def test_lookup_fills_and_marks_the_empty_fields_and_receives_nothing(world: World, standins_on: Any) -> None:
    response = client_for(world.lan).post(
        _form_url(world), _posted(world, applicant_name="Trần Thị Bình (gõ tay)")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert _value(html, "applicant_name") == "Trần Thị Bình (gõ tay)"  # what the officer typed stays
    assert _value(html, "applicant_birth_date") == "1992-07-02"
    assert _value(html, "applicant_address") == ADDRESS
    for name in ("applicant_birth_date", "applicant_address"):
        assert "điền từ CSDL dân cư" in _label(html, name), name
    assert "điền từ CSDL dân cư" not in _label(html, "applicant_name")
    assert "Đã điền từ CSDL dân cư:" in html
    assert "Vui lòng nhập thông tin này." not in html  # the rest is not judged yet
    assert not Dossier.objects.exists()
    (audit,) = PopulationLookup.objects.all()
    assert (audit.actor, audit.personal_id, audit.outcome) == (world.lan, BINH, LookupOutcome.FOUND)
    assert audit.purpose == "Tiếp nhận hồ sơ tại quầy"


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("", "Nhập số định danh cá nhân trước khi tra cứu."),
        ("0221", "Số định danh cá nhân phải gồm đúng 12 chữ số."),
        ("022099999999", "không có công dân với số định danh 022099999999"),
    ],
)
def test_lookup_errors_beside_the_number(world: World, standins_on: Any, number: str, message: str) -> None:
    response = client_for(world.lan).post(_form_url(world), _posted(world, applicant_id_number=number))
    assert response.status_code == 400
    assert message in response.content.decode()


def test_database_down_is_a_message_not_a_500(world: World) -> None:
    response = client_for(world.lan).post(_form_url(world), _posted(world))
    assert response.status_code == 400
    assert "Không kết nối được CSDL quốc gia về dân cư" in response.content.decode()


def test_json_lookup_for_the_script(world: World, standins_on: Any) -> None:
    url = reverse("backoffice:intake_population_lookup")
    answer = client_for(world.lan).post(url, {"personal_id": BINH})
    assert answer.status_code == 200
    assert answer.json() == {
        "fields": {
            "applicant_name": "Trần Thị Bình",
            "applicant_birth_date": "1992-07-02",
            "applicant_address": ADDRESS,
        }
    }
    # A specialist is an official but not at the counter: refused (and recorded).
    refused = client_for(world.minh).post(url, {"personal_id": BINH})
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Chỉ cán bộ tiếp nhận hồ sơ được tra cứu CSDL dân cư cho công dân."
    assert client_for(world.lan).post(url, {"personal_id": "022099999999"}).status_code == 404
    assert client_for(world.lan).post(url, {"personal_id": "x"}).status_code == 400
    assert [row.outcome for row in PopulationLookup.objects.order_by("id")] == [
        LookupOutcome.FOUND,
        LookupOutcome.REFUSED,
        LookupOutcome.NOT_FOUND,
    ]


def test_json_lookup_with_the_database_down_is_503(world: World) -> None:
    answer = client_for(world.lan).post(reverse("backoffice:intake_population_lookup"), {"personal_id": BINH})
    assert answer.status_code == 503
    assert "Không kết nối được" in answer.json()["detail"]
