"""Procedure edits outside the import: versioning through services."""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from motcua.catalog.models import Level, Procedure, ProcessDefinition, ProcessSource
from motcua.catalog.services import (
    catalog_import,
    field_get_or_create,
    procedure_content_hash,
    procedure_update,
    procedure_version_record,
)
from motcua.catalog.tests.test_import_fixtures import detailed, row, write_catalog
from motcua.core.text import fold
from motcua.worktime.models import TimeUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def procedure(tmp_path: Path) -> Procedure:
    catalog_import(path=write_catalog(tmp_path, [row("1.000001")], [detailed("1.000001")]))
    return Procedure.objects.get(code="1.000001")


def test_update_bumps_version_snapshots_and_normalises(procedure: Procedure) -> None:
    decomposed = unicodedata.normalize("NFD", "Đăng ký  kết hôn ")
    new_field = field_get_or_create(name="Chứng thực")

    procedure_update(procedure=procedure, data={"name": decomposed, "field": new_field}, source="test")

    procedure.refresh_from_db()
    assert procedure.name == "Đăng ký kết hôn"
    assert procedure.version == 2
    assert procedure.search_text == fold("Đăng ký kết hôn Chứng thực")
    assert procedure.content_hash == procedure_content_hash(procedure=procedure)
    latest = procedure.versions.get(number=2)
    assert latest.snapshot["name"] == "Đăng ký kết hôn"
    assert latest.snapshot["field"] == "Chứng thực"
    assert latest.source == "test"


def test_update_without_change_records_nothing(procedure: Procedure) -> None:
    procedure_update(procedure=procedure, data={"name": procedure.name}, source="test")
    assert procedure.version == 1
    assert procedure.versions.count() == 1


def test_update_rejects_unknown_columns(procedure: Procedure) -> None:
    with pytest.raises(ValueError, match="version"):
        procedure_update(procedure=procedure, data={"version": 9}, source="test")


def test_document_change_is_a_new_version(procedure: Procedure) -> None:
    procedure.documents.create(order=2, name="Giấy tờ tùy thân")
    version = procedure_version_record(procedure=procedure, source="test")
    assert version is not None
    assert version.number == 2
    assert [d["name"] for d in version.snapshot["documents"]] == ["Tờ khai", "Giấy tờ tùy thân"]
    assert procedure_version_record(procedure=procedure, source="test") is None


def test_time_change_rederives_a_derived_process(procedure: Procedure) -> None:
    procedure_update(
        procedure=procedure,
        data={"processing_time_amount": Decimal(10), "processing_time_unit": TimeUnit.WORKING_DAYS},
        source="test",
    )
    current = ProcessDefinition.objects.get(procedure=procedure, is_current=True)
    assert (current.version, current.total_amount, current.source) == (2, 10, ProcessSource.DERIVED)


def test_time_change_keeps_an_approved_process(tmp_path: Path) -> None:
    internal = [
        {
            "step": "B1",
            "actor": "Bộ phận tiếp nhận",
            "duration": {"amount": 1, "unit": "working_days"},
            "task": "",
        },
        {"step": "B2", "actor": "Công chức", "duration": {"amount": 2, "unit": "working_days"}, "task": ""},
    ]
    catalog_import(
        path=write_catalog(
            tmp_path, [row("1.000001")], [{**detailed("1.000001"), "internal_process": internal}]
        )
    )
    procedure = Procedure.objects.get(code="1.000001")
    procedure_update(procedure=procedure, data={"level": Level.PROVINCE}, source="test")
    current = ProcessDefinition.objects.get(procedure=procedure, is_current=True)
    assert (current.version, current.source) == (1, ProcessSource.DATA)


def test_field_get_or_create_makes_unique_slugs() -> None:
    first = field_get_or_create(name="Hộ tịch")
    assert field_get_or_create(name="Hộ tịch") == first
    second = field_get_or_create(name="Hộ-tịch")
    assert (first.code, second.code) == ("ho-tich", "ho-tich-2")


def test_update_records_the_editor_on_the_snapshot(procedure: Procedure) -> None:
    from motcua.org.tests.factories import UserFactory

    editor = UserFactory.create(username="ba_hoa")
    procedure_update(procedure=procedure, data={"result": "Giấy phép"}, source="admin:ba_hoa", editor=editor)
    assert procedure.versions.get(number=2).edited_by == editor
    assert procedure.versions.get(number=1).edited_by is None  # the import's


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"processing_time_unit": ""}, "processing_time_unit", "Chọn đơn vị"),
        ({"processing_time_amount": Decimal(0)}, "processing_time_amount", "lớn hơn 0"),
        (
            {"processing_time_amount": Decimal("1.5"), "processing_time_unit": TimeUnit.CALENDAR_DAYS},
            "processing_time_amount",
            "không tính được hạn xử lý",
        ),
    ],
)
def test_update_refuses_a_time_the_engine_cannot_use(
    procedure: Procedure, data: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        procedure_update(procedure=procedure, data=data, source="test")
    assert message in " ".join(caught.value.message_dict[field])
    procedure.refresh_from_db()
    assert procedure.version == 1
    assert procedure.processing_time_amount == 3
    assert ProcessDefinition.objects.filter(procedure=procedure).count() == 1
