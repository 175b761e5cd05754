"""Database constraints of accounts: they hold even for writes that bypass the services."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from motcua.accounts.models import Account, AccountKind
from motcua.accounts.selectors import account_display_name
from motcua.accounts.tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def test_create_user_makes_an_official_account_by_default():
    account = Account.objects.create_user(username="canbo", password="mat-khau-dai-123")
    assert account.kind == AccountKind.OFFICIAL
    assert account.check_password("mat-khau-dai-123")
    assert account.personal_id is None
    assert account.tax_code is None


def test_a_citizen_needs_a_personal_id():
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.create(username="congdan", kind=AccountKind.CITIZEN)
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.create(username="congdan", kind=AccountKind.CITIZEN, personal_id="")


def test_an_organisation_needs_a_tax_code():
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.create(username="congty", kind=AccountKind.ORGANISATION)
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.create(username="congty", kind=AccountKind.ORGANISATION, tax_code="")


def test_a_personal_id_belongs_to_one_account():
    AccountFactory.create(citizen=True, personal_id="022090001234")
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.create(username="khac", kind=AccountKind.OFFICIAL, personal_id="022090001234")


def test_a_tax_code_belongs_to_one_account():
    AccountFactory.create(organisation=True, tax_code="0100109106-001")
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.create(username="khac", kind=AccountKind.ORGANISATION, tax_code="0100109106-001")


def test_many_accounts_may_have_neither_number():
    AccountFactory.create_batch(3)
    AccountFactory.create(service=True)
    assert Account.objects.filter(personal_id__isnull=True, tax_code__isnull=True).count() == 4


def test_full_clean_reports_the_constraints_in_vietnamese():
    AccountFactory.create(citizen=True, personal_id="022090001234")
    duplicate = Account(username="trung", kind=AccountKind.CITIZEN, personal_id="022090001234")
    duplicate.set_unusable_password()
    with pytest.raises(ValidationError) as exc_info:
        duplicate.full_clean()
    assert "Số định danh cá nhân này đã có tài khoản." in str(exc_info.value)
    malformed = Account(username="sai", kind=AccountKind.ORGANISATION, tax_code="12345")
    malformed.set_unusable_password()
    with pytest.raises(ValidationError) as exc_info:
        malformed.full_clean()
    assert "Mã số thuế phải gồm 10 chữ số" in str(exc_info.value)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": AccountKind.ORGANISATION, "tax_code": "0100109107"}, "sai chữ số kiểm tra"),
        (
            {"kind": AccountKind.ORGANISATION, "tax_code": "0100109106001"},
            "Viết mã số thuế là 0100109106-001.",
        ),
        ({"kind": AccountKind.CITIZEN, "personal_id": "003090001234"}, "«003» không phải mã tỉnh"),
    ],
)
def test_full_clean_checks_identity_numbers_as_the_services_do(fields, message):
    account = Account(username="sai", **fields)
    account.set_unusable_password()
    with pytest.raises(ValidationError) as exc_info:
        account.full_clean()
    assert message in str(exc_info.value)


def test_display_name_prefers_the_full_name_then_the_login():
    assert (
        account_display_name(AccountFactory.build(username="x", full_name="Nguyễn Thị Lan"))
        == "Nguyễn Thị Lan"
    )
    assert account_display_name(AccountFactory.create(username="khongten", full_name="")) == "khongten"
