from __future__ import annotations

import json

from django.conf import settings
from django.http import QueryDict

from motcua.portal import form_schema


def _definition(code: str) -> dict:
    return json.loads((settings.PROJECT_DIR / "data" / "forms" / f"{code}.json").read_text(encoding="utf-8"))


def test_shipped_definitions_are_valid():
    for path in (settings.PROJECT_DIR / "data" / "forms").glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        assert form_schema.schema_errors(data["schema"], data["ui"]) == [], path.name


def test_invalid_schema_refused_in_vietnamese():
    assert form_schema.schema_errors({"type": "object", "properties": {"a": {"type": "strin"}}}, {})[
        0
    ].startswith("Lược đồ không phải JSON Schema hợp lệ")
    assert form_schema.schema_errors({"type": "array"}, {}) == [
        'Lược đồ phải có "type": "object" và ít nhất một trường trong "properties".'
    ]
    problems = form_schema.schema_errors(
        {"type": "object", "required": ["x"], "properties": {"Ten": {"type": "object"}}},
        {"fields": {"Ten": {"widget": "slider"}}},
    )
    assert any("chữ thường không dấu" in p for p in problems)
    assert any("kiểu phải là" in p for p in problems)
    assert any("Trường bắt buộc «x»" in p for p in problems)
    assert any("widget phải là" in p for p in problems)


def test_fields_carry_html_validation_attributes():
    data = _definition("2.000986")
    fields = {f.name: f for f in form_schema.form_fields(data["schema"], data["ui"], values={}, errors={})}
    assert next(iter(fields)) == "ho_ten_tre"  # the UI order
    assert fields["ho_ten_tre"].required
    assert fields["ho_ten_tre"].attrs == {"maxlength": 100, "minlength": 2}
    assert fields["so_dinh_danh_me"].attrs["pattern"] == "^[0-9]{12}$"
    assert fields["ngay_sinh_tre"].input_type == "date"
    assert fields["gioi_tinh_tre"].widget == "radio"
    assert fields["gioi_tinh_tre"].choices == ["Nam", "Nữ"]
    assert fields["cap_the_bhyt"].widget == "checkbox"
    assert not fields["cap_the_bhyt"].required


def test_answers_validated_with_vietnamese_messages_per_field():
    data = _definition("2.000986")
    post = QueryDict(mutable=True)
    post.update(
        {"ho_ten_tre": "A", "ngay_sinh_tre": "2026-02-30", "gioi_tinh_tre": "Khác", "so_dinh_danh_me": "123"}
    )
    answers, errors = form_schema.answers_from_post(data["schema"], post)
    errors |= form_schema.answers_validate(data["schema"], data["ui"], answers)
    assert errors["ho_ten_tre"] == "Họ, chữ đệm và tên của trẻ phải có ít nhất 2 ký tự."
    assert errors["gioi_tinh_tre"] == "Giới tính của trẻ: vui lòng chọn một giá trị trong danh sách."
    assert errors["so_dinh_danh_me"] == "Số định danh cá nhân của mẹ gồm đúng 12 chữ số."
    assert "không đúng định dạng" in errors["ngay_sinh_tre"]
    assert errors["noi_sinh"] == "Vui lòng nhập nơi sinh (cơ sở y tế hoặc địa chỉ)."
    assert answers["cap_the_bhyt"] is False


def test_valid_answers_and_summary():
    data = _definition("2.002622")
    answers = {
        "ho_ten_nguoi_mat": "Trần Văn Bình",
        "so_dinh_danh_nguoi_mat": "022050001234",
        "ngay_mat": "2026-01-05",
        "noi_mat": "Phường Hạ Long",
        "quan_he": "Con",
        "de_nghi_mai_tang_phi": True,
    }
    assert form_schema.answers_validate(data["schema"], data["ui"], answers) == {}
    summary = form_schema.answers_summary(data["schema"], data["ui"], answers)
    assert summary.splitlines()[0] == "Họ, chữ đệm và tên người đã mất: Trần Văn Bình"
    assert "Đề nghị giải quyết mai táng phí, tử tuất: Có" in summary


def test_integer_that_is_not_a_number():
    schema = {
        "type": "object",
        "properties": {"so_con": {"type": "integer", "minimum": 0, "title": "Số con"}},
    }
    post = QueryDict("so_con=ba")
    _answers, errors = form_schema.answers_from_post(schema, post)
    assert errors == {"so_con": "Vui lòng nhập một số nguyên."}
    assert form_schema.answers_validate(schema, {}, {"so_con": -1}) == {
        "so_con": "Số con không được nhỏ hơn 0."
    }
