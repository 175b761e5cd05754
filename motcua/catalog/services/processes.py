"""Stored process definitions — quy trình nội bộ: versions, admin drafts, activation.

A version that was ever current is never edited (dossiers keep the version they started with): an
import or a procedure edit adds the next version (``process_definitions_sync``,
``process_definition_build``); the admin copies the current version into a MANUAL draft
(``process_definition_draft_create``) and makes it current once its budgets check out
(``process_definition_activate``). A current MANUAL version is never overwritten by an import.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from motcua.catalog.models import Procedure, ProcessDefinition, ProcessSource, ProcessStep
from motcua.catalog.services.budgets import (
    Budget,
    BudgetProblem,
    budget_convert,
    budget_problems_text,
    budget_text,
)
from motcua.catalog.services.common import BULK_BATCH, WORKING_UNITS
from motcua.catalog.services.process_specs import ProcessSpec, StepSpec, process_definition_derive
from motcua.core.orm import objects_insert
from motcua.worktime.models import TimeUnit

if TYPE_CHECKING:
    from motcua.accounts.models import Account


def _process_step(step: StepSpec, *, process_id: int, order: int) -> ProcessStep:
    """The unsaved row of ``step``, the ``order``-th step (from 1) of process ``process_id``."""
    return ProcessStep(
        process_id=process_id,
        order=order,
        name=step.name,
        actor_text=step.actor_text,
        actor_unit_kind=step.actor_unit_kind,
        actor_role=step.actor_role,
        duration_amount=step.duration_amount,
        duration_unit=step.duration_unit,
        task=step.task,
    )


class ProcessDefinitionError(ValueError):
    """A process whose budgets are inconsistent (see ``process_definition_validate``); nothing stored."""

    def __init__(self, problems: Sequence[BudgetProblem]) -> None:
        self.problems = list(problems)
        super().__init__(budget_problems_text(problems))


@dataclass
class ProcessSync:
    """What ``process_definitions_sync`` did: the new definitions' ids and what it left alone."""

    created_ids: list[int] = field(default_factory=list)
    unchanged: int = 0
    kept_manual: int = 0


def process_definitions_sync(*, specs: Mapping[int, ProcessSpec]) -> ProcessSync:
    """Store the given specs (by procedure id) as new current versions where their content changed.

    A stored version is never edited: a change retires the current version (``is_current=False``) and
    adds the next number. A current MANUAL version (edited in the admin) is left alone. Runs in the
    caller's transaction (the importer's, or ``process_definition_build``'s).
    """
    result = ProcessSync()
    if not specs:
        return result
    ids = list(specs)
    current_qs = ProcessDefinition.objects.filter(is_current=True)
    last_qs = ProcessDefinition.objects.order_by().values("procedure_id")
    if len(ids) < 500:  # one IN list is cheaper than scanning, but not for the whole catalogue
        current_qs = current_qs.filter(procedure_id__in=ids)
        last_qs = last_qs.filter(procedure_id__in=ids)
    current = {
        pid: (pk, content_hash, source)
        for pk, pid, content_hash, source in current_qs.values_list(
            "id", "procedure_id", "content_hash", "source"
        )
    }
    last_version = {row["procedure_id"]: row["last"] for row in last_qs.annotate(last=Max("version"))}
    retire: list[int] = []
    new_defs: list[ProcessDefinition] = []
    new_specs: list[ProcessSpec] = []
    for pid, spec in specs.items():
        stored = current.get(pid)
        if stored is not None:
            if stored[2] == ProcessSource.MANUAL:
                result.kept_manual += 1
                continue
            if stored[1] == spec.content_hash:
                result.unchanged += 1
                continue
            retire.append(stored[0])
        new_defs.append(
            ProcessDefinition(
                procedure_id=pid,
                version=last_version.get(pid, 0) + 1,
                is_current=True,
                source=spec.source,
                total_amount=spec.total_amount,
                total_unit=spec.total_unit,
                content_hash=spec.content_hash,
            )
        )
        new_specs.append(spec)
    if retire:
        # Before the inserts: the partial unique constraint allows one current version per procedure.
        for start in range(0, len(retire), BULK_BATCH):
            ProcessDefinition.objects.filter(id__in=retire[start : start + BULK_BATCH]).update(
                is_current=False
            )
    objects_insert(ProcessDefinition, new_defs)
    new_pids = [d.procedure_id for d in new_defs]
    # The bulk insert returns no ids: the new definitions are the current ones of their procedures.
    fresh = ProcessDefinition.objects.filter(is_current=True)
    if len(new_pids) < 500:
        fresh = fresh.filter(procedure_id__in=new_pids)
    definition_ids = dict(fresh.values_list("procedure_id", "id")) if new_pids else {}
    objects_insert(
        ProcessStep,
        [
            _process_step(step, process_id=definition_ids[pid], order=order)
            for pid, spec in zip(new_pids, new_specs, strict=True)
            for order, step in enumerate(spec.steps, start=1)
        ],
    )
    result.created_ids = [definition_ids[pid] for pid in new_pids]
    return result


def _procedure_total(procedure: Procedure) -> Budget | None:
    if not procedure.processing_time_unit:
        return None
    return Budget(procedure.processing_time_amount, procedure.processing_time_unit)


@transaction.atomic
def process_definition_build(
    *, procedure: Procedure, spec: ProcessSpec | None = None
) -> ProcessDefinition | None:
    """Store ``spec`` (default: the five derived steps for the procedure's level and time) as the
    procedure's current process if it differs from the current one. Returns the new version, or None
    when nothing changed or the current version is MANUAL (never overwritten).
    """
    if spec is None:
        spec = process_definition_derive(level=procedure.level, total=_procedure_total(procedure))
    problems = spec.problems()
    if problems:
        raise ProcessDefinitionError(problems)
    # Lock the procedure row: concurrent builds must not pick the same next version number.
    Procedure.objects.select_for_update().filter(pk=procedure.pk).first()
    created = process_definitions_sync(specs={procedure.pk: spec}).created_ids
    return ProcessDefinition.objects.get(pk=created[0]) if created else None


def _process_spec_of(definition: ProcessDefinition) -> ProcessSpec:
    return ProcessSpec(
        source=definition.source,
        total_amount=definition.total_amount,
        total_unit=definition.total_unit,
        steps=tuple(
            StepSpec(
                name=s.name,
                actor_text=s.actor_text,
                actor_unit_kind=s.actor_unit_kind,
                actor_role=s.actor_role,
                duration_amount=s.duration_amount,
                duration_unit=s.duration_unit,
                task=s.task,
            )
            for s in definition.steps.order_by("order")
        ),
    )


def _is_draft(definition: ProcessDefinition, current_version: int | None) -> bool:
    # current_version: the version of the procedure's current definition, None when it has none.
    if definition.is_current:
        return False
    return current_version is None or definition.version > current_version


def process_definition_is_draft(*, definition: ProcessDefinition) -> bool:
    """A draft is a version never made current: newer than the current one (or with no current one)."""
    if definition.is_current:
        return False
    current_version = (
        ProcessDefinition.objects.filter(procedure_id=definition.procedure_id, is_current=True)
        .values_list("version", flat=True)
        .first()
    )
    return _is_draft(definition, current_version)


@transaction.atomic
def process_definition_draft_create(
    *, procedure: Procedure, editor: Account | None = None
) -> ProcessDefinition:
    """Copy the current process into a new MANUAL draft version (not current) for editing in the admin.

    ``editor`` is recorded as ``drafted_by``.

    Versions that were ever current are never edited in place: dossiers keep the version they started
    with. An existing draft is returned instead of making a second one.
    """
    # Lock the procedure row: two admins drafting at once must not pick the same version number.
    Procedure.objects.select_for_update().filter(pk=procedure.pk).first()
    definitions = list(ProcessDefinition.objects.filter(procedure=procedure).order_by("-version"))
    base = next((d for d in definitions if d.is_current), None)
    current_version = base.version if base is not None else None
    for definition in definitions:
        if _is_draft(definition, current_version):
            return definition
    spec = (
        _process_spec_of(base)
        if base is not None
        else process_definition_derive(level=procedure.level, total=_procedure_total(procedure))
    )
    draft = ProcessDefinition.objects.create(
        procedure=procedure,
        version=(definitions[0].version if definitions else 0) + 1,
        is_current=False,
        source=ProcessSource.MANUAL,
        total_amount=spec.total_amount,
        total_unit=spec.total_unit,
        content_hash="",
        drafted_by=editor,
    )
    ProcessStep.objects.bulk_create(
        _process_step(s, process_id=draft.pk, order=order) for order, s in enumerate(spec.steps, start=1)
    )
    return draft


@transaction.atomic
def process_definition_activate(
    *, definition: ProcessDefinition, editor: Account | None = None
) -> ProcessDefinition:
    """Make a draft the current version after checking its budgets against its total, and its total
    against the procedure's statutory time (thời hạn giải quyết) when the procedure publishes one.

    Raises ``ProcessDefinitionError`` (nothing changed) when the budgets do not sum to the total or the
    total is not the statutory time, and ``ValueError`` for a version that is not a draft. ``editor``
    is recorded as ``activated_by``.
    """
    procedure = Procedure.objects.select_for_update().get(pk=definition.procedure_id)
    definition.refresh_from_db()
    if not process_definition_is_draft(definition=definition):
        raise ValueError("Chỉ áp dụng được bản nháp (only a draft can be activated)")
    spec = _process_spec_of(definition)
    problems = spec.problems()
    statutory = _procedure_total(procedure)
    if not problems and statutory is not None:
        problems = _statutory_time_problems(definition, statutory)
    if problems:
        raise ProcessDefinitionError(problems)
    ProcessDefinition.objects.filter(procedure_id=definition.procedure_id, is_current=True).update(
        is_current=False
    )
    definition.is_current = True
    definition.content_hash = spec.content_hash
    definition.activated_by = editor
    definition.activated_at = timezone.now()
    definition.save(update_fields=["is_current", "content_hash", "activated_by", "activated_at"])
    return definition


def process_definition_time_problems(
    *, definition: ProcessDefinition, procedure: Procedure
) -> list[BudgetProblem]:
    """Whether ``definition``'s total differs from the procedure's statutory time (none when the
    procedure publishes no time); the admin warns about it after a time edit."""
    statutory = _procedure_total(procedure)
    return [] if statutory is None else _statutory_time_problems(definition, statutory)


def _statutory_time_problems(definition: ProcessDefinition, statutory: Budget) -> list[BudgetProblem]:
    """The draft's total must be the procedure's statutory time: a dossier on the process would
    otherwise be due later (or earlier) than the law allows, whatever the steps add up to."""
    total = Budget(definition.total_amount, definition.total_unit)
    if total.unit == statutory.unit and total.amount == statutory.amount:
        return []
    if (
        total.unit in WORKING_UNITS
        and statutory.unit in WORKING_UNITS
        and total.amount is not None
        and statutory.amount is not None
        and budget_convert(total.amount, total.unit, TimeUnit.WORKING_HOURS)
        == budget_convert(statutory.amount, statutory.unit, TimeUnit.WORKING_HOURS)
    ):
        return []
    return [
        BudgetProblem(
            None,
            f"Tổng thời gian của quy trình ({budget_text(total)}) khác thời hạn giải quyết của thủ tục "
            f"({budget_text(statutory)}): sửa tổng thời gian và thời gian các bước của bản nháp",
        )
    ]
