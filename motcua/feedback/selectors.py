"""Reads of ratings and feedback: the applicant's on their dossier page, the officials' PAKN list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone

from motcua.accounts.models import AccountOrAnonymous
from motcua.dossiers import rules
from motcua.dossiers.models import Dossier
from motcua.feedback.models import Feedback, FeedbackStatus, Rating
from motcua.org.models import CASEWORK_ROLES
from motcua.org.selectors import official_units


def rating_for_dossier(*, dossier: Dossier) -> Rating | None:
    return Rating.objects.filter(dossier=dossier).first()


def feedback_for_dossier(*, dossier: Dossier) -> list[Feedback]:
    """The dossier's feedback, newest first (the applicant's page shows each with its answer)."""
    return list(Feedback.objects.filter(dossier=dossier).order_by("-created_at", "-pk"))


@dataclass(frozen=True)
class FeedbackPage:
    items: list[Feedback]
    total: int
    page: int
    page_size: int
    now: datetime

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _official_scope(user: AccountOrAnonymous) -> Q:
    """Feedback on dossiers received, decided, now handled or sent on (liên thông) by a unit where ``user``
    does casework: the units of ``rules.sees_personal_data``, who may answer it."""
    unit_ids = list(official_units(user=user, roles=CASEWORK_ROLES).values_list("pk", flat=True))
    return (
        Q(dossier__receiving_unit_id__in=unit_ids)
        | Q(dossier__competent_unit_id__in=unit_ids)
        | Q(dossier__current_unit_id__in=unit_ids)
        | Q(dossier__transfer_origin_unit_id__in=unit_ids)
    )


def feedback_list_for_official(
    *, user: rules.Actor, status: str | None = None, page: int = 1, page_size: int = 20
) -> FeedbackPage:
    """PAKN on the dossiers of the official's units: open first, the most overdue first; then answered.

    Three queries whatever the page (units, count, page).
    """
    page = max(1, int(page))
    now = timezone.now()
    if not (user and user.is_authenticated):
        return FeedbackPage(items=[], total=0, page=page, page_size=page_size, now=now)
    qs = Feedback.objects.filter(_official_scope(user))
    if status in FeedbackStatus.values:
        qs = qs.filter(status=status)
    total = qs.count()
    offset = (page - 1) * page_size
    open_first = Case(
        When(status=FeedbackStatus.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    items = (
        list(
            qs.select_related("dossier__procedure").order_by(open_first, "due_at", "pk")[
                offset : offset + page_size
            ]
        )
        if total > offset
        else []
    )
    return FeedbackPage(items=items, total=total, page=page, page_size=page_size, now=now)


def feedback_get_for_official(*, user: rules.Actor, pk: int) -> Feedback | None:
    """One feedback if ``user`` handles dossiers in one of its dossier's units, else None."""
    if not (user and user.is_authenticated):
        return None
    row = Feedback.objects.select_related("dossier").filter(pk=pk).first()
    if (
        row is None
        or not rules.sees_personal_data(user, row.dossier)
        or rules.is_applicant(user, row.dossier)
    ):
        return None
    return row
