"""Recording a state change — ghi nhận chuyển trạng thái: the lock, the audit event, the subscribers' jobs.

Every transition on an existing dossier is written as::

    with transition(Action.FORWARD, actor=actor, dossier=dossier, row_version=row_version) as t:
        d, now = t.dossier, t.now
        ...  # validate input, change the dossier, its steps and pauses
        t.record(unit=unit, to_state=DossierState.PROCESSING, data=...)
    return t.dossier

``transition`` owns the transaction (the outermost write owns it; nested calls become savepoints),
locks the row (lock order step 2, see the package docstring), compares ``row_version`` with the
version the official acted on and asks ``rules.check`` whether this actor may act now — all before
anything is written. ``t.record`` applies the new state, appends the hash-chained event and enqueues one
job per subscriber of the event's kind (``events.event_publish``) in the same transaction. A transition
that forgets to record is a programming error: it is rolled back.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from motcua.accounts.models import Account
from motcua.core.orm import PreparedInsert, PreparedQuery, PreparedUpdate
from motcua.dossiers import event_data, rules
from motcua.dossiers.audit import event_hash, json_normalise
from motcua.dossiers.errors import DossierConflict
from motcua.dossiers.events import EventKind, event_publish
from motcua.dossiers.models import OPEN_STATES, STATE_STATUS, Dossier, DossierEvent
from motcua.dossiers.rules import Action
from motcua.dossiers.selectors import dossier_relations_attach, dossier_rows_seed
from motcua.org.models import Unit
from motcua.org.selectors import official_display_name

# The account acting — tài khoản thực hiện: an official; the applicant for submission and withdrawal.
Actor = Account


def user_holds(user: Actor | None, unit: Unit, role: str) -> bool:
    return rules.has_role(user, unit, role)


def actor_name(user: Account | None) -> str:
    return "Hệ thống" if user is None else official_display_name(user)


def dossier_lock(dossier: Dossier | int, *, row_version: int) -> Dossier:
    """Lock the dossier row (lock order step 2) and check the version the official acted on.

    One query locks and reads the row: a single-table ``SELECT … FOR UPDATE``, which on PostgreSQL,
    when it waits for a concurrent writer, returns the row that writer committed (EvalPlanQual
    re-reads the locked table's row). No join here: with joins it would re-check the *new* dossier row
    against the *old* joined rows — current_unit/current_step changed, the join fails, and the dossier
    seems not to exist. Its relations come after the lock (``selectors.dossier_relations_attach``):
    reference data from the per-process cache, the current step by one new statement, which sees the
    concurrent writer's commit.
    """
    pk = dossier.pk if isinstance(dossier, Dossier) else dossier
    locked = _LOCK.one(pk=pk)
    if locked is None:
        raise Dossier.DoesNotExist
    if locked.row_version != row_version:
        raise DossierConflict(current_version=locked.row_version)
    # The columns as read, so that ``event_record`` writes only those the transition changed.
    setattr(locked, _LOADED, {f.attname: getattr(locked, f.attname) for f in _COLUMNS})
    return dossier_relations_attach(locked)


# Compiled once per connection (``core.orm.PreparedQuery``): the lock is on every transition.
_LOCK: PreparedQuery[Dossier] = PreparedQuery(
    lambda p: Dossier.objects.select_for_update().filter(pk=p["pk"]).order_by(), {"pk": -7_351_913}
)
_LOADED = "_motcua_loaded_columns"
_COLUMNS = tuple(f for f in Dossier._meta.concrete_fields if not f.primary_key)


def _changed_columns(d: Dossier) -> list[str] | None:
    """Names of the columns changed since ``dossier_lock`` read the row; None when it did not.

    Every Dossier column is a scalar (no JSON, nothing mutated in place), so comparing values is
    exact. ``updated_at`` (auto_now) is always written.
    """
    loaded: dict[str, object] | None = getattr(d, _LOADED, None)
    if loaded is None:
        return None
    return [f.name for f in _COLUMNS if f.name == "updated_at" or getattr(d, f.attname) != loaded[f.attname]]


# Every transition appends one event: its INSERT compiled once per connection (``core.orm``).
_EVENT_INSERT: PreparedInsert[DossierEvent] = PreparedInsert(DossierEvent)
# ... and updates the dossier (the columns it changed): that UPDATE's SQL kept per column set.
_DOSSIER_UPDATE: PreparedUpdate[Dossier] = PreparedUpdate(Dossier)

_RECORD_FIELDS = ("state", "status", "is_open", "row_version", "event_count", "last_event_hash")


def event_record(
    d: Dossier,
    *,
    kind: EventKind,
    actor: Account | None,
    unit: Unit | None,
    now: datetime,
    to_state: str | None = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
    changed_fields: Sequence[str] | None = None,
) -> DossierEvent:
    """Apply the state, bump the version, append the chained event and publish it — one place.

    ``changed_fields``: the dossier columns the caller changed since the row was last written (a
    dossier inserted just before): the UPDATE names only those and this function's own. None (the
    default) writes the whole row.
    """
    from_state = d.state
    if to_state is not None:
        d.state = to_state
        d.status = STATE_STATUS[to_state]
        d.is_open = to_state in OPEN_STATES
    d.row_version += 1
    seq = d.event_count + 1
    # Where the row stands after this event (and, on the first, whose dossier it is): the row becomes
    # derivable from its events, so ``verify-audit`` detects an edit of the row itself.
    data = {
        **(data or {}),
        event_data.ROW_KEY: event_data.row_after(
            unit=d.current_unit_id, step=d.current_step_id, due_at=d.due_at
        ),
    }
    if seq == 1:
        data[event_data.APPLICANT_KEY] = event_data.applicant_digest(
            {name: getattr(d, name) for name in event_data.APPLICANT_FIELDS}
        )
    event = DossierEvent(
        dossier=d,
        seq=seq,
        at=now,
        action=kind,
        actor=actor,
        actor_name=actor_name(actor)[:200],
        unit=unit,
        from_state=from_state,
        to_state=d.state,
        reason=reason,
        data=json_normalise(data),
        prev_hash=d.last_event_hash,
    )
    event.hash = event_hash(event)
    _EVENT_INSERT.insert(event)
    d.event_count = event.seq
    d.last_event_hash = event.hash
    if changed_fields is None:
        # A transition's dossier (``dossier_lock``): the UPDATE names the columns it changed, not all
        # ~60 — compiling and sending the whole row was a tenth of a transition's CPU.
        changed_fields = _changed_columns(d)
    if changed_fields is None:
        d.save()
    else:
        # Dossier.save()'s own step first (the folded name), then the UPDATE, built once per column set.
        _DOSSIER_UPDATE.update(d, fields=d.search_refresh([*_RECORD_FIELDS, *changed_fields]))
    if changed_fields is not None:
        setattr(d, _LOADED, {f.attname: getattr(d, f.attname) for f in _COLUMNS})
    # The subscribers' payload (national portal) and every channel's answer (the API's dossier) read
    # the components, fees and pauses: one read each, after the transition's writes, serves both.
    dossier_rows_seed(d, pauses=True)
    event_publish(dossier=d, event=event)
    return event


@dataclass
class Transition:
    """One transition in progress: the locked dossier, who acts, when; ``record`` ends it."""

    action: Action
    actor: Actor
    dossier: Dossier
    now: datetime
    event: DossierEvent | None = field(default=None, init=False)

    def record(
        self,
        *,
        unit: Unit | None,
        to_state: str | None = None,
        reason: str = "",
        data: dict[str, Any] | None = None,
    ) -> DossierEvent:
        if self.event is not None:
            raise RuntimeError(f"{self.action}: a transition records one event")
        self.event = event_record(
            self.dossier,
            kind=EventKind(self.action),
            actor=self.actor,
            unit=unit,
            now=self.now,
            to_state=to_state,
            reason=reason,
            data=data,
        )
        return self.event


@contextmanager
def transition(action: Action, *, actor: Actor, dossier: Dossier, row_version: int) -> Iterator[Transition]:
    """Open the transaction, lock and check the dossier, let the caller change it, make sure it recorded."""
    with transaction.atomic():
        d = dossier_lock(dossier, row_version=row_version)
        now = timezone.now()
        rules.check(action, user=actor, dossier=d, now=now)
        current = Transition(action=action, actor=actor, dossier=d, now=now)
        yield current
        if current.event is None:
            raise RuntimeError(f"{action}: the transition changed the dossier but recorded no event")
