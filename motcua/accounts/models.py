"""Accounts — tài khoản: one login table for officials, citizens, organisations and API clients.

Officials keep their profile and unit-scoped roles in ``org`` (``Official.user`` → ``Account``); a
citizen is identified by the 12-digit personal identification number (số định danh cá nhân, the CCCD
number), an organisation by its tax code (mã số thuế), a service account is an API client
(``motcua create-token``). Vietnamese names are not first/last names: ``full_name`` replaces both.
"""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractUser, AnonymousUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.crypto import salted_hmac

from motcua.accounts.identity_numbers import personal_id_validate, tax_code_validate


class AccountKind(models.TextChoices):
    """Kind of account — loại tài khoản."""

    OFFICIAL = "official", "Cán bộ"
    CITIZEN = "citizen", "Công dân"
    ORGANISATION = "organisation", "Tổ chức, doanh nghiệp"
    SERVICE = "service", "Tài khoản dịch vụ (API)"


class Account(AbstractUser):
    """Account — tài khoản: who signs in (page session or API token) and who acts on a dossier."""

    # Vietnamese names are one ordered string (họ, tên đệm, tên); full_name replaces both fields.
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]

    # Default official: staff accounts created with create_user(...) need no extra argument.
    kind = models.CharField(
        "loại tài khoản", max_length=16, choices=AccountKind.choices, default=AccountKind.OFFICIAL
    )
    full_name = models.CharField(
        "họ và tên", max_length=200, blank=True, help_text="Tên tổ chức với tài khoản tổ chức, dịch vụ."
    )
    # NULL, not "", when absent: the unique constraints below hold only for values that are set.
    personal_id = models.CharField(  # noqa: DJ001 - NULL keeps unset numbers out of the unique index
        "số định danh cá nhân", max_length=12, null=True, blank=True, validators=[personal_id_validate]
    )
    tax_code = models.CharField(  # noqa: DJ001 - as personal_id
        "mã số thuế", max_length=14, null=True, blank=True, validators=[tax_code_validate]
    )
    phone = models.CharField("điện thoại", max_length=20, blank=True)
    # From the national identity provider at each sign-in (citizens: date of birth, permanent address;
    # organisations: head-office address); forms prefill the applicant from them.
    birth_date = models.DateField("ngày sinh", null=True, blank=True)
    address = models.CharField("địa chỉ", max_length=500, blank=True)
    # Part of every session's authentication hash: a new value ends all the account's sessions ("sign out
    # everywhere", motcua.signin) without touching the password. Empty keeps Django's own hash.
    session_salt = models.CharField("muối phiên", max_length=64, blank=True, editable=False)

    objects: ClassVar[UserManager[Account]] = UserManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "tài khoản"
        verbose_name_plural = "tài khoản"
        constraints = [
            models.UniqueConstraint(
                fields=["personal_id"],
                condition=Q(personal_id__isnull=False),
                name="account_unique_personal_id",
                violation_error_message="Số định danh cá nhân này đã có tài khoản.",
            ),
            models.UniqueConstraint(
                fields=["tax_code"],
                condition=Q(tax_code__isnull=False),
                name="account_unique_tax_code",
                violation_error_message="Mã số thuế này đã có tài khoản.",
            ),
            models.CheckConstraint(
                condition=~Q(kind=AccountKind.CITIZEN) | (Q(personal_id__isnull=False) & ~Q(personal_id="")),
                name="account_citizen_has_personal_id",
                violation_error_message="Tài khoản công dân phải có số định danh cá nhân.",
            ),
            models.CheckConstraint(
                condition=~Q(kind=AccountKind.ORGANISATION) | (Q(tax_code__isnull=False) & ~Q(tax_code="")),
                name="account_organisation_has_tax_code",
                violation_error_message="Tài khoản tổ chức phải có mã số thuế.",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Django's session hash (get_session_auth_hash and its SECRET_KEY_FALLBACKS variant both come
        # here) over the password hash, plus the session salt when one was set.
        key_salt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"
        return salted_hmac(
            key_salt, self.password + self.session_salt, secret=secret, algorithm="sha256"
        ).hexdigest()

    def get_short_name(self) -> str:
        return self.full_name or self.username


# Whoever makes a request: a signed-in account, or nobody (Django's AnonymousUser, who holds no right).
AccountOrAnonymous = Account | AnonymousUser
