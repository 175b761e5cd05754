"""Reads of the dossier engine — tra cứu, hàng đợi xử lý, tra cứu công khai.

Everything the back-office, the API and the public tracking page show about dossiers comes from here:
queues sorted by due time, one dossier scoped to the official, its timeline and due-time explanation,
the actions the UI may offer, and the public view that never shows officials' personal data.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, cast

from django.db.models import Count, F, OrderBy, Q, QuerySet
from django.utils import timezone

from motcua.accounts.models import AccountOrAnonymous
from motcua.catalog.models import (
    Field,
    Level,
    Procedure,
    ProcedureDocument,
    ProcedureFee,
    ProcessDefinition,
    ProcessStep,
)
from motcua.core.orm import PreparedQuery, prefetch_seed, prefetched_rows
from motcua.core.selectors import reference_data_cached, reference_data_stamp
from motcua.core.text import fold, nfc
from motcua.dossiers import deadlines, rules
from motcua.dossiers.errors import DossierInvalid
from motcua.dossiers.models import (
    OPEN_STATES,
    STATE_STATUS,
    Dossier,
    DossierComponent,
    DossierEvent,
    DossierFee,
    DossierPause,
    DossierState,
    DossierStep,
    DvcqgStatus,
    Outcome,
    PauseReason,
    StepStatus,
)
from motcua.org.models import CASEWORK_ROLES, OVERSIGHT_ROLES, Role, Unit, UnitKind
from motcua.org.selectors import (
    official_reaches_every_unit,
    official_role_set,
    official_role_units,
    official_units,
    unit_get,
)
from motcua.worktime import selectors as worktime
from motcua.worktime.calendar import DueExplanation

Scope = Literal["mine", "pool", "unit", "all"]
MAX_PAGE_SIZE = 100


# --------------------------------------------------------------------------------------------------
# Routing
# --------------------------------------------------------------------------------------------------


def _department_for(procedure: Procedure) -> Unit | None:
    """The department named in the procedure's implementing/competent agency text (longest name wins).

    A scan of the departments, cached per procedure like the rest of the receipt's reference data.
    """
    return reference_data_cached(("department_for", procedure.code), lambda: _department_find(procedure))


def _department_find(procedure: Procedure) -> Unit | None:
    text = fold(f"{procedure.implementing_agency} {procedure.competent_authority}")
    if not text:
        return None
    best: tuple[int, Unit] | None = None
    for unit in Unit.objects.filter(kind=UnitKind.DEPARTMENT, is_active=True):
        for name in (unit.name, unit.short_name):
            folded = fold(name)
            if folded and f" {folded} " in f" {text} " and (best is None or len(folded) > best[0]):
                best = (len(folded), unit)
    return best[1] if best else None


def _commune_of(unit: Unit) -> Unit | None:
    """The commune People's Committee a unit belongs to (itself, or the parent of a commune centre)."""
    if unit.kind == UnitKind.COMMUNE_COMMITTEE:
        return unit
    if unit.kind == UnitKind.COMMUNE_CENTRE and unit.parent is not None:
        return unit.parent
    return None


def dossier_route_competent_unit(
    *, procedure: Procedure, receiving_unit: Unit, chosen_unit: Unit | None = None
) -> Unit:
    """The unit competent to decide — cơ quan có thẩm quyền giải quyết — for a dossier received anywhere.

    A dossier may be received at any centre of the province (tiếp nhận không phụ thuộc địa giới hành
    chính) and is routed here:

    * commune level: the commune People's Committee the applicant chose (a commune centre counts as its
      committee), else the commune of the receiving centre; a province-centre receipt must choose;
    * province level: the chosen department or provincial committee, else the department named in the
      procedure's implementing/competent agency text;
    * both levels: the chosen unit (commune or province), else the receiving centre's commune, else the
      department named in the text;
    * central / unknown: as "both".

    Raises ``DossierInvalid`` with a Vietnamese message when no unit can be determined.
    """
    if chosen_unit is not None:
        if not chosen_unit.is_active:
            raise DossierInvalid({"competent_unit": f"{chosen_unit.name} đã ngừng hoạt động."})
        chosen = _commune_of(chosen_unit) or chosen_unit
        province_side = chosen.kind in (UnitKind.DEPARTMENT, UnitKind.PROVINCE_COMMITTEE)
        commune_side = chosen.kind == UnitKind.COMMUNE_COMMITTEE
        if procedure.level == Level.COMMUNE and not commune_side:
            raise DossierInvalid(
                {"competent_unit": "Thủ tục cấp xã: vui lòng chọn UBND xã, phường, đặc khu giải quyết hồ sơ."}
            )
        if procedure.level == Level.PROVINCE and not province_side:
            raise DossierInvalid(
                {"competent_unit": "Thủ tục cấp tỉnh: vui lòng chọn sở, ngành giải quyết hồ sơ."}
            )
        if not (province_side or commune_side):
            raise DossierInvalid({"competent_unit": "Đơn vị được chọn không có thẩm quyền giải quyết hồ sơ."})
        return chosen
    commune = _commune_of(receiving_unit)
    if procedure.level == Level.COMMUNE:
        if commune is None:
            raise DossierInvalid(
                {"competent_unit": "Thủ tục cấp xã: vui lòng chọn UBND xã, phường, đặc khu giải quyết hồ sơ."}
            )
        return commune
    if procedure.level == Level.PROVINCE:
        department = _department_for(procedure)
        if department is None:
            raise DossierInvalid(
                {
                    "competent_unit": "Chưa xác định được sở, ngành giải quyết thủ tục này; "
                    "vui lòng chọn đơn vị."
                }
            )
        return department
    if commune is not None:
        return commune
    department = _department_for(procedure)
    if department is not None:
        return department
    raise DossierInvalid({"competent_unit": "Vui lòng chọn đơn vị có thẩm quyền giải quyết hồ sơ."})


def procedure_for_receipt(*, code: str, stamp: str | None = None) -> Procedure:
    """The procedure a dossier is received for, with what the receipt reads prefetched.

    Cached per process until the reference data changes (``core.selectors.reference_data_cached``;
    ``stamp`` as there): one indexed one-row read instead of four queries per receipt. The instance is
    shared by the requests of this process — read it, never change it.

    Its field (DVCQG payload), documents (components), fees and the current process with its steps
    (``current_processes``, as ``catalog.selectors.procedure_get`` names it, so
    ``services._process_current`` needs no query) — four single-table-or-one-join queries, no
    aggregate: the current process comes joined to its steps, and the prefetch caches are filled by
    hand (``prefetch_related`` costs as much Python as the queries themselves here). A current process
    without steps is left out, which ``_process_current`` refuses just as it refuses one with fewer
    than two steps. Raises ``Procedure.DoesNotExist``.
    """
    return reference_data_cached(
        ("procedure_for_receipt", code), lambda: _procedure_for_receipt_load(code), stamp=stamp
    )


def _procedure_for_receipt_load(code: str) -> Procedure:
    procedure = Procedure.objects.select_related("field").get(code=code)
    prefetch_seed(procedure, "documents", list(ProcedureDocument.objects.filter(procedure=procedure)))
    prefetch_seed(procedure, "fees", list(ProcedureFee.objects.filter(procedure=procedure)))
    steps = (
        ProcessStep.objects.filter(process__procedure=procedure, process__is_current=True)
        .select_related("process")
        .order_by("-process__version", "process_id", "order")
    )
    processes: dict[int, ProcessDefinition] = {}
    by_process: dict[int, list[ProcessStep]] = {}
    for step in steps:
        process = processes.setdefault(step.process_id, step.process)
        step.process = process
        by_process.setdefault(step.process_id, []).append(step)
    for pk, process in processes.items():
        process.procedure = procedure
        prefetch_seed(process, "steps", by_process[pk])
    procedure.current_processes = list(processes.values())  # type: ignore[attr-defined]
    return procedure


def unit_for_receipt(*, agency_code: str, stamp: str | None = None) -> Unit | None:
    """``org.selectors.unit_get`` (active units, parent joined), cached like ``procedure_for_receipt``."""
    code = agency_code.strip()
    return reference_data_cached(("unit_for_receipt", code), lambda: unit_get(agency_code=code), stamp=stamp)


# --------------------------------------------------------------------------------------------------
# Queues
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueItem:
    """One row of an official's queue with its deadline flags."""

    dossier: Dossier
    due_soon: bool  # sắp đến hạn
    overdue: bool  # quá hạn
    # The reader may see the applicant's personal data (``rules.sees_personal_data``); when False the
    # row shows ``applicant_initials`` and links nowhere.
    personal: bool = True

    @property
    def applicant_display(self) -> str:
        return self.dossier.applicant_name if self.personal else rules.initials(self.dossier.applicant_name)


@dataclass(frozen=True)
class QueuePage:
    items: list[QueueItem]
    total: int
    page: int
    page_size: int

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


# What a queue row shows (back-office ``_queue_results.html``, API ``DossierListItemOut``) and nothing
# else: 6 tables instead of 8 (no procedure field, no receiving unit) and narrow rows — a dossier row
# with its procedure was ~10 kB with 5 JSON columns decoded per row. Planning the query dominated its
# execution on PostgreSQL. Reading a column that is not listed here costs one query per row: add it.
_QUEUE_RELATED = (
    "procedure",
    "current_unit",
    "current_step",
    "current_assignee__official",
)
_QUEUE_ONLY = (
    "code",
    "channel",
    "state",
    "status",
    "applicant_name",
    "is_open",
    "submitted_at",
    "received_at",
    "due_at",
    "row_version",
    "receiving_unit_id",
    "competent_unit_id",
    "transfer_origin_unit_id",
    "procedure__code",
    "procedure__name",
    "current_unit__name",
    "current_unit__short_name",
    "current_unit__agency_code",
    "current_step__name",
    "current_step__role",
    "current_assignee__username",
    "current_assignee__full_name",
    "current_assignee__official__full_name",
)

# States whose unassigned step waits for an official of the step's role (the pool, "Chờ nhận"): the
# ones where ``rules`` lets that official claim it, plus new online dossiers awaiting reception.
_POOL_STEP_STATES = (
    DossierState.ACCEPTED,
    DossierState.PROCESSING,
    DossierState.TRANSFERRED,
    DossierState.RESULT_READY,
)
# Shortest folded name fragment searched: below three letters a trigram index cannot help and nearly
# every name matches ("an", "le").
SEARCH_NAME_MIN = 3
_ID_NUMBER = re.compile(r"[0-9][0-9-]{5,19}")
_NOTHING = Q(pk__in=[])


def _search_parts(query: str) -> tuple[Q, Q]:
    """(the code part, the personal-data part) of ``dossier_search_q``."""
    text = nfc(query or "").strip()[:100]
    code, personal = _NOTHING, _NOTHING
    if not text:
        return code, personal
    compact = "".join(text.split())
    if " " not in text:
        code = Q(code__startswith=compact.upper())
    if _ID_NUMBER.fullmatch(compact):
        personal |= Q(applicant_id_number=compact)
    folded = " ".join(fold(text).split())
    if len(folded.replace(" ", "")) >= SEARCH_NAME_MIN:
        personal |= Q(applicant_search__contains=folded)
    return code, personal


def _in_units(unit_ids: Iterable[int]) -> Q:
    """Dossiers that belong to or passed through these units (the units ``rules.in_dossier_units`` reads)."""
    ids = sorted(unit_ids)
    return (
        Q(current_unit_id__in=ids)
        | Q(receiving_unit_id__in=ids)
        | Q(competent_unit_id__in=ids)
        | Q(transfer_origin_unit_id__in=ids)
    )


def dossier_search_q(query: str, *, personal_units: Iterable[int] | None = None) -> Q:
    """One search box — ô tìm kiếm: what ``query`` matches among dossiers.

    * a dossier code, whole or its beginning, any case (``000.00.31.h49-260302`` finds the day's codes);
    * a personal ID / tax code, exact (``022090001234``, ``0100109106-001``);
    * a fragment of the applicant's name, accent- and case-insensitive ("nguyen van a" finds
      "Nguyễn Văn An"), from ``SEARCH_NAME_MIN`` letters.

    ``personal_units`` (None: everywhere) limits the ID and name matches to dossiers of those units: an
    overseer (report viewer, province admin) searches codes only, or they could learn whether a named
    person has a dossier. A query matching no kind matches nothing.
    """
    code, personal = _search_parts(query)
    if personal_units is not None:
        personal &= _in_units(personal_units)
    return code | personal


def _pool_q(user: AccountOrAnonymous) -> Q | None:
    """Open unassigned dossiers waiting for one of ``user``'s casework roles in a unit where they hold
    it (None: every unassigned dossier, for a superuser)."""
    role_units = official_role_units(user=user, roles=CASEWORK_ROLES)
    if role_units is None:
        return None
    where = _NOTHING
    for role, unit_ids in sorted(role_units.items()):
        waiting = Q(current_step__role=role, state__in=_POOL_STEP_STATES)
        if role == Role.RECEPTION:
            waiting |= Q(state=DossierState.SUBMITTED)
        where |= Q(current_unit_id__in=sorted(unit_ids)) & waiting
    return where


def _casework_unit_ids(user: AccountOrAnonymous) -> set[int] | None:
    """Units where ``user`` reads personal data; None when that is every dossier they can list.

    No query for officials without an oversight role (the usual case): whatever their queue lists sits
    in a unit where they hold a casework role.
    """
    if user.is_superuser:
        return None
    if official_role_set(user=user).isdisjoint(OVERSIGHT_ROLES):
        return None
    return set(official_units(user=user, roles=CASEWORK_ROLES).values_list("pk", flat=True))


def dossier_queue(
    *,
    user: rules.Actor,
    scope: Scope,
    status: int | None = None,
    state: str | None = None,
    procedure: Procedure | int | None = None,
    field: Field | int | None = None,
    channel: str | None = None,
    due_soon: bool = False,
    overdue: bool = False,
    due_before: datetime | None = None,
    unit: Unit | None = None,
    search: str | None = None,
    page: int = 1,
    page_size: int = 20,
    order: Sequence[OrderBy | str] | None = None,
) -> QueuePage:
    """Dossiers of an official — open ones most urgent first (due time ascending, no due time last).

    ``scope``:

    * ``"mine"``: open, assigned to ``user``;
    * ``"pool"``: open, unassigned, at a step whose role ``user`` holds in the step's unit (and new
      online dossiers for reception officers of the receiving centre) — what waits for their role;
    * ``"unit"``: open, currently in a unit where ``user`` holds any role (``org.selectors.official_units``);
    * ``"all"``: every dossier of those units, open or closed (received, decided, now or once in one of
      them, as ``rules.in_dossier_units``), newest first. ``search`` (``dossier_search_q``) always
      searches this scope.

    ``unit`` narrows to one of the official's units. A constant number of queries whatever the page
    (units, count, page; the pool adds the centres under the user's committees, an overseer their
    casework units). The open scopes' filters ``is_open = true`` + ``current_unit``/``current_assignee``
    + ``due_at`` order match the partial indexes on Dossier; "all" orders by id (the primary key index)
    and search by the code, ID-number and trigram name indexes.

    ``order`` replaces the open scopes' ordering (not "all"'s): an extension's channel sorts by what it
    keeps next to the dossier — e.g. the lateness forecast's ``risk_order()`` — without the engine
    knowing about it.
    """
    if scope not in ("mine", "pool", "unit", "all"):
        raise ValueError(f"scope must be 'mine', 'pool', 'unit' or 'all', not {scope!r}")
    page = max(1, int(page))
    page_size = min(max(1, int(page_size)), MAX_PAGE_SIZE)
    now = timezone.now()
    if not (user and user.is_authenticated):
        return QueuePage(items=[], total=0, page=page, page_size=page_size)
    search = (search or "").strip()
    if search:
        scope = "all"
    qs = _queue_scoped(user=user, scope=scope, unit=unit)
    casework_units = _casework_unit_ids(user)
    if search:
        qs = qs.filter(dossier_search_q(search, personal_units=casework_units))
    if status is not None:
        qs = qs.filter(status=int(status))
    if state:
        qs = qs.filter(state=state)
    if procedure is not None:
        qs = qs.filter(procedure_id=procedure.pk if isinstance(procedure, Procedure) else procedure)
    if field is not None:
        qs = qs.filter(procedure__field_id=field.pk if isinstance(field, Field) else field)
    if channel:
        qs = qs.filter(channel=channel)
    threshold = deadlines.due_soon_threshold(now=now)
    if due_soon:
        qs = qs.filter(deadlines.due_soon_q(now=now, threshold=threshold))
    if overdue:
        qs = qs.filter(deadlines.overdue_q(now=now))
    if due_before is not None:
        qs = qs.filter(due_at__lt=due_before)
    total = qs.count()
    offset = (page - 1) * page_size
    if scope == "all":
        ordering: Sequence[OrderBy | str] = ("-pk",)
    else:
        ordering = order or (F("due_at").asc(nulls_last=True), "pk")
    rows = (
        list(
            qs.select_related(*_QUEUE_RELATED)
            .only(*_QUEUE_ONLY)
            .order_by(*ordering)[offset : offset + page_size]
        )
        if total > offset
        else []
    )
    items = [_queue_item(d, now=now, threshold=threshold, casework_units=casework_units) for d in rows]
    return QueuePage(items=items, total=total, page=page, page_size=page_size)


def _queue_scoped(*, user: AccountOrAnonymous, scope: Scope, unit: Unit | None) -> QuerySet[Dossier]:
    """The dossiers of ``scope`` (see ``dossier_queue``), before the filters."""
    qs: QuerySet[Dossier] = Dossier.objects.all() if scope == "all" else Dossier.objects.filter(is_open=True)
    if scope == "mine":
        qs = qs.filter(current_assignee_id=user.pk)
        return qs.filter(current_unit=unit) if unit is not None else qs
    if scope == "all" and unit is None and official_reaches_every_unit(user=user):
        return qs  # province-wide: no unit filter rather than every unit id four times over
    # Materialised (one small query) so the planner sees literal unit ids and can walk the index.
    unit_ids = list(official_units(user=user).values_list("pk", flat=True))
    if unit is not None:
        unit_ids = [unit.pk] if unit.pk in unit_ids else []
    qs = qs.filter(_in_units(unit_ids) if scope == "all" else Q(current_unit_id__in=unit_ids))
    if scope == "pool":
        pool = _pool_q(user)
        qs = qs.filter(current_assignee__isnull=True)
        if pool is not None:
            qs = qs.filter(pool)
    return qs


def dossier_queue_counts(*, user: rules.Actor) -> dict[str, int]:
    """How many open dossiers are assigned to ``user`` ("mine") and wait for their role ("pool").

    The numbers on the queue's tabs, and what picks the tab an official lands on.
    """
    if not (user and user.is_authenticated):
        return {"mine": 0, "pool": 0}
    scopes: tuple[Scope, ...] = ("mine", "pool")
    return {scope: _queue_scoped(user=user, scope=scope, unit=None).count() for scope in scopes}


def _queue_item(
    d: Dossier, *, now: datetime, threshold: datetime, casework_units: set[int] | None = None
) -> QueueItem:
    return QueueItem(
        dossier=d,
        due_soon=deadlines.is_due_soon(state=d.state, now=now, due_at=d.due_at, threshold=threshold),
        overdue=deadlines.is_overdue(state=d.state, now=now, due_at=d.due_at),
        personal=casework_units is None or not rules.dossier_unit_ids(d).isdisjoint(casework_units),
    )


def dossier_flags(*, dossier: Dossier, now: datetime | None = None) -> QueueItem:
    """Deadline flags of one dossier ("sắp đến hạn": ≤ 1 working day left; "quá hạn": past due)."""
    now = now or timezone.now()
    return _queue_item(dossier, now=now, threshold=deadlines.due_soon_threshold(now=now))


# --------------------------------------------------------------------------------------------------
# One dossier
# --------------------------------------------------------------------------------------------------

# What a transition or the dossier page reads of a dossier's relations. A one-query form for
# extensions (``dossier_get``); the hot paths (``dossier_get_for_official``, ``services.dossier_lock``)
# attach the same relations from the reference-data cache instead (``dossier_relations_attach``).
DOSSIER_RELATED = (
    "procedure__field",
    "process",
    "receiving_unit",
    "competent_unit",
    "current_unit",
    "transfer_origin_unit",
    "current_step__unit",
    "current_step__process_step",
)
_UNIT_RELATIONS = ("receiving_unit", "competent_unit", "current_unit", "transfer_origin_unit")


def _relation_set(instance: Any, name: str, value: Any) -> None:
    """Fill a forward relation's cache as ``select_related`` would (the id is already on the row)."""
    instance._meta.get_field(name).set_cached_value(instance, value)


def unit_by_id(*, pk: int, stamp: str | None = None) -> Unit:
    """Any unit (active or not) by id, parent joined; cached until the reference data changes.

    Shared by every request of the process, like ``procedure_for_receipt``: read it, never change it.
    """
    return reference_data_cached(
        ("unit_by_id", pk), lambda: Unit.objects.select_related("parent").get(pk=pk), stamp=stamp
    )


def _procedure_by_id(pk: int, stamp: str) -> Procedure:
    return reference_data_cached(
        ("procedure_by_id", pk), lambda: Procedure.objects.select_related("field").get(pk=pk), stamp=stamp
    )


def _process_load(pk: int) -> tuple[ProcessDefinition, tuple[ProcessStep, ...]]:
    process = ProcessDefinition.objects.get(pk=pk)
    steps = tuple(ProcessStep.objects.filter(process_id=pk).order_by("order"))
    for step in steps:
        _relation_set(step, "process", process)
    return process, steps


def _process_by_id(pk: int, stamp: str) -> tuple[ProcessDefinition, tuple[ProcessStep, ...]]:
    """A process version and its steps in order (what ``rules.step_plan`` reads), cached."""
    return reference_data_cached(("process_by_id", pk), lambda: _process_load(pk), stamp=stamp)


def dossier_units_attach(d: Dossier, *, stamp: str | None = None) -> str:
    """Give ``d`` its four units (what ``rules.can_view`` reads) from the cache; returns the stamp used.

    One primary-key read of the stamp instead of four joins: the units are reference data.
    """
    stamp = reference_data_stamp() if stamp is None else stamp
    for name in _UNIT_RELATIONS:
        pk = getattr(d, f"{name}_id")
        _relation_set(d, name, None if pk is None else unit_by_id(pk=pk, stamp=stamp))
    return stamp


def dossier_relations_attach(d: Dossier, *, stamp: str | None = None) -> Dossier:
    """Give ``d`` what ``DOSSIER_RELATED`` joins, reference data from the per-process cache.

    Joining them cost ~10 ms of Django compiling a 16-join query per fetch (issue 9); the units,
    procedure and process are reference data, cached until a change commits anywhere
    (``core.selectors.reference_data_cached``). The current step is the dossier's own data: if it is
    not loaded yet (``select_related("current_step")``), one query reads it. Its unit and process
    step come from the cache; the process's steps become ``rules.step_plan``, so no rule reads them.
    """
    stamp = dossier_units_attach(d, stamp=stamp)
    _relation_set(d, "procedure", _procedure_by_id(d.procedure_id, stamp))
    process, steps = _process_by_id(d.process_id, stamp)
    _relation_set(d, "process", process)
    rules.step_plan_attach(d, steps)
    if d.current_step_id is not None:
        field = d._meta.get_field("current_step")
        step = cast("DossierStep | None", field.get_cached_value(d, None))
        if step is None:
            step = _STEP_BY_PK.one(pk=d.current_step_id)
            if step is None:  # the foreign key forbids it
                raise DossierStep.DoesNotExist
            field.set_cached_value(d, step)
        _relation_set(step, "unit", unit_by_id(pk=step.unit_id, stamp=stamp))
        if step.process_step_id is not None:
            process_step = next((s for s in steps if s.pk == step.process_step_id), None)
            if process_step is not None:  # else (a step of another version) read when needed
                _relation_set(step, "process_step", process_step)
    else:
        _relation_set(d, "current_step", None)
    return d


# The hot reads of every dossier request, compiled once per connection (``core.orm.PreparedQuery``):
# compiling them was most of a request's CPU. No ORDER BY (the model orders by due_at): one row.
_CODE = "\x00code\x00"
_PK = -7_351_913
_DETAIL_BY_CODE: PreparedQuery[Dossier] = PreparedQuery(
    lambda p: (
        Dossier.objects.select_related("current_step__assignee__official").filter(code=p["code"]).order_by()
    ),
    {"code": _CODE},
)
_STEP_BY_PK: PreparedQuery[DossierStep] = PreparedQuery(
    lambda p: DossierStep.objects.filter(pk=p["pk"]).order_by(), {"pk": _PK}
)
_COMPONENTS: PreparedQuery[DossierComponent] = PreparedQuery(
    lambda p: DossierComponent.objects.filter(dossier_id=p["pk"]).order_by("pk"), {"pk": _PK}
)
_FEES: PreparedQuery[DossierFee] = PreparedQuery(
    lambda p: DossierFee.objects.filter(dossier_id=p["pk"]).order_by("pk"), {"pk": _PK}
)


_PAUSES: PreparedQuery[DossierPause] = PreparedQuery(
    lambda p: DossierPause.objects.filter(dossier_id=p["pk"]).order_by("started_at", "pk"), {"pk": _PK}
)


def dossier_rows_seed(d: Dossier, *, pauses: bool = False) -> Dossier:
    """Read ``d``'s components and fees (and its pauses) into its prefetch cache — ``d.components.all()``
    then makes no query — unless they are there already (a receipt seeds them): what a dossier's
    answer shows, and, with the pauses, what the subscribers' payload (national portal) reads."""
    queries: list[tuple[str, PreparedQuery[Any]]] = [("components", _COMPONENTS), ("fees", _FEES)]
    if pauses:
        queries.append(("pauses", _PAUSES))
    for name, query in queries:
        if prefetched_rows(d, name) is None:
            prefetch_seed(d, name, query.rows(pk=d.pk))
    return d


def dossier_get_for_official(*, user: rules.Actor, code: str) -> Dossier | None:
    """The dossier with ``code`` if ``user`` may see it (applicant, or a role in one of its units), else None.

    None also for an unknown code: outsiders cannot probe which codes exist. The dossier comes with
    its relations (``DOSSIER_RELATED``, from the reference-data cache) and its current step's assignee;
    the dossier's own assignee and decider are read when used.
    """
    d = _DETAIL_BY_CODE.one(code=(code or "").strip())
    if d is None:
        return None
    stamp = dossier_units_attach(d)
    if not rules.can_view(user, d):
        return None
    return dossier_relations_attach(d, stamp=stamp)


# What an action's visibility check reads of the dossier before the service locks and reads it whole.
_VISIBILITY_ONLY = (
    "code",
    "applicant_user_id",
    "procedure_id",
    "receiving_unit_id",
    "competent_unit_id",
    "current_unit_id",
    "transfer_origin_unit_id",
)


_VISIBLE_BY_CODE: PreparedQuery[Dossier] = PreparedQuery(
    lambda p: Dossier.objects.only(*_VISIBILITY_ONLY).filter(code=p["code"]).order_by(), {"code": _CODE}
)


def dossier_get_visible(*, user: rules.Actor, code: str) -> Dossier | None:
    """``dossier_get_for_official`` for a caller about to act: only the columns the visibility check
    reads (and its units, cached). The transition locks and reads the row itself (``dossier_lock``),
    so reading it whole here too was wasted. The instance is deferred: use it as the action's target.
    """
    d = _VISIBLE_BY_CODE.one(code=(code or "").strip())
    if d is None:
        return None
    dossier_units_attach(d)
    return d if rules.can_view(user, d) else None


@dataclass(frozen=True)
class Timeline:
    """Events (nhật ký) and step rows (form 05 hand-overs) of a dossier, oldest first."""

    events: list[DossierEvent]
    steps: list[DossierStep]


def dossier_timeline(*, dossier: Dossier) -> Timeline:
    """Everything that happened to ``dossier`` (two queries). Internal view: includes officials' names."""
    events = list(DossierEvent.objects.filter(dossier=dossier).select_related("unit").order_by("seq"))
    steps = list(
        DossierStep.objects.filter(dossier=dossier)
        .select_related("unit", "assignee__official", "finished_by__official", "handed_over_by__official")
        .order_by("seq")
    )
    return Timeline(events=events, steps=steps)


@dataclass(frozen=True)
class DueExplanationView:
    """Why the dossier is due when it is: the counted period, pauses and the extension."""

    due_at: datetime | None
    original_due_at: datetime | None
    base: DueExplanation | None  # the statutory time counted from the (re)start of the clock
    pauses: list[dict[str, Any]]
    extension: dict[str, Any] | None
    lines: list[str] = field(default_factory=list)


def dossier_due_explanation(*, dossier: Dossier) -> DueExplanationView:
    """Explain the appointment (hẹn trả): worktime's account of the counted period, pauses, extension."""
    process = dossier.process
    base: DueExplanation | None = None
    lines: list[str] = []
    if dossier.clock_started_at and process.budgets_known:
        base = worktime.explain_due(
            start=dossier.clock_started_at, amount=process.total_amount, unit=process.total_unit
        )
        lines.append(base.summary)
    elif not process.budgets_known:
        lines.append("Thủ tục chưa công bố thời hạn giải quyết nên hồ sơ không có hạn trả kết quả.")
    pauses = []
    for pause in dossier.pauses.order_by("started_at"):
        pauses.append(
            {
                "reason": pause.reason,
                "label": PauseReason(pause.reason).label,
                "started_at": pause.started_at,
                "ended_at": pause.ended_at,
                "items": pause.items,
            }
        )
        end = deadlines.format_local(pause.ended_at) if pause.ended_at else "nay"
        lines.append(
            f"Tạm dừng tính thời gian ({PauseReason(pause.reason).label.lower()}): "
            f"{deadlines.format_local(pause.started_at)} – {end}."
        )
    extension = None
    if dossier.extended:
        extension = {
            "at": dossier.extended_at,
            "reason": dossier.extension_reason,
            "original_due_at": dossier.original_due_at,
            "due_at": dossier.due_at,
        }
        if dossier.due_at:
            lines.append(f"Đã gia hạn một lần, hẹn trả mới: {deadlines.format_local(dossier.due_at)}.")
    return DueExplanationView(
        due_at=dossier.due_at,
        original_due_at=dossier.original_due_at,
        base=base,
        pauses=pauses,
        extension=extension,
        lines=lines,
    )


def dossier_allowed_actions(*, user: rules.Actor, dossier: Dossier) -> list[str]:
    """Exactly the actions ``user`` may take on ``dossier`` now (``rules.Action`` values), in a stable order.

    Uses the same rule table as the services, so anything listed here will be accepted (barring a
    concurrent change, which the services report as ``DossierConflict``).
    """
    if not rules.can_view(user, dossier):
        return []
    now = timezone.now()
    return [
        str(action) for action in rules.Action if rules.allowed(action, user=user, dossier=dossier, now=now)
    ]


# --------------------------------------------------------------------------------------------------
# The applicant's own dossiers (hồ sơ của tôi)
# --------------------------------------------------------------------------------------------------

# What a row of "Hồ sơ của tôi" (portal) and of an applicant's ``GET /api/v1/dossiers`` shows.
_APPLICANT_RELATED = ("procedure", "receiving_unit", "current_unit", "current_step")
_APPLICANT_ONLY = (
    *(name for name in _QUEUE_ONLY if not name.startswith("current_assignee")),
    "applicant_user_id",
    "paused_at",
    "returned_at",
    "finished_at",
    "receiving_unit__name",
    "receiving_unit__agency_code",
    # «Thanh toán lệ phí» on the row: fees due and not paid.
    "fees_total",
    "fees_paid",
)
# States in which the clock stands still waiting for the applicant (a "tạm dừng" mark on their list).
PAUSED_STATES: frozenset[str] = frozenset({DossierState.SUPPLEMENT_REQUESTED, DossierState.AWAITING_PAYMENT})


def dossier_list_for_applicant(
    *, user: rules.Actor, status: int | None = None, page: int = 1, page_size: int = 20
) -> QueuePage:
    """The dossiers whose applicant account is ``user`` (citizen or organisation), newest first.

    Counter dossiers appear once they are linked to the account (``Dossier.applicant_user``). Two
    queries whatever the page (count, page), served by the ``dossier_applicant_submitted`` index. Anyone
    else (anonymous, an official, a service account) owns no dossier and gets an empty page.
    """
    page = max(1, int(page))
    page_size = min(max(1, int(page_size)), MAX_PAGE_SIZE)
    if not (user and user.is_authenticated and user.pk):
        return QueuePage(items=[], total=0, page=page, page_size=page_size)
    qs = Dossier.objects.filter(applicant_user_id=user.pk)
    if status is not None:
        qs = qs.filter(status=int(status))
    total = qs.count()
    offset = (page - 1) * page_size
    rows = (
        list(
            qs.select_related(*_APPLICANT_RELATED)
            .only(*_APPLICANT_ONLY)
            .order_by("-submitted_at", "-pk")[offset : offset + page_size]
        )
        if total > offset
        else []
    )
    now = timezone.now()
    threshold = deadlines.due_soon_threshold(now=now)
    items = [_queue_item(d, now=now, threshold=threshold) for d in rows]
    return QueuePage(items=items, total=total, page=page, page_size=page_size)


def dossier_get_for_applicant(*, user: rules.Actor, code: str) -> Dossier | None:
    """The dossier with ``code`` if ``user`` is its applicant, else None (unknown and foreign codes alike).

    Officials of the dossier's units do not get it here: the applicant's pages act in the applicant's
    name, an official uses the back office.
    """
    d = _DETAIL_BY_CODE.one(code=(code or "").strip())
    if d is None or not rules.is_applicant(user, d):
        return None
    return dossier_relations_attach(d)


def supplement_request_open(*, dossier: Dossier) -> DossierPause | None:
    """The supplement request the applicant has not answered yet (its ``items`` list what to send)."""
    return (
        DossierPause.objects.filter(dossier=dossier, reason=PauseReason.SUPPLEMENT, ended_at__isnull=True)
        .order_by("-started_at")
        .first()
    )


# Events the applicant sees on their dossier page: those that change the public (DVCQG) status, plus
# a new appointment. Internal hand-overs (claim, forward, reassign, signature…) stay internal, as on
# the public tracking page, which shows steps and units but never who did what.
_APPLICANT_EVENT_KINDS = frozenset({"extend"})


def dossier_applicant_events(*, dossier: Dossier) -> list[DossierEvent]:
    """The applicant-visible events of ``dossier``, newest first (one query). Read ``unit`` and the
    labels only: ``actor`` and ``actor_name`` are officials' data and must not be shown."""
    events = DossierEvent.objects.filter(dossier=dossier).select_related("unit").order_by("-seq")
    out = []
    for event in events:
        before = STATE_STATUS.get(event.from_state) if event.from_state else None
        after = STATE_STATUS.get(event.to_state) if event.to_state else None
        if event.action in _APPLICANT_EVENT_KINDS or (after is not None and after != before):
            out.append(event)
    return out


# --------------------------------------------------------------------------------------------------
# Public tracking (tra cứu hồ sơ)
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicStep:
    name: str
    unit_name: str
    started_at: datetime
    due_at: datetime | None
    finished_at: datetime | None
    status_label: str
    outcome: str
    outcome_label: str


@dataclass(frozen=True)
class PublicDossierView:
    """What anyone with the code may see; ``verified`` adds the applicant's initials and supplement items."""

    code: str
    status: int
    status_label: str
    procedure_code: str
    procedure_name: str
    submitted_at: datetime
    received_at: datetime | None
    appointed_at: datetime | None
    finished_at: datetime | None
    returned_at: datetime | None
    current_unit_name: str
    outcome: str
    outcome_label: str
    overdue: bool
    steps: list[PublicStep]
    verified: bool
    applicant_initials: str | None = None
    supplement_items: list[dict[str, Any]] | None = None
    reason: str | None = None


def _verifier_matches(d: Dossier, verifier: str | None) -> bool:
    """The last 4 digits of the applicant's phone or ID number (constant-time comparison)."""
    given = "".join(ch for ch in (verifier or "") if ch.isdigit())
    if len(given) != 4:
        return False
    matched = False
    for secret in (d.applicant_phone, d.applicant_id_number):
        digits = "".join(ch for ch in secret if ch.isdigit())
        if len(digits) >= 4 and hmac.compare_digest(digits[-4:], given):
            matched = True
    return matched


def dossier_public_view(*, code: str, verifier: str | None = None) -> PublicDossierView | None:
    """Public tracking by code — tra cứu tiến độ hồ sơ: status, procedure, dates, step units and outcomes.

    Never officials' names or any personal data; with ``verifier`` (last 4 digits of the applicant's
    phone or ID) also the applicant's initials, the supplement items requested and the reason of a
    refusal/stop. None for an unknown code.
    """
    try:  # ``get``: no ORDER BY to compile (see ``dossier_get_for_official``)
        d = (
            Dossier.objects.select_related("procedure", "current_unit")
            .filter(code=(code or "").strip())
            .get()
        )
    except Dossier.DoesNotExist:
        return None
    steps = [
        PublicStep(
            name=step.name,
            unit_name=step.unit.name,
            started_at=step.started_at,
            due_at=step.due_at,
            finished_at=step.finished_at,
            status_label=str(StepStatus(step.status).label),
            outcome=step.outcome,
            outcome_label=str(Outcome(step.outcome).label) if step.outcome else "",
        )
        for step in DossierStep.objects.filter(dossier=d).select_related("unit").order_by("seq")
    ]
    verified = _verifier_matches(d, verifier)
    supplement_items = None
    if verified:
        open_pause = d.pauses.filter(reason=PauseReason.SUPPLEMENT, ended_at__isnull=True).first()
        supplement_items = list(open_pause.items) if open_pause else []
    now = timezone.now()
    return PublicDossierView(
        code=d.code,
        status=d.status,
        status_label=str(DvcqgStatus(d.status).label),
        procedure_code=d.procedure.code,
        procedure_name=d.procedure.name,
        submitted_at=d.submitted_at,
        received_at=d.received_at,
        appointed_at=d.due_at,
        finished_at=d.finished_at,
        returned_at=d.returned_at,
        current_unit_name=d.current_unit.name,
        outcome=d.outcome,
        outcome_label=str(Outcome(d.outcome).label) if d.outcome else "",
        overdue=deadlines.is_overdue(state=d.state, now=now, due_at=d.due_at),
        steps=steps,
        verified=verified,
        applicant_initials=rules.initials(d.applicant_name) if verified else None,
        supplement_items=supplement_items,
        reason=(d.state_reason or None) if verified else None,
    )


# --------------------------------------------------------------------------------------------------
# Counts
# --------------------------------------------------------------------------------------------------


def _open_count_aggregates() -> dict[str, Any]:
    """The counts of the unit pages, as aggregates over open dossiers: total, due soon, overdue,
    without an assignee, and one per internal state."""
    now = timezone.now()
    threshold = deadlines.due_soon_threshold(now=now)
    aggregates: dict[str, Any] = {
        "total": Count("pk"),
        "due_soon": Count("pk", filter=deadlines.due_soon_q(now=now, threshold=threshold)),
        "overdue": Count("pk", filter=deadlines.overdue_q(now=now)),
        "unassigned": Count("pk", filter=Q(current_assignee__isnull=True)),
    }
    for state in sorted(OPEN_STATES):
        aggregates[state] = Count("pk", filter=Q(state=state))
    return aggregates


def unit_dossier_counts(*, unit: Unit) -> dict[str, int]:
    """Open dossiers now at ``unit``: total, per internal state, due soon and overdue — one query."""
    result = Dossier.objects.filter(is_open=True, current_unit=unit).aggregate(**_open_count_aggregates())
    return {key: int(value or 0) for key, value in result.items()}


@dataclass(frozen=True)
class UnitsDossierCounts:
    """Open dossiers over several units: the sums, and the counts of each unit that has any."""

    total: dict[str, int]
    # (unit id, its counts), most open dossiers first; units without an open dossier are left out.
    by_unit: list[tuple[int, dict[str, int]]]


def units_dossier_counts(*, units: QuerySet[Unit]) -> UnitsDossierCounts:
    """Open dossiers now at any of ``units`` (a lazy queryset, used as a subquery) — one query.

    The province-wide overview of an overseer (report viewer, province admin): the sums over every unit
    they reach and the units where dossiers are, so the page opens on what is happening, not on one unit.
    """
    aggregates = _open_count_aggregates()
    rows = (
        Dossier.objects.filter(is_open=True, current_unit__in=units.values("pk"))
        .values("current_unit_id")
        .annotate(**aggregates)
        .order_by("-total", "current_unit_id")
    )
    by_unit = [
        (row.pop("current_unit_id"), {key: int(value or 0) for key, value in row.items()}) for row in rows
    ]
    total = {key: sum(counts[key] for _, counts in by_unit) for key in aggregates}
    return UnitsDossierCounts(total=total, by_unit=by_unit)


__all__: Sequence[str] = [
    "DOSSIER_RELATED",
    "PAUSED_STATES",
    "DueExplanationView",
    "PublicDossierView",
    "PublicStep",
    "QueueItem",
    "QueuePage",
    "Timeline",
    "UnitsDossierCounts",
    "dossier_allowed_actions",
    "dossier_applicant_events",
    "dossier_due_explanation",
    "dossier_flags",
    "dossier_get_for_applicant",
    "dossier_get_for_official",
    "dossier_get_visible",
    "dossier_list_for_applicant",
    "dossier_public_view",
    "dossier_queue",
    "dossier_queue_counts",
    "dossier_relations_attach",
    "dossier_route_competent_unit",
    "dossier_rows_seed",
    "dossier_search_q",
    "dossier_timeline",
    "dossier_units_attach",
    "procedure_for_receipt",
    "supplement_request_open",
    "unit_by_id",
    "unit_dossier_counts",
    "unit_for_receipt",
    "units_dossier_counts",
]


def dossier_get(*, dossier_id: int) -> Dossier | None:
    """One dossier with its procedure and units joined: for extensions reacting to its events."""
    return Dossier.objects.select_related(*DOSSIER_RELATED).filter(pk=dossier_id).first()
