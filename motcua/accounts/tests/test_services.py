"""Account services: idempotent citizen/organisation accounts, service accounts, bad input writes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from motcua.accounts.models import Account, AccountKind
from motcua.accounts.services import (
    citizen_account_ensure,
    organisation_account_ensure,
    service_account_create,
)
from motcua.accounts.tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def _errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


def test_citizen_account_is_keyed_on_the_personal_id():
    account = citizen_account_ensure(
        personal_id=" 022090001234 ", full_name="Nguyễn Văn An", phone="0912345678", email="an@example.vn"
    )
    assert account.kind == AccountKind.CITIZEN
    assert account.username == account.personal_id == "022090001234"
    assert account.full_name == "Nguyễn Văn An"
    assert not account.has_usable_password()  # signs in through VNeID


def test_citizen_account_ensure_is_idempotent_and_takes_newer_claims():
    first = citizen_account_ensure(personal_id="022090001234", full_name="Nguyễn Văn An", phone="0912345678")
    again = citizen_account_ensure(personal_id="022090001234", full_name="Nguyễn Văn Ân")
    assert again.pk == first.pk
    assert Account.objects.filter(personal_id="022090001234").count() == 1
    again.refresh_from_db()
    assert again.full_name == "Nguyễn Văn Ân"
    assert again.phone == "0912345678"  # an empty claim keeps what is known


def test_citizen_names_are_stored_in_nfc():
    decomposed = "Nguyễn Văn An".replace("ễ", "e\u0302\u0303")
    account = citizen_account_ensure(personal_id="022090001234", full_name=decomposed)
    assert account.full_name == "Nguyễn Văn An"


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"personal_id": "02209000123"}, "personal_id", "Số định danh cá nhân phải gồm đúng 12 chữ số."),
        ({"personal_id": "02209000123a"}, "personal_id", "Số định danh cá nhân phải gồm đúng 12 chữ số."),
        ({"full_name": "  "}, "full_name", "Họ và tên là bắt buộc."),
        ({"email": "khong-phai-thu"}, "email", "Địa chỉ thư điện tử «khong-phai-thu» không hợp lệ."),
        (
            {"phone": "goi-toi"},
            "phone",
            "Số điện thoại «goi-toi» không hợp lệ (di động 10 chữ số như 0912345678, cố định kèm mã vùng).",
        ),
        (
            {"phone": "0612345678"},
            "phone",
            "Số điện thoại «0612345678» không hợp lệ (di động 10 chữ số như 0912345678, "
            "cố định kèm mã vùng).",
        ),
        (
            {"personal_id": "003090001234"},
            "personal_id",
            "Số định danh cá nhân không hợp lệ: «003» không phải mã tỉnh, thành phố nơi đăng ký "
            "khai sinh (3 chữ số đầu, ví dụ 022 là Quảng Ninh).",
        ),
        (
            {"full_name": "<script>alert('x')</script> Nguyễn Văn A"},
            "full_name",
            "Họ tên chỉ gồm chữ cái, khoảng trắng và các dấu «-», «'», «.»; "
            "không dùng được «<» «>» «(» «)» «/».",
        ),
    ],
)
def test_bad_citizen_input_is_refused_and_writes_nothing(kwargs, field, message):
    arguments = {"personal_id": "022090001234", "full_name": "Nguyễn Văn An", **kwargs}
    with pytest.raises(ValidationError) as exc:
        citizen_account_ensure(**arguments)
    assert _errors(exc)[field] == [message]
    assert not Account.objects.exists()


def test_a_personal_id_held_by_another_kind_of_account_is_refused():
    official = AccountFactory.create(personal_id="022090001234", full_name="Cán bộ Lan")
    with pytest.raises(ValidationError) as exc:
        citizen_account_ensure(personal_id="022090001234", full_name="Nguyễn Thị Lan")
    assert _errors(exc)["personal_id"] == ["«022090001234» đã gắn với một tài khoản cán bộ."]
    official.refresh_from_db()
    assert official.full_name == "Cán bộ Lan"
    assert Account.objects.count() == 1


def test_a_login_already_taken_is_refused():
    AccountFactory.create(username="022090001234")
    with pytest.raises(ValidationError) as exc:
        citizen_account_ensure(personal_id="022090001234", full_name="Nguyễn Văn An")
    assert "đã được dùng cho tài khoản khác" in _errors(exc)["personal_id"][0]
    assert Account.objects.count() == 1


def test_organisation_account_is_keyed_on_the_tax_code():
    head = organisation_account_ensure(tax_code="0100109106", name="Tập đoàn Than – Khoáng sản Việt Nam")
    branch = organisation_account_ensure(tax_code="0100109106-001", name="Chi nhánh Quảng Ninh")
    assert (head.kind, head.username) == (AccountKind.ORGANISATION, "0100109106")
    assert branch.username == branch.tax_code == "0100109106-001"
    assert organisation_account_ensure(tax_code="0100109106", name="Tập đoàn TKV").pk == head.pk
    assert Account.objects.filter(kind=AccountKind.ORGANISATION).count() == 2


@pytest.mark.parametrize(
    "tax_code", ["010010910", "0100109106-01", "0100109107", "0100109106-000", "MST0100109"]
)
def test_bad_tax_code_is_refused_and_writes_nothing(tax_code):
    with pytest.raises(ValidationError) as exc:
        organisation_account_ensure(tax_code=tax_code, name="Công ty TNHH Hạ Long")
    assert _errors(exc)["tax_code"][0].startswith("Mã số thuế")
    assert not Account.objects.exists()


def test_organisation_needs_a_name():
    with pytest.raises(ValidationError) as exc:
        organisation_account_ensure(tax_code="5700100256", name="")
    assert _errors(exc) == {"name": ["Tên tổ chức là bắt buộc."]}
    assert not Account.objects.exists()


def test_service_account_has_no_password_nor_staff_rights():
    account = service_account_create(username="dvcqg-sync", name="Đồng bộ Cổng DVC quốc gia")
    assert (account.kind, account.full_name) == (AccountKind.SERVICE, "Đồng bộ Cổng DVC quốc gia")
    assert not account.has_usable_password()
    assert not account.is_staff
    assert not account.is_superuser


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("", "Tên đăng nhập là bắt buộc."),
        ("co khoang trang", "Tên đăng nhập chỉ gồm chữ, số và các ký tự @ . + - _ (không có khoảng trắng)."),
        ("taken", "Tên đăng nhập «taken» đã tồn tại."),
        ("x" * 151, "Tên đăng nhập dài quá 150 ký tự."),
    ],
)
def test_bad_service_login_is_refused_and_writes_nothing(username, message):
    AccountFactory.create(username="taken")
    with pytest.raises(ValidationError) as exc:
        service_account_create(username=username, name="Kiosk")
    assert _errors(exc)["username"] == [message]
    assert Account.objects.count() == 1


def test_citizen_birth_date_and_address_from_the_provider():
    account = citizen_account_ensure(
        personal_id="022090001234",
        full_name="Nguyễn Văn An",
        birth_date=date(1990, 3, 15),
        address="Số 12 đường Lê Thánh Tông, phường Hạ Long",
    )
    assert account.birth_date == date(1990, 3, 15)
    assert account.address == "Số 12 đường Lê Thánh Tông, phường Hạ Long"
    # A later sign-in without them keeps what is known; a newer address replaces the old one.
    again = citizen_account_ensure(personal_id="022090001234", full_name="Nguyễn Văn An", address="Tổ 5")
    assert again.pk == account.pk
    assert again.birth_date == date(1990, 3, 15)
    assert again.address == "Tổ 5"


def test_citizen_birth_date_in_the_future_or_address_too_long_is_refused():
    with pytest.raises(ValidationError) as exc:
        citizen_account_ensure(
            personal_id="022090001234",
            full_name="Nguyễn Văn An",
            birth_date=date(2999, 1, 1),
            address="x" * 501,
        )
    assert set(_errors(exc)) == {"birth_date", "address"}
    assert not Account.objects.exists()


def test_organisation_address():
    account = organisation_account_ensure(
        tax_code="5700100256", name="Công ty A", address="Số 8 đường Hạ Long"
    )
    assert account.address == "Số 8 đường Hạ Long"
