"""Writes of the citizen portal — đăng nhập của công dân, tổ chức bằng tài khoản định danh điện tử."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext, gettext_lazy

from motcua.accounts import identity_numbers
from motcua.accounts.models import Account, AccountKind
from motcua.accounts.services import citizen_account_ensure, organisation_account_ensure
from motcua.dossiers.services import dossiers_link_to_applicant
from motcua.portal.vneid import ProviderError, ProviderIdentity

MSG_OTHER_ACCOUNT = gettext_lazy(
    "Số định danh (mã số thuế) này thuộc một tài khoản cán bộ hoặc tài khoản dịch vụ, không đăng nhập được "
    "bằng tài khoản định danh điện tử ở trang dành cho công dân."
)
MSG_INACTIVE = gettext_lazy(
    "Tài khoản của bạn trên hệ thống đang bị khóa. Vui lòng liên hệ Trung tâm Phục vụ hành chính công."
)
FIELD_LABELS = {
    "personal_id": gettext_lazy("Số định danh cá nhân"),
    "tax_code": gettext_lazy("Mã số thuế"),
    "full_name": gettext_lazy("Họ và tên"),
    "name": gettext_lazy("Tên tổ chức"),
    "address": gettext_lazy("Địa chỉ"),
    "birth_date": gettext_lazy("Ngày sinh"),
}


def _contact(clean: Callable[[str], str], value: str) -> str:
    """A contact datum as the accounts app keeps it, or "" when it is malformed: a wrong phone number
    from the provider must not stop a citizen from signing in."""
    try:
        return clean(value) if value else ""
    except ValidationError:
        return ""


@transaction.atomic
def applicant_sign_in(*, identity: ProviderIdentity) -> Account:
    """The account of the person (organisation) the identity provider vouched for, created on the first
    sign-in, updated with the provider's data on the next; their counter dossiers linked to it.

    An official's account, a service account or a locked account is never signed into this way:
    ``ProviderError`` (status 403), nothing written. Malformed claims: ``ProviderError`` naming the datum.
    """
    kind, key_field, key = (
        (AccountKind.ORGANISATION, "tax_code", identity.tax_code)
        if identity.is_organisation
        else (AccountKind.CITIZEN, "personal_id", identity.personal_id)
    )
    # Checked here, before anything is written, so that the page can say why (and log nothing in).
    if Account.objects.filter(Q(**{key_field: key}) | Q(username=key)).exclude(kind=kind).exists():
        raise ProviderError(MSG_OTHER_ACCOUNT, status=403, code="not_applicant")
    phone = _contact(identity_numbers.phone_clean, identity.phone)
    email = _contact(identity_numbers.email_clean, identity.email)
    try:
        if identity.is_organisation:
            account = organisation_account_ensure(
                tax_code=identity.tax_code,
                name=identity.name,
                phone=phone,
                email=email,
                address=identity.address,
            )
        else:
            account = citizen_account_ensure(
                personal_id=identity.personal_id,
                full_name=identity.name,
                phone=phone,
                email=email,
                birth_date=identity.birth_date,
                address=identity.address,
            )
    except ValidationError as exc:
        problems = "; ".join(
            f"{FIELD_LABELS.get(field, field)}: {' '.join(messages)}"
            for field, messages in exc.message_dict.items()
        )
        raise ProviderError(
            gettext("Thông tin định danh nhận được không hợp lệ — %(problems)s") % {"problems": problems},
            status=400,
            code="invalid_identity",
        ) from exc
    if not account.is_active:
        # Raised inside the transaction: the refreshed name, phone… are rolled back with it.
        raise ProviderError(MSG_INACTIVE, status=403, code="inactive")
    dossiers_link_to_applicant(account=account)
    return account
