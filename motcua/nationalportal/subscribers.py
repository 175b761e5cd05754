"""Subscribers of the national-portal app to dossier events (``dossiers.events``).

``dossier_sync``: every change the applicant or the portal can see is synchronised to DVCQG with
``DongBoHoSoMC`` — its content is snapshotted in the engine's transaction, so the portal receives the
dossier as it was at that event even when the job runs later. Internal hand-outs between officials
(claim, reassign) change nothing the portal shows and are not sent.

Sending is still a logging seam: the national-portal integration (TT 04/2025/TT-VPCP envelopes,
credentials, the local stand-in portal) replaces the body of ``dossier_sync``; the subscription and
the snapshot stay.
"""

from __future__ import annotations

import logging
from typing import Any

from motcua.dossiers.events import ALL_KINDS, INTERNAL_KINDS, EventDelivery, RecordedEvent, dossier_subscriber
from motcua.nationalportal.payloads import dong_bo_ho_so_payload
from motcua.nationalportal.services import RECEIPT_KINDS, synced_dossier_record

logger = logging.getLogger(__name__)

DOSSIER_SYNC = "nationalportal.dossier_sync"


def _snapshot(recorded: RecordedEvent) -> dict[str, Any]:
    return {"service": "DongBoHoSoMC", "data": dong_bo_ho_so_payload(recorded.dossier)}


@dossier_subscriber(DOSSIER_SYNC, kinds=ALL_KINDS - INTERNAL_KINDS, snapshot=_snapshot)
def dossier_sync(event: EventDelivery) -> None:
    """Send ``DongBoHoSoMC`` to the national portal (seam: the integration replaces the sending)."""
    data = event.snapshot.get("data", {})
    logger.info(
        "Đồng bộ DVCQG (chưa kết nối): %s trạng thái %s", data.get("MaHoSo"), data.get("TrangThaiHoSo")
    )
    if event.kind in RECEIPT_KINDS:
        # After the sending: a receipt counts as synced once the portal has it (indicator 1.4).
        synced_dossier_record(dossier_id=event.dossier_id, seq=event.seq)
