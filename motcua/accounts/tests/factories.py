"""factory-boy factories for accounts, shared with other apps' tests.

    official_account = AccountFactory.create()                 # kind official, unusable password
    citizen = AccountFactory.create(citizen=True)              # 12-digit personal_id, login = that number
    company = AccountFactory.create(organisation=True)         # tax code, login = the code
    client = AccountFactory.create(service=True)               # API client

``Factory.create()`` rather than ``Factory()``: mypy then does not mistake the result for the factory.
"""

from __future__ import annotations

import factory

from motcua.accounts.identity_numbers import tax_code_check_digit
from motcua.accounts.models import Account, AccountKind


def _tax_code(n: int) -> str:
    """The n-th of distinct valid tax codes 57…: of 11 consecutive prefixes at most one has no check digit."""
    start = (n % 909090) * 11  # below 10**7 - 11: the prefix keeps 7 digits after 57
    for k in range(start, start + 11):
        prefix = f"57{k:07d}"
        check = tax_code_check_digit(prefix)
        if check is not None:
            return f"{prefix}{check}"
    raise AssertionError("unreachable")


class AccountFactory(factory.django.DjangoModelFactory[Account]):
    """An official's account with an unusable password (no hashing cost); ``password="…"`` sets one."""

    class Meta:
        model = Account
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda account: f"{account.username}@example.test")
    # Transformer: an explicit AccountFactory(password="…") is hashed too; the default costs no hashing.
    password = factory.django.Password(None)
    kind = AccountKind.OFFICIAL
    full_name = factory.Faker("name", locale="vi_VN")
    is_active = True

    class Params:
        citizen = factory.Trait(
            kind=AccountKind.CITIZEN,
            # 022 = born in Quảng Ninh; 0 = male, 1900s; the last 8 digits keep the numbers unique.
            personal_id=factory.Sequence(lambda n: f"0220{n % 100000000:08d}"),
            username=factory.SelfAttribute("personal_id"),
        )
        organisation = factory.Trait(
            kind=AccountKind.ORGANISATION,
            tax_code=factory.Sequence(lambda n: _tax_code(n)),
            username=factory.SelfAttribute("tax_code"),
            full_name=factory.Sequence(lambda n: f"Công ty TNHH Thử Nghiệm {n}"),
        )
        service = factory.Trait(
            kind=AccountKind.SERVICE,
            username=factory.Sequence(lambda n: f"dichvu{n}"),
            full_name=factory.Sequence(lambda n: f"Dịch vụ thử nghiệm {n}"),
        )
