"""Subscriber of the reports: every dossier event updates the aggregates (``services``).

Atomic: the counters and the job's completion commit together, so a retried job never counts twice;
what it adds is a telescoping delta (``facts``), so jobs of one dossier may run in any order.
Internal events (claim, reassign, draft upload) change no figure and enqueue nothing.
"""

from __future__ import annotations

from motcua.dossiers.events import ALL_KINDS, INTERNAL_KINDS, EventDelivery, dossier_subscriber
from motcua.reports.services import aggregates_event_apply

AGGREGATES = "reports.aggregates"


@dossier_subscriber(AGGREGATES, kinds=ALL_KINDS - INTERNAL_KINDS, atomic=True)
def aggregates_update(event: EventDelivery) -> None:
    """Add the event's change to the daily and monthly counters of the dossier's unit."""
    aggregates_event_apply(dossier_id=event.dossier_id, seq=event.seq)
