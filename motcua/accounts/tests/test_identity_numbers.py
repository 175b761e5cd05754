"""Identity fields (docs/domain.md §9.1): each validator's valid and invalid values, with the reason."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from motcua.accounts.identity_numbers import (
    Identity,
    applicant_identity_clean,
    birth_date_check,
    email_clean,
    organisation_name_clean,
    person_name_clean,
    personal_id_clean,
    phone_clean,
    tax_code_clean,
)

TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("022085123456", "022085123456"),  # Quảng Ninh, man born 1985
        ("001305000123", "001305000123"),  # Hà Nội, woman born 2005
        (" 079 2 20 000001 ", "079220000001"),  # spaces typed from the card
        ("077190000001", "077190000001"),  # Bà Rịa – Vũng Tàu: a code from before the 2025 merger
        ("030099123456", "030099123456"),  # Hải Dương (old code), born 1999
    ],
)
def test_personal_id_valid(value: str, expected: str):
    assert personal_id_clean(value, today=TODAY) == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("02208512345", "đúng 12 chữ số"),  # 11 digits
        ("0220851234567", "đúng 12 chữ số"),  # 13 digits
        ("02208512345A", "đúng 12 chữ số"),
        ("０２２０８５１２３４５６", "đúng 12 chữ số"),  # full-width digits
        ("123456789", "đúng 12 chữ số"),  # an old 9-digit CMND
        ("003085123456", "«003» không phải mã tỉnh"),  # no province 03
        ("099085123456", "«099» không phải mã tỉnh"),
        ("122085123456", "«122» không phải mã tỉnh"),  # no leading 0
        ("022299123456", "năm sinh 2099"),  # century digit 2 and 99: born in 2099
        ("022450123456", "năm sinh 2150"),
    ],
)
def test_personal_id_invalid(value: str, reason: str):
    with pytest.raises(ValidationError) as exc:
        personal_id_clean(value, today=TODAY)
    assert reason in exc.value.messages[0]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0100109106", "0100109106"),
        ("5700100256", "5700100256"),
        ("0100109106-001", "0100109106-001"),
        ("0100109106001", "0100109106-001"),  # the 13 digits without the dash
        (" 0100109106 - 001 ", "0100109106-001"),
    ],
)
def test_tax_code_valid(value: str, expected: str):
    assert tax_code_clean(value) == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("0100109107", "sai chữ số kiểm tra"),
        ("5700100250", "sai chữ số kiểm tra"),
        ("0100109107-001", "sai chữ số kiểm tra"),
        ("0000000000", "sai chữ số kiểm tra"),  # remainder 0: would need check digit 10
        ("010010910", "10 chữ số"),
        ("0100109106-01", "10 chữ số"),
        ("0100109106/001", "10 chữ số"),
        ("0100109106-000", "từ 001 đến 999"),
    ],
)
def test_tax_code_invalid(value: str, reason: str):
    with pytest.raises(ValidationError) as exc:
        tax_code_clean(value)
    assert reason in exc.value.messages[0]


@pytest.mark.parametrize("value", [date(1900, 1, 1), date(1985, 6, 30), TODAY, None])
def test_birth_date_valid(value: date | None):
    assert birth_date_check(value, today=TODAY) == value


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (date(2026, 12, 2), "sau ngày hôm nay"),
        (date(2999, 1, 1), "sau ngày hôm nay"),
        (date(1899, 12, 31), "trước năm 1900"),
    ],
)
def test_birth_date_invalid(value: date, reason: str):
    with pytest.raises(ValidationError) as exc:
        birth_date_check(value, today=TODAY)
    assert reason in exc.value.messages[0]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0912345678", "0912345678"),
        ("091 234 5678", "0912345678"),
        ("091.234.5678", "0912345678"),
        ("+84 912 345 678", "0912345678"),  # international form, normalised
        ("+84912345678", "0912345678"),
        ("0345678901", "0345678901"),
        ("0567890123", "0567890123"),
        ("0701234567", "0701234567"),
        ("0812345678", "0812345678"),
        ("0203 3800 000", "02033800000"),  # Quảng Ninh landline with its area code
        ("024 3825 1234", "02438251234"),  # Hà Nội
        ("(028) 3829 1234", "02838291234"),  # Hồ Chí Minh City
        ("+33 1 42 68 53 00", "+33142685300"),  # a foreign number, in international form
        ("", ""),
    ],
)
def test_phone_valid(value: str, expected: str):
    assert phone_clean(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "091234567",  # 9 digits
        "09123456789",  # 11 digits for a mobile
        "0612345678",  # 06 is no mobile prefix
        "0123456789",  # an old 11-digit-era prefix
        "01234567890",
        "12345678",
        "0" * 20,
        "0912-ABC-678",
        "0912345678; DROP",
        "+84 612 345 678",
    ],
)
def test_phone_invalid(value: str):
    with pytest.raises(ValidationError) as exc:
        phone_clean(value)
    assert "Số điện thoại" in exc.value.messages[0]


@pytest.mark.parametrize("value", ["an@example.vn", "nguyen.van.a+hs@quangninh.gov.vn", ""])
def test_email_valid(value: str):
    assert email_clean(value) == value


@pytest.mark.parametrize("value", ["an@", "an example@x.vn", "an@x", "<script>@x.vn", "a" * 250 + "@x.vn"])
def test_email_invalid(value: str):
    with pytest.raises(ValidationError) as exc:
        email_clean(value)
    assert "thư điện tử" in exc.value.messages[0]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Nguyễn Văn A", "Nguyễn Văn A"),
        ("  Trần   Thị  Ngọc-Ánh ", "Trần Thị Ngọc-Ánh"),
        ("H'Hen Niê", "H'Hen Niê"),
        ("Lê Văn A.", "Lê Văn A."),
        ("ĐẶNG THỊ HỒNG", "ĐẶNG THỊ HỒNG"),
        ("Nguye\u0302\u0303n Văn B", "Nguyễn Văn B"),  # decomposed input is stored NFC
    ],
)
def test_person_name_valid(value: str, expected: str):
    assert person_name_clean(value) == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("<script>alert('x')</script> Nguyễn Văn A", "«<»"),
        ("Nguyễn Văn 2", "«2»"),
        ("Nguyễn; Văn A", "«;»"),
        ("Nguyễn Văn A\x00", "U+0000"),
        ("Nguyễn Văn A 😀", "«😀»"),
        ("-Nguyễn", "bắt đầu bằng một chữ cái"),
        ("'", "bắt đầu bằng một chữ cái"),
    ],
)
def test_person_name_invalid(value: str, reason: str):
    with pytest.raises(ValidationError) as exc:
        person_name_clean(value)
    assert reason in exc.value.messages[0]


@pytest.mark.parametrize(
    "value",
    [
        "Công ty TNHH Một thành viên 19/5",
        "Công ty Cổ phần Than Hạ Long (TKV)",
        "Hợp tác xã A & B, chi nhánh 2",
    ],
)
def test_organisation_name_valid(value: str):
    assert organisation_name_clean(value) == value


@pytest.mark.parametrize(
    ("value", "reason"), [("Công ty <b>X</b>", "«<»"), ("123", "phải có chữ cái"), ("Cty {X}", "«{»")]
)
def test_organisation_name_invalid(value: str, reason: str):
    with pytest.raises(ValidationError) as exc:
        organisation_name_clean(value)
    assert reason in exc.value.messages[0]


def _person(**fields: object) -> tuple[dict[str, object], dict[str, str]]:
    defaults: dict[str, object] = {
        "organisation": False,
        "name": "Nguyễn Văn A",
        "id_number": "022085123456",
        "birth_date": date(1985, 3, 1),
    }
    return applicant_identity_clean(Identity(**(defaults | fields)), today=TODAY)  # type: ignore[arg-type]


def test_applicant_consistent_id_and_birth_date():
    cleaned, errors = _person(phone="+84 912 345 678")
    assert errors == {}
    assert cleaned["applicant_id_number"] == "022085123456"
    assert cleaned["applicant_phone"] == "0912345678"


@pytest.mark.parametrize(
    ("id_number", "born"),
    [
        ("022085123456", date(1986, 3, 1)),  # another year
        ("022285123456", date(1985, 3, 1)),  # century digit 2 = 2085 (in the future: refused as such)
        ("022205123456", date(1905, 3, 1)),  # 2005 by its century digit, not 1905
        ("022105123456", date(2005, 3, 1)),  # 1 = woman born 1900–1999
    ],
)
def test_applicant_id_and_birth_date_disagree(id_number: str, born: date):
    _, errors = _person(id_number=id_number, birth_date=born)
    assert set(errors) <= {"applicant_id_number", "applicant_birth_date"}
    assert errors


def test_applicant_birth_date_mismatch_message():
    _, errors = _person(id_number="022085123456", birth_date=date(1986, 3, 1))
    assert errors == {
        "applicant_birth_date": "Ngày sinh không khớp với số định danh cá nhân: "
        "số 022085123456 ứng với năm sinh 1985."
    }


def test_applicant_errors_keyed_by_field():
    _, errors = _person(
        name="<b>A</b>",
        id_number="123",
        birth_date=date(2027, 1, 1),
        phone="0612345678",
        email="x@",
        representative_name="Trần 2",
        representative_id_number="003085123456",
        representative_phone="1",
    )
    assert set(errors) == {
        "applicant_name",
        "applicant_id_number",
        "applicant_birth_date",
        "applicant_phone",
        "applicant_email",
        "representative_name",
        "representative_id_number",
        "representative_phone",
    }


def test_organisation_takes_a_tax_code_not_a_personal_id():
    cleaned, errors = applicant_identity_clean(
        Identity(organisation=True, name="Công ty Than Hạ Long", id_number="0100109106001"), today=TODAY
    )
    assert errors == {}
    assert cleaned["applicant_id_number"] == "0100109106-001"
    _, errors = applicant_identity_clean(
        Identity(organisation=True, name="Công ty Than Hạ Long", id_number="022085123456"), today=TODAY
    )
    assert "Mã số thuế" in errors["applicant_id_number"]
