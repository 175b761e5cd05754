"""Identity fields — the one check of who a person or organisation is, for every channel.

The API, counter intake, the dossier engine, the accounts and later the portal all validate personal
identification numbers, tax codes, dates of birth, phone numbers, e-mail addresses and names here, so
that a value refused in one place is refused everywhere, with the same Vietnamese message
(docs/domain.md §9.1).

Each ``*_clean`` function takes what a user typed and returns the value to store (normalised) or raises
``django.core.exceptions.ValidationError`` with one Vietnamese message. ``applicant_identity_clean``
checks a whole applicant (and representative) at once, including the consistency between a personal
identification number and the date of birth, and returns the cleaned values and the errors keyed by the
dossier's field names (``applicant_id_number``, ``applicant_phone`` …).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from vietnam_provinces import ProvinceCode

from motcua.core.text import nfc

EARLIEST_BIRTH = date(1900, 1, 1)
EMAIL_MAX = 254

# The 63 provinces' codes before the 2025 merger (Decision 124/2004/QĐ-TTg). An ID number carries the
# code of the province where the birth was registered, at the time it was issued, so numbers issued
# before 1 July 2025 keep codes that no longer name a province (e.g. 077 Bà Rịa – Vũng Tàu). The list is
# history and does not change; the current codes come from ``vietnam-provinces`` (they are a subset today,
# and a future change reaches this check with the package's update).
_PROVINCE_CODES_BEFORE_2025 = frozenset(
    {
        1, 2, 4, 6, 8, 10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25, 26, 27, 30, 31, 33,
        34, 35, 36, 37, 38, 40, 42, 44, 45, 46, 48, 49, 51, 52, 54, 56, 58, 60, 62, 64,
        66, 67, 68, 70, 72, 74, 75, 77, 79, 80, 82, 83, 84, 86, 87, 89, 91, 92, 93, 94,
        95, 96,
    }
)  # fmt: skip
PROVINCE_CODES = _PROVINCE_CODES_BEFORE_2025 | frozenset(int(code.value) for code in ProvinceCode)

# Tax code check digit (Circular 105/2020/TT-BTC, Annex I): the weights of the first nine digits.
_TAX_CODE_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
_TAX_CODE = re.compile(r"(\d{10})(?:-?(\d{3}))?")
_PHONE_CHARACTERS = re.compile(r"\+?[0-9 .()-]+")
# Real names use letters, spaces and these: Nguyễn Thị Ngọc-Anh, H'Hen Niê, Lê Văn A. (an initial).
_NAME_PUNCTUATION = frozenset(" -'’.")
# Organisations' names also have digits and a few more marks: Công ty TNHH Một thành viên 19/5 (Việt Nam).
_ORGANISATION_PUNCTUATION = _NAME_PUNCTUATION | frozenset(',&()/"“”–')

PERSONAL_ID_INVALID = "Số định danh cá nhân phải gồm đúng 12 chữ số."


def personal_id_birth_year(value: str) -> int:
    """The birth year a valid personal identification number encodes (century digit and two digits)."""
    century = 1900 + (int(value[3]) // 2) * 100
    return century + int(value[4:6])


def personal_id_clean(value: str, *, today: date | None = None) -> str:
    """Số định danh cá nhân (CCCD): 12 digits — province, gender/century, birth year, 6 digits."""
    value = (value or "").strip().replace(" ", "")
    if not (value.isascii() and value.isdigit() and len(value) == 12):
        raise ValidationError(PERSONAL_ID_INVALID)
    if value[0] != "0" or int(value[1:3]) not in PROVINCE_CODES:
        raise ValidationError(
            f"Số định danh cá nhân không hợp lệ: «{value[:3]}» không phải mã tỉnh, thành phố nơi đăng ký "
            "khai sinh (3 chữ số đầu, ví dụ 022 là Quảng Ninh)."
        )
    year = personal_id_birth_year(value)
    if year > (today or timezone.localdate()).year:
        raise ValidationError(
            f"Số định danh cá nhân không hợp lệ: chữ số thứ 4 và 5–6 ứng với năm sinh {year}, sau năm nay."
        )
    return value


def personal_id_validate(value: str) -> None:
    """``personal_id_clean`` as a model field's validator (the admin's account forms)."""
    if personal_id_clean(value) != value:
        raise ValidationError(
            f"Viết số định danh cá nhân liền, không có khoảng trắng: {personal_id_clean(value)}."
        )


def tax_code_validate(value: str) -> None:
    """``tax_code_clean`` as a model field's validator: the value must also be written as stored."""
    if tax_code_clean(value) != value:
        raise ValidationError(f"Viết mã số thuế là {tax_code_clean(value)}.")


def tax_code_check_digit(prefix: str) -> int | None:
    """The check digit of a tax code's first nine digits; None if no code is issued with them.

    10 − (weighted sum mod 11); a remainder of 0 would need a check digit of 10.
    """
    remainder = sum(int(d) * w for d, w in zip(prefix, _TAX_CODE_WEIGHTS, strict=True)) % 11
    return None if remainder == 0 else 10 - remainder


def tax_code_clean(value: str) -> str:
    """Mã số thuế / mã số doanh nghiệp: 10 digits, or 10 + «-» + 3 for a dependent unit; check digit."""
    value = (value or "").strip().replace(" ", "")
    match = _TAX_CODE.fullmatch(value) if value.isascii() else None
    if match is None:
        raise ValidationError(
            "Mã số thuế phải gồm 10 chữ số, hoặc 10 chữ số, dấu «-» và 3 chữ số (0100109106-001)."
        )
    main, branch = match.groups()
    if tax_code_check_digit(main[:9]) != int(main[9]):
        raise ValidationError(f"Mã số thuế «{value}» không hợp lệ (sai chữ số kiểm tra).")
    if branch == "000":
        raise ValidationError("Mã số thuế của đơn vị phụ thuộc có 3 chữ số cuối từ 001 đến 999.")
    return f"{main}-{branch}" if branch else main


def birth_date_check(value: date | None, *, today: date | None = None) -> date | None:
    """A date of birth: not in the future, not before 1900."""
    if value is None:
        return None
    today = today or timezone.localdate()
    if value > today:
        raise ValidationError("Ngày sinh không được sau ngày hôm nay.")
    if value < EARLIEST_BIRTH:
        raise ValidationError("Ngày sinh không được trước năm 1900.")
    return value


def phone_clean(value: str) -> str:
    """A phone number, stored as Vietnamese numbers are written: 0912345678, 02033800000.

    Mobiles (10 digits, 03/05/07/08/09) and landlines with their area code, also written +84 …; a
    foreign number only in the international form (+CC …).
    """
    raw = (value or "").strip()
    if not raw:
        return ""
    message = f"Số điện thoại «{raw}» không hợp lệ (di động 10 chữ số như 0912345678, cố định kèm mã vùng)."
    if not _PHONE_CHARACTERS.fullmatch(raw):
        raise ValidationError(message)
    try:
        number = phonenumbers.parse(raw, "VN")
    except phonenumbers.NumberParseException:
        raise ValidationError(message) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(message)
    if number.country_code == 84:
        return "0" + str(number.national_number)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def email_clean(value: str) -> str:
    """An e-mail address, by Django's validator."""
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) > EMAIL_MAX:
        raise ValidationError(f"Địa chỉ thư điện tử dài quá {EMAIL_MAX} ký tự.")
    try:
        validate_email(value)
    except ValidationError:
        raise ValidationError(f"Địa chỉ thư điện tử «{value}» không hợp lệ.") from None
    return value


def _refused(name: str, allowed: frozenset[str], *, digits: bool) -> str:
    bad = []
    for ch in name:
        ok = unicodedata.category(ch).startswith("L") or ch in allowed or (digits and ch.isdigit())
        if not ok and ch not in bad:
            bad.append(ch)
    return " ".join(f"«{ch}»" if ch.isprintable() else f"U+{ord(ch):04X}" for ch in bad)


def person_name_clean(value: str) -> str:
    """A person's full name: letters (any Vietnamese letter; NFC), spaces, «-», «'» and «.»."""
    name = nfc(value or "")
    if not name:
        return ""
    bad = _refused(name, _NAME_PUNCTUATION, digits=False)
    if bad:
        raise ValidationError(
            f"Họ tên chỉ gồm chữ cái, khoảng trắng và các dấu «-», «'», «.»; không dùng được {bad}."
        )
    if not unicodedata.category(name[0]).startswith("L"):
        raise ValidationError("Họ tên phải bắt đầu bằng một chữ cái.")
    return name


def organisation_name_clean(value: str) -> str:
    """An organisation's name: as a person's name, with digits and , & ( ) / " too."""
    name = nfc(value or "")
    if not name:
        return ""
    bad = _refused(name, _ORGANISATION_PUNCTUATION, digits=True)
    if bad:
        raise ValidationError(
            "Tên tổ chức chỉ gồm chữ cái, chữ số, khoảng trắng và các dấu - – ' . , & ( ) / \"; "
            f"không dùng được {bad}."
        )
    if not any(unicodedata.category(ch).startswith("L") for ch in name):
        raise ValidationError("Tên tổ chức phải có chữ cái.")
    return name


@dataclass(frozen=True)
class Identity:
    """What an applicant gives about themselves and an optional representative (người được ủy quyền)."""

    organisation: bool
    name: str
    id_number: str = ""
    birth_date: date | None = None
    phone: str = ""
    email: str = ""
    representative_name: str = ""
    representative_id_number: str = ""
    representative_phone: str = ""


def applicant_identity_clean(
    identity: Identity, *, today: date | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    """The cleaned fields and the errors, both keyed by the dossier's field names.

    Empty values stay empty (which fields are required is each channel's and the engine's business);
    a personal identification number and a date of birth given together must agree on the year.
    """
    today = today or timezone.localdate()
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}

    def run(field: str, check: Callable[[Any], object], value: object) -> None:
        try:
            cleaned[field] = check(value)
        except ValidationError as exc:
            errors[field] = exc.messages[0]

    run(
        "applicant_name",
        organisation_name_clean if identity.organisation else person_name_clean,
        identity.name,
    )
    if identity.organisation:
        run(
            "applicant_id_number",
            lambda v: tax_code_clean(v) if (v or "").strip() else "",
            identity.id_number,
        )
    else:
        run(
            "applicant_id_number",
            lambda v: personal_id_clean(v, today=today) if (v or "").strip() else "",
            identity.id_number,
        )
    run("applicant_birth_date", lambda v: birth_date_check(v, today=today), identity.birth_date)
    run("applicant_phone", phone_clean, identity.phone)
    run("applicant_email", email_clean, identity.email)
    run("representative_name", person_name_clean, identity.representative_name)
    run(
        "representative_id_number",
        lambda v: personal_id_clean(v, today=today) if (v or "").strip() else "",
        identity.representative_id_number,
    )
    run("representative_phone", phone_clean, identity.representative_phone)

    id_number, born = cleaned.get("applicant_id_number"), cleaned.get("applicant_birth_date")
    if not identity.organisation and id_number and born is not None:
        encoded = personal_id_birth_year(id_number)
        if encoded != born.year:
            errors["applicant_birth_date"] = (
                f"Ngày sinh không khớp với số định danh cá nhân: số {id_number} ứng với năm sinh {encoded}."
            )
    return cleaned, errors
