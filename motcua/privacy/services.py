"""Writes of personal-data protection: the access log, the export of a person's data, the purge."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol

from django.utils import timezone
from django.utils.crypto import salted_hmac

from motcua.accounts.models import Account
from motcua.accounts.selectors import account_display_name
from motcua.org.models import Unit
from motcua.org.selectors import official_roles
from motcua.privacy.models import PersonalDataAccess
from motcua.privacy.registry import Subject, export_sections, retention_rules

logger = logging.getLogger(__name__)

EXPORT_FORMAT = "motcua.personal-data-export/1"


class DossierLike(Protocol):
    """What the access log needs of a dossier (this app sits below the engine and imports none of it)."""

    pk: Any
    code: str
    applicant_user_id: int | None
    applicant_id_number: str
    receiving_unit: Unit
    competent_unit: Unit
    current_unit: Unit


def subject_hash(id_number: str) -> str:
    """A keyed hash of an identity number: the log matches a person without storing their number.

    Keyed (HMAC with ``SECRET_KEY``), not a bare SHA-256: 12-digit numbers are few enough to hash them
    all. Rotating ``SECRET_KEY`` orphans older entries from the number (the account link stays).
    """
    value = (id_number or "").strip().replace(" ", "")
    if not value:
        return ""
    return salted_hmac("motcua.privacy.subject", value, algorithm="sha256").hexdigest()


def _acting_unit(official: Account, units: Iterable[Unit | None]) -> Unit | None:
    """The first of the dossier's units where the official holds a role: the one they read it as.

    ``official_roles`` caches the grants on the account, and the view has just asked it whether the
    official may see the dossier: no query here.
    """
    for unit in units:
        if unit is not None and official_roles(user=official, unit=unit):
            return unit
    return None


def personal_data_access_record(
    *,
    official: Account,
    dossier: DossierLike,
    what: str,
    channel: str = "web",
    request_id: str = "",
) -> PersonalDataAccess:
    """Record that ``official`` read ``what`` of ``dossier``'s applicant: one INSERT.

    No de-duplication at write time: the log is the legal record of each access (Decree 13, Art. 27),
    a SELECT per view to skip repeats would cost as much as the INSERT, and the citizen's page folds
    repeats of the same thing by the same official into one line (``selectors``).
    """
    unit = _acting_unit(official, (dossier.current_unit, dossier.competent_unit, dossier.receiving_unit))
    return PersonalDataAccess.objects.create(
        official=official,
        official_name=account_display_name(official)[:200],
        unit=unit,
        unit_name=unit.name[:255] if unit is not None else "",
        dossier_id=dossier.pk,
        dossier_code=dossier.code,
        subject_id=dossier.applicant_user_id,
        subject_hash=subject_hash(dossier.applicant_id_number),
        what=what[:300],
        channel=channel,
        request_id=request_id[:64],
        at=timezone.now(),
    )


def _account_data(account: Account) -> dict[str, Any]:
    return {
        "username": account.get_username(),
        "kind": account.kind,
        "full_name": account.full_name,
        "personal_id": account.personal_id,
        "tax_code": account.tax_code,
        "phone": account.phone,
        "email": account.email,
        "birth_date": account.birth_date,
        "address": account.address,
        "date_joined": account.date_joined,
        "last_login": account.last_login,
    }


def personal_data_export(
    *, subject: Subject, requested_by: Account, reason: str = "", now: datetime | None = None
) -> dict[str, Any]:
    """Everything the system holds about ``subject``, as one JSON-serialisable document.

    Each app contributes its section (``registry.export_section``). An export made by someone other
    than the subject (an officer on the person's request) is itself recorded in the access log, so the
    person sees it on their page; the log line names no one.
    """
    now = now or timezone.now()
    document: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "generated_at": now,
        "account": _account_data(subject.account) if subject.account is not None else None,
        "sections": {name: func(subject) for name, func in export_sections().items()},
    }
    if subject.account is None or requested_by.pk != subject.account.pk:
        PersonalDataAccess.objects.create(
            official=requested_by,
            official_name=account_display_name(requested_by)[:200],
            subject=subject.account,
            subject_hash=subject_hash(subject.id_number),
            what=f"Xuất toàn bộ dữ liệu cá nhân theo yêu cầu ({reason})"
            if reason
            else "Xuất toàn bộ dữ liệu cá nhân theo yêu cầu",
            at=now,
        )
        logger.info(
            "Personal-data export by account %s (subject account %s)",
            requested_by.pk,
            subject.account.pk if subject.account is not None else "-",
        )
    return document


def personal_data_purge(*, now: datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    """Delete what is past its retention, rule by rule (``registry.retention_rule``), in batches.

    Never the audit events of dossiers nor the dossiers themselves: those are legal records kept under
    the archives law, not personal data past its purpose (docs/privacy.md).
    """
    now = now or timezone.now()
    counts: dict[str, int] = {}
    for rule in retention_rules():
        counts[rule.name] = rule.purge(now=now, dry_run=dry_run)
    if not dry_run:
        logger.info("Personal-data purge: %s", ", ".join(f"{k}={v}" for k, v in counts.items()))
    return counts
