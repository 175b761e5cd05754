"""The dossiers behind a figure — danh sách hồ sơ sau một con số của báo cáo.

A dashboard number links to the list of the dossiers it counts. The aggregates (``models``) keep
counts, not dossiers, so each figure is re-expressed here as a filter on the dossier table and its
events, with the definitions of ``facts`` (local days of Asia/Ho_Chi_Minh; the instants below are
``Period.start_instant()`` S and ``Period.end_instant()`` T):

* flows — a dossier with the figure's event in [S, T): ``received_new`` its receipt (``receive`` or
  ``accept``); ``resolved_*`` its first move to ``result_ready`` with that outcome (``rejected``: a
  reasoned rejection); ``refused``, ``withdrawn``, ``stopped``, ``returned``, ``supplement_requested``,
  ``payment_requested``, ``extended`` their action. A figure counting events (two supplement requests
  of one dossier count 2) lists that dossier once.
* levels at an instant (T for ``in_progress*``, S for ``carried_over``) — received before it, not yet
  resolved, withdrawn or stopped; ``in_progress_paused``: in a clock-stop state then;
  ``in_progress_overdue``: in a clock-running state then, due before T (the aggregates count a dossier
  due later in the period as overdue at its end, in advance).

For an instant in the future (the current period's end) the dossier's own fields are its state then:
the queue's indexed columns answer. For a past instant the state then is the last event before it
(one correlated subquery, on the dossiers not finished before it); the due time then is read from the
last event that set one.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.events import EventKind
from motcua.dossiers.models import CLOCK_RUNNING_STATES, Dossier, DossierEvent, DossierState
from motcua.reports.periods import Period

# The figures a dashboard links, with the label the list page shows above the dossiers.
FIGURES: dict[str, Any] = {
    "carried_over": _("Kỳ trước chuyển sang"),
    "received_new": _("Tiếp nhận mới"),
    "resolved": _("Đã giải quyết"),
    "resolved_on_time_or_early": _("Giải quyết trước hạn, đúng hạn"),
    "resolved_early": _("Giải quyết trước hạn"),
    "resolved_on_time": _("Giải quyết đúng hạn"),
    "resolved_late": _("Giải quyết quá hạn"),
    "rejected": _("Từ chối giải quyết"),
    "in_progress": _("Đang giải quyết"),
    "in_progress_not_due": _("Đang giải quyết, trong hạn"),
    "in_progress_overdue": _("Đang giải quyết, quá hạn"),
    "in_progress_paused": _("Tạm dừng (chờ bổ sung, nghĩa vụ tài chính)"),
    "refused": _("Từ chối tiếp nhận"),
    "withdrawn": _("Rút hồ sơ"),
    "stopped": _("Dừng xử lý"),
    "returned": _("Đã trả kết quả"),
    "supplement_requested": _("Yêu cầu bổ sung"),
    "payment_requested": _("Yêu cầu nghĩa vụ tài chính"),
    "extended": _("Gia hạn"),
}

_ACTION_FIGURES = {
    "refused": (EventKind.REFUSE,),
    "withdrawn": (EventKind.WITHDRAW,),
    "stopped": (EventKind.STOP,),
    "returned": (EventKind.RETURN_RESULT,),
    "supplement_requested": (EventKind.REQUEST_SUPPLEMENT,),
    "payment_requested": (EventKind.REQUEST_PAYMENT,),
    "extended": (EventKind.EXTEND,),
    "received_new": (EventKind.RECEIVE, EventKind.ACCEPT),
}
_OUTCOMES = {
    "resolved_early": ("early",),
    "resolved_on_time": ("on_time",),
    "resolved_late": ("late",),
    "resolved_on_time_or_early": ("early", "on_time"),
}
_PAUSE_STATES = (DossierState.SUPPLEMENT_REQUESTED, DossierState.AWAITING_PAYMENT)
_END_STATES = (DossierState.WITHDRAWN, DossierState.STOPPED)
# Received and neither resolved nor ended: what "open" means in the reports (facts.py).
_REPORT_OPEN_STATES = (
    DossierState.ACCEPTED,
    DossierState.PROCESSING,
    DossierState.TRANSFERRED,
    *_PAUSE_STATES,
)
_DUE_SETTERS = (
    EventKind.RECEIVE,
    EventKind.ACCEPT,
    EventKind.EXTEND,
    EventKind.RECEIVE_SUPPLEMENT,
    EventKind.RECORD_PAYMENT,
)


def dossiers_behind(
    *,
    figure: str,
    period: Period,
    unit_ids: Collection[int] | None,
    field_id: int | None = None,
    procedure_id: int | None = None,
    channel: str | None = None,
    receiving_unit_ids: Collection[int] | None = None,
) -> QuerySet[Dossier]:
    """The dossiers ``figure`` (a key of ``FIGURES``) counts for the scope and period, unordered.

    ``unit_ids``: competent units (with their descendants already expanded; None: every unit), as
    ``selectors.statistics`` scopes them. ``receiving_unit_ids``: the units where the dossiers were
    received (a centre's scope, ``received_at``; None: anywhere). Raises ``KeyError`` for an unknown
    figure.
    """
    if figure not in FIGURES:
        raise KeyError(figure)
    qs = Dossier.objects.all()
    if unit_ids is not None:
        qs = qs.filter(competent_unit_id__in=sorted(unit_ids))
    if receiving_unit_ids is not None:
        qs = qs.filter(receiving_unit_id__in=sorted(receiving_unit_ids))
    if procedure_id is not None:
        qs = qs.filter(procedure_id=procedure_id)
    if field_id is not None:
        qs = qs.filter(procedure__field_id=field_id)
    if channel:
        qs = qs.filter(channel=channel)
    start, end = period.start_instant(), period.end_instant()
    if figure in _ACTION_FIGURES:
        return qs.filter(_event_in(start, end, action__in=_ACTION_FIGURES[figure]))
    if figure.startswith("resolved") or figure == "rejected":
        return qs.filter(_resolved_in(start, end, figure))
    at = start if figure == "carried_over" else end
    return _level(qs, figure, at)


def _event_in(start: datetime, end: datetime, **where: Any) -> Exists:
    return Exists(DossierEvent.objects.filter(dossier_id=OuterRef("pk"), at__gte=start, at__lt=end, **where))


def _resolved_in(start: datetime, end: datetime, figure: str) -> Q:
    first = Q(_event_in(start, end, to_state=DossierState.RESULT_READY)) & ~Q(
        Exists(
            DossierEvent.objects.filter(
                dossier_id=OuterRef("pk"), at__lt=start, to_state=DossierState.RESULT_READY
            )
        )
    )
    q = first & Q(received_at__isnull=False, received_at__lt=end)
    if figure == "rejected":
        return q & Q(_event_in(start, end, to_state=DossierState.RESULT_READY, data__decision="rejected"))
    outcomes = _OUTCOMES.get(figure)
    if outcomes is None:
        return q
    outcome = Q(data__outcome__in=list(outcomes))
    if "on_time" in outcomes:
        outcome |= Q(data__outcome__isnull=True)  # facts: an event without an outcome counts on time
    resolving = DossierEvent.objects.filter(
        outcome,
        dossier_id=OuterRef("pk"),
        at__gte=start,
        at__lt=end,
        to_state=DossierState.RESULT_READY,
    )
    return q & Q(Exists(resolving))


def _level(qs: QuerySet[Dossier], figure: str, at: datetime) -> QuerySet[Dossier]:
    if at > timezone.now():
        # Nothing has happened after now: the dossier's state is its state at ``at``.
        open_now = qs.filter(state__in=_REPORT_OPEN_STATES, received_at__lt=at)
        if figure == "in_progress_paused":
            return open_now.filter(state__in=_PAUSE_STATES)
        overdue = Q(state__in=sorted(CLOCK_RUNNING_STATES), due_at__lt=at)
        if figure == "in_progress_overdue":
            return open_now.filter(overdue)
        if figure == "in_progress_not_due":
            return open_now.exclude(state__in=_PAUSE_STATES).exclude(overdue)
        return open_now
    before = DossierEvent.objects.filter(dossier_id=OuterRef("pk"), at__lt=at)
    state_then = Subquery(before.exclude(to_state="").order_by("-seq").values("to_state")[:1])
    open_then = (
        # ``finished_at`` is stamped by the first move to result_ready, withdrawn or stopped, never
        # earlier: a dossier finished before ``at`` cannot be open then. The prefilter keeps the
        # correlated subqueries below to the dossiers open at ``at`` (a few per cent province-wide),
        # not to every dossier received before it; the subqueries still decide.
        qs.filter(Q(finished_at__isnull=True) | Q(finished_at__gte=at), received_at__lt=at)
        .exclude(Exists(before.filter(to_state__in=[DossierState.RESULT_READY, *_END_STATES])))
        .annotate(state_then=state_then)
    )
    if figure == "in_progress_paused":
        return open_then.filter(state_then__in=_PAUSE_STATES)
    if figure in ("in_progress", "carried_over"):
        return open_then
    running = open_then.filter(state_then__in=sorted(CLOCK_RUNNING_STATES))
    due_then = Subquery(
        before.filter(action__in=_DUE_SETTERS, data__has_key="due_at").order_by("-seq").values("data")[:1]
    )
    overdue_ids = [
        pk
        for pk, data in running.annotate(due_data=due_then).values_list("pk", "due_data")
        if _due_before(data, at)
    ]
    if figure == "in_progress_overdue":
        return qs.filter(pk__in=overdue_ids)
    return open_then.exclude(state_then__in=_PAUSE_STATES).exclude(pk__in=overdue_ids)


def _due_before(data: Any, at: datetime) -> bool:
    """The due time recorded in an event's data (an ISO string, or JSON text on some backends) < at."""
    if isinstance(data, str):
        import json

        data = json.loads(data)
    value = (data or {}).get("due_at")
    if not value:
        return False
    due = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return due < at
