"""pydantic's errors in Vietnamese, per field path (core.api_errors), from real validation failures."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Literal

import pydantic
import pytest

from motcua.core.api_errors import error_body, field_path, validation_messages


class Colour(Enum):
    RED = "red"
    BLUE = "blue"


class Item(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")

    name: str = pydantic.Field(min_length=1, max_length=5)


class Body(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")

    code: str = pydantic.Field("", min_length=3, max_length=5)
    count: int = 0
    born: date | None = None
    at: datetime | None = None
    colour: Colour = Colour.RED
    method: Literal["counter", "postal"] = "counter"
    amount: int = pydantic.Field(1, gt=0, le=10)
    items: list[Item] = pydantic.Field(default_factory=list, max_length=2)
    flag: bool = False


DATETIME_MESSAGE = "Ngày giờ không hợp lệ (định dạng ISO 8601, ví dụ 2026-03-12T17:00:00+07:00)."


def _messages(data: object) -> dict[str, str]:
    with pytest.raises(pydantic.ValidationError) as exc:
        Body.model_validate(data)
    return validation_messages(exc.value.errors())


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"code": "ab"}, {"code": "Cần ít nhất 3 ký tự."}),
        ({"code": "abcdef"}, {"code": "Dài quá 5 ký tự."}),
        ({"code": 5}, {"code": "Phải là một chuỗi ký tự."}),
        ({"count": "nhiều"}, {"count": "Phải là một số nguyên."}),
        ({"born": "1/5/1990"}, {"born": "Ngày không hợp lệ (định dạng YYYY-MM-DD)."}),
        ({"at": "hôm qua"}, {"at": DATETIME_MESSAGE}),
        ({"colour": "green"}, {"colour": "Giá trị không hợp lệ; chấp nhận: 'red', 'blue'."}),
        ({"method": "fax"}, {"method": "Giá trị không hợp lệ; chấp nhận: 'counter', 'postal'."}),
        ({"amount": 0}, {"amount": "Phải lớn hơn 0."}),
        ({"amount": 11}, {"amount": "Phải nhỏ hơn hoặc bằng 10."}),
        ({"items": [{"name": ""}]}, {"items.0.name": "Vui lòng nhập thông tin này."}),
        ({"items": [{}]}, {"items.0.name": "Thiếu thông tin bắt buộc."}),
        ({"items": [{"name": "a", "x": 1}]}, {"items.0.x": "Trường này không được chấp nhận."}),
        ({"items": [{"name": "a"}] * 3}, {"items": "Nhiều nhất 2 mục."}),
        ({"items": "a"}, {"items": "Phải là một danh sách."}),
        ({"flag": "có"}, {"flag": "Phải là true hoặc false."}),
        ("[]", {"request": "Phải là một đối tượng JSON."}),
    ],
)
def test_each_error_type_reads_in_vietnamese(data: object, expected: dict[str, str]):
    assert _messages(data) == expected


def test_malformed_json():
    with pytest.raises(pydantic.ValidationError) as exc:
        Body.model_validate_json("{code:")
    assert validation_messages(exc.value.errors()) == {"request": "Nội dung gửi lên không phải JSON hợp lệ."}


def test_field_path_drops_ninja_sources():
    assert field_path(("body", "body", "applicant", "phone")) == "applicant.phone"
    assert field_path(("query", "page")) == "page"
    assert field_path(()) == "request"


def test_error_body_defaults_the_code_by_status():
    assert error_body(429, "Chậm lại.") == {
        "detail": "Chậm lại.",
        "code": "rate_limited",
        "errors": {},
        "current_version": None,
    }
