"""Catalogue admin: pages render, edits go through the versioning services, processes stay immutable."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from motcua.catalog.models import Procedure, ProcessDefinition, ProcessSource
from motcua.catalog.services import catalog_import
from motcua.catalog.tests.test_import_fixtures import detailed, row, write_catalog

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(tmp_path: Path) -> Client:
    catalog_import(path=write_catalog(tmp_path, [row("1.000001"), row("1.000002")], [detailed("1.000001")]))
    user = get_user_model().objects.create_superuser("quantri", "qt@example.vn", "mat-khau-dai-123")
    client = Client()
    client.force_login(user)
    return client


def _management(prefix: str, total: int, initial: int) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_pages_render(admin_client_: Client) -> None:
    procedure = Procedure.objects.get(code="1.000001")
    process = ProcessDefinition.objects.get(procedure=procedure)
    for url in (
        reverse("admin:catalog_procedure_changelist"),
        reverse("admin:catalog_procedure_changelist") + "?q=1.000001",
        reverse("admin:catalog_procedure_change", args=[procedure.pk]),
        reverse("admin:catalog_field_changelist"),
        reverse("admin:catalog_processdefinition_changelist"),
        reverse("admin:catalog_processdefinition_change", args=[process.pk]),
        reverse("admin:catalog_procedureversion_changelist"),
        reverse("admin:catalog_procedureversion_change", args=[procedure.versions.get().pk]),
    ):
        response = admin_client_.get(url)
        assert response.status_code == 200, url
    page = admin_client_.get(reverse("admin:catalog_processdefinition_change", args=[process.pk]))
    assert "không sửa được" in page.content.decode()


def test_saving_a_procedure_in_the_admin_bumps_the_version(admin_client_: Client) -> None:
    procedure = Procedure.objects.get(code="1.000001")
    document = procedure.documents.get()
    fee = procedure.fees.get()
    version = procedure.versions.get()
    data = {
        "code": procedure.code,
        "name": "Thủ tục đã sửa",
        "field": str(procedure.field_id),
        "level": procedure.level,
        "service_level": procedure.service_level,
        "is_active": "on",
        "applies_here": "on",
        "processing_time_amount": "3",
        "processing_time_unit": procedure.processing_time_unit,
        "processing_time_text": procedure.processing_time_text,
        "competent_authority": procedure.competent_authority,
        "implementing_agency": procedure.implementing_agency,
        "steps": '["Nộp hồ sơ"]',
        "result": procedure.result,
        "legal_basis": "[]",
        "notes": "[]",
        "sources": "[]",
        "processing_time_extra": "[]",
        "has_details": "on",
        "audience_citizen": "on",
        "popularity": "10",
        **_management("documents", 1, 1),
        "documents-0-id": str(document.pk),
        "documents-0-procedure": str(procedure.pk),
        "documents-0-order": "1",
        "documents-0-name": document.name,
        "documents-0-copies": document.copies,
        "documents-0-form_template": document.form_template,
        "documents-0-required": "on",
        "documents-0-note": "",
        **_management("fees", 1, 1),
        "fees-0-id": str(fee.pk),
        "fees-0-procedure": str(procedure.pk),
        "fees-0-order": "1",
        "fees-0-name": fee.name,
        "fees-0-amount_vnd": "15000",
        "fees-0-note": "",
        "fees-0-channel": "counter",
        "fees-0-basis": "fixed",
        "fees-0-exemption": "Miễn cho hộ nghèo.",
        **_management("versions", 1, 1),
        "versions-0-id": str(version.pk),
        "versions-0-procedure": str(procedure.pk),
    }
    response = admin_client_.post(reverse("admin:catalog_procedure_change", args=[procedure.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]

    procedure.refresh_from_db()
    assert procedure.name == "Thủ tục đã sửa"
    assert procedure.version == 2
    latest = procedure.versions.get(number=2)
    assert latest.snapshot["fees"][0]["amount_vnd"] == 15000
    # When the line applies is edited here too, and versioned with the rest.
    assert latest.snapshot["fees"][0]["channel"] == "counter"
    assert latest.snapshot["fees"][0]["exemption"] == "Miễn cho hộ nghèo."
    assert latest.source == "admin:quantri"


def test_versions_are_read_only(admin_client_: Client) -> None:
    version = Procedure.objects.get(code="1.000001").versions.get()
    response = admin_client_.post(reverse("admin:catalog_procedureversion_change", args=[version.pk]), {})
    assert response.status_code == 403
    add = admin_client_.get(reverse("admin:catalog_processdefinition_add"))
    assert add.status_code == 403


def test_process_draft_and_activate_actions(admin_client_: Client) -> None:
    procedure = Procedure.objects.get(code="1.000001")
    current = ProcessDefinition.objects.get(procedure=procedure)
    url = reverse("admin:catalog_processdefinition_changelist")

    admin_client_.post(url, {"action": "draft_create", "_selected_action": [str(current.pk)]})
    draft = ProcessDefinition.objects.get(procedure=procedure, version=2)
    assert draft.source == ProcessSource.MANUAL
    assert not draft.is_current
    page = admin_client_.get(reverse("admin:catalog_processdefinition_change", args=[draft.pk]))
    assert "không sửa được" not in page.content.decode()
    assert "Hợp lệ" in page.content.decode()

    # Unbalanced budgets: the action refuses and the old version stays current.
    draft.steps.filter(order=2).update(duration_amount=9)
    response = admin_client_.post(
        url, {"action": "draft_activate", "_selected_action": [str(draft.pk)]}, follow=True
    )
    assert "không áp dụng được" in response.content.decode()
    assert ProcessDefinition.objects.get(procedure=procedure, is_current=True).version == 1

    draft.steps.filter(order=2).update(duration_amount=1)
    admin_client_.post(url, {"action": "draft_activate", "_selected_action": [str(draft.pk)]})
    assert ProcessDefinition.objects.get(procedure=procedure, is_current=True).version == 2


def test_process_change_page_checks_the_draft_once_per_request(
    admin_client_: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from motcua.catalog import admin as catalog_admin
    from motcua.catalog.services import process_definition_draft_create, process_definition_is_draft

    procedure = Procedure.objects.get(code="1.000001")
    current = ProcessDefinition.objects.get(procedure=procedure)
    draft = process_definition_draft_create(procedure=procedure)
    calls: list[int] = []

    def counted(*, definition: ProcessDefinition) -> bool:
        calls.append(definition.pk)
        return process_definition_is_draft(definition=definition)

    monkeypatch.setattr(catalog_admin, "process_definition_is_draft", counted)
    for definition, editable in ((draft, True), (current, False)):
        calls.clear()
        page = admin_client_.get(reverse("admin:catalog_processdefinition_change", args=[definition.pk]))
        assert page.status_code == 200
        assert ("không sửa được" not in page.content.decode()) is editable
        assert calls == [definition.pk]


def test_procedures_without_processing_time_are_flagged_and_filterable(admin_client_: Client) -> None:
    """Issue 8 point 13: admins see which procedures are incomplete and can list only those."""
    Procedure.objects.filter(code="1.000002").update(processing_time_amount=None, processing_time_unit="")
    Procedure.objects.filter(code="1.000001").update(
        processing_time_amount=3, processing_time_unit="working_days"
    )
    url = reverse("admin:catalog_procedure_changelist")
    page = admin_client_.get(url).content.decode()
    assert page.count("Chưa đủ dữ liệu: chưa có thời hạn") == 1
    incomplete = admin_client_.get(url, {"du_lieu": "thieu"})
    assert [p.code for p in incomplete.context["cl"].result_list] == ["1.000002"]
    complete = admin_client_.get(url, {"du_lieu": "du"})
    assert [p.code for p in complete.context["cl"].result_list] == ["1.000001"]


# Labels the audit of issue 8 (point 19) found in English on these pages: Django derives them from the
# attribute names when a field has no verbose_name. The admin is Vietnamese-only (docs/domain.md §13).
ENGLISH_LABELS = [
    "Code",
    "Name",
    "Field",
    "Level",
    "Service level",
    "Processing time amount",
    "Processing time unit",
    "Processing time text",
    "Competent authority",
    "Implementing agency",
    "Steps",
    "Legal basis",
    "Notes",
    "Popularity",
    "Created at",
    "Order",
    "Note",
    "Procedure",
    "Total unit",
    "Total amount",
    "Actor role",
    "Duration amount",
    "Number",
    "Source",
    "Has details",
    "Is vertical",
]


def test_catalogue_admin_pages_show_no_english_label(admin_client_: Client) -> None:
    from motcua.core.tests.test_i18n import _VisibleText

    procedure = Procedure.objects.get(code="1.000001")
    process = ProcessDefinition.objects.get(procedure=procedure)
    english = {label.casefold() for label in ENGLISH_LABELS}
    for url in (
        reverse("admin:catalog_procedure_changelist"),
        reverse("admin:catalog_procedure_change", args=[procedure.pk]),
        reverse("admin:catalog_processdefinition_changelist"),
        reverse("admin:catalog_processdefinition_change", args=[process.pk]),
        reverse("admin:catalog_procedureversion_changelist"),
        reverse("admin:catalog_procedureversion_change", args=[procedure.versions.get().pk]),
        reverse("admin:index"),
    ):
        parser = _VisibleText()
        parser.feed(admin_client_.get(url).content.decode())
        # A label is a whole text node ("Code:", "Procedure") or a filter heading ("Theo level").
        leaked = [
            text
            for text in parser.texts
            if text.rstrip(":").strip().casefold() in english
            or text.casefold().removeprefix("theo ").removeprefix("bởi ").strip() in english
            or "models" in text
        ]
        assert not leaked, f"{url}: nhãn tiếng Anh trong trang quản trị: {leaked}"
        assert not any(text.startswith("Bởi ") for text in parser.texts), url


def test_fractional_times_read_with_a_decimal_comma(tmp_path: Path, admin_client: Client) -> None:
    """Issue 8: the procedure list read "0.5 ngày làm việc"; Vietnamese writes "0,5"."""
    half_day = {"amount": 0.5, "unit": "working_days", "text": "Trong 0,5 ngày làm việc"}
    catalog_import(
        path=write_catalog(tmp_path, [row("1.000001")], [detailed("1.000001", processing_time=half_day)])
    )
    procedure = Procedure.objects.get(code="1.000001")
    pages = [
        reverse("admin:catalog_procedure_changelist"),
        reverse("admin:catalog_procedure_change", args=[procedure.pk]),
        reverse("admin:catalog_processdefinition_changelist"),
    ]
    htmls = [admin_client.get(url).content.decode() for url in pages]
    assert "0,5 ngày làm việc" in htmls[0]
    assert "0,5 ngày làm việc" in htmls[2]
    for url, html in zip(pages, htmls, strict=True):
        assert not re.search(r"\d\.\d+ (?:ngày|giờ)", html), url
