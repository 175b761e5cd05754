"""Reads of the access log: the data subject's view «Ai đã xem dữ liệu của tôi»."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q

from motcua.accounts.models import Account
from motcua.privacy.models import PersonalDataAccess
from motcua.privacy.services import subject_hash

# Repeated reads of the same thing by the same official closer than this are one line for the citizen:
# a page reloaded after each action is not news to them; the log itself keeps every read.
FOLD_WITHIN = timedelta(minutes=10)


@dataclass(slots=True)
class AccessRow:
    official_name: str
    unit_name: str
    dossier_code: str
    what: str
    first_at: datetime
    last_at: datetime
    count: int


def _subject_q(account: Account) -> Q:
    q = Q(subject=account)
    for number in (account.personal_id, account.tax_code):
        if number:
            q |= Q(subject_hash=subject_hash(number))
    return q


def personal_data_accesses_for_subject(*, account: Account, limit: int = 500) -> list[AccessRow]:
    """The reads of ``account``'s data, newest first, repeats folded (``FOLD_WITHIN``).

    Matched by the account and by the account's identity number (a counter dossier filed under the
    number but not linked to the account is still their data). One query.
    """
    rows: list[AccessRow] = []
    entries = (
        PersonalDataAccess.objects.filter(_subject_q(account))
        .order_by("-at", "-id")
        .values_list("official_id", "official_name", "unit_name", "dossier_code", "what", "at")[:limit]
    )
    last_key: tuple[object, ...] | None = None
    for official_id, official_name, unit_name, code, what, at in entries:
        key = (official_id, code, what)
        if rows and key == last_key and rows[-1].first_at - at <= FOLD_WITHIN:
            rows[-1].first_at = at
            rows[-1].count += 1
            continue
        rows.append(AccessRow(official_name, unit_name, code, what, at, at, 1))
        last_key = key
    return rows


def personal_data_accesses_export(*, account: Account | None, id_number: str) -> list[dict[str, object]]:
    """The subject's access log as plain rows (the export's ``access_log`` section)."""
    q = Q(pk__in=[])
    if account is not None:
        q = _subject_q(account)
    if id_number:
        q |= Q(subject_hash=subject_hash(id_number))
    return [
        dict(row)
        for row in PersonalDataAccess.objects.filter(q)
        .order_by("-at", "-id")
        .values("at", "official_name", "unit_name", "dossier_code", "what", "channel")
    ]
