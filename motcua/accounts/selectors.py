"""Reads of accounts."""

from __future__ import annotations

from motcua.accounts.models import Account


def account_display_name(account: Account) -> str:
    """The name to show for an account: its full name, else its official profile's, else the login.

    The profile fallback serves officials whose account was created without a name (the simulator
    creates profiles directly); it costs a query only then, and only when the profile is not joined.
    """
    if account.full_name:
        return account.full_name
    official = getattr(account, "official", None)  # a missing reverse one-to-one raises AttributeError too
    if official is not None and official.full_name:
        return str(official.full_name)
    return account.get_username()


def account_get_by_personal_id(*, personal_id: str) -> Account | None:
    """The account of the citizen with this personal identification number, if any."""
    return Account.objects.filter(personal_id=personal_id.strip()).first()


def account_get_by_tax_code(*, tax_code: str) -> Account | None:
    """The account of the organisation with this tax code, if any."""
    return Account.objects.filter(tax_code=tax_code.strip()).first()
