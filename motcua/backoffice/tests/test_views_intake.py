"""Counter intake: procedure search, applicant + checklist + fees, dossier_receive, form 01."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from motcua.backoffice.tests.conftest import client_for
from motcua.core.tests import upload_files
from motcua.documents.tests import pdfcheck
from motcua.dossiers.models import Dossier, DossierState, IntakeNotice, IntakeNoticeKind
from motcua.dossiers.tests.factories import MONDAY_0900, World, procedure_with_process, vn

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
    assert "Chưa có thời hạn" not in html  # the world's procedure publishes 3 working days


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


# --- incomplete dossiers: not received; form 02 or 03 instead (issue 8 point 9) --------------------


def _without_required(world: World, **overrides: Any) -> dict[str, Any]:
    required = world.procedure.documents.get(order=1)
    data = _valid(world, **overrides)
    del data[f"doc_{required.pk}_paper"]
    return data


def test_dossier_missing_a_required_document_is_not_received(world: World) -> None:
    required = world.procedure.documents.get(order=1)
    response = client_for(world.lan).post(_form_url(world), _without_required(world))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Hồ sơ còn thiếu 1 thành phần bắt buộc nên chưa thể tiếp nhận: 1. Đơn đề nghị (mẫu 01)." in html
    # Beside the checklist row, and the two ways out are offered.
    assert response.context["form"].errors[f"doc_{required.pk}_paper"] == [
        "Thiếu thành phần bắt buộc: Đơn đề nghị (mẫu 01)."
    ]
    assert "Lập phiếu hướng dẫn bổ sung (mẫu 02)" in html
    assert "Từ chối tiếp nhận (mẫu 03)" in html
    assert not Dossier.objects.exists()


def test_an_unknown_button_value_receives_nothing(world: World) -> None:
    """A tampered ``intent`` must not fall through to a receipt (nor issue a slip)."""
    response = client_for(world.lan).post(_form_url(world), _valid(world, intent="zzz"))
    assert response.status_code == 400
    assert "Thao tác không hợp lệ" in response.content.decode()
    assert not Dossier.objects.exists()
    assert not IntakeNotice.objects.exists()


def test_guidance_prints_form_02_listing_the_missing_documents(world: World) -> None:
    client = client_for(world.lan)
    response = client.post(
        _form_url(world),
        _without_required(
            world, intent="guide", notice_items="Ảnh 4x6\n", notice_reason="Nộp lại tại quầy 3."
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    notice = IntakeNotice.objects.get()
    assert response["Location"] == reverse("backoffice:intake_notice", args=[notice.pk])
    assert notice.kind == IntakeNoticeKind.SUPPLEMENT
    assert [item["name"] for item in notice.items] == ["Đơn đề nghị (mẫu 01)", "Ảnh 4x6"]
    assert not Dossier.objects.exists()  # nothing received, no code
    page = client.get(response["Location"]).content.decode()
    assert "không được tiếp nhận" in page
    pdf = client.get(reverse("backoffice:intake_notice_pdf", args=[notice.pk]))
    assert pdf.status_code == 200
    text = pdfcheck.text(pdf.content)
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text.upper()
    assert "Đơn đề nghị (mẫu 01)" in text
    assert "Phạm Thị Hương" in text
    assert "Mã hồ sơ" not in text


def test_refusal_at_the_counter_needs_reasons_and_prints_form_03(world: World) -> None:
    client = client_for(world.lan)
    bad = client.post(_form_url(world), _without_required(world, intent="refuse"))
    assert bad.status_code == 400
    assert "Vui lòng nhập lý do từ chối tiếp nhận." in bad.content.decode()
    assert not IntakeNotice.objects.exists()
    ok = client.post(
        _form_url(world), _without_required(world, intent="refuse", notice_reason="Không thuộc thẩm quyền.")
    )
    assert ok.status_code == 302
    notice = IntakeNotice.objects.get()
    assert (notice.kind, notice.reason) == (IntakeNoticeKind.REFUSAL, "Không thuộc thẩm quyền.")
    pdf = client.get(reverse("backoffice:intake_notice_pdf", args=[notice.pk]))
    assert "Không thuộc thẩm quyền." in pdfcheck.text(pdf.content)
    assert not Dossier.objects.exists()


def test_notices_are_visible_only_to_reception_officers_of_their_unit(world: World) -> None:
    client_for(world.lan).post(
        _form_url(world), _without_required(world, intent="refuse", notice_reason="Lý do")
    )
    notice = IntakeNotice.objects.get()
    for outsider in (world.binh, world.minh):
        assert client_for(outsider).get(
            reverse("backoffice:intake_notice", args=[notice.pk])
        ).status_code in (
            403,
            404,
        )
        assert client_for(outsider).get(
            reverse("backoffice:intake_notice_pdf", args=[notice.pk])
        ).status_code in (
            403,
            404,
        )


def test_procedure_without_documents_is_received_with_named_papers(world: World) -> None:
    procedure = procedure_with_process(documents=False)
    url = reverse("backoffice:intake_form", args=[procedure.code])
    client = client_for(world.lan)
    bad = client.post(url, _valid(world))
    assert bad.status_code == 400
    assert "vui lòng ghi tên ít nhất một giấy tờ" in bad.content.decode()
    ok = client.post(url, _valid(world, other_components="Tờ khai\nBản sao CCCD"))
    assert ok.status_code == 302
    d = Dossier.objects.get()
    assert [c.name for c in d.components.order_by("order")] == ["Tờ khai", "Bản sao CCCD"]


# --- procedures without a processing time: the officer sets the appointment (issue 8 point 13) ------


def test_search_flags_procedures_without_processing_time(world: World) -> None:
    procedure_with_process(timed=False, name="Thủ tục chưa có thời hạn thử nghiệm")
    html = client_for(world.lan).get(reverse("backoffice:intake_start"), {"q": "chưa có thời hạn thử nghiệm"})
    assert "Chưa có thời hạn: cán bộ hẹn ngày trả" in html.content.decode()


def test_procedure_without_processing_time_asks_for_the_appointment_and_its_reason(world: World) -> None:
    procedure = procedure_with_process(timed=False)
    url = reverse("backoffice:intake_form", args=[procedure.code])
    client = client_for(world.lan)
    required = procedure.documents.get(order=1)
    assert "Ngày giờ hẹn trả kết quả" in client.get(url).content.decode()
    assert "Ngày giờ hẹn trả kết quả" not in client.get(_form_url(world)).content.decode()
    data = {k: v for k, v in _valid(world).items() if not k.startswith("doc_")}
    data[f"doc_{required.pk}_paper"] = "on"
    with time_machine.travel(MONDAY_0900, tick=False):
        bad = client.post(url, data)
        assert bad.status_code == 400
        html = bad.content.decode()
        assert "vui lòng nhập ngày giờ hẹn trả kết quả" in html
        assert "Vui lòng nhập lý do ấn định ngày hẹn trả." in html
        saturday = client.post(url, {**data, "appointment_at": "2026-03-07T10:00", "appointment_reason": "x"})
        assert "không phải ngày làm việc" in saturday.content.decode()
        assert not Dossier.objects.exists()
        ok = client.post(
            url, {**data, "appointment_at": "2026-03-06T16:00", "appointment_reason": "Cần xác minh thực địa"}
        )
        assert ok.status_code == 302, ok.content.decode()[:3000]
    d = Dossier.objects.get()
    assert d.due_at == vn(2026, 3, 6, 16)
    assert d.appointment_reason == "Cần xác minh thực địa"
    page = client.get(reverse("backoffice:dossier_detail", args=[d.code])).content.decode()
    assert "16:00 06/03/2026" in page
    assert "Lý do: Cần xác minh thực địa" in page
    text = pdfcheck.text(client.get(reverse("backoffice:dossier_form_pdf", args=[d.code, "01"])).content)
    assert "Cần xác minh thực địa" in text
