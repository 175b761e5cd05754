"""One error shape for every 4xx answer of the API — mẫu lỗi chung của API.

Every refusal, whether the framework's validation, the engine's own typed errors, a missing login, an
unknown code or a rate limit, answers with ``ErrorOut``: ``detail`` (one Vietnamese sentence),
``code`` (stable, for programs), ``errors`` (field path → Vietnamese message, empty when no field is
at fault) and, for a version conflict, ``current_version``.

``validation_messages`` turns pydantic's error list (English parser text) into that field map; the
API's handler of ninja's ``ValidationError`` and the dossier action registry both use it, so a bad
body reads the same wherever it is checked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ninja import Field, Schema

# Default ``code`` per HTTP status, for answers that have no more specific one.
STATUS_CODES: Mapping[int, str] = {
    400: "invalid",
    401: "unauthenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "unprocessable",
    429: "rate_limited",
}


class ErrorOut(Schema):
    """Answer of every 4xx: ``detail`` for people, ``code`` for programs, ``errors`` per field."""

    detail: str = Field(description="Thông báo lỗi bằng tiếng Việt")
    code: str = Field(
        description="Mã lỗi ổn định: invalid, unauthenticated, permission_denied, not_found, "
        "method_not_allowed, conflict, action_not_allowed, rate_limited, …"
    )
    errors: dict[str, str] = Field(
        default_factory=dict,
        description="Trường sai (đường dẫn như applicant.phone, items.0.name) → thông báo tiếng Việt",
    )
    current_version: int | None = Field(
        default=None, description="Phiên bản hiện tại của hồ sơ (chỉ khi xung đột phiên bản, mã conflict)"
    )


# Vietnamese ``detail`` of an answer that came without one (the framework's or Django's own refusal).
STATUS_DETAILS: Mapping[int, str] = {
    400: "Yêu cầu không hợp lệ.",
    401: "Chưa xác thực.",
    403: "Không có quyền thực hiện yêu cầu này.",
    404: "Không tìm thấy.",
    413: "Nội dung gửi lên quá lớn.",
    429: "Quá nhiều yêu cầu; vui lòng thử lại sau ít phút.",
}


def status_detail(status: int) -> str:
    """A Vietnamese sentence for a bare 4xx status."""
    return STATUS_DETAILS.get(status, f"Yêu cầu không được chấp nhận (mã HTTP {status}).")


def method_not_allowed_detail(method: str, allowed: Iterable[str]) -> str:
    """The 405 sentence, naming the method used and those the address accepts."""
    return f"Địa chỉ này không hỗ trợ phương thức {method}; chỉ chấp nhận: {', '.join(sorted(allowed))}."


def error_body(
    status: int,
    detail: str,
    *,
    code: str | None = None,
    errors: Mapping[str, str] | None = None,
    current_version: int | None = None,
) -> dict[str, object]:
    """The ``ErrorOut`` body as a plain dict, for views that build their own ``HttpResponse``."""
    return {
        "detail": detail,
        "code": code or STATUS_CODES.get(status, "error"),
        "errors": dict(errors or {}),
        "current_version": current_version,
    }


# Where a parameter came from, not part of its name (ninja: ("body", "body", "applicant", "phone")).
_SOURCES = frozenset({"body", "query", "path", "header", "cookie", "form", "file"})


def field_path(loc: Sequence[str | int]) -> str:
    """``applicant.phone``, ``items.0.name``: the location without ninja's source and parameter names."""
    parts = [str(p) for p in loc if p not in _SOURCES]
    return ".".join(parts) or "request"


_DATE = "Ngày không hợp lệ (định dạng YYYY-MM-DD)."
_DATETIME = "Ngày giờ không hợp lệ (định dạng ISO 8601, ví dụ 2026-03-12T17:00:00+07:00)."
_INTEGER = "Phải là một số nguyên."
_NUMBER = "Phải là một số."
_OBJECT = "Phải là một đối tượng JSON."
_LIST = "Phải là một danh sách."

# pydantic error type → message; ``{name}`` takes the error's context (limits, allowed values).
_MESSAGES: Mapping[str, str] = {
    "missing": "Thiếu thông tin bắt buộc.",
    "extra_forbidden": "Trường này không được chấp nhận.",
    "json_invalid": "Nội dung gửi lên không phải JSON hợp lệ.",
    "string_too_short": "Cần ít nhất {min_length} ký tự.",
    "string_too_long": "Dài quá {max_length} ký tự.",
    "too_short": "Cần ít nhất {min_length} mục.",
    "too_long": "Nhiều nhất {max_length} mục.",
    "string_type": "Phải là một chuỗi ký tự.",
    "string_unicode": "Phải là một chuỗi ký tự.",
    "string_pattern_mismatch": "Không đúng định dạng.",
    "int_type": _INTEGER,
    "int_parsing": _INTEGER,
    "int_from_float": _INTEGER,
    "int_parsing_size": _INTEGER,
    "float_type": _NUMBER,
    "float_parsing": _NUMBER,
    "decimal_type": _NUMBER,
    "decimal_parsing": _NUMBER,
    "bool_type": "Phải là true hoặc false.",
    "bool_parsing": "Phải là true hoặc false.",
    "date_type": _DATE,
    "date_parsing": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": _DATE,
    "datetime_type": _DATETIME,
    "datetime_parsing": _DATETIME,
    "datetime_from_date_parsing": _DATETIME,
    "datetime_object_invalid": _DATETIME,
    "enum": "Giá trị không hợp lệ; chấp nhận: {expected}.",
    "literal_error": "Giá trị không hợp lệ; chấp nhận: {expected}.",
    "greater_than": "Phải lớn hơn {gt}.",
    "greater_than_equal": "Phải lớn hơn hoặc bằng {ge}.",
    "less_than": "Phải nhỏ hơn {lt}.",
    "less_than_equal": "Phải nhỏ hơn hoặc bằng {le}.",
    "list_type": _LIST,
    "tuple_type": _LIST,
    "set_type": _LIST,
    "dict_type": _OBJECT,
    "model_type": _OBJECT,
    "model_attributes_type": _OBJECT,
    "dataclass_type": _OBJECT,
}
_FALLBACK = "Giá trị không hợp lệ."


def validation_message(error: Mapping[str, Any]) -> str:
    """One pydantic error (``type``, ``ctx``) as a Vietnamese sentence; never the parser's English."""
    kind = str(error.get("type", ""))
    ctx = {key: str(value).replace(" or ", ", ") for key, value in (error.get("ctx") or {}).items()}
    if kind == "string_too_short" and ctx.get("min_length") == "1":
        return "Vui lòng nhập thông tin này."
    try:
        return _MESSAGES.get(kind, _FALLBACK).format_map(ctx)
    except KeyError:  # a context pydantic did not give: the sentence without the limit
        return _FALLBACK


def validation_messages(errors: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """pydantic's error list → ``{field path: Vietnamese message}`` (the first error of each field)."""
    out: dict[str, str] = {}
    for error in errors:
        out.setdefault(field_path(error.get("loc", ())), validation_message(error))
    return out


def validation_detail(fields: Iterable[str]) -> str:
    """The one-sentence ``detail`` naming the bad parameters."""
    return "Tham số không hợp lệ: " + ", ".join(dict.fromkeys(fields)) + "."
