"""Looking people up in the population database — tra cứu CSDL quốc gia về dân cư.

``population_lookup`` is the only way the product reads it: a citizen or organisation may look up only
their own number; an official needs the ``population.lookup_any_person`` permission, which reception
roles hold (``org.backends``). Every call — refused ones included — writes a ``PopulationLookup`` row.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, F
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy

from motcua.accounts.models import Account, AccountKind
from motcua.population.adapters import (
    PersonNotFound,
    PersonRecord,
    PopulationError,
    PopulationUnavailable,
    population_registry,
)
from motcua.population.models import DailyLookupCount, LookupOutcome, PopulationLookup

LOOKUP_ANY = "population.lookup_any_person"
NOT_YOURS = gettext_lazy(
    "Bạn chỉ được tra cứu CSDL dân cư theo số định danh của chính mình; cán bộ tiếp nhận tra cứu "
    "cho công dân tại quầy."
)
RECEPTION_ONLY = gettext_lazy("Chỉ cán bộ tiếp nhận hồ sơ được tra cứu CSDL dân cư cho công dân.")
BAD_NUMBER = gettext_lazy("Số định danh cá nhân phải gồm đúng 12 chữ số.")


def _may_look_up(actor: Account, personal_id: str) -> bool:
    if actor.kind == AccountKind.CITIZEN:
        return bool(actor.personal_id) and actor.personal_id == personal_id
    return actor.kind == AccountKind.OFFICIAL and actor.has_perm(LOOKUP_ANY)


def population_lookup(*, actor: Account, personal_id: str, purpose: str) -> PersonRecord:
    """The person with ``personal_id``, read for ``purpose`` (recorded).

    Raises ``PermissionDenied`` (Vietnamese message) if ``actor`` may not read that number,
    ``ValueError`` for a malformed number, ``PersonNotFound`` / ``PopulationUnavailable`` (both
    ``PopulationError``, with a Vietnamese message) when the database gives no record.
    """
    personal_id = (personal_id or "").strip()
    if len(personal_id) != 12 or not personal_id.isdigit():
        raise ValueError(str(BAD_NUMBER))
    if not _may_look_up(actor, personal_id):
        PopulationLookup.objects.create(
            actor=actor, personal_id=personal_id, purpose=purpose[:200], outcome=LookupOutcome.REFUSED
        )
        raise PermissionDenied(
            NOT_YOURS if actor.kind in (AccountKind.CITIZEN, AccountKind.ORGANISATION) else RECEPTION_ONLY
        )
    outcome = LookupOutcome.UNAVAILABLE
    try:
        record = population_registry().lookup(
            personal_id=personal_id, purpose=purpose, requester=actor.username
        )
        outcome = LookupOutcome.FOUND
        return record
    except PersonNotFound:
        outcome = LookupOutcome.NOT_FOUND
        raise
    except PopulationError:
        raise
    finally:
        # Written after the remote call, outside any transaction of ours: the record of a lookup must
        # survive even if the caller's work rolls back.
        with transaction.atomic():
            lookup = PopulationLookup.objects.create(
                actor=actor, personal_id=personal_id, purpose=purpose[:200], outcome=outcome
            )
            if outcome == LookupOutcome.FOUND:
                row, _ = DailyLookupCount.objects.get_or_create(
                    day=timezone.localdate(lookup.at), actor=actor
                )
                DailyLookupCount.objects.filter(pk=row.pk).update(count=F("count") + 1)


def population_prefill_for(account: Account) -> dict[str, str]:
    """What the online wizard may prefill for the signed-in citizen from the population database.

    Keys are the applicant fields (``name``, ``birth_date`` ISO, ``gender``, ``address``,
    ``id_number``); an empty dict when the account is not a citizen or the database is unavailable or
    has no record (the wizard then prefills from the account alone).
    """
    if account.kind != AccountKind.CITIZEN or not account.personal_id:
        return {}
    try:
        record = population_lookup(
            actor=account, personal_id=account.personal_id, purpose="Điền sẵn hồ sơ trực tuyến"
        )
    except (PopulationError, PermissionDenied, ValueError):
        return {}
    return {
        "id_number": record.personal_id,
        "name": record.full_name,
        "birth_date": record.birth_date.isoformat(),
        "gender": record.gender,
        "address": record.permanent_address,
    }


__all__ = [
    "PersonNotFound",
    "PersonRecord",
    "PopulationError",
    "PopulationUnavailable",
    "population_lookup",
    "population_prefill_for",
]


def lookup_counts_rebuild(*, since: date | None = None) -> None:
    """Recompute ``DailyLookupCount`` (from ``since`` on, or all) from the audit — what
    ``reports-rebuild`` does for indicator 4.6. Call inside the rebuild's transaction."""
    counts = DailyLookupCount.objects.all()
    found = PopulationLookup.objects.filter(outcome=LookupOutcome.FOUND)
    if since is not None:
        zone = timezone.get_current_timezone()
        counts = counts.filter(day__gte=since)
        found = found.filter(at__gte=datetime.combine(since, time.min, tzinfo=zone))
    counts.delete()
    rows = (
        found.annotate(day=TruncDate("at", tzinfo=timezone.get_current_timezone()))
        .values_list("day", "actor_id")
        .order_by()
        .annotate(n=Count("pk"))
    )
    DailyLookupCount.objects.bulk_create(
        [DailyLookupCount(day=day, actor_id=actor_id, count=n) for day, actor_id, n in rows], batch_size=5_000
    )
