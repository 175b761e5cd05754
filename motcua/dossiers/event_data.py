"""What each event records — dữ liệu sự kiện: one builder per event kind, for the engine and the simulator.

The ``data`` of a ``DossierEvent`` is part of its hash-chained content and what subscribers receive
(``events.EventDelivery.data``): the applicant's e-mail, the printed forms and the national portal read
it. Building it in one place keeps the engine's events and the simulator's (``devtools``) identical in
shape, so reports, forms and ``verify-audit`` treat simulated histories like real ones.

Instants are given as aware datetimes by the engine (the JSON encoder writes them) or as that JSON
text by the simulator, which writes rows without the ORM.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

Instant = datetime | str | None
Data = dict[str, Any]

# Keys every event's data carries besides its own (``audit.row_derive`` reads them back):
# ``ROW_KEY`` — where the dossier row stands once the event is applied; ``APPLICANT_KEY`` (first event
# only) — a digest of the applicant's particulars as received. Together with ``to_state`` they make the
# row's state, current unit, step, due time and applicant derivable from the (hash-chained, sealed)
# events, so an edit of the row alone is detected.
ROW_KEY = "row"
APPLICANT_KEY = "applicant_sha256"
# The dossier columns the applicant digest covers, in this order; none is changed after receipt.
APPLICANT_FIELDS = (
    "applicant_kind",
    "applicant_name",
    "applicant_id_number",
    "applicant_birth_date",
    "applicant_phone",
    "applicant_email",
    "applicant_address",
    "representative_name",
    "representative_id_number",
    "representative_phone",
    "summary",
)


def row_after(*, unit: int | None, step: int | None, due_at: Instant) -> Data:
    """The row as the event leaves it: current unit and step (ids) and due time."""
    return {"unit": unit, "step": step, "due_at": due_at}


def applicant_digest(values: Mapping[str, Any]) -> str:
    """SHA-256 of the applicant's particulars (``APPLICANT_FIELDS``; dates as ISO text, None as "")."""

    def text(value: Any) -> str:
        if value is None:
            return ""
        return value.isoformat() if isinstance(value, date) else str(value)

    canonical = json.dumps([text(values.get(name)) for name in APPLICANT_FIELDS], ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def submitted(*, channel: str, competent_unit: str) -> Data:
    return {"channel": channel, "competent_unit": competent_unit}


def received(*, channel: str, competent_unit: str, due_at: Instant, appointment_reason: str = "") -> Data:
    data: Data = {"channel": channel, "competent_unit": competent_unit, "due_at": due_at, "form": "01"}
    if appointment_reason:
        # Procedure without a processing time: the due time is the officer's appointment, and why.
        data |= {"appointment_set_by_officer": True, "appointment_reason": appointment_reason}
    return data


def accepted(*, due_at: Instant) -> Data:
    return {"due_at": due_at, "form": "01"}


def refused() -> Data:
    return {"form": "03"}


def handed_over(
    *,
    from_step: str,
    from_outcome: str,
    to_step: str,
    to_unit: str,
    to_role: str,
    assignee: int | None,
    step_due_at: Instant,
) -> Data:
    """A step ended and the next began (forward, send back, transfer, decision, result ready)."""
    return {
        "from_step": from_step,
        "from_outcome": from_outcome,
        "to_step": to_step,
        "to_unit": to_unit,
        "to_role": to_role,
        "assignee": assignee,
        "step_due_at": step_due_at,
    }


def reassigned(*, step: int, from_name: str, to_name: str) -> Data:
    return {"step": step, "from": from_name, "to": to_name}


def supplement_requested(*, items: list[dict[str, Any]]) -> Data:
    return {"items": items, "form": "02"}


def resumed(*, restart: bool, old_due_at: Instant, due_at: Instant, step_due_at: Instant) -> Data:
    """The clock runs again after a pause; the caller adds what arrived (components, receipt number)."""
    return {"restart": restart, "old_due_at": old_due_at, "due_at": due_at, "step_due_at": step_due_at}


def payment_requested(*, fees: list[dict[str, Any]]) -> Data:
    return {"fees": fees}


def decided(handover: Data, *, decision: str, outcome: str) -> Data:
    return {**handover, "decision": decision, "outcome": outcome}


def signed(
    *,
    signer: int | None,
    signer_name: str,
    reference: str,
    result_sha256: str | None = None,
    result_name: str | None = None,
) -> Data:
    data: Data = {"signer": signer, "signer_name": signer_name, "reference": reference}
    if result_sha256:
        # The signed file's fingerprint: the hash chain then vouches for the very bytes handed out.
        data["result"] = {"name": result_name, "sha256": result_sha256}
    return data


def result_ready(handover: Data, *, outcome: str) -> Data:
    return {**handover, "outcome": outcome}


def result_returned(*, method: str, decision: str) -> Data:
    return {"method": method, "decision": decision}


def withdrawn(*, on_behalf: bool) -> Data:
    return {"on_behalf": on_behalf}


def stopped() -> Data:
    return {"form": "stop_notice"}


def extended(*, old_due_at: Instant, due_at: Instant) -> Data:
    return {"old_due_at": old_due_at, "due_at": due_at, "form": "04"}
