"""Fees at counter intake and on the dossier page / form 01: the fee due, never a sum of alternatives."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from motcua.backoffice.tests.conftest import client_for
from motcua.catalog.models import Procedure
from motcua.documents.tests import pdfcheck
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import World, procedure_with_process
from motcua.dossiers.tests.test_services_receipt_fees import PER_CASE, THUONG_TRU, with_schedule

pytestmark = pytest.mark.django_db


def _url(procedure: Procedure) -> str:
    return reverse("backoffice:intake_form", args=[procedure.code])


def _valid(world: World, procedure: Procedure, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "receiving_unit": str(world.centre_a.pk),
        "channel": "counter",
        "applicant_kind": "person",
        "applicant_name": "Phạm Thị Hương",
        "applicant_id_number": "022190004567",
        "applicant_birth_date": "1990-05-17",
        "applicant_phone": "0987654321",
        "summary": "Đề nghị đăng ký",
        **{f"doc_{doc.pk}_paper": "on" for doc in procedure.documents.all()},
    }
    data.update(overrides)
    return data


def test_intake_shows_the_counter_rate_not_the_sum(world: World) -> None:
    """Issue 8 point 10: the intake page showed "Tổng: 30.000 đồng" for 20.000 / 10.000 alternatives."""
    html = client_for(world.lan).get(_url(with_schedule(THUONG_TRU))).content.decode()
    assert "Phải nộp: 20.000 đồng" in html
    assert "30.000" not in html
    assert "Không tính Lệ phí đăng ký thường trú - nộp trực tuyến" in html


def test_the_officer_picks_the_case_and_the_dossier_page_and_form_01_explain_it(world: World) -> None:
    procedure = with_schedule(PER_CASE)
    client = client_for(world.lan)
    form = client.get(_url(procedure)).content.decode()
    assert 'name="fee_case"' in form
    assert "Phải nộp: 100.000 đồng" in form  # the first case until the officer chooses
    response = client.post(_url(procedure), _valid(world, procedure, fee_case="trường hợp gia hạn"))
    assert response.status_code == 302, response.content.decode()[:3000]
    d = Dossier.objects.get(procedure=procedure)
    assert d.fees_total == 50_000
    page = client.get(reverse("backoffice:dossier_detail", args=[d.code])).content.decode()
    assert "Phải nộp: 50.000 đồng" in page
    assert "Trường hợp tính phí: trường hợp gia hạn" in page
    assert "Căn cứ:" in page
    assert "Không tính Lệ phí cấp giấy phép - trường hợp cấp mới" in page
    pdf = client.get(reverse("backoffice:dossier_form_pdf", args=[d.code, "01"]))
    text = " ".join(pdfcheck.text(pdf.content).split())
    assert "Phí, lệ phí: 50.000 đồng (trường hợp gia hạn)" in text
    assert "150.000" not in text


def test_a_case_not_in_the_schedule_is_refused(world: World) -> None:
    procedure = with_schedule(PER_CASE)
    data = _valid(world, procedure, fee_case="trường hợp khác")
    response = client_for(world.lan).post(_url(procedure), data)
    assert response.status_code == 400
    assert "Trường hợp tính phí không có trong biểu phí của thủ tục." in response.content.decode()
    assert not Dossier.objects.filter(procedure=procedure).exists()


def test_an_unpublished_amount_reads_as_such_on_the_dossier_page(world: World) -> None:
    procedure = with_schedule([{"name": "Lệ phí cấp giấy", "amount_vnd": None, "note": ""}])
    client = client_for(world.lan)
    assert "Chưa công bố mức thu" in client.get(_url(procedure)).content.decode()
    response = client.post(_url(procedure), _valid(world, procedure))
    assert response.status_code == 302, response.content.decode()[:3000]
    d = Dossier.objects.get(procedure=procedure)
    page = client.get(reverse("backoffice:dossier_detail", args=[d.code])).content.decode()
    assert "Chưa công bố mức thu" in page
    assert "0 đồng" not in page


def test_a_procedure_of_another_province_has_no_intake(world: World) -> None:
    procedure = procedure_with_process(name="Cấp giấy phép trên địa bàn tỉnh Thanh Hóa")
    Procedure.objects.filter(pk=procedure.pk).update(applies_here=False)
    response = client_for(world.lan).get(_url(procedure))
    assert response.status_code == 404
