"""Subscriber of the reports: every dossier event updates the aggregates (``services``).

Atomic: the counters and the job's completion commit together, so a retried job never counts twice;
what it adds is a telescoping delta (``facts``), so jobs of one dossier may run in any order.
Internal events (claim, reassign, draft upload) change no figure, and neither does an online
submission on its own (a dossier counts from its acceptance): they enqueue nothing — exact, because
the delta of an event that adds nothing to any prefix of a history is zero.
"""

from __future__ import annotations

from motcua.dossiers.events import ALL_KINDS, INTERNAL_KINDS, EventDelivery, EventKind, dossier_subscriber
from motcua.reports.services import aggregates_event_apply

AGGREGATES = "reports.aggregates"
# A submission is always a history's first event and contributes nothing alone (facts module).
KINDS = ALL_KINDS - INTERNAL_KINDS - {EventKind.SUBMIT}


@dossier_subscriber(AGGREGATES, kinds=KINDS, atomic=True)
def aggregates_update(event: EventDelivery) -> None:
    """Add the event's change to the daily and monthly counters of the dossier's unit."""
    aggregates_event_apply(dossier_id=event.dossier_id, seq=event.seq)
