"""Writes of accounts: citizen, organisation and service accounts.

Officials' accounts are created with their profile and roles by ``org.services.official_create``.
Bad input raises ``ValidationError`` keyed by argument name, with Vietnamese messages, before anything
is written.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.contrib.auth.models import Permission
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from motcua.accounts import identity_numbers
from motcua.accounts.models import Account, AccountKind
from motcua.core.text import nfc

NAME_MAX = 200
ADDRESS_MAX = 500  # Account.address
USERNAME_MAX = 150  # AbstractUser.username


def _contact_errors(*, phone: str, email: str) -> tuple[str, str, dict[str, list[str]]]:
    """The cleaned phone and e-mail (identity_numbers, as for dossiers) and their errors."""
    errors: dict[str, list[str]] = {}
    phone = _cleaned(errors, "phone", identity_numbers.phone_clean, phone)
    email = _cleaned(errors, "email", identity_numbers.email_clean, email)
    return phone, email, errors


def _name_errors(key: str, name: str, label: str) -> dict[str, list[str]]:
    if not name:
        return {key: [f"{label} là bắt buộc."]}
    if len(name) > NAME_MAX:
        return {key: [f"{label} dài quá {NAME_MAX} ký tự."]}
    return {}


def _ensure(
    *,
    kind: AccountKind,
    key_field: str,
    key: str,
    name: str,
    phone: str,
    email: str,
    birth_date: date | None = None,
    address: str = "",
) -> Account:
    """Find the account of ``kind`` whose ``key_field`` is ``key``, or create it (login = key).

    An existing account gets the newer non-empty name, phone, e-mail, birth date and address (the
    identity provider is the fresher source). A concurrent creation of the same key loses the unique
    race and reads the winner.
    """
    existing = Account.objects.select_for_update().filter(**{key_field: key}).first()
    if existing is None:
        if Account.objects.filter(username=key).exists():
            raise ValidationError({key_field: [f"Tên đăng nhập «{key}» đã được dùng cho tài khoản khác."]})
        account = Account(
            username=key,
            kind=kind,
            full_name=name,
            phone=phone,
            email=email,
            birth_date=birth_date,
            address=address,
            **{key_field: key},
        )
        account.set_unusable_password()  # signs in through the identity provider, never with a password
        try:
            with transaction.atomic():
                account.save()
            return account
        except IntegrityError:
            existing = Account.objects.select_for_update().filter(**{key_field: key}).first()
            if existing is None:
                raise
    if existing.kind != kind:
        raise ValidationError(
            {key_field: [f"«{key}» đã gắn với một tài khoản {existing.get_kind_display().lower()}."]}
        )
    changed = {
        field: value
        for field, value in (
            ("full_name", name),
            ("phone", phone),
            ("email", email),
            ("birth_date", birth_date),
            ("address", address),
        )
        if value and getattr(existing, field) != value
    }
    if changed:
        for field, value in changed.items():
            setattr(existing, field, value)
        existing.save(update_fields=list(changed))
    return existing


def _cleaned(errors: dict[str, list[str]], field: str, clean: Callable[[str], str], value: str) -> str:
    """``clean(value)``; on a ``ValidationError`` its messages go to ``errors[field]`` and ``value`` stays."""
    try:
        return clean(value)
    except ValidationError as exc:
        errors[field] = exc.messages
        return value


def _address_errors(address: str) -> dict[str, list[str]]:
    if len(address) > ADDRESS_MAX:
        return {"address": [f"Địa chỉ dài quá {ADDRESS_MAX} ký tự."]}
    return {}


@transaction.atomic
def citizen_account_ensure(
    *,
    personal_id: str,
    full_name: str,
    phone: str = "",
    email: str = "",
    birth_date: date | None = None,
    address: str = "",
) -> Account:
    """The citizen's account — tài khoản công dân — keyed on the personal identification number.

    Idempotent: called at every sign-in with the identity provider's claims; the login is the number.
    An account created earlier for the same number (at a counter, or by an earlier sign-in) is the one
    returned; an official's or organisation's account holding the number is refused (``ValidationError``).
    """
    personal_id = (personal_id or "").strip()
    address = nfc((address or "").strip())
    full_name = nfc((full_name or "").strip())
    phone, email = (phone or "").strip(), (email or "").strip()
    phone, email, errors = _contact_errors(phone=phone, email=email)
    personal_id = _cleaned(errors, "personal_id", identity_numbers.personal_id_clean, personal_id)
    full_name = _cleaned(errors, "full_name", identity_numbers.person_name_clean, full_name)
    errors |= _name_errors("full_name", full_name, "Họ và tên") if "full_name" not in errors else {}
    errors |= _address_errors(address)
    if birth_date is not None and birth_date > timezone.localdate():
        errors["birth_date"] = ["Ngày sinh không được sau ngày hôm nay."]
    if errors:
        raise ValidationError(errors)
    return _ensure(
        kind=AccountKind.CITIZEN,
        key_field="personal_id",
        key=personal_id,
        name=full_name,
        phone=phone,
        email=email,
        birth_date=birth_date,
        address=address,
    )


@transaction.atomic
def organisation_account_ensure(
    *, tax_code: str, name: str, phone: str = "", email: str = "", address: str = ""
) -> Account:
    """The organisation's account — tài khoản tổ chức, doanh nghiệp — keyed on its tax code.

    Idempotent like ``citizen_account_ensure``; the login is the tax code, the name is the
    organisation's registered name.
    """
    tax_code = (tax_code or "").strip()
    name = nfc((name or "").strip())
    address = nfc((address or "").strip())
    phone, email = (phone or "").strip(), (email or "").strip()
    phone, email, errors = _contact_errors(phone=phone, email=email)
    tax_code = _cleaned(errors, "tax_code", identity_numbers.tax_code_clean, tax_code)
    name = _cleaned(errors, "name", identity_numbers.organisation_name_clean, name)
    errors |= _name_errors("name", name, "Tên tổ chức") if "name" not in errors else {}
    errors |= _address_errors(address)
    if errors:
        raise ValidationError(errors)
    return _ensure(
        kind=AccountKind.ORGANISATION,
        key_field="tax_code",
        key=tax_code,
        name=name,
        phone=phone,
        email=email,
        address=address,
    )


@transaction.atomic
def service_account_create(*, username: str, name: str) -> Account:
    """A service account — tài khoản dịch vụ — for an API client; give it a token with ``create-token``.

    It has no password (it cannot sign in to pages) and no staff rights.
    """
    username = (username or "").strip()
    name = nfc((name or "").strip())
    errors: dict[str, list[str]] = {}
    if not username:
        errors["username"] = ["Tên đăng nhập là bắt buộc."]
    else:
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError:
            errors["username"] = [
                "Tên đăng nhập chỉ gồm chữ, số và các ký tự @ . + - _ (không có khoảng trắng)."
            ]
        else:
            if len(username) > USERNAME_MAX:
                errors["username"] = [f"Tên đăng nhập dài quá {USERNAME_MAX} ký tự."]
            elif Account.objects.filter(username=username).exists():
                errors["username"] = [f"Tên đăng nhập «{username}» đã tồn tại."]
    errors |= _name_errors("name", name, "Tên dịch vụ")
    if errors:
        raise ValidationError(errors)
    account = Account(username=username, kind=AccountKind.SERVICE, full_name=name)
    account.set_unusable_password()
    account.save()
    return account


def account_permission_grant(*, account: Account, permission: str) -> None:
    """Give ``account`` the Django permission ``permission`` ("app_label.codename"); idempotent.

    How a service account gets a right that its kind alone does not give (e.g.
    ``dossiers.submit_dossier``, to submit dossiers through the API) without the admin.
    """
    app_label, _, codename = permission.partition(".")
    row = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
    if row is None:
        raise ValidationError({"permission": [f"Không có quyền «{permission}»."]})
    account.user_permissions.add(row)
    # Django caches a user's permissions on the object: the next has_perm must see the new one.
    for cache in ("_perm_cache", "_user_perm_cache"):
        account.__dict__.pop(cache, None)
