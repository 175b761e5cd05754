"""The QR code on the chip ID card (CCCD gắn chip / thẻ căn cước): a strict parser (docs/domain.md §9.1).

Counter intake reads it with a scanner that types like a keyboard (later kiosks will too); whatever the
channel, the text goes through ``id_card_qr_parse``, which returns the card's fields checked against each
other, or raises ``ValidationError`` with one Vietnamese message naming the wrong field.

The card's QR holds fields separated by ``|``::

    ID12|oldID|Full name|ddmmyyyy|Nam/Nữ|permanent address|issue ddmmyyyy

Accepted variants (what public material describes and what scanners do to it):

- 7 fields, the old ID number (9-digit CMND, or 12 digits) possibly empty;
- 6 fields: cards that have no old-ID field at all (the second field is then the name);
- more than 7 fields: newer cards and readers append fields after the issue date; they are ignored,
  the first seven are checked as above (at most ``MAX_FIELDS`` fields, anything longer is not a card);
- a trailing ``|`` or trailing empty fields, a trailing CR/LF, surrounding spaces: dropped.

The ID number, date of birth and issue date are checked with ``identity_numbers`` (the one check of
every channel); this module adds what only the card ties together: the gender/century digit against the
gender and the birth year, and the issue date against the birth date.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.utils import timezone

from motcua.accounts.identity_numbers import (
    birth_date_check,
    person_name_clean,
    personal_id_birth_year,
    personal_id_clean,
)
from motcua.core.text import nfc

SEPARATOR = "|"
# Seven fields and a few that newer cards or readers append; a longer text is something else scanned.
MAX_FIELDS = 12
ADDRESS_MAX = 500  # the dossier's applicant_address


class Gender(StrEnum):
    """As printed on the card (and encoded by the parity of the ID number's fourth digit)."""

    MALE = "Nam"
    FEMALE = "Nữ"


_GENDERS = {"nam": Gender.MALE, "nữ": Gender.FEMALE}


@dataclass(frozen=True)
class IdCardQr:
    id_number: str
    old_id_number: str
    full_name: str
    date_of_birth: date
    gender: Gender
    permanent_address: str
    issued_on: date


def _fields(text: str) -> list[str]:
    """The text split on ``|``, each field trimmed, trailing empty fields (a trailing ``|``) dropped."""
    fields = [f.strip() for f in (text or "").strip().split(SEPARATOR)]
    while fields and not fields[-1]:
        fields.pop()
    return fields


def _has_control(value: str) -> bool:
    # Tabs and line breaks inside a field mean a damaged scan (or typed text): no field has them.
    return any(unicodedata.category(ch) in ("Cc", "Cf") for ch in value)


def _card_date(value: str, *, label: str) -> date:
    """ddmmyyyy, a real date."""
    if not (len(value) == 8 and value.isascii() and value.isdigit()):
        raise ValidationError(f"{label} trên mã QR không hợp lệ: «{value}» (cần ngày ddmmyyyy).")
    try:
        return date(int(value[4:]), int(value[2:4]), int(value[:2]))
    except ValueError:
        raise ValidationError(f"{label} trên mã QR không hợp lệ: {value} (không có ngày này).") from None


def _old_id(value: str) -> str:
    if value and not (value.isascii() and value.isdigit() and len(value) in (9, 12)):
        raise ValidationError(
            f"Số CMND cũ trên mã QR không hợp lệ: «{value}» (cần 9 hoặc 12 chữ số, hoặc để trống)."
        )
    return value


def id_card_qr_parse(text: str, *, today: date | None = None) -> IdCardQr:
    """The chip ID card's QR text → its checked fields; ``ValidationError`` naming the wrong field."""
    today = today or timezone.localdate()
    fields = _fields(text)
    if not fields:
        raise ValidationError("Mã QR trống: hãy quét mã QR ở mặt trước thẻ căn cước.")
    if not 6 <= len(fields) <= MAX_FIELDS:
        raise ValidationError(
            f"Mã QR có {len(fields)} trường, cần 6 hoặc 7 trường ngăn bởi «|» "
            "(số định danh|số CMND cũ|họ tên|ngày sinh|giới tính|nơi thường trú|ngày cấp): "
            "đây không phải mã QR của thẻ căn cước."
        )
    for index, value in enumerate(fields):
        if _has_control(value):
            raise ValidationError(f"Trường thứ {index + 1} của mã QR có ký tự điều khiển: hãy quét lại.")
    # Six fields: the card has no old-ID field (the second field is the name). Seven or more: the second
    # field is the old ID, possibly empty.
    if len(fields) == 6:
        id_raw, name_raw, born_raw, gender_raw, address_raw, issued_raw = fields
        old_raw = ""
    else:
        id_raw, old_raw, name_raw, born_raw, gender_raw, address_raw, issued_raw = fields[:7]

    try:
        id_number = personal_id_clean(id_raw, today=today)
    except ValidationError as exc:
        raise ValidationError(f"Mã QR — {exc.messages[0]} (đọc được: «{id_raw}»)") from None
    if id_number != id_raw:  # the card's number is written without spaces
        raise ValidationError(f"Số định danh trên mã QR không hợp lệ: «{id_raw}».")
    old_id_number = _old_id(old_raw)

    full_name = nfc(name_raw)
    if not full_name:
        raise ValidationError("Họ tên trên mã QR bị trống.")
    try:
        full_name = person_name_clean(full_name)
    except ValidationError as exc:
        raise ValidationError(f"Họ tên trên mã QR không hợp lệ: {exc.messages[0]}") from None

    born = _card_date(born_raw, label="Ngày sinh")
    try:
        birth_date_check(born, today=today)
    except ValidationError as exc:
        raise ValidationError(f"Ngày sinh trên mã QR không hợp lệ: {born_raw} — {exc.messages[0]}") from None

    gender = _GENDERS.get(nfc(gender_raw).casefold())
    if gender is None:
        raise ValidationError(f"Giới tính trên mã QR không hợp lệ: «{gender_raw}» (cần «Nam» hoặc «Nữ»).")

    # The fourth digit: its parity is the gender (even male, odd female), its half the century; the
    # fifth and sixth are the birth year's last two digits.
    encoded_gender = Gender.MALE if int(id_number[3]) % 2 == 0 else Gender.FEMALE
    encoded_year = personal_id_birth_year(id_number)
    if encoded_gender != gender or encoded_year // 100 != born.year // 100:
        raise ValidationError(
            f"Số định danh không khớp giới tính/ngày sinh trên mã QR: chữ số thứ 4 của {id_number} "
            f"là {id_number[3]} ({encoded_gender.value.lower()}, sinh năm {encoded_year // 100}xx), "
            f"thẻ ghi {gender.value.lower()}, sinh năm {born.year}."
        )
    if encoded_year != born.year:
        raise ValidationError(
            f"Số định danh không khớp ngày sinh trên mã QR: chữ số thứ 5–6 của {id_number} là "
            f"{id_number[4:6]}, thẻ ghi năm sinh {born.year}."
        )

    address = nfc(address_raw)
    if not address:
        raise ValidationError("Nơi thường trú trên mã QR bị trống.")
    if len(address) > ADDRESS_MAX:
        raise ValidationError(f"Nơi thường trú trên mã QR dài quá {ADDRESS_MAX} ký tự.")

    issued_on = _card_date(issued_raw, label="Ngày cấp")
    if issued_on > today:
        raise ValidationError(f"Ngày cấp trên mã QR không hợp lệ: {issued_raw} là ngày trong tương lai.")
    if issued_on <= born:
        raise ValidationError(
            f"Ngày cấp trên mã QR không hợp lệ: {issued_raw} không sau ngày sinh {born_raw}."
        )

    return IdCardQr(
        id_number=id_number,
        old_id_number=old_id_number,
        full_name=full_name,
        date_of_birth=born,
        gender=gender,
        permanent_address=address,
        issued_on=issued_on,
    )
