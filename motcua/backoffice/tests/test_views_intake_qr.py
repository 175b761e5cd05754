"""Counter intake with the chip ID card's QR, server side (the path without JavaScript)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from motcua.backoffice.tests.conftest import client_for
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import World

pytestmark = pytest.mark.django_db

ADDRESS = "Tổ 5, khu 3, phường Hồng Gai, tỉnh Quảng Ninh"
# A woman born in Quảng Ninh on 17/05/1990 (the world is frozen on 2 March 2026).
CARD = f"022190004567|100200300|Phạm Thị Hương|17051990|Nữ|{ADDRESS}|10052021\r\n"


def _form_url(world: World) -> str:
    return reverse("backoffice:intake_form", args=[world.procedure.code])


def _posted(world: World, **overrides: Any) -> dict[str, Any]:
    """The form as posted after a scan: the applicant's card fields left empty, the rest filled."""
    docs = list(world.procedure.documents.order_by("order"))
    data: dict[str, Any] = {
        "receiving_unit": str(world.centre_a.pk),
        "channel": "counter",
        "applicant_kind": "person",
        "id_card_qr": CARD,
        "applicant_name": "",
        "applicant_id_number": "",
        "applicant_birth_date": "",
        "applicant_phone": "0987 654 321",
        "applicant_address": "",
        "summary": "Đề nghị cấp giấy phép",
        f"doc_{docs[0].pk}_paper": "on",
        f"doc_{docs[1].pk}_paper": "on",
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


def test_the_form_offers_the_qr_field_first_with_its_button_as_the_default(world: World) -> None:
    html = client_for(world.lan).get(_form_url(world)).content.decode()
    assert "Quét mã QR CCCD" in html
    assert "id-card-qr.js" in html
    # Enter in a field presses the form's first submit button: a scan must not receive the dossier.
    first_button = re.search(r"<button[^>]*type=\"submit\"[^>]*>", html.split("bo-intake", 1)[1])
    assert first_button
    assert 'value="qr"' in first_button.group(0)


def test_a_valid_qr_fills_the_empty_fields_and_the_dossier_is_received_with_them(world: World) -> None:
    response = client_for(world.lan).post(_form_url(world), _posted(world))
    assert response.status_code == 302, response.content.decode()[:3000]
    d = Dossier.objects.get()
    assert d.applicant_name == "Phạm Thị Hương"
    assert d.applicant_id_number == "022190004567"
    assert str(d.applicant_birth_date) == "1990-05-17"
    assert d.applicant_address == ADDRESS
    assert d.applicant_phone == "0987654321"  # not on the card: the officer's


def test_what_the_officer_typed_stays(world: World) -> None:
    response = client_for(world.lan).post(
        _form_url(world), _posted(world, applicant_address="Số 1 đường Trần Hưng Đạo, Hạ Long")
    )
    assert response.status_code == 302
    d = Dossier.objects.get()
    assert d.applicant_address == "Số 1 đường Trần Hưng Đạo, Hạ Long"
    assert d.applicant_name == "Phạm Thị Hương"


@pytest.mark.parametrize(
    ("card", "message"),
    [
        ("022190004567|Phạm Thị Hương|17051990", "Mã QR có 3 trường, cần 6 hoặc 7"),
        (CARD.replace("17051990", "31021990"), "Ngày sinh trên mã QR không hợp lệ: 31021990"),
        (CARD.replace("|Nữ|", "|Nam|"), "Số định danh không khớp giới tính/ngày sinh"),
    ],
)
def test_a_malformed_qr_shows_its_message_beside_the_field_and_nothing_is_received(
    world: World, card: str, message: str
) -> None:
    response = client_for(world.lan).post(_form_url(world), _posted(world, id_card_qr=card))
    assert response.status_code == 400
    html = response.content.decode()
    qr_field = html.split('name="id_card_qr"', 1)[1].split("</div>", 2)
    assert message in "".join(qr_field[:2])  # beside the QR field
    assert "Hồ sơ chưa được tiếp nhận" in html
    assert _value(html, "applicant_name") == ""  # nothing filled
    assert "điền từ mã QR</span>" not in html
    assert not Dossier.objects.exists()


def test_a_malformed_qr_blocks_receipt_even_with_every_field_typed(world: World) -> None:
    response = client_for(world.lan).post(
        _form_url(world),
        _posted(
            world,
            id_card_qr="022190004567|x",
            applicant_name="Phạm Thị Hương",
            applicant_id_number="022190004567",
            applicant_birth_date="1990-05-17",
        ),
    )
    assert response.status_code == 400
    assert "Mã QR có 2 trường" in response.content.decode()
    assert not Dossier.objects.exists()


def test_read_qr_button_fills_and_marks_the_fields_and_receives_nothing(world: World) -> None:
    # Without JavaScript the scanner's Enter posts the form with its first button, «Đọc mã QR».
    response = client_for(world.lan).post(
        _form_url(world), _posted(world, intent="qr", summary="", **{"receiving_unit": ""})
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert _value(html, "applicant_name") == "Phạm Thị Hương"
    assert _value(html, "applicant_id_number") == "022190004567"
    assert _value(html, "applicant_birth_date") == "1990-05-17"
    assert _value(html, "applicant_address") == ADDRESS
    assert _value(html, "id_card_qr") == ""  # ready for the next card
    for name in ("applicant_name", "applicant_id_number", "applicant_birth_date", "applicant_address"):
        assert "điền từ mã QR" in _label(html, name), name
    assert "điền từ mã QR" not in _label(html, "applicant_phone")
    assert "Đã điền từ mã QR:" in html
    # The rest is not judged yet: the receiving unit left empty is no error on this page.
    assert "Vui lòng nhập thông tin này." not in html
    assert not Dossier.objects.exists()


def test_read_qr_button_with_a_malformed_qr_shows_only_that_error(world: World) -> None:
    response = client_for(world.lan).post(
        _form_url(world), _posted(world, intent="qr", id_card_qr="022190004567|Phạm Thị Hương")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Mã QR có 2 trường" in html
    assert "Vui lòng nhập thông tin này." not in html
    assert _value(html, "id_card_qr") == "022190004567|Phạm Thị Hương"  # what was read, to see
    assert not Dossier.objects.exists()


def test_for_an_organisation_the_card_is_the_representatives(world: World) -> None:
    response = client_for(world.lan).post(
        _form_url(world),
        _posted(
            world,
            applicant_kind="organisation",
            applicant_name="Công ty TNHH Hạ Long Xanh",
            applicant_id_number="5701234566",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    d = Dossier.objects.get()
    assert d.applicant_name == "Công ty TNHH Hạ Long Xanh"
    assert d.representative_name == "Phạm Thị Hương"
    assert d.representative_id_number == "022190004567"
    assert d.applicant_address == ""
