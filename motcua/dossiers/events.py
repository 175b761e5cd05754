"""Domain events of the dossier engine — sự kiện hồ sơ — and the subscribers that react to them.

Every state change records one hash-chained ``DossierEvent`` (``services``). Its kind is one of
``EventKind``. Extensions of the engine (notifications, the national portal, later payments, signing,
reports, webhooks) react to events without the engine knowing them: each declares a **subscriber** in
its own app's ``subscribers.py``, which ``DossiersConfig.ready`` finds in every installed app::

    @dossier_subscriber("notifications.applicant_email", kinds={EventKind.ACCEPT, EventKind.REFUSE})
    def applicant_email(delivery: EventDelivery) -> None: ...

In the transaction that records the event, the engine enqueues one job per subscriber of that kind
(transactional outbox: the state change, its audit entry and its jobs commit or roll back together).
Each subscriber's job is retried with backoff and dead-lettered on its own (``motcua.jobs``), so a
failing subscriber never delays or blocks another one, nor the state change itself.

What a subscriber receives is a snapshot taken when the event happened (``EventDelivery``): the kind,
the DVCQG status then, the reason and the event's data. A subscriber that needs more of the dossier as
it was then (the national portal's ``DongBoHoSoMC`` content) declares a ``snapshot`` function, called in
the engine's transaction with the dossier in memory; it must only read (a dossier just created has its
related rows in memory; others cost a few queries). If a snapshot or a ``when`` filter raises an error of
its own code, the state change still commits: the failure is logged and that subscriber's job is
enqueued marked as failed, so it is dead-lettered where an administrator sees it. A *database* error in
a snapshot aborts the transaction like any other database error of the engine (no savepoint is spent on
every event to survive it): snapshots must not write and should read little.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured

from motcua.jobs.services import JobContext, JobRequest, job_enqueue_many, job_handler

if TYPE_CHECKING:
    from motcua.dossiers.models import Dossier, DossierEvent

logger = logging.getLogger(__name__)


class EventKind(StrEnum):
    """Kind of a dossier event — loại sự kiện: how a dossier was created, or the action taken on it.

    The values are stored in ``DossierEvent.action``; every ``rules.Action`` is also an event kind
    (a test keeps the two aligned).
    """

    SUBMIT = "submit"  # nộp trực tuyến (status 1)
    RECEIVE = "receive"  # tiếp nhận trực tiếp: counter, kiosk, post (status 2)
    ACCEPT = "accept"
    REFUSE = "refuse"
    CLAIM = "claim"
    REASSIGN = "reassign"
    FORWARD = "forward"
    SEND_BACK = "send_back"
    TRANSFER = "transfer"
    TRANSFER_BACK = "transfer_back"
    REQUEST_SUPPLEMENT = "request_supplement"
    RECEIVE_SUPPLEMENT = "receive_supplement"
    REQUEST_PAYMENT = "request_payment"
    RECORD_PAYMENT = "record_payment"
    APPROVE = "approve"
    REJECT = "reject"
    RECORD_SIGNATURE = "record_signature"
    MARK_RESULT_READY = "mark_result_ready"
    RETURN_RESULT = "return_result"
    WITHDRAW = "withdraw"
    STOP = "stop"
    EXTEND = "extend"
    # Not an action of the registry and not a state change: the specialist uploaded (or replaced) the
    # draft result for the approver to read (services.result_drafts).
    UPLOAD_RESULT_DRAFT = "upload_result_draft"
    # Fees confirmed outside status 6 (paid online right after submission, or at the counter):
    # the state does not change, so it is no action of the registry (``services.dossier_fees_settle``).
    FEES_PAID = "fees_paid"


# Events that are not actions on an existing dossier (rules.Action): how it was created, and the
# writes that record an event without a transition.
NON_ACTION_KINDS: frozenset[EventKind] = frozenset(
    {EventKind.SUBMIT, EventKind.RECEIVE, EventKind.UPLOAD_RESULT_DRAFT, EventKind.FEES_PAID}
)
ALL_KINDS: frozenset[EventKind] = frozenset(EventKind)
# Internal work of the officials that the applicant and outside systems do not see (who holds a step).
INTERNAL_KINDS: frozenset[EventKind] = frozenset(
    {EventKind.CLAIM, EventKind.REASSIGN, EventKind.UPLOAD_RESULT_DRAFT}
)


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    """An event just recorded, inside the engine's transaction: what ``when`` and ``snapshot`` see."""

    dossier: Dossier
    event: DossierEvent

    @property
    def kind(self) -> EventKind:
        return EventKind(self.event.action)


@dataclass(frozen=True, slots=True)
class EventDelivery:
    """What a subscriber's handler receives: the event as it was when recorded, and its job's attempt."""

    dossier_id: int
    code: str
    seq: int
    kind: EventKind
    status: int  # DVCQG status (1–10) right after the event
    state: str
    reason: str
    data: Mapping[str, Any]
    # What the subscriber's own ``snapshot`` returned in the engine's transaction ({} without one).
    snapshot: Mapping[str, Any]
    # Pass to any outside system that de-duplicates: a retried attempt then has no second effect.
    idempotency_key: str
    attempt: int


SubscriberHandler = Callable[[EventDelivery], None]


@dataclass(frozen=True, slots=True)
class Subscriber:
    """A registered subscriber: its job name, the kinds it listens to, and how to call it."""

    name: str
    kinds: frozenset[EventKind]
    handler: SubscriberHandler
    when: Callable[[RecordedEvent], bool] | None
    snapshot: Callable[[RecordedEvent], dict[str, Any]] | None


class SnapshotFailed(RuntimeError):
    """The subscriber's snapshot could not be taken when the event was recorded (see the log)."""


_subscribers: dict[str, Subscriber] = {}
_by_kind: dict[EventKind, tuple[Subscriber, ...]] = {}


def dossier_subscriber(
    name: str,
    *,
    kinds: Collection[EventKind],
    when: Callable[[RecordedEvent], bool] | None = None,
    snapshot: Callable[[RecordedEvent], dict[str, Any]] | None = None,
    atomic: bool = False,
    max_attempts: int | None = None,
) -> Callable[[SubscriberHandler], SubscriberHandler]:
    """Register ``handler`` as the subscriber ``name`` (also its job name) to events of ``kinds``.

    ``when``: a further filter on the recorded event (e.g. only an approval that makes the result
    ready), so no job is enqueued for events the subscriber would ignore. ``atomic`` and
    ``max_attempts`` are those of ``jobs.job_handler``: a subscriber that calls the network is not
    atomic and must pass ``delivery.idempotency_key`` to the remote side.
    """
    unknown = set(kinds) - ALL_KINDS
    if not kinds or unknown:
        raise ImproperlyConfigured(f"Subscriber {name!r}: kinds must be a non-empty set of EventKind")

    def decorator(handler: SubscriberHandler) -> SubscriberHandler:
        def run(ctx: JobContext) -> None:
            handler(_delivery(ctx))

        run.__module__, run.__qualname__ = handler.__module__, handler.__qualname__
        job_handler(name, atomic=atomic, max_attempts=max_attempts)(run)
        _subscribers[name] = Subscriber(
            name=name, kinds=frozenset(kinds), handler=handler, when=when, snapshot=snapshot
        )
        _by_kind.clear()  # rebuilt lazily: registration happens at start-up only
        return handler

    return decorator


def subscribers_for(kind: EventKind) -> tuple[Subscriber, ...]:
    """The subscribers of ``kind``, in name order (a stable enqueue order)."""
    if not _by_kind:
        # Built whole, then published in one update: a thread never sees a half-built index.
        index = {
            each: tuple(sub for _name, sub in sorted(_subscribers.items()) if each in sub.kinds)
            for each in EventKind
        }
        _by_kind.update(index)
    return _by_kind[kind]


def subscribers_all() -> list[Subscriber]:
    """Every registered subscriber, in name order."""
    return [sub for _name, sub in sorted(_subscribers.items())]


def event_publish(*, dossier: Dossier, event: DossierEvent) -> int:
    """Enqueue one job per subscriber of ``event``'s kind; call inside the recording transaction.

    Returns how many jobs were enqueued. The keys name the event just inserted under its unique
    (dossier, seq), so no job can hold them yet: one batch of INSERTs, no savepoint.
    """
    recorded = RecordedEvent(dossier=dossier, event=event)
    jobs: list[JobRequest] = []
    common: dict[str, Any] | None = None
    for sub in subscribers_for(recorded.kind):
        try:
            wanted = sub.when is None or sub.when(recorded)
        except Exception:  # enqueue it marked as failed rather than lose the event (see the docstring)
            logger.exception("Bộ lọc sự kiện %s của %s bị lỗi", event.action, sub.name)
            wanted, failed = True, True
        else:
            failed = False
        if not wanted:
            continue
        if common is None:
            common = {
                "dossier_id": dossier.pk,
                "code": dossier.code,
                "event_seq": event.seq,
                "kind": event.action,
                "status": dossier.status,
                "state": dossier.state,
                "reason": event.reason,
                "data": event.data,
            }
        payload = dict(common)
        if failed:
            payload["snapshot_failed"] = True
        elif sub.snapshot is not None:
            try:
                payload["snapshot"] = sub.snapshot(recorded)
            except Exception:
                # The state change must not fail because an extension could not describe it: the job
                # is enqueued without its snapshot, fails in the worker and is dead-lettered, visible.
                logger.exception("Không lấy được dữ liệu sự kiện %s cho %s", event.action, sub.name)
                payload["snapshot_failed"] = True
        jobs.append(
            JobRequest(name=sub.name, payload=payload, idempotency_key=f"{sub.name}:{dossier.pk}:{event.seq}")
        )
    if jobs:
        job_enqueue_many(jobs, fresh_keys=True)
    return len(jobs)


def _delivery(ctx: JobContext) -> EventDelivery:
    payload = ctx.payload
    if payload.get("snapshot_failed"):
        raise SnapshotFailed(
            f"Sự kiện {payload.get('kind')} của hồ sơ {payload.get('code')}: dữ liệu cho {ctx.name} "
            "không lấy được khi ghi nhận (xem nhật ký lỗi)."
        )
    return EventDelivery(
        dossier_id=int(payload["dossier_id"]),
        code=str(payload["code"]),
        seq=int(payload["event_seq"]),
        kind=EventKind(payload["kind"]),
        status=int(payload["status"]),
        state=str(payload.get("state", "")),
        reason=str(payload.get("reason", "")),
        data=payload.get("data") or {},
        snapshot=payload.get("snapshot") or {},
        idempotency_key=ctx.idempotency_key,
        attempt=ctx.attempt,
    )
