"""Declarative schemas of the catalogue files (data/catalog, see its README) and their Vietnamese errors.

One pydantic model per record type, mirroring the files' fields: ``CatalogueRow`` (a line of
procedures.jsonl), ``DetailedRecord`` (a detailed/<code>.json file) and its parts, ``FieldsFile``
(fields.json). Unknown keys are rejected and nothing is coerced (``strict``): a string where a number
belongs is an error, not a guess. Text is NFC-normalised and trimmed (``core.text.nfc``) as it is
validated.

Every message a user reads is Vietnamese (with the English gist in parentheses, as the importer has
always written them): pydantic's own error types are translated in ``error_message`` — the one place
that knows them — and the validators below raise ``PydanticCustomError`` with Vietnamese text.

What a schema cannot say stays in the importer: JSON syntax, duplicate codes across lines, and whether
an internal process's step budgets add up to the statutory time (``process_definition_validate``,
shared with the admin).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Final, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    ValidationInfo,
    field_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from motcua.catalog.models import Level, ServiceLevel, TimeUnit
from motcua.catalog.services.budgets import Budget, budget_engine_error
from motcua.catalog.services.common import DATA_UNITS, NOT_COUNTED, STEP_UNITS
from motcua.core.text import fold, nfc

CODE_RE: Final = re.compile(r"\d\.\d{6}")
_MAX_AMOUNT: Final = Decimal("999999.99")  # DecimalField(max_digits=8, decimal_places=2)


# ---------------------------------------------------------------------------------------------------
# Messages: pydantic's error types in Vietnamese
# ---------------------------------------------------------------------------------------------------

_TYPE_MESSAGES: Final[dict[str, Callable[[ErrorDetails], str]]] = {
    "missing": lambda e: "thiếu trường bắt buộc (missing key)",
    "extra_forbidden": lambda e: "trường không được hỗ trợ (unknown key)",
    "string_type": lambda e: f"phải là chuỗi ký tự (must be a string), nhận {type(e['input']).__name__}",
    "bool_type": lambda e: f"phải là true/false (must be a boolean), nhận {e['input']!r}",
    "int_type": lambda e: f"phải là số nguyên (must be an integer), nhận {e['input']!r}",
    "list_type": lambda e: "phải là danh sách (must be a list)",
    "model_type": lambda e: "phải là đối tượng (must be an object)",
    "dict_type": lambda e: "phải là đối tượng (must be an object)",
    "literal_error": lambda e: f"phải là một trong {_expected(e)} (must be one of them), nhận {e['input']!r}",
}


def _expected(error: ErrorDetails) -> str:
    return str(error.get("ctx", {}).get("expected", "")).replace(" or ", ", ")


def error_message(error: ErrorDetails) -> str:
    """The Vietnamese message of one pydantic error (built-in type or one of the validators below)."""
    kind = error["type"]
    if kind.endswith("_type") and error["input"] is None:
        return "không được để null (must not be null)"
    translate = _TYPE_MESSAGES.get(kind)
    if translate is not None:
        return translate(error)
    if kind.startswith("catalog_"):  # PydanticCustomError raised below: already Vietnamese
        return error["msg"]
    return f"giá trị không hợp lệ (invalid value, {kind}): {error.get('input')!r}"


def error_path(loc: tuple[int | str, ...]) -> str:
    """JSON path of an error location: ``("documents", 1, "required")`` → ``$.documents[1].required``."""
    path = "$"
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _fail(kind: str, message: str, **context: Any) -> PydanticCustomError:
    return PydanticCustomError(f"catalog_{kind}", message, context or None)


# ---------------------------------------------------------------------------------------------------
# Field types
# ---------------------------------------------------------------------------------------------------


def _required_text(value: str) -> str:
    if not value:
        raise _fail("empty", "không được để trống (must not be empty)")
    return value


def _null_as_empty(value: Any) -> Any:
    return "" if value is None else value


def _at_most(length: int) -> AfterValidator:
    def check(value: str) -> str:
        if len(value) > length:
            raise _fail("too_long", f"dài quá {length} ký tự (longer than {length} characters)")
        return value

    return AfterValidator(check)


Text = Annotated[str, AfterValidator(nfc)]
RequiredText = Annotated[str, AfterValidator(nfc), AfterValidator(_required_text)]
# A key that may be absent or null: both read as "".
OptionalText = Annotated[str, BeforeValidator(_null_as_empty), AfterValidator(nfc)]


def _code(value: Any) -> str:
    if not isinstance(value, str) or not CODE_RE.fullmatch(value.strip()):
        raise _fail(
            "code",
            "mã thủ tục không hợp lệ, cần dạng 1.234567 (invalid code): {value}",
            value=repr(value),
        )
    return value.strip()


Code = Annotated[str, BeforeValidator(_code)]


def valid_code(value: Any) -> str | None:
    """``value`` as a procedure code if it is one, else None (to label a record's other problems)."""
    try:
        return _code(value)
    except PydanticCustomError:
        return None


def _amount(value: Any) -> Decimal:
    """A non-negative JSON number with at most 2 decimals, as stored in DecimalField(8, 2)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail("number", "phải là số (must be a number), nhận {value}", value=repr(value))
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise _fail("number", "số không hợp lệ (invalid number): {value}", value=repr(value))
    if number < 0:
        raise _fail("negative", "không được âm (must not be negative): {value}", value=repr(value))
    if number > _MAX_AMOUNT or number != number.quantize(Decimal("0.01")):
        raise _fail(
            "decimals",
            "tối đa 2 chữ số thập phân và nhỏ hơn 10⁶ (at most 2 decimals, < 10⁶): {value}",
            value=repr(value),
        )
    return number


Amount = Annotated[Decimal, BeforeValidator(_amount)]


def _non_negative_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _fail(
            "count",
            "phải là số nguyên không âm (must be a non-negative integer): {value}",
            value=repr(value),
        )
    return value


def _vnd(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(
            "vnd", "phải là số nguyên đồng hoặc null (must be an integer or null): {value}", value=repr(value)
        )
    if value < 0:
        raise _fail("negative", "không được âm (must not be negative): {value}", value=repr(value))
    return value


def _choice(values: Collection[str], label: str, english: str) -> BeforeValidator:
    """One of ``values``, else "<label> không hợp lệ (unknown <english>): <value>"."""

    def check(value: Any) -> Any:
        if value not in values:
            raise _fail("choice", f"{label} không hợp lệ (unknown {english}): {{value}}", value=repr(value))
        return value

    return BeforeValidator(check)


def infer_unit(text: str) -> str | None:
    """The unit a processing-time text speaks of ("ngày làm việc", "giờ" …), None when it names none."""
    folded = fold(text)
    if "ngay lam viec" in folded:
        return TimeUnit.WORKING_DAYS
    if "gio lam viec" in folded:
        return TimeUnit.WORKING_HOURS
    if re.search(r"\bngay\b", folded):
        return TimeUnit.CALENDAR_DAYS
    if re.search(r"\bgio\b", folded):
        return TimeUnit.HOURS
    return None


# ---------------------------------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------------------------------


class _Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class CatalogueRow(_Schema):
    """One line of procedures.jsonl: a procedure of the national list and its usage metrics."""

    code: Code
    name: RequiredText
    audience: list[Literal["citizen", "business"]] = []
    vertical: bool = False
    popularity: Annotated[int, BeforeValidator(_non_negative_int)] = 0
    field_guess: Annotated[RequiredText, _at_most(200)] | None = None


class ProcessingTime(_Schema):
    """``{amount, unit, text}``: a statutory time. A missing unit is inferred from the text."""

    # Declared in this order on purpose: a validator sees the fields declared before it.
    text: OptionalText = ""
    unit: Annotated[str | None, _choice([*DATA_UNITS, None], "đơn vị thời gian", "unit")]
    amount: Amount | None

    @field_validator("unit")
    @classmethod
    def _unit_known(cls, unit: str | None, info: ValidationInfo) -> str | None:
        if unit is None and infer_unit(info.data.get("text", "")) is None:
            raise _fail("unit", "thiếu đơn vị thời gian và không suy ra được từ văn bản (unit missing)")
        return unit

    @field_validator("amount")
    @classmethod
    def _amount_fits_unit(cls, amount: Decimal | None, info: ValidationInfo) -> Decimal | None:
        if "unit" not in info.data:
            return amount  # the unit is wrong: nothing to check the amount against
        if info.data["unit"] == TimeUnit.SAME_DAY:
            if amount is not None:
                raise _fail(
                    "same_day", "thời hạn 'trong ngày' không có số lượng (same_day amount must be null)"
                )
            return amount
        if amount is None:
            raise _fail("amount", "thiếu số lượng thời gian (amount is required unless unit is same_day)")
        if amount == 0:
            raise _fail("positive", "phải lớn hơn 0 (must be positive)")
        return amount

    @property
    def resolved_unit(self) -> str:
        """The unit as given, or as read from the text (validation guarantees one)."""
        return self.unit or infer_unit(self.text) or ""

    @property
    def unit_inferred(self) -> bool:
        return self.unit is None


class StatutoryTime(ProcessingTime):
    """The procedure's processing time: also one the worktime engine can compute a deadline for."""

    @field_validator("amount")
    @classmethod
    def _engine_accepts(cls, amount: Decimal | None, info: ValidationInfo) -> Decimal | None:
        unit = info.data.get("unit") or infer_unit(info.data.get("text", ""))
        if unit and (error := budget_engine_error(Budget(amount, unit))) is not None:
            raise _fail(
                "engine",
                "không tính được hạn xử lý: {error}",
                error=error,
            )
        return amount


class Document(_Schema):
    """A required document of the dossier — thành phần hồ sơ."""

    name: RequiredText
    copies: Annotated[OptionalText, _at_most(200)] = ""
    form_template: Annotated[OptionalText, _at_most(300)] = ""
    required: bool = True
    note: OptionalText = ""


class Fee(_Schema):
    """A fee or charge — phí, lệ phí; ``amount_vnd`` null when the amount is not fixed."""

    name: RequiredText
    amount_vnd: Annotated[int, BeforeValidator(_vnd)] | None
    note: OptionalText = ""


class StepDuration(_Schema):
    """A step's budget: ``amount`` may be null only for same_day and not_counted steps."""

    unit: Annotated[str, _choice(STEP_UNITS, "đơn vị thời gian", "unit")]
    amount: Amount | None

    @field_validator("amount")
    @classmethod
    def _amount_present(cls, amount: Decimal | None, info: ValidationInfo) -> Decimal | None:
        if amount is None and info.data.get("unit", TimeUnit.SAME_DAY) not in (
            TimeUnit.SAME_DAY,
            NOT_COUNTED,
        ):
            raise _fail("number", "phải là số (must be a number), nhận None")
        return amount


class InternalStep(_Schema):
    """One step of an approved internal process: who does it, what, within which budget."""

    step: Annotated[OptionalText, _at_most(200)] = ""
    actor: RequiredText
    task: OptionalText = ""
    duration: StepDuration


class DetailedRecord(_Schema):
    """A detailed/<code>.json file: the full published content of one procedure.

    Validate it with ``context={"file_stem": <file name without .json>}``: the code must match it.
    """

    code: Code
    name: RequiredText
    field: Annotated[RequiredText, _at_most(200)]
    level: Annotated[str, _choice(Level.values, "cấp thực hiện", "level")]
    service_level: Annotated[
        str | None, _choice([*ServiceLevel.values, None], "mức độ dịch vụ", "service level")
    ]
    processing_time: StatutoryTime | None
    fees: list[Fee]
    documents: list[Document]
    competent_authority: OptionalText = ""
    implementing_agency: OptionalText = ""
    processing_time_max: ProcessingTime | None = None
    processing_time_extra: list[ProcessingTime] = []
    steps: list[Text] = []
    internal_process: list[InternalStep] = []
    result: OptionalText = ""
    legal_basis: list[Text] = []
    sources: list[Text] = []
    notes: list[Text] = []
    # Informative only: procedures.jsonl is the authority on the national list and the vertical flag.
    in_national_list: bool = False
    national_list_name: OptionalText = ""
    vertical: bool | None = None

    @field_validator("code")
    @classmethod
    def _code_names_the_file(cls, code: str, info: ValidationInfo) -> str:
        stem = (info.context or {}).get("file_stem")
        if stem is not None and stem != code:
            raise _fail(
                "file_name",
                "mã {code} khác tên tệp {file} (code does not match the file name)",
                code=code,
                file=f"{stem}.json",
            )
        return code


class FieldEntry(BaseModel):
    """An entry of fields.json: only its ``field`` (the field's name) is read."""

    model_config = ConfigDict(extra="ignore", strict=True, frozen=True)

    field: Annotated[RequiredText, _at_most(200)]


class FieldsFile(BaseModel):
    """fields.json: the fields (lĩnh vực) of the catalogue; its other keys describe the file."""

    model_config = ConfigDict(extra="ignore", strict=True, frozen=True)

    heuristic_fields: list[FieldEntry] = []
    detailed_fields: list[FieldEntry] = []
