"""Import of the real catalogue (data/catalog): counts, merge rules, idempotence, versioning.

Its speed is measured in ``bench/inprocess_bench.py``, not here (a unit test never asserts a duration).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from motcua.catalog import search, services
from motcua.catalog.models import (
    Field,
    Level,
    Procedure,
    ProcedureDocument,
    ProcedureVersion,
    ProcessDefinition,
    ProcessSource,
    ProcessStep,
)
from motcua.catalog.services import catalog_import, procedure_content_hash
from motcua.catalog.tests.test_import_fixtures import REAL_DATA, copy_real
from motcua.core.text import fold
from motcua.worktime.models import TimeUnit

pytestmark = pytest.mark.django_db

EXTRA_DETAILED = {
    "1.013978",
    "1.012768",
    "1.012796",
    "1.014027",
    "2.001661",
    "3.000527",
    "2.002755",
    "1.014137",
}


def _fields_expected() -> set[str]:
    document = json.loads((REAL_DATA / "fields.json").read_text(encoding="utf-8"))
    names = {f["field"] for f in document["heuristic_fields"]} | {
        f["field"] for f in document["detailed_fields"]
    }
    return names


def test_full_import_counts_and_merge_rules() -> None:
    report = catalog_import(path=REAL_DATA)

    assert (report.created, report.updated, report.unchanged, report.invalid) == (2403, 0, 0, 0)
    assert Procedure.objects.count() == 2395 + 8 == 2403
    assert set(Procedure.objects.filter(popularity=0, has_details=True).values_list("code", flat=True)) >= (
        EXTRA_DETAILED
    )
    assert Procedure.objects.filter(has_details=True).count() == 31
    assert set(Field.objects.values_list("name", flat=True)) == _fields_expected()
    # Every procedure has exactly one current process and a version-1 snapshot.
    assert ProcessDefinition.objects.filter(is_current=True).count() == 2403
    assert ProcedureVersion.objects.filter(number=1).count() == 2403

    birth = Procedure.objects.select_related("field").get(code="1.001193")
    assert birth.field is not None
    assert birth.field.name == "Hộ tịch"
    assert birth.level == Level.COMMUNE
    assert birth.documents.count() == 7
    assert list(birth.fees.order_by("order").values_list("amount_vnd", flat=True)) == [0, None]
    # "1 ngày" without a unit: read as working days (see services docstring); the wording is kept.
    assert (birth.processing_time_amount, birth.processing_time_unit) == (Decimal(1), TimeUnit.WORKING_DAYS)
    assert birth.processing_time_text.startswith("1 ngày")
    assert any("1.001193" in w for w in report.warnings)
    assert birth.search_text == fold(f"{birth.name} Hộ tịch")
    assert birth.popularity > 0
    assert birth.audience_citizen

    # Detailed content wins (name as in the source), JSON Lines gives popularity and audience.
    copy = Procedure.objects.get(code="2.000908")
    assert copy.name == "Cấp bản sao từ sổ gốc"
    assert copy.level == Level.BOTH
    assert copy.popularity > 0

    # Name-only rows: no level, except vertical ones (central sector).
    residence = Procedure.objects.get(code="1.004194")  # vertical but detailed → detailed level wins
    assert residence.is_vertical
    assert residence.level == Level.COMMUNE
    passport = Procedure.objects.get(code="1.001456")
    assert passport.is_vertical
    assert passport.level == Level.CENTRAL
    assert not passport.has_details
    assert Procedure.objects.filter(is_vertical=False, has_details=False).exclude(level="").count() == 0

    # Extra limits are kept as data: verification limit and mountain/island extension.
    marriage = Procedure.objects.get(code="1.000894")
    assert marriage.processing_time_unit == TimeUnit.SAME_DAY
    assert marriage.processing_time_amount is None
    assert marriage.processing_time_extra[0]["kind"] == "max"
    assert marriage.processing_time_extra[0]["amount"] == "5"
    land = Procedure.objects.get(code="1.013978")
    assert [e["amount"] for e in land.processing_time_extra] == ["3", "10"]

    # Text is NFC everywhere (2.000117's detailed name is not NFC in the source).
    food = Procedure.objects.get(code="2.000117")
    assert (
        food.name == "Cấp Giấy chứng nhận đủ điều kiện an toàn thực phẩm đối với cơ sở kinh doanh thực phẩm"
    )


def test_stored_content_hash_matches_database_content(real_catalogue: None) -> None:
    """The importer's canonical content equals what procedure_content() rebuilds from the tables."""
    sample = Procedure.objects.filter(has_details=True) | Procedure.objects.filter(
        code__in=["1.001456", "1.004194"]
    )
    for procedure in sample.select_related("field"):
        assert procedure_content_hash(procedure=procedure) == procedure.content_hash, procedure.code
        assert procedure.imported_hash == procedure.content_hash


def test_rerun_changes_nothing_then_an_edit_makes_one_new_version(
    real_catalogue: None, tmp_path: Path
) -> None:
    data = copy_real(tmp_path)
    before = Procedure.objects.get(code="1.004873").updated_at

    second = catalog_import(path=data)
    assert (second.created, second.updated, second.unchanged, second.refreshed) == (0, 0, 2403, 0)
    assert second.processes_created == 0
    assert second.fields_created == 0
    assert Procedure.objects.get(code="1.004873").updated_at == before

    # Edit one detailed record (documents shrink, fee changes) and one JSON Lines name.
    path = data / "detailed" / "1.004873.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    record["fees"][0]["amount_vnd"] = 5000
    record["documents"] = record["documents"][:1]
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    third = catalog_import(path=data)

    assert (third.created, third.updated, third.unchanged) == (0, 1, 2402)
    marital = Procedure.objects.get(code="1.004873")
    assert marital.version == 2
    assert marital.fees.get().amount_vnd == 5000
    assert marital.documents.count() == 1
    history = list(marital.versions.order_by("number").values_list("number", flat=True))
    assert history == [1, 2]
    first, last = marital.versions.order_by("number")
    assert first.snapshot["fees"][0]["amount_vnd"] is None
    assert last.snapshot["fees"][0]["amount_vnd"] == 5000
    assert procedure_content_hash(procedure=marital) == marital.content_hash
    # The derived process did not change (same time and level): no new process version.
    assert marital.processes.count() == 1


def test_document_rows_are_updated_in_place(real_catalogue: None, tmp_path: Path) -> None:
    """Dossiers link catalogue documents: a wording fix keeps the row (and the link)."""
    data = copy_real(tmp_path)
    ids = list(
        ProcedureDocument.objects.filter(procedure__code="1.001193")
        .order_by("order")
        .values_list("id", flat=True)
    )
    path = data / "detailed" / "1.001193.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    record["documents"][0]["name"] += " (sửa)"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")

    catalog_import(path=data)

    docs = ProcedureDocument.objects.filter(procedure__code="1.001193").order_by("order")
    assert list(docs.values_list("id", flat=True)) == ids
    assert docs[0].name.endswith("(sửa)")


def test_popularity_refresh_is_not_a_new_version(real_catalogue: None, tmp_path: Path) -> None:
    data = copy_real(tmp_path)
    lines = (data / "procedures.jsonl").read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    first["popularity"] += 1
    lines[0] = json.dumps(first, ensure_ascii=False)
    (data / "procedures.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")

    report = catalog_import(path=data)

    assert (report.updated, report.refreshed) == (0, 1)
    procedure = Procedure.objects.get(code=first["code"])
    assert procedure.popularity == first["popularity"]
    assert procedure.version == 1


def test_changed_time_makes_a_new_process_version_and_keeps_the_old(
    real_catalogue: None, tmp_path: Path
) -> None:
    data = copy_real(tmp_path)
    path = data / "detailed" / "1.004873.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    record["processing_time"]["amount"] = 5
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")

    report = catalog_import(path=data)

    assert report.processes_created == 1
    processes = list(ProcessDefinition.objects.filter(procedure__code="1.004873").order_by("version"))
    assert [(p.version, p.is_current) for p in processes] == [(1, False), (2, True)]
    assert processes[0].total_amount == 3
    assert processes[1].total_amount == 5
    # The old version's steps are untouched.
    assert sum(s.duration_amount or 0 for s in processes[0].steps.all()) == 3


def test_admin_edit_survives_a_rerun_of_unchanged_data(real_catalogue: None) -> None:
    procedure = Procedure.objects.get(code="2.000815")
    services.procedure_update(
        procedure=procedure, data={"result": "Bản sao được chứng thực (sửa)"}, source="test"
    )
    assert procedure.version == 2

    report = catalog_import(path=REAL_DATA)

    procedure.refresh_from_db()
    assert report.updated == 0
    assert procedure.result.endswith("(sửa)")
    assert procedure.version == 2


def test_real_internal_processes_are_imported_as_data(real_catalogue: None) -> None:
    data_processes = ProcessDefinition.objects.filter(is_current=True, source=ProcessSource.DATA)
    assert set(data_processes.values_list("procedure__code", flat=True)) == {
        "1.004944",
        "1.004946",
        "2.000286",
        "2.001661",
        "2.002755",
        "3.000527",
    }
    shelter = data_processes.get(procedure__code="2.000286")
    steps = list(shelter.steps.order_by("order"))
    assert len(steps) == 14  # 6 commune + 7 province steps + the uncounted return
    assert sum(s.duration_amount or 0 for s in steps if s.duration_unit != "not_counted") == 25
    assert (shelter.total_amount, shelter.total_unit) == (Decimal(25), TimeUnit.WORKING_DAYS)
    emergency = data_processes.get(procedure__code="1.004946")
    assert {s.duration_unit for s in emergency.steps.all()} == {TimeUnit.HOURS, "not_counted"}
    assert emergency.total_unit == TimeUnit.HOURS


def test_untimed_procedures_get_a_process_with_null_budgets(real_catalogue: None) -> None:
    process = ProcessDefinition.objects.get(procedure__code="1.001456", is_current=True)
    assert process.source == ProcessSource.DERIVED
    assert not process.budgets_known
    assert process.total_amount is None
    assert [s.duration_amount for s in process.steps.order_by("order")] == [
        None,
        None,
        None,
        None,
        Decimal(0),
    ]
    assert ProcessStep.objects.filter(process=process, duration_unit="").count() == 4


def test_search_follows_an_import_at_once_and_a_no_op_import_keeps_the_index(tmp_path: Path) -> None:
    """The import restamps (its bulk writes fire no signals) only when something changed; the search
    index follows the stamp (core.selectors.ReferenceDataFollower)."""
    data = copy_real(tmp_path)
    catalog_import(path=data)
    index = search.get_index()
    catalog_import(path=data)
    assert search.get_index() is index

    path = data / "detailed" / "1.004873.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    record["name"] = "Thủ tục đổi tên để thử tìm kiếm"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    catalog_import(path=data)
    assert search.get_index() is not index
    assert search.procedure_search(query="doi ten de thu tim kiem").ids[0] == (
        Procedure.objects.get(code="1.004873").pk
    )


def test_a_changing_import_restamps_the_reference_data_and_a_no_op_does_not(
    real_catalogue: None, tmp_path: Path
) -> None:
    """Receipt caches the catalogue per process (core.selectors.reference_data_cached); the import's
    bulk writes fire no signals, so it restamps itself — and only when something changed."""
    from motcua.core.selectors import reference_data_stamp
    from motcua.dossiers.selectors import procedure_for_receipt

    data = copy_real(tmp_path)
    cached = procedure_for_receipt(code="1.004873")
    stamp = reference_data_stamp()
    catalog_import(path=data)
    assert reference_data_stamp() == stamp
    assert procedure_for_receipt(code="1.004873") is cached

    path = data / "detailed" / "1.004873.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    record["fees"][0]["amount_vnd"] = 5000
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    catalog_import(path=data)
    assert reference_data_stamp() != stamp
    fresh = procedure_for_receipt(code="1.004873")
    assert [fee.amount_vnd for fee in fresh.fees.all()] == [5000]
    assert fresh.version == 2
