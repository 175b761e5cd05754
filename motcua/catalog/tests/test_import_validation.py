"""Strict validation of the catalogue import: every bad row reported with file and line/path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from motcua.catalog.models import Field, Procedure, ProcedureVersion, ProcessDefinition
from motcua.catalog.services import CatalogValidationError, Problem, catalog_import
from motcua.catalog.tests.test_import_fixtures import detailed, row, write_catalog

pytestmark = pytest.mark.django_db


def _problems(root: Path) -> list[Problem]:
    with pytest.raises(CatalogValidationError) as caught:
        catalog_import(path=root)
    assert Procedure.objects.count() == 0
    assert Field.objects.count() == 0
    return caught.value.problems


@pytest.mark.parametrize(
    ("bad_line", "message_part"),
    [
        ('{"code": "1.000001", "name": ', "JSON không hợp lệ"),
        ("[1, 2]", "đối tượng JSON"),
        ('{"name": "Không có mã"}', "code: thiếu trường bắt buộc"),
        ('{"code": "1.00001", "name": "Mã ngắn"}', "mã thủ tục không hợp lệ"),
        ('{"code": "A.000001", "name": "Mã chữ"}', "mã thủ tục không hợp lệ"),
        ('{"code": 1.000001, "name": "Mã số"}', "mã thủ tục không hợp lệ"),
        ('{"code": "1.000009", "name": "   "}', "name: không được để trống"),
        ('{"code": "1.000009", "name": "X", "popularity": -5}', "popularity: phải là số nguyên không âm"),
        (
            '{"code": "1.000009", "name": "X", "popularity": "nhiều"}',
            "popularity: phải là số nguyên không âm",
        ),
        ('{"code": "1.000009", "name": "X", "audience": ["robot"]}', "audience"),
        ('{"code": "1.000009", "name": "X", "vertical": "yes"}', "vertical: phải là true/false"),
        ('{"code": "1.000009", "name": "X", "colour": "red"}', "colour: trường không được hỗ trợ"),
        ('{"code": "1.000001", "name": "Trùng mã"}', "trùng với dòng 1"),
    ],
)
def test_bad_jsonl_row_is_reported_with_line(tmp_path: Path, bad_line: str, message_part: str) -> None:
    root = write_catalog(tmp_path, [row("1.000001"), row("1.000002"), bad_line, row("1.000003")])

    problems = _problems(root)

    assert len(problems) == 1, problems
    problem = problems[0]
    assert (problem.file, problem.line) == ("procedures.jsonl", 3)
    assert message_part in problem.message
    assert str(problem).startswith("procedures.jsonl:3: ")


def _bad_detailed_cases() -> list[tuple[dict[str, Any], str, str]]:
    ok = detailed("1.000001")
    doc = ok["documents"][0]
    return [
        ({"level": "district"}, "$.level", "cấp thực hiện không hợp lệ"),
        ({"service_level": "level4"}, "$.service_level", "mức độ dịch vụ không hợp lệ"),
        ({"name": ""}, "$.name", "không được để trống"),
        (
            {"processing_time": {"amount": 3, "unit": "weeks", "text": ""}},
            "$.processing_time.unit",
            "không hợp lệ",
        ),
        (
            {"processing_time": {"amount": -3, "unit": "working_days", "text": ""}},
            "$.processing_time.amount",
            "âm",
        ),
        (
            {"processing_time": {"amount": "ba", "unit": "working_days", "text": ""}},
            "$.processing_time.amount",
            "số",
        ),
        (
            {"processing_time": {"amount": 0, "unit": "working_days", "text": ""}},
            "$.processing_time.amount",
            "lớn hơn 0",
        ),
        (
            {"processing_time": {"amount": None, "unit": "working_days", "text": ""}},
            "$.processing_time.amount",
            "thiếu",
        ),
        (
            {"processing_time": {"amount": 2, "unit": "same_day", "text": ""}},
            "$.processing_time.amount",
            "same_day",
        ),
        (
            {"processing_time": {"amount": 1.005, "unit": "working_days", "text": ""}},
            "$.processing_time.amount",
            "2 chữ số",
        ),
        (
            {"processing_time": {"amount": 2, "unit": None, "text": "sớm"}},
            "$.processing_time.unit",
            "không suy ra",
        ),
        (
            {"fees": [{"name": "Lệ phí", "amount_vnd": 1000.5, "note": None}]},
            "$.fees[0].amount_vnd",
            "số nguyên",
        ),
        (
            {"fees": [{"name": "Lệ phí", "amount_vnd": "free", "note": None}]},
            "$.fees[0].amount_vnd",
            "số nguyên",
        ),
        ({"fees": [{"name": "Lệ phí", "amount_vnd": -1, "note": None}]}, "$.fees[0].amount_vnd", "âm"),
        (
            {"fees": [{"name": "Lệ phí", "amount_vnd": True, "note": None}]},
            "$.fees[0].amount_vnd",
            "số nguyên",
        ),
        ({"fees": [{"name": "", "amount_vnd": 0, "note": None}]}, "$.fees[0].name", "trống"),
        ({"documents": [doc, {**doc, "required": "có"}]}, "$.documents[1].required", "true/false"),
        ({"documents": [{**doc, "copies": 2}]}, "$.documents[0].copies", "chuỗi"),
        ({"documents": "Tờ khai"}, "$.documents", "danh sách"),
        ({"legal_basis": ["Luật", 5]}, "$.legal_basis[1]", "chuỗi"),
        ({"colour": "red"}, "$.colour", "không được hỗ trợ"),
        (
            {
                "internal_process": [
                    {
                        "step": "B1",
                        "actor": "Bộ phận tiếp nhận",
                        "duration": {"amount": 1, "unit": "working_days"},
                    },
                    {"step": "B2", "actor": "Công chức", "duration": {"amount": 1, "unit": "working_days"}},
                ]
            },
            "$.internal_process",
            "khác thời hạn giải quyết",
        ),
        (
            {
                "internal_process": [
                    {
                        "step": "B1",
                        "actor": "Bộ phận tiếp nhận",
                        "duration": {"amount": 1, "unit": "working_days"},
                    },
                    {"step": "B2", "actor": "Công chức", "duration": {"amount": 2, "unit": "calendar_days"}},
                ]
            },
            "$.internal_process[1].duration",
            "không quy đổi được",
        ),
        (
            {
                "internal_process": [
                    {"step": "B1", "actor": "", "duration": {"amount": 3, "unit": "working_days"}}
                ]
            },
            "$.internal_process[0].actor",
            "trống",
        ),
        (
            {
                "internal_process": [
                    {"step": "B1", "actor": "A", "duration": {"amount": -3, "unit": "working_days"}}
                ]
            },
            "$.internal_process[0].duration.amount",
            "âm",
        ),
        (
            {
                "internal_process": [
                    {"step": "B1", "actor": "A", "duration": {"amount": 3, "unit": "fortnights"}}
                ]
            },
            "$.internal_process[0].duration.unit",
            "không hợp lệ",
        ),
    ]


@pytest.mark.parametrize(("change", "path", "message_part"), _bad_detailed_cases())
def test_bad_detailed_record_is_reported_with_json_path(
    tmp_path: Path, change: dict[str, Any], path: str, message_part: str
) -> None:
    record = {**detailed("1.000001"), **change}
    root = write_catalog(tmp_path, [row("1.000001")], [record])

    problems = _problems(root)

    assert problems, "expected a problem"
    matching = [p for p in problems if p.path == path]
    assert matching, [str(p) for p in problems]
    assert all(p.file == "detailed/1.000001.json" for p in problems)
    assert message_part in matching[0].message, matching[0].message
    assert str(matching[0]).startswith(f"detailed/1.000001.json {path}: ")


def test_detailed_code_must_match_the_file_name(tmp_path: Path) -> None:
    record = json.dumps(detailed("1.000002"), ensure_ascii=False)
    root = write_catalog(tmp_path, [row("1.000001")], [("1.000001.json", record)])
    problems = _problems(root)
    assert [(p.file, p.path) for p in problems] == [("detailed/1.000001.json", "$.code")]
    assert "khác tên tệp" in problems[0].message


def test_broken_detailed_json_and_missing_files(tmp_path: Path) -> None:
    root = write_catalog(tmp_path, [row("1.000001")], [("1.000001.json", '{"code": "1.000001",')])
    problems = _problems(root)
    assert problems[0].path == "$"
    assert "JSON không hợp lệ" in problems[0].message
    assert "dòng" in problems[0].message

    with pytest.raises(CatalogValidationError) as caught:
        catalog_import(path=tmp_path / "nowhere")
    assert "không phải thư mục" in str(caught.value.problems[0])


def test_all_problems_are_collected_not_only_the_first(tmp_path: Path) -> None:
    root = write_catalog(
        tmp_path,
        [row("1.000001"), "{oops", row("bad"), row("1.000004", name="")],
        [{**detailed("1.000001"), "level": "x", "fees": [{"name": "P", "amount_vnd": -1, "note": None}]}],
    )
    problems = _problems(root)
    locations = {p.location for p in problems}
    assert {"procedures.jsonl:2", "procedures.jsonl:3", "procedures.jsonl:4"} <= locations
    assert {"detailed/1.000001.json $.level", "detailed/1.000001.json $.fees[0].amount_vnd"} <= locations


def test_skip_invalid_imports_the_valid_rows_and_lists_the_others(tmp_path: Path) -> None:
    root = write_catalog(
        tmp_path,
        [row("1.000001"), "{oops", row("1.000003"), row("1.000003"), row("1.000005")],
        [{**detailed("1.000005"), "level": "x"}, detailed("1.000006")],
    )

    report = catalog_import(path=root, skip_invalid=True)

    # 1.000003 is duplicated (ambiguous) and 1.000005 has a bad detailed record: both skipped whole.
    assert set(Procedure.objects.values_list("code", flat=True)) == {"1.000001", "1.000006"}
    assert report.created == 2
    assert report.invalid == 3
    assert report.skipped_codes == ["1.000003", "1.000005"]
    assert {p.location for p in report.problems} == {
        "procedures.jsonl:2",
        "procedures.jsonl:4",
        "detailed/1.000005.json $.level",
    }
    assert ProcedureVersion.objects.count() == 2
    assert ProcessDefinition.objects.count() == 2


def test_skip_invalid_leaves_the_stored_version_of_a_now_invalid_code(tmp_path: Path) -> None:
    root = write_catalog(tmp_path, [row("1.000001")], [detailed("1.000001")])
    catalog_import(path=root)
    write_catalog(tmp_path, [row("1.000001")], [{**detailed("1.000001"), "level": "x", "documents": []}])

    report = catalog_import(path=root, skip_invalid=True)

    procedure = Procedure.objects.get(code="1.000001")
    assert report.updated == 0
    assert procedure.version == 1
    assert procedure.documents.count() == 1


def test_error_message_counts_rows(tmp_path: Path) -> None:
    root = write_catalog(tmp_path, ["{oops", row("x")])
    with pytest.raises(CatalogValidationError) as caught:
        catalog_import(path=root)
    assert "2 lỗi ở 2 dòng/tệp" in str(caught.value)


# --- Paths the declarative schemas (catalog.services.import_schema) check beyond the cases above ---


def _more_detailed_cases() -> list[tuple[dict[str, Any], str, str]]:
    doc = detailed("1.000001")["documents"][0]
    step = {"step": "B1", "actor": "Công chức", "duration": {"amount": 3, "unit": "working_days"}}
    return [
        ({"name": None}, "$.name", "không được để null"),
        ({"field": "x" * 201}, "$.field", "dài quá 200 ký tự"),
        ({"documents": ["Tờ khai"]}, "$.documents[0]", "phải là đối tượng"),
        ({"documents": [{**doc, "form_template": "M" * 301}]}, "$.documents[0].form_template", "dài quá 300"),
        ({"documents": [{**doc, "required": None}]}, "$.documents[0].required", "không được để null"),
        ({"fees": [{"name": "Lệ phí"}]}, "$.fees[0].amount_vnd", "thiếu trường bắt buộc"),
        ({"fees": [{"name": "Lệ phí", "amount_vnd": 0, "vat": 1}]}, "$.fees[0].vat", "không được hỗ trợ"),
        ({"processing_time": {"amount": 3, "text": ""}}, "$.processing_time.unit", "thiếu trường bắt buộc"),
        (
            {"processing_time": {"amount": 0.5, "unit": "calendar_days", "text": ""}},
            "$.processing_time.amount",
            "không tính được hạn xử lý",
        ),
        (
            {"processing_time_max": {"amount": 3, "unit": "weeks", "text": ""}},
            "$.processing_time_max.unit",
            "đơn vị thời gian không hợp lệ",
        ),
        (
            {"processing_time_extra": [{"amount": 1, "unit": "same_day", "text": ""}]},
            "$.processing_time_extra[0].amount",
            "same_day",
        ),
        ({"in_national_list": None}, "$.in_national_list", "không được để null"),
        ({"vertical": "có"}, "$.vertical", "true/false"),
        ({"steps": "Nộp hồ sơ"}, "$.steps", "danh sách"),
        (
            {"internal_process": [{**step, "duration": {"amount": None, "unit": "working_days"}}]},
            "$.internal_process[0].duration.amount",
            "phải là số",
        ),
        (
            {"internal_process": [{**step, "duration": {"amount": 3}}]},
            "$.internal_process[0].duration.unit",
            "thiếu trường bắt buộc",
        ),
        ({"internal_process": [{**step, "who": "x"}]}, "$.internal_process[0].who", "không được hỗ trợ"),
        ({"internal_process": [{**step, "step": "B" * 201}]}, "$.internal_process[0].step", "dài quá 200"),
    ]


@pytest.mark.parametrize(("change", "path", "message_part"), _more_detailed_cases())
def test_schema_problems_name_file_code_path_and_cause_in_vietnamese(
    tmp_path: Path, change: dict[str, Any], path: str, message_part: str
) -> None:
    root = write_catalog(tmp_path, [row("1.000001")], [{**detailed("1.000001"), **change}])

    problems = _problems(root)

    matching = [p for p in problems if p.path == path]
    assert matching, [str(p) for p in problems]
    assert message_part in matching[0].message, matching[0].message
    assert all((p.file, p.code) == ("detailed/1.000001.json", "1.000001") for p in problems)
    assert not any("Input should" in p.message or "Field required" in p.message for p in problems)


@pytest.mark.parametrize(
    ("bad_line", "message_part"),
    [
        ('{"code": "1.000009", "name": "X", "field_guess": "' + "x" * 201 + '"}', "field_guess: dài quá 200"),
        ('{"code": "1.000009", "name": "X", "field_guess": ""}', "field_guess: không được để trống"),
        ('{"code": "1.000009", "name": null}', "name: không được để null"),
        ('{"code": "1.000009", "name": "X", "audience": "citizen"}', "audience: phải là danh sách"),
        ('{"code": "1.000009", "name": "X", "popularity": true}', "popularity: phải là số nguyên không âm"),
    ],
)
def test_more_bad_jsonl_rows_carry_line_key_and_code(
    tmp_path: Path, bad_line: str, message_part: str
) -> None:
    root = write_catalog(tmp_path, [row("1.000001"), bad_line])

    problems = _problems(root)

    assert [(p.file, p.line, p.code) for p in problems] == [("procedures.jsonl", 2, "1.000009")]
    assert message_part in problems[0].message, problems[0].message


def test_audience_lists_the_allowed_values_in_vietnamese(tmp_path: Path) -> None:
    root = write_catalog(tmp_path, [row("1.000001", audience=["citizen", "robot"])])
    (problem,) = _problems(root)
    assert problem.message == (
        "audience[1]: phải là một trong 'citizen', 'business' (must be one of them), nhận 'robot'"
    )


def test_bad_fields_file_entries_are_reported_with_their_path(tmp_path: Path) -> None:
    fields = {
        "heuristic_fields": [{"field": "Hộ tịch", "keywords": []}, {"field": ""}],
        "detailed_fields": ["x"],
    }
    root = write_catalog(tmp_path, [row("1.000001")], fields=fields)

    problems = _problems(root)

    assert {(p.file, p.path) for p in problems} == {
        ("fields.json", "$.heuristic_fields[1].field"),
        ("fields.json", "$.detailed_fields[0]"),
    }


def test_unknown_pydantic_error_types_still_read_in_vietnamese() -> None:
    from motcua.catalog.services.import_schema import error_message

    message = error_message(
        {"type": "uuid_parsing", "loc": ("x",), "msg": "Input should be a UUID", "input": "z"}
    )
    assert message.startswith("giá trị không hợp lệ")
    assert "Input should" not in message
