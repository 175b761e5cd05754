"""Claims of the identity provider → the portal's identity (names from settings), and the sign-in
service refusing what must not sign in. The protocol itself: test_login_views (real provider)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from motcua.accounts.models import Account, AccountKind
from motcua.accounts.tests.factories import AccountFactory
from motcua.portal.services import applicant_sign_in
from motcua.portal.vneid import ProviderError, ProviderIdentity, identity_from_claims

AN_CLAIMS = {
    "sub": "022090001234",
    "SoDinhDanh": "022090001234",
    "HoVaTen": "Nguyễn Văn An",
    "NgaySinh": "1990-03-15",
    "SoDienThoai": "0912345678",
    "ThuDienTu": "an@example.vn",
    "DiaChi": "Số 12 đường Lê Thánh Tông",
}


def test_citizen_claims_are_mapped() -> None:
    identity = identity_from_claims(AN_CLAIMS)
    assert identity == ProviderIdentity(
        subject="022090001234",
        personal_id="022090001234",
        name="Nguyễn Văn An",
        birth_date=date(1990, 3, 15),
        phone="0912345678",
        email="an@example.vn",
        address="Số 12 đường Lê Thánh Tông",
    )
    assert not identity.is_organisation


def test_claim_names_come_from_settings(settings: Any) -> None:
    settings.MOTCUA_OIDC_CLAIMS = {
        **settings.MOTCUA_OIDC_CLAIMS,
        "personal_id": "cccd",
        "full_name": "ho_ten",
    }
    identity = identity_from_claims({"sub": "x", "cccd": "022090001234", "ho_ten": "Nguyễn Văn An"})
    assert identity.personal_id == "022090001234"
    assert identity.name == "Nguyễn Văn An"


def test_organisation_claims() -> None:
    identity = identity_from_claims(
        {"sub": "5700100256", "MaSoThue": "5700100256", "TenToChuc": "Công ty A",
         "DiaChi": "Số 8 đường Hạ Long"}
    )  # fmt: skip
    assert identity.is_organisation
    assert identity.personal_id == ""
    assert (identity.tax_code, identity.name, identity.address) == (
        "5700100256",
        "Công ty A",
        "Số 8 đường Hạ Long",
    )


def test_no_id_claim_is_refused() -> None:
    with pytest.raises(ProviderError) as exc:
        identity_from_claims({"sub": "x", "HoVaTen": "Ai đó"})
    assert exc.value.code == "no_id"


def test_birth_date_iso_or_day_month_year() -> None:
    assert identity_from_claims({**AN_CLAIMS, "NgaySinh": "15/03/1990"}).birth_date == date(1990, 3, 15)


@pytest.mark.parametrize("raw", ["31/02/1990", "1990-13-01", "mười lăm"])
def test_malformed_birth_date_is_dropped(raw: str) -> None:
    assert identity_from_claims({**AN_CLAIMS, "NgaySinh": raw}).birth_date is None


@pytest.mark.django_db
def test_invalid_id_number_is_refused_naming_it() -> None:
    identity = identity_from_claims({**AN_CLAIMS, "SoDinhDanh": "12345"})
    with pytest.raises(ProviderError) as exc:
        applicant_sign_in(identity=identity)
    assert exc.value.status == 400
    assert "Số định danh cá nhân" in str(exc.value.message)
    assert not Account.objects.exists()


@pytest.mark.django_db
def test_malformed_contact_data_does_not_block_sign_in() -> None:
    account = applicant_sign_in(
        identity=identity_from_claims({**AN_CLAIMS, "SoDienThoai": "abc", "ThuDienTu": "@"})
    )
    assert account.personal_id == "022090001234"
    assert (account.phone, account.email) == ("", "")


@pytest.mark.django_db
def test_locked_account_is_refused() -> None:
    AccountFactory.create(
        kind=AccountKind.CITIZEN, personal_id="022090001234", username="022090001234", is_active=False
    )
    with pytest.raises(ProviderError) as exc:
        applicant_sign_in(identity=identity_from_claims(AN_CLAIMS))
    assert exc.value.status == 403


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [AccountKind.OFFICIAL, AccountKind.SERVICE])
def test_an_official_or_service_login_named_like_the_number_is_refused(kind: str) -> None:
    AccountFactory.create(kind=kind, username="022090001234")
    with pytest.raises(ProviderError) as exc:
        applicant_sign_in(identity=identity_from_claims(AN_CLAIMS))
    assert exc.value.status == 403
    assert not Account.objects.filter(kind=AccountKind.CITIZEN).exists()


def test_address_as_an_openid_connect_address_object() -> None:
    claims = {**AN_CLAIMS, "DiaChi": {"street_address": "Số 12", "locality": "Hạ Long", "country": "VN"}}
    assert identity_from_claims(claims).address == "Số 12, Hạ Long, VN"
    assert identity_from_claims({**AN_CLAIMS, "DiaChi": {"formatted": "Tổ 5"}}).address == "Tổ 5"
