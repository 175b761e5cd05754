"""Reads of the public portal: the tracking lookup's hot path.

``tracking_public_view`` returns exactly what ``dossiers.selectors.dossier_public_view`` returns (a
parity test holds them together), but the anonymous lookup without a verifier — nearly all tracking
traffic, and the benchmarked path — costs **one** query whose SQL the ORM compiles once per database
alias: on this path, building two wide ORM querysets per request costs several times the database
work itself. Only the SQL text is kept, never data, so the status shown is always current. With a
verifier (rare, rate-limited) it delegates to ``dossier_public_view``, which owns the privacy rules
(initials, supplement items, constant-time comparison).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.utils import timezone

from motcua.accounts.models import Account, AccountKind
from motcua.core.dbrouter import reads_from_replica, replica_or_primary
from motcua.core.orm import queryset_sql
from motcua.dossiers import deadlines
from motcua.dossiers.downloads import RESULT_VISIBLE_STATUSES
from motcua.dossiers.models import (
    ApplicantKind,
    Dossier,
    DossierResultDocument,
    DvcqgStatus,
    Outcome,
    StepStatus,
)
from motcua.dossiers.selectors import PublicDossierView, PublicStep, dossier_public_view
from motcua.org.models import Unit, UnitKind
from motcua.population.services import population_prefill_for
from motcua.portal.models import SubmissionDraft

# One row per step (LEFT JOIN: a dossier without steps gives one row of NULL step columns).
_COLUMNS = (
    "code",
    "status",
    "state",
    "procedure__code",
    "procedure__name",
    "submitted_at",
    "received_at",
    "due_at",
    "finished_at",
    "returned_at",
    "current_unit__name",
    "outcome",
    "steps__seq",
    "steps__name",
    "steps__unit__name",
    "steps__started_at",
    "steps__due_at",
    "steps__finished_at",
    "steps__status",
    "steps__outcome",
)
_PLACEHOLDER = "\x00code\x00"
_sql_cache: dict[str, str] = {}


def _sql(alias: str) -> str:
    sql = _sql_cache.get(alias)
    if sql is None:
        qs = Dossier.objects.filter(code=_PLACEHOLDER).order_by("steps__seq").values_list(*_COLUMNS)
        sql, params = queryset_sql(qs, using=alias)
        if tuple(params) != (_PLACEHOLDER,):  # the code must be the only parameter
            raise RuntimeError("unexpected parameters in the tracking query")
        _sql_cache[alias] = sql
    return sql


def _aware(value: Any) -> datetime | None:
    """Datetimes as the ORM would give them: aware UTC (SQLite returns naive UTC, PostgreSQL aware)."""
    if value is None:
        return None
    if isinstance(value, str):  # a backend without type detection
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if timezone.is_naive(value) else value


def _label(choices: Any, value: str) -> str:
    return str(choices(value).label) if value else ""


def _public_view_one_query(code: str, *, alias: str = "default") -> PublicDossierView | None:
    with connections[alias].cursor() as cursor:
        cursor.execute(_sql(alias), [code])
        rows = cursor.fetchall()
    if not rows:
        return None
    (
        code_,
        status,
        state,
        procedure_code,
        procedure_name,
        submitted_at,
        received_at,
        due_at,
        finished_at,
        returned_at,
        unit_name,
        outcome,
    ) = rows[0][:12]
    steps = [
        PublicStep(
            name=row[13],
            unit_name=row[14],
            started_at=_aware(row[15]),  # type: ignore[arg-type]
            due_at=_aware(row[16]),
            finished_at=_aware(row[17]),
            status_label=str(StepStatus(row[18]).label),
            outcome=row[19],
            outcome_label=_label(Outcome, row[19]),
        )
        for row in rows
        if row[12] is not None
    ]
    due = _aware(due_at)
    return PublicDossierView(
        code=code_,
        status=int(status),
        status_label=str(DvcqgStatus(int(status)).label),
        procedure_code=procedure_code,
        procedure_name=procedure_name,
        submitted_at=_aware(submitted_at),  # type: ignore[arg-type]
        received_at=_aware(received_at),
        appointed_at=due,
        finished_at=_aware(finished_at),
        returned_at=_aware(returned_at),
        current_unit_name=unit_name,
        outcome=outcome,
        outcome_label=_label(Outcome, outcome),
        overdue=deadlines.is_overdue(state=state, now=timezone.now(), due_at=due),
        steps=steps,
        verified=False,
    )


# Statuses of a dossier that is still being worked on (not refused, withdrawn, stopped, done or returned).
_IN_PROGRESS_STATUSES = frozenset(
    {
        DvcqgStatus.NEW,
        DvcqgStatus.ACCEPTED,
        DvcqgStatus.IN_PROGRESS,
        DvcqgStatus.SUPPLEMENT,
        DvcqgStatus.FINANCIAL,
    }
)


def public_current_step(view: PublicDossierView) -> PublicStep | None:
    """The step the dossier is at: the latest one not finished (None when every step is)."""
    return next((s for s in reversed(view.steps) if s.finished_at is None), None)


def public_in_progress(view: PublicDossierView) -> bool:
    """Whether the dossier is still being handled, so the page says where ("Đang xử lý tại")."""
    return view.status in _IN_PROGRESS_STATUSES


def tracking_public_view(*, code: str, verifier: str | None = None) -> PublicDossierView | None:
    """``dossier_public_view`` with a one-query path for lookups without a verifier (see the module doc).

    Read from the replica when one is configured (``core.dbrouter``), from the primary on a miss."""
    code = (code or "").strip()
    if verifier:
        return replica_or_primary(lambda alias: _public_view_verified(code, verifier, alias=alias))
    # On the replica when there is one; a code it does not know yet (replication lag right after a
    # submission) is looked up again on the primary.
    return replica_or_primary(lambda alias: _public_view_one_query(code, alias=alias))


def _public_view_verified(code: str, verifier: str, *, alias: str) -> PublicDossierView | None:
    if alias == DEFAULT_DB_ALIAS:
        return dossier_public_view(code=code, verifier=verifier)
    with reads_from_replica():
        return dossier_public_view(code=code, verifier=verifier)


def tracking_result_documents(*, view: PublicDossierView) -> list[DossierResultDocument]:
    """The electronic result documents of a verified tracking lookup (one query), once the result is
    ready or returned (status 9/10); nothing otherwise. The caller checked the verifier."""
    if not view.verified or view.status not in RESULT_VISIBLE_STATUSES:
        return []
    return list(
        DossierResultDocument.objects.filter(dossier__code=view.code)
        .select_related("dossier")
        .order_by("uploaded_at", "pk")
    )


# --------------------------------------------------------------------------------------------------
# Online submission (nộp hồ sơ trực tuyến): the applicant's prefill, drafts and receiving units
# --------------------------------------------------------------------------------------------------

PREFILL_FIELDS = ("kind", "name", "id_number", "birth_date", "phone", "email", "address")


def applicant_prefill(account: Account) -> dict[str, str]:
    """What the applicant step starts with, from the signed-in identity account (the identity provider
    fills name, number, date of birth, address, phone and e-mail at each sign-in).

    A citizen's name, date of birth and permanent address then come from the national population
    database (cơ sở dữ liệu quốc gia về dân cư, ``population.population_prefill_for``: the record of
    reference, the lookup audited) when it answers; the account's values stay when it does not. Only
    non-empty values are returned; the wizard marks them as filled in automatically.
    """
    organisation = account.kind == AccountKind.ORGANISATION
    values = {
        "kind": ApplicantKind.ORGANISATION if organisation else ApplicantKind.PERSON,
        "name": account.full_name or "",
        "id_number": (account.tax_code if organisation else account.personal_id) or "",
        "birth_date": account.birth_date.isoformat() if account.birth_date and not organisation else "",
        "phone": account.phone or "",
        "email": account.email or "",
        "address": account.address or "",
    }
    registry = population_prefill_for(account)
    values.update({key: registry[key] for key in ("name", "birth_date", "address") if registry.get(key)})
    return {key: str(value) for key, value in values.items() if value}


def drafts_of(*, owner: Account, now: datetime) -> QuerySet[SubmissionDraft]:
    """The owner's drafts not yet submitted nor expired, latest first, with their procedure (one query)."""
    return (
        SubmissionDraft.objects.filter(owner=owner, dossier__isnull=True, expires_at__gt=now)
        .select_related("procedure")
        .order_by("-updated_at", "-pk")
    )


def draft_get(*, owner: Account, draft_id: int) -> SubmissionDraft:
    """One of the owner's drafts (submitted ones too); ``SubmissionDraft.DoesNotExist`` otherwise (404)."""
    return SubmissionDraft.objects.select_related("procedure", "receiving_unit", "dossier").get(
        owner=owner, pk=draft_id
    )


def receiving_units() -> QuerySet[Unit]:
    """Every active service centre of the province — online dossiers are received regardless of the
    applicant's address (không phụ thuộc địa giới hành chính): the provincial centre first."""
    return Unit.objects.filter(
        is_active=True, kind__in=(UnitKind.PROVINCE_CENTRE, UnitKind.COMMUNE_CENTRE)
    ).order_by("-kind", "name")
