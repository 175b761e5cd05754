"""Subscribers of the signing extension (found by the dossier app's autodiscovery)."""

from __future__ import annotations

from motcua.dossiers.events import EventDelivery, EventKind, RecordedEvent, dossier_subscriber
from motcua.dossiers.models import DossierResultDocument, SignatureStatus
from motcua.signing.services import result_document_signature_check


def _with_file(recorded: RecordedEvent) -> bool:
    return bool((recorded.event.data or {}).get("result_sha256"))


@dossier_subscriber("signing.result_verify", kinds={EventKind.RECORD_SIGNATURE}, when=_with_file, atomic=True)
def result_verify(event: EventDelivery) -> None:
    """A result recorded with a file signed outside the system (USB token): check its signatures, so
    that it counts as an electronic result and may be returned online only when they are valid."""
    sha256 = event.data.get("result_sha256")
    for document in DossierResultDocument.objects.filter(
        dossier_id=event.dossier_id, sha256=sha256, signature_status=SignatureStatus.UNCHECKED
    ):
        result_document_signature_check(document=document)
