"""PDF downloads of forms 01–05 and the stop notice from the dossier page; unit page and ledger (06)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from motcua.backoffice.tests.conftest import client_for
from motcua.documents.tests import pdfcheck
from motcua.dossiers import services
from motcua.dossiers.tests.factories import World, dossier_at, vn

pytestmark = pytest.mark.django_db


def pdf_url(code: str, form: str) -> str:
    return reverse("backoffice:dossier_form_pdf", args=[code, form])


def _pdf_text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    return pdfcheck.text(response.content)


def test_receipt_and_process_control(world: World) -> None:
    d = dossier_at(world, "returned")
    client = client_for(world.lan)
    assert d.code in _pdf_text(client, pdf_url(d.code, "01"))
    text = _pdf_text(client, pdf_url(d.code, "05"))
    for step in ("Tiếp nhận hồ sơ", "Thẩm định", "Phê duyệt", "Ký số", "Trả kết quả"):
        assert step in text
    assert "Trần Văn Minh" in text


def test_supplement_request(world: World) -> None:
    d = dossier_at(world, "supplement")
    client = client_for(world.minh)
    page = client.get(reverse("backoffice:dossier_detail", args=[d.code])).content.decode()
    assert pdf_url(d.code, "02") in page
    assert "Bản sao giấy khai sinh" in _pdf_text(client, pdf_url(d.code, "02"))


def test_refusal_for_refused_and_rejected(world: World) -> None:
    submitted = dossier_at(world, "submitted")
    refused = services.dossier_refuse(
        actor=world.lan, dossier=submitted, row_version=submitted.row_version, reason="Hồ sơ giả mạo"
    )
    assert "Hồ sơ giả mạo" in _pdf_text(client_for(world.lan), pdf_url(refused.code, "03"))
    at_approval = dossier_at(world, "approval")
    rejected = services.dossier_reject(
        actor=world.hung,
        dossier=at_approval,
        row_version=at_approval.row_version,
        reason="Không đủ điều kiện",
    )
    assert "Không đủ điều kiện" in _pdf_text(client_for(world.hung), pdf_url(rejected.code, "03"))


def test_apology_after_extension(world: World) -> None:
    d = dossier_at(world, "appraisal")
    d = services.dossier_extend(
        actor=world.minh,
        dossier=d,
        row_version=d.row_version,
        new_due_at=vn(2026, 3, 10, 10),
        reason="Xác minh",
    )
    text = _pdf_text(client_for(world.minh), pdf_url(d.code, "04"))
    assert "Xác minh" in text
    assert "10/03/2026" in text


def test_stop_notice(world: World) -> None:
    d = dossier_at(world, "appraisal")
    d = services.dossier_stop(actor=world.hung, dossier=d, row_version=d.row_version, reason="Có tranh chấp")
    assert "Có tranh chấp" in _pdf_text(client_for(world.hung), pdf_url(d.code, "dung"))


def test_forms_that_do_not_apply_are_404(world: World) -> None:
    d = dossier_at(world, "appraisal")
    client = client_for(world.minh)
    for form in ("02", "03", "04", "dung", "99"):
        assert client.get(pdf_url(d.code, form)).status_code == 404
    submitted = dossier_at(world, "submitted")
    assert client_for(world.lan).get(pdf_url(submitted.code, "01")).status_code == 404


def test_unit_page_counts_filters_and_ledger(world: World, monday: Any) -> None:
    a = dossier_at(world, "appraisal")
    s = dossier_at(world, "supplement")
    client = client_for(world.hung)
    html = client.get(reverse("backoffice:unit"), {"unit": str(world.commune_a.pk)}).content.decode()
    assert a.code in html
    assert s.code in html
    assert "Chờ công dân bổ sung hồ sơ" in html
    filtered = client.get(
        reverse("backoffice:unit"), {"unit": str(world.commune_a.pk), "state": "supplement_requested"}
    )
    results = filtered.content.decode().split('id="queue-results"')[1]
    assert s.code in results
    assert a.code not in results
    partial = client.get(
        reverse("backoffice:unit"), {"unit": str(world.commune_a.pk)}, HTTP_HX_REQUEST="true"
    )
    assert "<html" not in partial.content.decode()
    ledger = client.get(
        reverse("backoffice:ledger_pdf"),
        {"unit": str(world.centre_a.pk), "tu": "2026-03-01", "den": "2026-03-31"},
    )
    assert ledger.status_code == 200
    text = pdfcheck.text(ledger.content)
    compact = text.replace(" ", "")  # codes wrap inside the narrow column
    assert a.code in compact
    assert s.code in compact
    assert "Từ ngày 01/03/2026 đến ngày 31/03/2026" in text


def test_ledger_bad_range_and_foreign_unit(world: World) -> None:
    client = client_for(world.hung)
    url = reverse("backoffice:ledger_pdf")
    bad = client.get(url, {"unit": str(world.centre_a.pk), "tu": "2026-03-31", "den": "2026-03-01"})
    assert bad.status_code == 400
    assert "Ngày kết thúc phải sau ngày bắt đầu." in bad.content.decode()
    foreign = client.get(url, {"unit": str(world.centre_b.pk), "tu": "2026-03-01", "den": "2026-03-31"})
    assert foreign.status_code == 400
    assert client_for(world.minh).get(url, {"unit": str(world.commune_a.pk)}).status_code == 403


def test_a_ledger_address_without_its_parameters_names_what_is_missing(world: World) -> None:
    response = client_for(world.hung).get(reverse("backoffice:ledger_pdf"))
    assert response.status_code == 400
    html = response.content.decode()
    for label in ("Đơn vị", "Từ ngày", "Đến ngày"):
        assert f"<li>{label}: Vui lòng nhập thông tin này.</li>" in html
