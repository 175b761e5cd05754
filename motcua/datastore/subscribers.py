"""Subscribers of the data store to dossier events (``dossiers.events``).

``datastore.collect``: after a submission (online or at the counter with the applicant's account) or a
supplement, the dossier's files join the applicant's store; after the result is returned, the result
is recorded as issued to them. The engine knows nothing of the store: it only records its events.
"""

from __future__ import annotations

from motcua.datastore.services import stored_documents_collect, stored_result_record
from motcua.dossiers.events import EventDelivery, EventKind, RecordedEvent, dossier_subscriber

COLLECT = "datastore.collect"


def _concerns_store(recorded: RecordedEvent) -> bool:
    # Only dossiers of an applicant account, and only when there is something to keep: a result, or
    # a file (a counter receipt of paper only adds nothing). A receipt's components are prefetched.
    if recorded.dossier.applicant_user_id is None:
        return False
    return recorded.kind == EventKind.RETURN_RESULT or any(c.file for c in recorded.dossier.components.all())


@dossier_subscriber(
    COLLECT,
    kinds={EventKind.SUBMIT, EventKind.RECEIVE, EventKind.RECEIVE_SUPPLEMENT, EventKind.RETURN_RESULT},
    when=_concerns_store,
    atomic=True,
)
def datastore_collect(event: EventDelivery) -> None:
    """Keep the applicant's uploads, or the result issued to them, in their data store."""
    if event.kind == EventKind.RETURN_RESULT:
        stored_result_record(dossier_id=event.dossier_id)
    else:
        stored_documents_collect(dossier_id=event.dossier_id)


# The proactive-service jobs register with the queue when this module is discovered at start-up.
from motcua.datastore import renewals  # noqa: E402,F401
