"""Reads of the signing extension — kết quả điện tử, hồ sơ chờ ký."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import QuerySet

from motcua.accounts.models import Account
from motcua.dossiers import rules
from motcua.dossiers.deadlines import local_zone
from motcua.dossiers.models import Dossier, DossierResultDocument, DossierState, SignatureStatus
from motcua.org.models import Role, Unit
from motcua.org.selectors import official_units
from motcua.signing.models import SigningBatch, SigningBatchItem


def electronic_results_count(unit: Unit, period: tuple[date, date]) -> int:
    """Electronic results (kết quả điện tử, Decision 766 index) of ``unit`` in ``period`` (inclusive local
    dates): result documents whose signatures were verified, of dossiers decided by the unit."""
    zone = local_zone()
    start = datetime.combine(period[0], time.min, tzinfo=zone)
    end = datetime.combine(period[1], time.max, tzinfo=zone)
    return (
        DossierResultDocument.objects.filter(
            dossier__competent_unit=unit,
            signature_status=SignatureStatus.VERIFIED,
            uploaded_at__range=(start, end),
        )
        .values("dossier_id")
        .distinct()
        .count()
    )


def dossiers_awaiting_signature(*, user: Account, limit: int = 200) -> list[Dossier]:
    """Dossiers at a signing step (between the decision and the return) that ``user`` may sign now.

    Candidates: open dossiers being processed whose competent or current unit is one where the user is
    a leader; each is then checked by the rule table (the same rule the action uses).
    """
    from motcua.dossiers.selectors import dossier_relations_attach
    from motcua.signing.actions import SIGN_RESULT_SPEC

    units = official_units(user=user, roles=[Role.LEADER])
    candidates = (
        Dossier.objects.filter(state=DossierState.PROCESSING, signed_at__isnull=True, is_open=True)
        .filter(competent_unit__in=units)
        .order_by("due_at", "pk")[: limit * 3]
    )
    from django.utils import timezone

    now = timezone.now()
    result = []
    for dossier in candidates:
        d = dossier_relations_attach(dossier)
        if rules.can_view(user, d) and SIGN_RESULT_SPEC.refusal(actor=user, dossier=d, now=now) is None:
            result.append(d)
            if len(result) >= limit:
                break
    return result


def batch_get(*, user: Account, batch_id: int) -> SigningBatch | None:
    return SigningBatch.objects.filter(pk=batch_id, signer=user).first()


def batch_items(batch: SigningBatch) -> QuerySet[SigningBatchItem]:
    return batch.items.select_related("dossier").order_by("pk")
