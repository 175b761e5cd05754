"""Writes of the dossier engine — tiếp nhận và xử lý hồ sơ. Every state change goes through here.

Each transition is one function, ``dossier_<verb>(*, actor, dossier, row_version, …)``, in the module
of its concern — ``receipt`` (submit, receive, accept, refuse; the checklist is in ``components``),
``processing`` (claim, reassign, forward, send back, transfer, extend), ``pauses`` (supplement,
payment), ``result`` (approve, reject, signature, result ready, return, withdraw, stop); the slips
given at the counter instead of a receipt (form 02/03, no dossier) are ``intake_notices`` — written
around one helper, ``recording.transition``, which:

1. opens the transaction (the outermost write owns it; nested calls become savepoints);
2. locks the dossier row and compares ``row_version`` with the version the official saw — a mismatch
   raises ``DossierConflict`` ("Hồ sơ đã được người khác cập nhật…");
3. asks ``rules.check`` whether this actor may take this action in this state and step — refused
   actions raise ``DossierActionNotAllowed`` / ``DossierPermissionDenied`` before anything is written;

then the function validates its input (``DossierInvalid``) and changes the dossier, its steps, pauses
and due times, and ``Transition.record`` appends the hash-chained ``DossierEvent`` and enqueues one job
per subscriber of its kind (``events``) — all in that one transaction (transactional outbox). The
engine knows none of its subscribers (notifications, national portal, …): they register themselves.

Lock order, for every function in this module (keep it when adding one):

1. ``DossierCodeCounter`` (unit, day) — only while creating a dossier, which is not visible yet;
2. the ``Dossier`` row (SELECT … FOR UPDATE) — before reading or writing anything that hangs off it;
3. its steps, pauses, components, fees and events are never locked themselves: every writer of them
   holds the dossier row first, so the dossier lock serialises them;
4. ``jobs.Job`` rows are only inserted (unique idempotency key), never locked here.

No transaction here locks two dossiers; one that must would lock them in ascending ``id`` order.
On SQLite ``select_for_update`` is a no-op, but the IMMEDIATE transaction mode (settings) takes the
database write lock at BEGIN, which serialises writers just as strictly.
"""

from __future__ import annotations

from motcua.dossiers.errors import (
    DossierActionNotAllowed,
    DossierConflict,
    DossierError,
    DossierInvalid,
    DossierPermissionDenied,
)
from motcua.dossiers.services.applicants import dossiers_link_to_applicant
from motcua.dossiers.services.components import uploads_removed_on_failure
from motcua.dossiers.services.inputs import MAX_REASON, ApplicantData, ComponentData, FeeData, RequestedItem
from motcua.dossiers.services.intake_notices import intake_missing_items, intake_notice_issue
from motcua.dossiers.services.pauses import (
    dossier_fees_settle,
    dossier_receive_supplement,
    dossier_record_payment,
    dossier_request_payment,
    dossier_request_supplement,
)
from motcua.dossiers.services.processing import (
    dossier_claim,
    dossier_extend,
    dossier_forward,
    dossier_reassign,
    dossier_send_back,
    dossier_transfer,
    dossier_transfer_back,
)
from motcua.dossiers.services.receipt import (
    ONLINE_CLOSED_NO_TIME,
    dossier_accept,
    dossier_fee_due,
    dossier_receive,
    dossier_refuse,
    dossier_submit_online,
    process_has_deadline,
)
from motcua.dossiers.services.result import (
    dossier_approve,
    dossier_mark_result_ready,
    dossier_record_signature,
    dossier_reject,
    dossier_return_result,
    dossier_stop,
    dossier_withdraw,
    result_file_required,
)
from motcua.dossiers.services.result_drafts import dossier_result_draft_upload, result_draft_may_upload
from motcua.dossiers.services.steps import step_unit_resolve

__all__ = [
    "MAX_REASON",
    "ONLINE_CLOSED_NO_TIME",
    "ApplicantData",
    "ComponentData",
    "DossierActionNotAllowed",
    "DossierConflict",
    "DossierError",
    "DossierInvalid",
    "DossierPermissionDenied",
    "FeeData",
    "RequestedItem",
    "dossier_accept",
    "dossier_approve",
    "dossier_claim",
    "dossier_extend",
    "dossier_fee_due",
    "dossier_fees_settle",
    "dossier_forward",
    "dossier_mark_result_ready",
    "dossier_reassign",
    "dossier_receive",
    "dossier_receive_supplement",
    "dossier_record_payment",
    "dossier_record_signature",
    "dossier_refuse",
    "dossier_reject",
    "dossier_request_payment",
    "dossier_request_supplement",
    "dossier_result_draft_upload",
    "dossier_return_result",
    "dossier_send_back",
    "dossier_stop",
    "dossier_submit_online",
    "dossier_transfer",
    "dossier_transfer_back",
    "dossier_withdraw",
    "dossiers_link_to_applicant",
    "intake_missing_items",
    "intake_notice_issue",
    "process_has_deadline",
    "result_draft_may_upload",
    "result_file_required",
    "step_unit_resolve",
    "uploads_removed_on_failure",
]
