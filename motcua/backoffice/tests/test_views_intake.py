"""Counter intake: procedure search, applicant + checklist + fees, dossier_receive, form 01."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from motcua.backoffice.tests.conftest import client_for
from motcua.core.tests import upload_files
from motcua.documents.tests import pdfcheck
from motcua.dossiers.models import Dossier, DossierState
from motcua.dossiers.tests.factories import World

pytestmark = pytest.mark.django_db


def _form_url(world: World) -> str:
    return reverse("backoffice:intake_form", args=[world.procedure.code])


def _valid(world: World, **overrides: Any) -> dict[str, Any]:
    docs = list(world.procedure.documents.order_by("order"))
    data: dict[str, Any] = {
        "receiving_unit": str(world.centre_a.pk),
        "channel": "counter",
        "applicant_kind": "person",
        "applicant_name": "Phạm Thị Hương",
        "applicant_id_number": "022190004567",
        "applicant_birth_date": "1990-05-17",
        "applicant_phone": "0987 654 321",
        "applicant_email": "huong@example.test",
        "applicant_address": "Tổ 3, khu 5, phường Hạ Long",
        "summary": "Đề nghị cấp giấy phép",
        f"doc_{docs[0].pk}_paper": "on",
        f"doc_{docs[1].pk}_file": SimpleUploadedFile(
            "chung-minh.pdf", upload_files.pdf_bytes(), "application/pdf"
        ),
    }
    data.update(overrides)
    return data


def test_search_finds_procedures_and_htmx_returns_the_list(world: World) -> None:
    client = client_for(world.lan)
    page = client.get(reverse("backoffice:intake_start"))
    assert page.status_code == 200
    assert "Tìm thủ tục" in page.content.decode()
    partial = client.get(
        reverse("backoffice:intake_start"), {"q": "giấy phép thử nghiệm"}, HTTP_HX_REQUEST="true"
    )
    html = partial.content.decode()
    assert world.procedure.name in html
    assert _form_url(world) in html
    assert "<html" not in html


def test_only_reception_officers_may_take_in_dossiers(world: World) -> None:
    assert client_for(world.minh).get(reverse("backoffice:intake_start")).status_code == 403
    assert client_for(world.minh).get(_form_url(world)).status_code == 403


def test_form_shows_checklist_and_fees(world: World) -> None:
    html = client_for(world.lan).get(_form_url(world)).content.decode()
    assert "Đơn đề nghị (mẫu 01)" in html
    assert "Giấy tờ chứng minh (nếu có)" in html
    assert "Lệ phí cấp giấy phép" in html
    assert "50.000 đồng" in html
    assert ">Tiếp nhận hồ sơ</button>" in html


def test_happy_path_creates_the_dossier_and_the_receipt_downloads(world: World) -> None:
    client = client_for(world.lan)
    response = client.post(_form_url(world), _valid(world))
    assert response.status_code == 302, response.content.decode()[:3000]
    d = Dossier.objects.get(applicant_id_number="022190004567")
    assert response["Location"] == reverse("backoffice:dossier_detail", args=[d.code]) + "?moi=1"
    assert d.state == DossierState.ACCEPTED
    assert d.receiving_unit == world.centre_a
    assert d.applicant_phone == "0987654321"
    components = list(d.components.order_by("order"))
    assert components[0].paper_presented
    assert components[1].file
    page = client.get(response["Location"]).content.decode()
    assert "In giấy tiếp nhận (mẫu 01)" in page
    assert f"Đã tiếp nhận hồ sơ {d.code}" in page
    pdf = client.get(reverse("backoffice:dossier_form_pdf", args=[d.code, "01"]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    text = pdfcheck.text(pdf.content)
    assert d.code in text
    assert "Phạm Thị Hương" in text
    assert f"http://testserver/tra-cuu/{d.code}" in text


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"applicant_name": ""}, "Vui lòng nhập thông tin này."),
        ({"applicant_id_number": "02219000456"}, "phải gồm đúng 12 chữ số"),
        ({"applicant_id_number": "02219000456A"}, "phải gồm đúng 12 chữ số"),
        ({"applicant_birth_date": "2999-01-01"}, "Ngày sinh không được sau ngày hôm nay."),
        ({"applicant_birth_date": ""}, "Vui lòng nhập ngày sinh"),
        ({"applicant_phone": "12"}, "Số điện thoại «12» không hợp lệ"),
        ({"applicant_phone": "0612345678"}, "Số điện thoại «0612345678» không hợp lệ"),
        ({"applicant_birth_date": "1899-12-31"}, "Ngày sinh không được trước năm 1900."),
        ({"applicant_id_number": "003190000456"}, "«003» không phải mã tỉnh"),
        ({"applicant_name": "<script>alert(1)</script> Nguyễn Văn A"}, "Họ tên chỉ gồm chữ cái"),
        ({"representative_name": "Trần Văn 2"}, "không dùng được «2»"),
        ({"applicant_birth_date": "1991-05-17"}, "số 022190004567 ứng với năm sinh 1990"),
        ({"applicant_email": "khong-phai-email"}, "Địa chỉ thư điện tử không hợp lệ."),
        ({"representative_id_number": "123"}, "Số định danh cá nhân phải gồm đúng 12 chữ số."),
        ({"receiving_unit": "999999"}, "Select a valid choice"),
    ],
)
def test_bad_input_changes_nothing(world: World, overrides: dict[str, Any], message: str) -> None:
    response = client_for(world.lan).post(_form_url(world), _valid(world, **overrides))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Hồ sơ chưa được tiếp nhận" in html
    if message != "Select a valid choice":
        assert message in html
    assert not Dossier.objects.exists()


def test_organisation_needs_a_business_code(world: World) -> None:
    bad = client_for(world.lan).post(
        _form_url(world), _valid(world, applicant_kind="organisation", applicant_id_number="123")
    )
    assert bad.status_code == 400
    assert "Mã số thuế phải gồm 10 chữ số" in bad.content.decode()
    ok = client_for(world.lan).post(
        _form_url(world),
        _valid(
            world, applicant_kind="organisation", applicant_id_number="5701234566", applicant_birth_date=""
        ),
    )
    assert ok.status_code == 302


def test_engine_errors_are_shown_in_vietnamese(world: World) -> None:
    # A commune-level procedure received at the province centre must name the commune.
    from motcua.org.models import RoleAssignment

    RoleAssignment.objects.create(official=world.lan.official, unit=world.province_centre, role="reception")
    response = client_for(world.lan).post(
        _form_url(world), _valid(world, receiving_unit=str(world.province_centre.pk))
    )
    assert response.status_code == 400
    assert "Thủ tục cấp xã: vui lòng chọn UBND xã, phường, đặc khu" in response.content.decode()
    assert not Dossier.objects.exists()


def test_unknown_procedure_is_404(world: World) -> None:
    assert client_for(world.lan).get(reverse("backoffice:intake_form", args=["0.000000"])).status_code == 404
