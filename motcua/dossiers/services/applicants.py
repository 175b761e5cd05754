"""Dossiers found for an applicant's account — gắn hồ sơ với tài khoản người nộp.

A dossier received at a counter records the applicant's personal ID number (or an organisation's tax
code) but no account: the person may never have signed in. When they do sign in with the national
identity (portal login), the dossiers recorded for that number are given their account, so "Hồ sơ của
tôi" and the API show them. A dossier already tied to an account keeps it.
"""

from __future__ import annotations

from django.db import transaction

from motcua.accounts.models import Account, AccountKind
from motcua.dossiers.models import ApplicantKind, Dossier

# The applicant kind of a dossier that the account's key (ID number / tax code) must match: a person's
# 12-digit number and a tax code never collide today, but the kinds keep that true by construction.
_KEYS: dict[str, tuple[str, ApplicantKind]] = {
    AccountKind.CITIZEN: ("personal_id", ApplicantKind.PERSON),
    AccountKind.ORGANISATION: ("tax_code", ApplicantKind.ORGANISATION),
}


def dossiers_link_to_applicant(*, account: Account) -> int:
    """Set ``applicant_user`` to ``account`` on its dossiers that have no account yet; how many.

    Matched on ``applicant_id_number`` = the citizen's personal ID (the organisation's tax code) and the
    applicant kind. Idempotent (a second call links nothing more); accounts of other kinds (officials,
    service accounts) and accounts without their key link nothing.
    """
    field_and_kind = _KEYS.get(account.kind)
    if field_and_kind is None or not account.is_active:
        return 0
    field, applicant_kind = field_and_kind
    key = getattr(account, field)
    if not key:
        return 0
    with transaction.atomic():
        # One UPDATE: no dossier row is read or locked first. A concurrent state change holding the
        # row waits for it (or this waits); neither reads the other's column.
        return Dossier.objects.filter(
            applicant_id_number=key, applicant_kind=applicant_kind, applicant_user__isnull=True
        ).update(applicant_user=account)
