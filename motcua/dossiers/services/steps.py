"""Steps of the internal process — bước xử lý: who performs a step, opening and closing step rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from motcua.catalog.models import ProcessStep
from motcua.core.orm import PreparedInsert
from motcua.dossiers import deadlines, event_data, rules
from motcua.dossiers.errors import DossierInvalid
from motcua.dossiers.models import (
    Dossier,
    DossierPause,
    DossierStep,
    StepStatus,
)
from motcua.dossiers.services.recording import Actor, user_holds
from motcua.org.models import Role, Unit, UnitKind


def step_unit_resolve(*, dossier: Dossier, process_step: ProcessStep) -> Unit:
    """The unit that performs ``process_step`` for this dossier.

    Service-centre kinds (PROVINCE_CENTRE, COMMUNE_CENTRE) resolve to the centre that received the
    dossier — reception and return happen where the citizen came, whatever the procedure's level.
    A PROVINCE_COMMITTEE step resolves to the provincial People's Committee (a department's procedure
    decided by UBND tỉnh). Every other kind — COMMUNE_COMMITTEE, DEPARTMENT — resolves to the
    dossier's competent unit (``selectors.dossier_route_competent_unit``).
    """
    performer = rules.step_performer(
        step_kind=process_step.actor_unit_kind, competent_kind=dossier.competent_unit.kind
    )
    if performer == rules.StepPerformer.RECEIVING_CENTRE:
        return dossier.receiving_unit
    if performer == rules.StepPerformer.PROVINCE_COMMITTEE:
        province = (
            Unit.objects.filter(kind=UnitKind.PROVINCE_COMMITTEE, is_active=True).order_by("pk").first()
        )
        if province is not None:
            return province
    return dossier.competent_unit


def assignee_check(assignee: Actor | None, *, unit: Unit, role: str) -> None:
    if assignee is not None and not user_holds(assignee, unit, role):
        raise DossierInvalid(
            {"assignee": f"Cán bộ được chọn không có vai trò {Role(role).label.lower()} tại {unit.name}."}
        )


# Most transitions open a step: its INSERT compiled once per connection (``core.orm``).
_STEP_INSERT: PreparedInsert[DossierStep] = PreparedInsert(DossierStep)


def step_start(
    d: Dossier,
    *,
    process_step: ProcessStep | None,
    unit: Unit,
    role: str,
    assignee: Actor | None,
    by: Actor | None,
    now: datetime,
    name: str = "",
) -> DossierStep:
    """Open the next step row (a new row per pass: history is never rewritten); point the dossier at it."""
    seq = d.current_step.seq + 1 if d.current_step is not None else 1
    step = DossierStep(
        dossier=d,
        seq=seq,
        process_step=process_step,
        name=name or (process_step.name if process_step else ""),
        unit=unit,
        role=role,
        assignee=assignee,
        handed_over_by=by,
        started_at=now,
        due_at=deadlines.step_due(step=process_step, start=now),
    )
    _STEP_INSERT.insert(step)
    d.current_step = step
    d.current_unit = unit
    d.current_assignee = assignee
    return step


def step_finish(
    step: DossierStep | None,
    *,
    by: Actor | None,
    now: datetime,
    status: str = StepStatus.DONE,
    note: str = "",
) -> None:
    if step is None or step.finished_at is not None:
        return
    step.finished_at = now
    step.finished_by = by
    step.status = status
    step.outcome = (
        "" if status == StepStatus.CANCELLED else deadlines.outcome(finished_at=now, due_at=step.due_at)
    )
    if note:
        step.note = note
    step.save(update_fields=["finished_at", "finished_by", "status", "outcome", "note"])


def process_step_start(
    d: Dossier, *, index: int, assignee: Actor | None, by: Actor | None, now: datetime
) -> DossierStep:
    process_step = rules.step_plan(d).steps[index]
    unit = step_unit_resolve(dossier=d, process_step=process_step)
    assignee_check(assignee, unit=unit, role=process_step.actor_role)
    return step_start(
        d,
        process_step=process_step,
        unit=unit,
        role=process_step.actor_role,
        assignee=assignee,
        by=by,
        now=now,
    )


def pause_open(d: Dossier) -> DossierPause | None:
    return d.pauses.filter(ended_at__isnull=True).order_by("-started_at").first()


def close_open_work(d: Dossier, *, by: Actor | None, now: datetime) -> None:
    """End whatever is running when a dossier leaves the process early (withdrawn, stopped)."""
    step_finish(d.current_step, by=by, now=now, status=StepStatus.CANCELLED)
    pause = pause_open(d)
    if pause is not None:
        pause.ended_at = now
        pause.save(update_fields=["ended_at"])
    d.paused_at = None
    d.current_assignee = None
    d.transfer_origin_unit = None


def handover(previous: DossierStep | None, step: DossierStep) -> dict[str, Any]:
    return event_data.handed_over(
        from_step=previous.name if previous else "",
        from_outcome=previous.outcome if previous else "",
        to_step=step.name,
        to_unit=step.unit.agency_code,
        to_role=step.role,
        assignee=step.assignee_id,
        step_due_at=step.due_at,
    )
