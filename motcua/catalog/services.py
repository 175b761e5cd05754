"""Catalogue writes: the import of ``data/catalog``, procedure versioning, internal process definitions.

Import (``catalog_import``) runs in two phases. Phase 1 reads and validates every source row and
collects every problem with its file and line (JSON Lines) or JSON path (detailed records); nothing is
written if a single row is bad, unless ``skip_invalid`` is set. Phase 2 writes all valid rows in one
transaction with bulk statements, comparing a sha256 of each row's canonical content with what was
last imported, so an unchanged catalogue costs a handful of queries (``make run`` imports on every
start).

Decisions on the data's quirks (data/catalog/README.md):

* Name-only rows (no detailed record) carry no competent level. They stay blank, except ``vertical``
  rows (police, tax, social insurance… handled by a central vertical sector, not by the province),
  which get ``Level.CENTRAL``. A detailed record's level always wins: 1.004194 is vertical, yet its
  detailed record says commune (commune police).
* When a code has both a JSON Lines row and a detailed record, the detailed record gives the content
  (name as written in the source, field, level, time, documents, fees…) and the row gives popularity,
  audience and the vertical flag. Detailed codes missing from the list (8 of them) are imported with
  popularity 0 and no audience.
* A processing time with an amount but no unit (only 1.001193: "1 ngày … sau 15 giờ thì trả kết quả
  trong ngày làm việc tiếp theo") is read as working days when the wording speaks of "ngày làm việc"
  anywhere, else as calendar days — the usual legal reading of a bare "ngày". The original wording
  stays in ``processing_time_text``; the import report lists every such inference.
* ``hours`` in the data are clock hours (child-protection emergency) → ``TimeUnit.HOURS``; they are
  never converted to working time. Working days and working hours convert at
  ``settings.WORKTIME["HOURS_PER_DAY"]`` (8).
* Popularity is a nationwide usage metric, not content: it is not part of the content hash, so a
  popularity refresh updates the column in place (counted as ``refreshed``) without a new version.
* A code with any invalid source (bad JSON Lines row, bad detailed file, duplicated code) is skipped
  as a whole under ``skip_invalid``: importing half of it would overwrite good stored data with less.
* Procedures missing from a later import are left as they are (not deactivated): with
  ``skip_invalid`` a bad row would otherwise switch off a procedure in use.

Internal processes: see ``process_definition_from_data`` (actor keyword rules) and
``process_definition_derive`` (the default five steps of DESIGN §3 and their budget rules).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Final, TypeVar

from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from tqdm import tqdm

from motcua.catalog.models import (
    Field,
    Level,
    Procedure,
    ProcedureDocument,
    ProcedureFee,
    ProcedureVersion,
    ProcessDefinition,
    ProcessSource,
    ProcessStep,
    ServiceLevel,
    TimeUnit,
)
from motcua.catalog.search import index_invalidate
from motcua.core.services import reference_data_changed
from motcua.core.text import fold, nfc
from motcua.org.models import Role, UnitKind
from motcua.worktime.calendar import WorkTimeError, validate_amount
from motcua.worktime.selectors import get_schedule

logger = logging.getLogger(__name__)

__all__ = [
    "NOT_COUNTED",
    "Budget",
    "BudgetProblem",
    "BudgetUnitError",
    "CatalogValidationError",
    "ImportReport",
    "Problem",
    "ProcessDefinitionError",
    "ProcessSpec",
    "StepSpec",
    "budget_engine_error",
    "budget_problems_text",
    "catalog_import",
    "field_get_or_create",
    "procedure_content",
    "procedure_content_hash",
    "procedure_normalise",
    "procedure_update",
    "procedure_version_record",
    "process_actor_map",
    "process_definition_activate",
    "process_definition_build",
    "process_definition_derive",
    "process_definition_draft_create",
    "process_definition_from_data",
    "process_definition_is_draft",
    "process_definition_validate",
    "process_step_budgets_sum",
]

NOT_COUNTED: Final = "not_counted"
JSONL_NAME: Final = "procedures.jsonl"
DETAILED_DIR: Final = "detailed"
FIELDS_NAME: Final = "fields.json"

CODE_RE: Final = re.compile(r"\d\.\d{6}")
_MAX_AMOUNT: Final = Decimal("999999.99")  # DecimalField(max_digits=8, decimal_places=2)
_DATA_UNITS: Final = frozenset(TimeUnit.values)
_STEP_UNITS: Final = frozenset({*TimeUnit.values, NOT_COUNTED})
_WORKING_UNITS: Final = frozenset({TimeUnit.WORKING_DAYS, TimeUnit.WORKING_HOURS})
_BULK_BATCH: Final = 500
_IMPORT_LOCK_KEY: Final = 0x6D6F74637561  # "motcua": advisory lock id of the catalogue import


def _hours_per_day() -> Decimal:
    # The validated schedule (cached per process, reset when the WORKTIME setting changes).
    return get_schedule().hours_per_day


# ---------------------------------------------------------------------------------------------------
# Problems and the report
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One invalid value: where it is (file + line or JSON path) and what is wrong, in Vietnamese."""

    file: str
    message: str
    line: int | None = None
    path: str = ""
    code: str = ""

    @property
    def location(self) -> str:
        if self.line is not None:
            return f"{self.file}:{self.line}"
        return f"{self.file} {self.path}".rstrip()

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class CatalogValidationError(Exception):
    """The catalogue data has invalid rows; nothing was imported."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        rows = len({(p.file, p.line) for p in self.problems})
        super().__init__(
            f"Dữ liệu danh mục có {len(self.problems)} lỗi ở {rows} dòng/tệp; không nhập gì "
            f"(catalogue data has {len(self.problems)} problems; nothing imported)"
        )


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refreshed: int = 0  # popularity-only changes: no new version
    invalid: int = 0  # invalid source rows/files (skipped under skip_invalid)
    skipped_codes: list[str] = field(default_factory=list)
    fields_created: int = 0
    processes_created: int = 0
    processes_unchanged: int = 0
    processes_kept_manual: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    @property
    def changed(self) -> bool:
        return bool(
            self.created or self.updated or self.refreshed or self.fields_created or self.processes_created
        )

    def __str__(self) -> str:
        return (
            f"{self.total} thủ tục: {self.created} mới, {self.updated} cập nhật, {self.unchanged} không đổi, "
            f"{self.invalid} lỗi bỏ qua; {self.fields_created} lĩnh vực mới; "
            f"{self.processes_created} quy trình mới ({self.seconds:.2f} s)"
        )


# ---------------------------------------------------------------------------------------------------
# Small value types shared by the process functions
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Budget:
    """A time amount: ``amount`` None with a unit other than same_day means unknown."""

    amount: Decimal | None
    unit: str


@dataclass(frozen=True)
class BudgetProblem:
    """A process inconsistency; ``step`` is the 0-based step index, None for the process as a whole."""

    step: int | None
    message: str


@dataclass(frozen=True)
class StepSpec:
    name: str
    actor_unit_kind: str
    actor_role: str
    duration_amount: Decimal | None
    duration_unit: str
    actor_text: str = ""
    task: str = ""

    @property
    def budget(self) -> Budget:
        return Budget(self.duration_amount, self.duration_unit)


@dataclass(frozen=True)
class ProcessSpec:
    """Content of one process version, before it is stored."""

    source: str
    total_amount: Decimal | None
    total_unit: str
    steps: tuple[StepSpec, ...]

    def content(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "total_amount": _dec_str(self.total_amount),
            "total_unit": self.total_unit,
            "steps": [
                {
                    "name": s.name,
                    "actor_text": s.actor_text,
                    "actor_unit_kind": s.actor_unit_kind,
                    "actor_role": s.actor_role,
                    "duration_amount": _dec_str(s.duration_amount),
                    "duration_unit": s.duration_unit,
                    "task": s.task,
                }
                for s in self.steps
            ],
        }

    @cached_property
    def content_hash(self) -> str:
        return _hash(self.content())

    def problems(self) -> list[BudgetProblem]:
        """``process_definition_validate`` of this process: its step budgets against its total."""
        return process_definition_validate(
            total=Budget(self.total_amount, self.total_unit) if self.total_unit else None,
            budgets=[s.budget for s in self.steps],
        )


def _dec_str(value: Decimal | None) -> str | None:
    # Canonical text of a decimal, so 25, 25.0 and Decimal("25.00") from the database hash the same.
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def _hash(content: Mapping[str, Any]) -> str:
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------------------
# Budgets: sum and validation (pure)
# ---------------------------------------------------------------------------------------------------


class BudgetUnitError(ValueError):
    """A budget unit that cannot be expressed in the unit of the total."""


def _convert(amount: Decimal, unit: str, target: str) -> Decimal:
    if unit == target:
        return amount
    if unit in _WORKING_UNITS and target in _WORKING_UNITS:
        if target == TimeUnit.WORKING_HOURS:
            return amount * _hours_per_day()
        return amount / _hours_per_day()
    raise BudgetUnitError(f"không quy đổi được {unit} sang {target} (cannot convert {unit} to {target})")


def process_step_budgets_sum(*, budgets: Iterable[Budget], unit: str) -> Decimal | None:
    """Sum of the counted budgets expressed in ``unit``; not_counted steps are left out.

    Working days and working hours convert at ``WORKTIME["HOURS_PER_DAY"]``; any other mix raises
    ``BudgetUnitError``. None when a counted budget is unknown (amount None), or for same-day
    processes, whose steps all end with the day and have no amount to add.
    """
    total = Decimal(0)
    unknown = False
    for budget in budgets:
        if budget.unit == NOT_COUNTED:
            continue
        if budget.unit == TimeUnit.SAME_DAY or unit == TimeUnit.SAME_DAY:
            if budget.unit != unit:
                raise BudgetUnitError(
                    f"không quy đổi được {budget.unit or '?'} sang {unit} "
                    f"(cannot convert {budget.unit or '?'} to {unit})"
                )
            unknown = True
            continue
        if budget.amount is None or budget.unit == "":
            unknown = True
            continue
        total += _convert(budget.amount, budget.unit, unit)
    return None if unknown else total


def budget_engine_error(budget: Budget) -> str | None:
    """Why the worktime engine (``add_working_time``) would reject ``budget``; None if it accepts it.

    Only known, counted budgets are checked: not_counted steps, a blank unit and a missing amount
    (other than same_day) are "no budget", never handed to the engine. E.g. calendar days must be
    whole (0.5 calendar days is rejected), same_day takes no amount.
    """
    if budget.unit in ("", NOT_COUNTED) or budget.unit not in _DATA_UNITS:
        return None
    if budget.amount is None and budget.unit != TimeUnit.SAME_DAY:
        return None
    try:
        validate_amount(budget.amount, TimeUnit(budget.unit), hours_per_day=_hours_per_day())
    except WorkTimeError as exc:
        return exc.message
    return None


def process_definition_validate(*, total: Budget | None, budgets: Sequence[Budget]) -> list[BudgetProblem]:
    """Check one process: sane budgets, and counted budgets summing exactly to the statutory time.

    Pure (no database) so that the import, the admin and tests share it. ``total`` None or with a None
    amount (other than same_day) means the procedure publishes no time: then only the budgets' own
    sanity is checked. Every budget, and the total, must also be one the worktime engine accepts for
    its unit (``budget_engine_error``): a dossier on the process computes its deadlines with it.
    """
    problems: list[BudgetProblem] = []
    if not budgets:
        return [BudgetProblem(None, "Quy trình không có bước nào (process has no steps)")]
    total_error = budget_engine_error(total) if total is not None else None
    if total_error is not None:
        problems.append(
            BudgetProblem(None, f"Thời hạn không tính được (rejected by the worktime engine): {total_error}")
        )
    for index, budget in enumerate(budgets):
        if budget.unit not in _STEP_UNITS and budget.unit != "":
            problems.append(
                BudgetProblem(index, f"Đơn vị thời gian không hợp lệ (unknown unit): {budget.unit!r}")
            )
        elif budget.amount is not None and budget.amount < 0:
            problems.append(BudgetProblem(index, f"Thời gian âm (negative budget): {budget.amount}"))
        elif budget.unit == NOT_COUNTED and budget.amount not in (None, Decimal(0)):
            problems.append(
                BudgetProblem(
                    index, "Bước không tính thời gian phải có thời lượng 0 (not_counted step must be 0)"
                )
            )
        elif budget.unit == TimeUnit.SAME_DAY and budget.amount is not None:
            problems.append(
                BudgetProblem(index, "Bước 'trong ngày' không có số lượng (same_day has no amount)")
            )
        elif (error := budget_engine_error(budget)) is not None:
            problems.append(
                BudgetProblem(
                    index, f"Thời gian của bước không tính được (rejected by the worktime engine): {error}"
                )
            )
    if problems:
        return problems
    known_total = (
        total is not None and total.unit != "" and (total.amount is not None or total.unit == "same_day")
    )
    if not known_total:
        return problems
    assert total is not None
    for index, budget in enumerate(budgets):
        if budget.unit == NOT_COUNTED:
            continue
        if budget.unit == "":
            problems.append(BudgetProblem(index, "Thiếu đơn vị thời gian của bước (missing unit)"))
            continue
        try:
            process_step_budgets_sum(budgets=[budget], unit=total.unit)
        except BudgetUnitError as exc:
            problems.append(BudgetProblem(index, f"Đơn vị của bước khác đơn vị thời hạn: {exc}"))
            continue
        if total.unit != TimeUnit.SAME_DAY and budget.amount is None:
            problems.append(BudgetProblem(index, "Thiếu thời gian của bước (missing budget)"))
    if problems or total.unit == TimeUnit.SAME_DAY:
        return problems
    # Compare in hours when working days and working hours mix: exact, no division.
    unit = TimeUnit.WORKING_HOURS if total.unit in _WORKING_UNITS else total.unit
    counted = process_step_budgets_sum(budgets=budgets, unit=unit)
    assert total.amount is not None
    expected = _convert(total.amount, total.unit, unit)
    if counted != expected:
        shown = _dec_str(process_step_budgets_sum(budgets=budgets, unit=total.unit))
        problems.append(
            BudgetProblem(
                None,
                f"Tổng thời gian các bước {shown} {total.unit} khác thời hạn giải quyết "
                f"{_dec_str(total.amount)} {total.unit} (step budgets do not sum to the statutory time)",
            )
        )
    return problems


# ---------------------------------------------------------------------------------------------------
# Actors: who does a step of an approved process (keyword rules on the accent-folded actor text)
# ---------------------------------------------------------------------------------------------------

# Person words beat organisation words: "Lãnh đạo Trung tâm" is a leader, not the reception desk.
_ACTOR_ROLE_RULES: Final[tuple[tuple[re.Pattern[str], Role], ...]] = (
    (
        re.compile(
            r"\b(can bo|cong chuc|chuyen vien|vien chuc) (tiep nhan|mot cua)"
            r"|bo phan (tiep nhan|mot cua)|noi tiep nhan"
        ),
        Role.RECEPTION,
    ),
    (re.compile(r"\bvan thu\b"), Role.CLERK),
    (re.compile(r"lanh dao phong|\b(pho )?truong phong\b|\bchi huy\b"), Role.DIVISION_HEAD),
    (re.compile(r"lanh dao|chu tich|nguoi dung dau|giam doc|thu truong"), Role.LEADER),
    (re.compile(r"chuyen vien|cong chuc|vien chuc|\bcan bo\b|nguoi lam cong tac|nhan vien"), Role.SPECIALIST),
    (re.compile(r"\bttpvhcc\b|trung tam (phuc vu hanh chinh cong|pvhcc)"), Role.RECEPTION),
)
_CENTRE: Final = re.compile(
    r"\bttpvhcc\b|trung tam (phuc vu hanh chinh cong|pvhcc)|bo phan (tiep nhan|mot cua)"
)
# Actor texts naming only an organisation ("Sở Nội vụ", "UBND tỉnh") say what they do in the task.
_TASK_ROLE_RULES: Final[tuple[tuple[re.Pattern[str], Role], ...]] = (
    (re.compile(r"phe duyet|quyet dinh|ky duyet"), Role.LEADER),
    (re.compile(r"vao so|dong dau|phat hanh"), Role.CLERK),
    (re.compile(r"tra ket qua|tiep nhan ho so"), Role.RECEPTION),
    (re.compile(r"phan cong"), Role.DIVISION_HEAD),
)
# On lower-case NFC text: folding would make "xã hội" (society) look like "xã" (commune), and
# "cơ sở" (a facility) is no "Sở" (department).
_PROVINCE_MARK: Final = re.compile(r"\btỉnh\b|(?<!cơ )\bsở\b")
_COMMUNE_MARK: Final = re.compile(r"\bxã\b(?!\s*hội)|\bphường\b|\bđặc khu\b")
_PROVINCE_COMMITTEE: Final = re.compile(r"\b(ubnd|uy ban nhan dan) tinh\b")
_PARENTHESES: Final = re.compile(r"\([^)]*\)")


def _actor_role(actor: str, task: str) -> Role:
    head = fold(_PARENTHESES.sub(" ", actor))
    for pattern, role in _ACTOR_ROLE_RULES:
        if pattern.search(head):
            return role
    folded_task = fold(task)
    for pattern, role in _TASK_ROLE_RULES:
        if pattern.search(folded_task):
            return role
    return Role.SPECIALIST


def _actor_is_province(actor: str, step_label: str, level: str) -> bool:
    label = step_label.lower()
    if "cấp xã" in label:
        return False
    if "cấp tỉnh" in label:
        return True
    text = nfc(actor).lower()
    province, commune = bool(_PROVINCE_MARK.search(text)), bool(_COMMUNE_MARK.search(text))
    if province != commune:
        return province
    # Both or neither named: the procedure's level decides. "both" goes to the commune side, where
    # most such dossiers are received and handled since the two-tier reform.
    return level not in (Level.COMMUNE, Level.BOTH)


def process_actor_map(
    *, actor: str, task: str = "", step_label: str = "", level: str = ""
) -> tuple[str, str]:
    """(actor_unit_kind, actor_role) for one step of an approved process, by documented keyword rules.

    Role, from the actor text without its parentheses, first rule wins:
    "Cán bộ/Bộ phận tiếp nhận, một cửa", "Nơi tiếp nhận" → RECEPTION; "Văn thư" → CLERK;
    "Lãnh đạo Phòng", "Trưởng phòng", "Chỉ huy" → DIVISION_HEAD; "Lãnh đạo (UBND, Sở…)", "Chủ tịch",
    "Người đứng đầu", "Giám đốc" → LEADER; "Chuyên viên", "Công chức", "Viên chức", "Cán bộ" →
    SPECIALIST; "TTPVHCC", "Trung tâm Phục vụ hành chính công/PVHCC" → RECEPTION. An actor naming only
    an organisation is read from the task: "phê duyệt/quyết định/ký duyệt" → LEADER, "vào sổ/đóng
    dấu/phát hành" → CLERK, "trả kết quả" → RECEPTION, "phân công" → DIVISION_HEAD, else SPECIALIST.

    Unit kind: province or commune from the step label "(cấp tỉnh)/(cấp xã)", else from the actor text
    ("tỉnh", "Sở" vs "xã", "phường", "đặc khu" — not "xã hội"), else from the procedure level. Reception,
    and anyone the actor text places in the centre ("Lãnh đạo Trung tâm PVHCC"), works at a service
    centre (PROVINCE_CENTRE / COMMUNE_CENTRE); other roles at the commune People's Committee, the
    provincial People's Committee ("UBND tỉnh") or a department (Sở).
    """
    role = _actor_role(actor, task)
    province = _actor_is_province(actor, step_label, level)
    if role == Role.RECEPTION or _CENTRE.search(fold(_PARENTHESES.sub(" ", actor))):
        kind = UnitKind.PROVINCE_CENTRE if province else UnitKind.COMMUNE_CENTRE
    elif not province:
        kind = UnitKind.COMMUNE_COMMITTEE
    elif _PROVINCE_COMMITTEE.search(fold(actor)):
        kind = UnitKind.PROVINCE_COMMITTEE
    else:
        kind = UnitKind.DEPARTMENT
    return str(kind), str(role)


def process_definition_from_data(
    *, level: str, total: Budget | None, steps: Sequence[Mapping[str, Any]]
) -> ProcessSpec:
    """Spec of an approved process given in the data: ``[{step, actor, duration: {amount, unit}, task}]``.

    The input must already be validated (``process_definition_validate``); units are kept as given.
    """
    specs = []
    for raw in steps:
        duration = raw["duration"]
        label, actor, task = nfc(raw.get("step") or ""), nfc(raw["actor"]), nfc(raw.get("task") or "")
        kind, role = process_actor_map(actor=actor, task=task, step_label=label, level=level)
        specs.append(
            StepSpec(
                name=label[:200],
                actor_text=actor,
                actor_unit_kind=kind,
                actor_role=role,
                duration_amount=_to_decimal(duration.get("amount")),
                duration_unit=duration["unit"],
                task=task,
            )
        )
    return ProcessSpec(
        source=ProcessSource.DATA,
        total_amount=total.amount if total else None,
        total_unit=total.unit if total else "",
        steps=tuple(specs),
    )


# ---------------------------------------------------------------------------------------------------
# The default five-step process (DESIGN §3)
# ---------------------------------------------------------------------------------------------------

_DERIVED_STEPS: Final = (
    (
        "Tiếp nhận hồ sơ",
        Role.RECEPTION,
        "Tiếp nhận, kiểm tra, số hóa hồ sơ; lập phiếu tiếp nhận và hẹn trả kết quả",
    ),
    ("Thẩm định", Role.SPECIALIST, "Thẩm định hồ sơ, dự thảo kết quả, trình phê duyệt"),
    ("Phê duyệt", Role.LEADER, "Xem xét, phê duyệt kết quả giải quyết"),
    ("Ký số", Role.CLERK, "Ký số, đóng dấu (chữ ký số của cơ quan), vào sổ, phát hành kết quả"),
    ("Trả kết quả", Role.RECEPTION, "Trả kết quả cho tổ chức, cá nhân (kho dữ liệu, Cổng DVCQG, bưu chính)"),
)
# Shares of receive : appraise : approve : sign for totals too short for the fixed day rule.
_SHARES: Final = (Decimal(1), Decimal(4), Decimal(2), Decimal(1))
_SHARES_TOTAL: Final = sum(_SHARES)


def _split(total: Decimal, quantum: Decimal) -> list[Decimal]:
    # Floor every share but the appraisal to the quantum; the appraisal absorbs the remainder, so the
    # sum is exact and nothing is negative.
    def share(weight: Decimal) -> Decimal:
        return (total * weight / _SHARES_TOTAL / quantum).to_integral_value(rounding=ROUND_FLOOR) * quantum

    receive, approve, sign = share(_SHARES[0]), share(_SHARES[2]), share(_SHARES[3])
    return [receive, total - receive - approve - sign, approve, sign]


def _day_rule(total: Decimal) -> list[Decimal]:
    # DESIGN §3 example: receive 0.5 → appraise → approve 1 → sign 0.5.
    if total >= 3:
        return [Decimal("0.5"), total - 2, Decimal(1), Decimal("0.5")]
    return [Decimal("0.25"), total - 1, Decimal("0.5"), Decimal("0.25")]


def _calendar_day_rule(total: Decimal) -> list[Decimal]:
    # The engine counts calendar days only whole: one day each to appraise, approve, receive and sign,
    # in that order, while the total lasts; the appraisal takes the rest (a fraction only when the
    # total itself is fractional, which validation rejects).
    days = [Decimal(0)] * 4  # receive, appraise, approve, sign
    left = total
    for index in (1, 2, 0, 3):
        if left >= 1:
            days[index] = Decimal(1)
            left -= 1
    days[1] += left
    return days


def _derived_budgets(total: Budget | None) -> tuple[list[Budget], Budget | None]:
    """Budgets of the four counted steps, and the normalised total (None when unknown)."""
    unknown = [Budget(None, "")] * 4
    if total is None or total.unit == "":
        return unknown, None
    if total.unit == TimeUnit.SAME_DAY:
        return [Budget(None, TimeUnit.SAME_DAY)] * 4, total
    if total.amount is None:
        return unknown, None
    amount, unit = total.amount, total.unit
    if unit in _WORKING_UNITS:
        hours = _convert(amount, unit, TimeUnit.WORKING_HOURS)
        if hours >= 2 * _hours_per_day():
            days = _day_rule(hours / _hours_per_day())
            return [Budget(_convert(d, TimeUnit.WORKING_DAYS, unit), unit) for d in days], total
        # Under two working days a quarter-day grain is too coarse: split in working hours.
        return [Budget(h, TimeUnit.WORKING_HOURS) for h in _split(hours, Decimal("0.25"))], total
    if unit == TimeUnit.CALENDAR_DAYS:
        return [Budget(d, unit) for d in _calendar_day_rule(amount)], total
    # Clock hours (emergencies): proportional, quarter-hour grain.
    return [Budget(h, unit) for h in _split(amount, Decimal("0.25"))], total


def process_definition_derive(*, level: str, total: Budget | None) -> ProcessSpec:
    """The default five-step process of DESIGN §3 for a procedure without an approved one.

    Budget rules (the four counted budgets always sum exactly to the statutory time; none negative):

    * working time of at least 3 working days: receive 0.5, approve 1, sign 0.5, appraise the rest
      (3 → 0.5/1/1/0.5, 15 → 0.5/13/1/0.5); from 2 to under 3 days: 0.25, rest, 0.5, 0.25;
    * under 2 working days, and working-hour totals under 16 h: split in working hours 1 : 4 : 2 : 1,
      floored to a quarter hour, appraisal taking the rest (1 day → 1/4/2/1 h, 0.5 day → 0.5/2/1/0.5 h);
    * calendar days: whole days only, because the worktime engine counts calendar days only whole
      (``add_working_time`` rejects 0.5 calendar days) — receive 1, approve 1, sign 1, appraise
      the rest (15 → 1/12/1/1, 4 → 1/1/1/1); under 4 days the steps get one day each in the order
      appraise, approve, receive, sign and the others 0, i.e. due as soon as they start (3 → 1/1/1/0,
      2 → 0/1/1/0, 1 → 0/1/0/0). Short steps are not turned into working hours: those do not convert
      to calendar days, so the budgets could no longer be checked against the statutory time;
    * clock hours: 1 : 4 : 2 : 1 on a quarter-hour grain (12 h → 1.5/6/3/1.5);
    * same day: every counted step is "same_day" with no amount — they all end with the day;
    * no published time: null budgets, unit blank, and the process total blank (``budgets_known``).

    Every derived budget of a total the engine accepts is accepted by the engine for its unit
    (``budget_engine_error``); ``process_definition_validate`` rejects any that is not.

    The return step is "not_counted" (0), as in the approved processes: the result is due when the
    statutory time ends; handing it over is not part of it.

    Actors follow the procedure level: commune and both → commune centre + commune People's
    Committee; province, central and unknown → provincial centre + department.
    """
    # Most of the catalogue shares a handful of (level, time) pairs: derive each once.
    return _derive(level, total, _hours_per_day())


@lru_cache(maxsize=512)
def _derive(level: str, total: Budget | None, hours_per_day: Decimal) -> ProcessSpec:
    # hours_per_day only keys the cache: a changed WORKTIME setting must not reuse old splits.
    budgets, normalised = _derived_budgets(total)
    province = level not in (Level.COMMUNE, Level.BOTH)
    centre = UnitKind.PROVINCE_CENTRE if province else UnitKind.COMMUNE_CENTRE
    office = UnitKind.DEPARTMENT if province else UnitKind.COMMUNE_COMMITTEE
    steps = []
    for index, (name, role, task) in enumerate(_DERIVED_STEPS):
        budget = budgets[index] if index < 4 else Budget(Decimal(0), NOT_COUNTED)
        if budget.amount == 0 and budget.unit != NOT_COUNTED:
            # A share that rounds to nothing (1 calendar day has no room for receipt and signing)
            # is "không tính thời gian": a zero deadline would mark the step late however fast it is.
            budget = Budget(Decimal(0), NOT_COUNTED)
        kind = centre if role == Role.RECEPTION else office
        steps.append(
            StepSpec(
                name=name,
                actor_unit_kind=str(kind),
                actor_role=str(role),
                duration_amount=budget.amount,
                duration_unit=budget.unit,
                task=task,
            )
        )
    return ProcessSpec(
        source=ProcessSource.DERIVED,
        total_amount=normalised.amount if normalised else None,
        total_unit=normalised.unit if normalised else "",
        steps=tuple(steps),
    )


# ---------------------------------------------------------------------------------------------------
# Process definitions: storage and versioning
# ---------------------------------------------------------------------------------------------------


_M = TypeVar("_M", bound=models.Model)


def _objects_insert(model: type[_M], objs: Sequence[_M]) -> None:
    """Insert many new rows without the ORM's per-row SQL compilation; primary keys are not set.

    The values are prepared exactly as the ORM would (``pre_save`` fills auto_now fields,
    ``get_db_prep_save`` adapts JSON and decimals), then sent with COPY on PostgreSQL — the ORM's
    bulk insert there sends one array per column that psycopg quotes element by element in Python —
    and with one ``executemany`` elsewhere. A full import spends most of its time here.
    """
    if not objs:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    table, names = quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    rows = ([f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields] for obj in objs)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", list(rows))


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


def _process_definitions_sync(
    specs: Mapping[int, ProcessSpec], report: ImportReport | None = None
) -> list[int]:
    """Store the given specs (by procedure id) as new current versions where their content changed.

    A stored version is never edited: a change retires the current version (``is_current=False``) and
    adds the next number. A current MANUAL version (edited in the admin) is left alone. Returns the ids
    of the new definitions.
    """
    if not specs:
        return []
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
                if report is not None:
                    report.processes_kept_manual += 1
                continue
            if stored[1] == spec.content_hash:
                if report is not None:
                    report.processes_unchanged += 1
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
        for start in range(0, len(retire), _BULK_BATCH):
            ProcessDefinition.objects.filter(id__in=retire[start : start + _BULK_BATCH]).update(
                is_current=False
            )
    _objects_insert(ProcessDefinition, new_defs)
    new_pids = [d.procedure_id for d in new_defs]
    # The bulk insert returns no ids: the new definitions are the current ones of their procedures.
    fresh = ProcessDefinition.objects.filter(is_current=True)
    if len(new_pids) < 500:
        fresh = fresh.filter(procedure_id__in=new_pids)
    definition_ids = dict(fresh.values_list("procedure_id", "id")) if new_pids else {}
    _objects_insert(
        ProcessStep,
        [
            _process_step(step, process_id=definition_ids[pid], order=order)
            for pid, spec in zip(new_pids, new_specs, strict=True)
            for order, step in enumerate(spec.steps, start=1)
        ],
    )
    if report is not None:
        report.processes_created += len(new_defs)
    return [definition_ids[pid] for pid in new_pids]


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
    created = _process_definitions_sync({procedure.pk: spec})
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
def process_definition_draft_create(*, procedure: Procedure) -> ProcessDefinition:
    """Copy the current process into a new MANUAL draft version (not current) for editing in the admin.

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
    )
    ProcessStep.objects.bulk_create(
        _process_step(s, process_id=draft.pk, order=order) for order, s in enumerate(spec.steps, start=1)
    )
    return draft


def budget_problems_text(problems: Iterable[BudgetProblem]) -> str:
    """One line for people: ``bước 2: …; …`` (steps numbered from 1), process-wide problems unnumbered."""
    return "; ".join((f"bước {p.step + 1}: " if p.step is not None else "") + p.message for p in problems)


class ProcessDefinitionError(ValueError):
    """A process whose budgets are inconsistent (see ``process_definition_validate``); nothing stored."""

    def __init__(self, problems: Sequence[BudgetProblem]) -> None:
        self.problems = list(problems)
        super().__init__(budget_problems_text(problems))


@transaction.atomic
def process_definition_activate(*, definition: ProcessDefinition) -> ProcessDefinition:
    """Make a draft the current version after checking its budgets against its total.

    Raises ``ProcessDefinitionError`` (nothing changed) when the budgets do not sum to the total, and
    ``ValueError`` for a version that is not a draft.
    """
    Procedure.objects.select_for_update().filter(pk=definition.procedure_id).first()
    definition.refresh_from_db()
    if not process_definition_is_draft(definition=definition):
        raise ValueError("Chỉ áp dụng được bản nháp (only a draft can be activated)")
    spec = _process_spec_of(definition)
    problems = spec.problems()
    if problems:
        raise ProcessDefinitionError(problems)
    ProcessDefinition.objects.filter(procedure_id=definition.procedure_id, is_current=True).update(
        is_current=False
    )
    definition.is_current = True
    definition.content_hash = spec.content_hash
    definition.save(update_fields=["is_current", "content_hash"])
    return definition


# ---------------------------------------------------------------------------------------------------
# Procedures: canonical content, versioning, edits
# ---------------------------------------------------------------------------------------------------

# Procedure columns that are part of the versioned content, in snapshot order.
_CONTENT_COLUMNS: Final = (
    "name",
    "level",
    "audience_citizen",
    "audience_business",
    "is_vertical",
    "competent_authority",
    "implementing_agency",
    "service_level",
    "processing_time_unit",
    "processing_time_text",
    "processing_time_extra",
    "steps",
    "result",
    "legal_basis",
    "notes",
    "sources",
    "has_details",
)


def _document_content(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": doc["name"],
        "copies": doc["copies"],
        "form_template": doc["form_template"],
        "required": doc["required"],
        "note": doc["note"],
    }


def _fee_content(fee: Mapping[str, Any]) -> dict[str, Any]:
    return {"name": fee["name"], "amount_vnd": fee["amount_vnd"], "note": fee["note"]}


def procedure_content(*, procedure: Procedure) -> dict[str, Any]:
    """Canonical content of a stored procedure: what is hashed and snapshotted at each version.

    Must equal the importer's content for the same data, so that the hashes compare.
    """
    content: dict[str, Any] = {
        "code": procedure.code,
        "field": procedure.field.name if procedure.field else "",
    }
    for column in _CONTENT_COLUMNS:
        content[column] = getattr(procedure, column)
    content["processing_time_amount"] = _dec_str(procedure.processing_time_amount)
    content["documents"] = [
        _document_content(
            {
                "name": d.name,
                "copies": d.copies,
                "form_template": d.form_template,
                "required": d.required,
                "note": d.note,
            }
        )
        for d in procedure.documents.order_by("order")
    ]
    content["fees"] = [
        _fee_content({"name": f.name, "amount_vnd": f.amount_vnd, "note": f.note})
        for f in procedure.fees.order_by("order")
    ]
    return content


def procedure_content_hash(*, procedure: Procedure) -> str:
    return _hash(procedure_content(procedure=procedure))


def _search_text(name: str, field_name: str) -> str:
    return fold(f"{name} {field_name}")


def procedure_normalise(*, procedure: Procedure) -> Procedure:
    """NFC-normalise the text columns and recompute ``search_text`` (before any save)."""
    for column in (
        "code",
        "name",
        "competent_authority",
        "implementing_agency",
        "processing_time_text",
        "result",
    ):
        setattr(procedure, column, nfc(getattr(procedure, column) or ""))
    for column in ("steps", "legal_basis", "notes", "sources"):
        value = getattr(procedure, column)
        if isinstance(value, list):
            setattr(procedure, column, [nfc(v) if isinstance(v, str) else v for v in value])
    procedure.search_text = _search_text(procedure.name, procedure.field.name if procedure.field else "")
    return procedure


@transaction.atomic
def procedure_version_record(*, procedure: Procedure, source: str = "") -> ProcedureVersion | None:
    """Snapshot the stored content as a new version if it differs from the last one.

    Call after the procedure and its documents and fees are saved (the admin calls it from
    ``save_related``). A change also re-derives the default process if the current one is derived
    (the time or level may have changed); an approved or manual process is kept.
    """
    locked = Procedure.objects.select_for_update().get(pk=procedure.pk)
    content = procedure_content(procedure=locked)
    content_hash = _hash(content)
    has_versions = locked.versions.exists()
    if content_hash == locked.content_hash and has_versions:
        return None
    number = locked.version + 1 if has_versions else locked.version
    field_name = locked.field.name if locked.field else ""
    Procedure.objects.filter(pk=locked.pk).update(
        version=number, content_hash=content_hash, search_text=_search_text(locked.name, field_name)
    )
    procedure.version, procedure.content_hash = number, content_hash
    reference_data_changed()  # the version number a new dossier records has changed
    version = ProcedureVersion.objects.create(
        procedure=locked, number=number, content_hash=content_hash, snapshot=content, source=source[:300]
    )
    current = ProcessDefinition.objects.filter(procedure=locked, is_current=True).first()
    if current is None or current.source == ProcessSource.DERIVED:
        locked.refresh_from_db()
        process_definition_build(procedure=locked)
    transaction.on_commit(index_invalidate)
    return version


_EDITABLE_COLUMNS: Final = frozenset(
    {*_CONTENT_COLUMNS, "field", "processing_time_amount", "is_active", "popularity"}
)


@transaction.atomic
def procedure_update(*, procedure: Procedure, data: Mapping[str, Any], source: str = "") -> Procedure:
    """Edit a procedure's own columns; a content change bumps the version and keeps a snapshot."""
    unknown = set(data) - _EDITABLE_COLUMNS
    if unknown:
        raise ValueError(f"Không sửa được (not editable): {', '.join(sorted(unknown))}")
    for column, value in data.items():
        setattr(procedure, column, value)
    procedure_normalise(procedure=procedure)
    procedure.full_clean(exclude=["content_hash", "imported_hash", "search_text"])
    procedure.save()
    procedure_version_record(procedure=procedure, source=source)
    return procedure


def field_get_or_create(*, name: str) -> Field:
    name = nfc(name)
    existing = Field.objects.filter(name=name).first()
    if existing is not None:
        return existing
    taken = set(Field.objects.values_list("code", flat=True))
    return Field.objects.create(name=name, code=_field_slug(name, taken))


def _field_slug(name: str, taken: set[str]) -> str:
    base = (slugify(fold(name)) or "linh-vuc")[:112]
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    taken.add(slug)
    return slug


# ---------------------------------------------------------------------------------------------------
# Import, phase 1: read and validate
# ---------------------------------------------------------------------------------------------------


def _to_decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value))


class _Checker:
    """Collects problems of one source (a JSON Lines row or a detailed file) with their location."""

    def __init__(self, file: str, *, line: int | None = None, code: str = "") -> None:
        self.file, self.line, self.code = file, line, code
        self.problems: list[Problem] = []

    def add(self, path: str, message: str) -> None:
        if self.line is not None:
            message = f"{path.removeprefix('$.')}: {message}" if path not in ("", "$") else message
            self.problems.append(Problem(self.file, message, line=self.line, code=self.code))
        else:
            self.problems.append(Problem(self.file, message, path=path or "$", code=self.code))

    def keys(
        self, obj: Mapping[str, Any], path: str, *, required: Iterable[str], optional: Iterable[str] = ()
    ) -> None:
        required = tuple(required)
        allowed = {*required, *optional}
        for key in required:
            if key not in obj:
                self.add(f"{path}.{key}", "thiếu trường bắt buộc (missing key)")
        for key in obj:
            if key not in allowed:
                self.add(f"{path}.{key}", "trường không được hỗ trợ (unknown key)")

    def text(
        self,
        obj: Mapping[str, Any],
        key: str,
        path: str,
        *,
        empty: bool = True,
        nullable: bool = False,
        max_length: int | None = None,
    ) -> str:
        value = obj.get(key)
        where = f"{path}.{key}"
        if value is None:
            if not nullable and key in obj:
                self.add(where, "không được để null (must not be null)")
            return ""
        if not isinstance(value, str):
            self.add(where, f"phải là chuỗi ký tự (must be a string), nhận {type(value).__name__}")
            return ""
        value = nfc(value)
        if not value and not empty:
            self.add(where, "không được để trống (must not be empty)")
        if max_length is not None and len(value) > max_length:
            self.add(where, f"dài quá {max_length} ký tự (longer than {max_length} characters)")
        return value

    def texts(self, obj: Mapping[str, Any], key: str, path: str) -> list[str]:
        value = obj.get(key, [])
        if not isinstance(value, list):
            self.add(f"{path}.{key}", "phải là danh sách (must be a list)")
            return []
        out = []
        for index, item in enumerate(value):
            if not isinstance(item, str):
                self.add(f"{path}.{key}[{index}]", "phải là chuỗi ký tự (must be a string)")
            else:
                out.append(nfc(item))
        return out

    def boolean(self, obj: Mapping[str, Any], key: str, path: str, *, nullable: bool = False) -> bool:
        value = obj.get(key)
        if value is None and (nullable or key not in obj):
            return False
        if not isinstance(value, bool):
            self.add(f"{path}.{key}", f"phải là true/false (must be a boolean), nhận {value!r}")
            return False
        return value

    def amount(self, value: Any, where: str, *, positive: bool = False) -> Decimal | None:
        """A non-negative number with at most 2 decimals, as stored in DecimalField(8, 2)."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.add(where, f"phải là số (must be a number), nhận {value!r}")
            return None
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            self.add(where, f"số không hợp lệ (invalid number): {value!r}")
            return None
        if not number.is_finite():
            self.add(where, f"số không hợp lệ (invalid number): {value!r}")
        elif number < 0:
            self.add(where, f"không được âm (must not be negative): {value!r}")
        elif positive and number == 0:
            self.add(where, "phải lớn hơn 0 (must be positive)")
        elif number > _MAX_AMOUNT or number != number.quantize(Decimal("0.01")):
            self.add(
                where, f"tối đa 2 chữ số thập phân và nhỏ hơn 10⁶ (at most 2 decimals, < 10⁶): {value!r}"
            )
        else:
            return number
        return None


def _check_code(checker: _Checker, value: Any, where: str, *, present: bool) -> str | None:
    if value is None and not present:
        return None  # reported once, as a missing key
    if not isinstance(value, str) or not CODE_RE.fullmatch(value.strip()):
        checker.add(where, f"mã thủ tục không hợp lệ, cần dạng 1.234567 (invalid code): {value!r}")
        return None
    return value.strip()


def _infer_unit(text: str) -> str | None:
    folded = fold(text)
    if "ngay lam viec" in folded:
        return TimeUnit.WORKING_DAYS
    if "gio lam viec" in folded:
        return TimeUnit.WORKING_HOURS
    if re.search(r"\bngay\b", folded):
        return TimeUnit.CALENDAR_DAYS
    if re.search(r"\bgio\b", folded):
        return TimeUnit.HOURS
    return None


@dataclass
class _Time:
    amount: Decimal | None
    unit: str
    text: str
    inferred: bool = False


def _check_time(checker: _Checker, value: Any, where: str) -> _Time | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        checker.add(where, "phải là đối tượng {amount, unit, text} hoặc null (must be an object or null)")
        return None
    checker.keys(value, where, required=("amount", "unit"), optional=("text",))
    text = checker.text(value, "text", where, nullable=True)
    unit = value.get("unit")
    raw_amount = value.get("amount")
    if unit is not None and unit not in _DATA_UNITS:
        checker.add(f"{where}.unit", f"đơn vị thời gian không hợp lệ (unknown unit): {unit!r}")
        return None
    if unit == TimeUnit.SAME_DAY:
        if raw_amount is not None:
            checker.add(
                f"{where}.amount", "thời hạn 'trong ngày' không có số lượng (same_day amount must be null)"
            )
        return _Time(None, TimeUnit.SAME_DAY, text)
    if raw_amount is None:
        checker.add(
            f"{where}.amount", "thiếu số lượng thời gian (amount is required unless unit is same_day)"
        )
        return None
    amount = checker.amount(raw_amount, f"{where}.amount", positive=True)
    if unit is None:
        inferred = _infer_unit(text)
        if inferred is None:
            checker.add(
                f"{where}.unit", "thiếu đơn vị thời gian và không suy ra được từ văn bản (unit missing)"
            )
            return None
        return _Time(amount, inferred, text, inferred=True)
    return _Time(amount, unit, text)


def _time_extra(kind: str, value: _Time) -> dict[str, Any]:
    return {"kind": kind, "amount": _dec_str(value.amount), "unit": value.unit, "text": value.text}


@dataclass
class _Source:
    """One validated source of a code: its content fields, problems and where it came from."""

    file: str
    where: str  # "procedures.jsonl:12" or "detailed/1.001193.json"
    code: str | None
    problems: list[Problem]
    data: dict[str, Any] = field(default_factory=dict)


def _read_jsonl(path: Path, rel: str) -> list[_Source]:
    sources: list[_Source] = []
    with path.open(encoding="utf-8") as handle:
        for number, raw_line in enumerate(handle, start=1):
            if not raw_line.strip():
                continue
            checker = _Checker(rel, line=number)
            try:
                row = json.loads(raw_line)
            except json.JSONDecodeError as exc:
                checker.add("", f"JSON không hợp lệ (bad JSON): {exc.msg}, cột {exc.colno}")
                sources.append(_Source(rel, f"{rel}:{number}", None, checker.problems))
                continue
            if not isinstance(row, dict):
                checker.add("", "mỗi dòng phải là một đối tượng JSON (each line must be a JSON object)")
                sources.append(_Source(rel, f"{rel}:{number}", None, checker.problems))
                continue
            checker.keys(
                row,
                "$",
                required=("code", "name"),
                optional=("audience", "vertical", "popularity", "field_guess"),
            )
            code = _check_code(checker, row.get("code"), "$.code", present="code" in row)
            checker.code = code or ""
            name = checker.text(row, "name", "$", empty=False)
            audience = row.get("audience", [])
            if not isinstance(audience, list) or any(a not in ("citizen", "business") for a in audience):
                checker.add(
                    "$.audience",
                    f"chỉ gồm 'citizen', 'business' (audience must list citizen/business): {audience!r}",
                )
                audience = []
            popularity = row.get("popularity", 0)
            if isinstance(popularity, bool) or not isinstance(popularity, int) or popularity < 0:
                checker.add(
                    "$.popularity",
                    f"phải là số nguyên không âm (must be a non-negative integer): {popularity!r}",
                )
                popularity = 0
            field_guess = checker.text(row, "field_guess", "$", empty=False, nullable=True, max_length=200)
            data = {
                "name": name,
                "audience_citizen": "citizen" in audience,
                "audience_business": "business" in audience,
                "is_vertical": checker.boolean(row, "vertical", "$"),
                "popularity": popularity,
                "field": field_guess,
            }
            sources.append(_Source(rel, f"{rel}:{number}", code, checker.problems, data))
    # Duplicates are bad rows too: the later occurrence is reported against the first.
    first_line: dict[str, str] = {}
    for source in sources:
        if source.code is None:
            continue
        if source.code in first_line:
            source.problems.append(
                Problem(
                    rel,
                    f"mã {source.code} trùng với {first_line[source.code]} (duplicate code)",
                    line=int(source.where.rsplit(":", 1)[1]),
                    code=source.code,
                )
            )
        else:
            first_line[source.code] = f"dòng {source.where.rsplit(':', 1)[1]}"
    return sources


_DETAILED_REQUIRED: Final = (
    "code",
    "name",
    "field",
    "level",
    "service_level",
    "processing_time",
    "fees",
    "documents",
)
_DETAILED_OPTIONAL: Final = (
    "competent_authority",
    "implementing_agency",
    "processing_time_max",
    "processing_time_extra",
    "steps",
    "internal_process",
    "result",
    "legal_basis",
    "sources",
    "notes",
    "in_national_list",
    "national_list_name",
    "vertical",
)


def _read_detailed(path: Path, rel: str, warnings: list[str]) -> _Source:
    checker = _Checker(rel)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        detail = (
            f"{exc.msg}, dòng {exc.lineno} cột {exc.colno}"
            if isinstance(exc, json.JSONDecodeError)
            else str(exc)
        )
        checker.add("$", f"JSON không hợp lệ (bad JSON): {detail}")
        return _Source(rel, rel, None, checker.problems)
    if not isinstance(record, dict):
        checker.add("$", "tệp phải chứa một đối tượng JSON (must hold a JSON object)")
        return _Source(rel, rel, None, checker.problems)
    checker.keys(record, "$", required=_DETAILED_REQUIRED, optional=_DETAILED_OPTIONAL)
    code = _check_code(checker, record.get("code"), "$.code", present="code" in record)
    checker.code = code or ""
    if code is not None and path.stem != code:
        checker.add("$.code", f"mã {code} khác tên tệp {path.name} (code does not match the file name)")
    data: dict[str, Any] = {
        "name": checker.text(record, "name", "$", empty=False),
        "field": checker.text(record, "field", "$", empty=False, max_length=200),
        "competent_authority": checker.text(record, "competent_authority", "$", nullable=True),
        "implementing_agency": checker.text(record, "implementing_agency", "$", nullable=True),
        "result": checker.text(record, "result", "$", nullable=True),
        "steps": checker.texts(record, "steps", "$"),
        "legal_basis": checker.texts(record, "legal_basis", "$"),
        "notes": checker.texts(record, "notes", "$"),
        "sources": checker.texts(record, "sources", "$"),
        "has_details": True,
    }
    level = record.get("level")
    if level not in Level.values:
        checker.add("$.level", f"cấp thực hiện không hợp lệ (unknown level): {level!r}")
    data["level"] = level if level in Level.values else ""
    service_level = record.get("service_level")
    if service_level is not None and service_level not in ServiceLevel.values:
        checker.add(
            "$.service_level", f"mức độ dịch vụ không hợp lệ (unknown service level): {service_level!r}"
        )
    data["service_level"] = service_level if service_level in ServiceLevel.values else ""

    total = _check_time(checker, record.get("processing_time"), "$.processing_time")
    if total is not None and total.inferred:
        warnings.append(
            f"{rel}: thời hạn thiếu đơn vị, hiểu là {total.unit} theo văn bản «{total.text[:80]}» "
            f"(unit missing, read as {total.unit})"
        )
    if total is not None and (error := budget_engine_error(Budget(total.amount, total.unit))) is not None:
        checker.add(
            "$.processing_time.amount",
            f"không tính được hạn xử lý (rejected by the worktime engine): {error}",
        )
    data["processing_time_amount"] = total.amount if total else None
    data["processing_time_unit"] = total.unit if total else ""
    data["processing_time_text"] = total.text if total else ""
    extra: list[dict[str, Any]] = []
    maximum = record.get("processing_time_max")
    if maximum is not None:
        checked = _check_time(checker, maximum, "$.processing_time_max")
        if checked is not None:
            extra.append(_time_extra("max", checked))
    extras = record.get("processing_time_extra", [])
    if not isinstance(extras, list):
        checker.add("$.processing_time_extra", "phải là danh sách (must be a list)")
    else:
        for index, item in enumerate(extras):
            checked = _check_time(checker, item, f"$.processing_time_extra[{index}]")
            if checked is not None:
                extra.append(_time_extra("extra", checked))
    data["processing_time_extra"] = extra

    data["documents"] = _check_documents(checker, record.get("documents"))
    data["fees"] = _check_fees(checker, record.get("fees"))
    # Informative only: the JSON Lines file is the authority on the national list and the flag.
    checker.boolean(record, "in_national_list", "$")
    data["is_vertical"] = checker.boolean(record, "vertical", "$", nullable=True)
    checker.text(record, "national_list_name", "$", nullable=True)

    internal = record.get("internal_process", [])
    data["internal_process"] = []
    if not isinstance(internal, list):
        checker.add("$.internal_process", "phải là danh sách (must be a list)")
    elif internal:
        steps = _check_internal_process(checker, internal)
        if steps is not None:
            budgets = [Budget(_to_decimal(s["duration"]["amount"]), s["duration"]["unit"]) for s in steps]
            total_budget = Budget(total.amount, total.unit) if total else None
            for problem in process_definition_validate(total=total_budget, budgets=budgets):
                where = (
                    "$.internal_process"
                    if problem.step is None
                    else f"$.internal_process[{problem.step}].duration"
                )
                checker.add(where, problem.message)
            data["internal_process"] = steps
    return _Source(rel, rel, code, checker.problems, data)


def _check_documents(checker: _Checker, documents: Any) -> list[dict[str, Any]]:
    if not isinstance(documents, list):
        checker.add("$.documents", "phải là danh sách (must be a list)")
        return []
    out = []
    for index, doc in enumerate(documents):
        where = f"$.documents[{index}]"
        if not isinstance(doc, dict):
            checker.add(where, "phải là đối tượng (must be an object)")
            continue
        checker.keys(doc, where, required=("name",), optional=("copies", "form_template", "required", "note"))
        required = doc.get("required", True)
        if not isinstance(required, bool):
            checker.add(f"{where}.required", f"phải là true/false (must be a boolean): {required!r}")
        out.append(
            _document_content(
                {
                    "name": checker.text(doc, "name", where, empty=False),
                    "copies": checker.text(doc, "copies", where, nullable=True, max_length=200),
                    "form_template": checker.text(doc, "form_template", where, nullable=True, max_length=300),
                    "required": required is not False,
                    "note": checker.text(doc, "note", where, nullable=True),
                }
            )
        )
    return out


def _check_fees(checker: _Checker, fees: Any) -> list[dict[str, Any]]:
    if not isinstance(fees, list):
        checker.add("$.fees", "phải là danh sách (must be a list)")
        return []
    out = []
    for index, fee in enumerate(fees):
        where = f"$.fees[{index}]"
        if not isinstance(fee, dict):
            checker.add(where, "phải là đối tượng (must be an object)")
            continue
        checker.keys(fee, where, required=("name", "amount_vnd"), optional=("note",))
        amount = fee.get("amount_vnd")
        if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int)):
            checker.add(
                f"{where}.amount_vnd",
                f"phải là số nguyên đồng hoặc null (must be an integer or null): {amount!r}",
            )
            amount = None
        elif amount is not None and amount < 0:
            checker.add(f"{where}.amount_vnd", f"không được âm (must not be negative): {amount!r}")
            amount = None
        out.append(
            _fee_content(
                {
                    "name": checker.text(fee, "name", where, empty=False),
                    "amount_vnd": amount,
                    "note": checker.text(fee, "note", where, nullable=True),
                }
            )
        )
    return out


def _check_internal_process(checker: _Checker, steps: list[Any]) -> list[dict[str, Any]] | None:
    before = len(checker.problems)
    out = []
    for index, step in enumerate(steps):
        where = f"$.internal_process[{index}]"
        if not isinstance(step, dict):
            checker.add(where, "phải là đối tượng (must be an object)")
            continue
        checker.keys(step, where, required=("actor", "duration"), optional=("step", "task"))
        label = checker.text(step, "step", where, nullable=True, max_length=200)
        actor = checker.text(step, "actor", where, empty=False)
        task = checker.text(step, "task", where, nullable=True)
        duration = step.get("duration")
        if not isinstance(duration, dict):
            checker.add(f"{where}.duration", "phải là đối tượng {amount, unit} (must be an object)")
            continue
        checker.keys(duration, f"{where}.duration", required=("amount", "unit"))
        unit = duration.get("unit")
        if unit not in _STEP_UNITS:
            checker.add(f"{where}.duration.unit", f"đơn vị thời gian không hợp lệ (unknown unit): {unit!r}")
            continue
        raw_amount = duration.get("amount")
        amount = None
        if raw_amount is not None or unit not in (TimeUnit.SAME_DAY, NOT_COUNTED):
            amount = checker.amount(raw_amount, f"{where}.duration.amount")
        out.append(
            {"step": label, "actor": actor, "task": task, "duration": {"amount": amount, "unit": unit}}
        )
    return None if len(checker.problems) > before else out


def _read_fields(path: Path, rel: str) -> tuple[list[str], list[Problem]]:
    checker = _Checker(rel)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        checker.add("$", f"JSON không hợp lệ (bad JSON): {exc}")
        return [], checker.problems
    names: list[str] = []
    if not isinstance(document, dict):
        checker.add("$", "phải là đối tượng JSON (must be a JSON object)")
        return [], checker.problems
    for key in ("heuristic_fields", "detailed_fields"):
        entries = document.get(key, [])
        if not isinstance(entries, list):
            checker.add(f"$.{key}", "phải là danh sách (must be a list)")
            continue
        for index, entry in enumerate(entries):
            if not isinstance(entry, dict):
                checker.add(f"$.{key}[{index}]", "phải là đối tượng (must be an object)")
                continue
            name = checker.text(entry, "field", f"$.{key}[{index}]", empty=False, max_length=200)
            if "field" not in entry:
                checker.add(f"$.{key}[{index}].field", "thiếu trường bắt buộc (missing key)")
            if name:
                names.append(name)
    return names, checker.problems


@dataclass
class _Record:
    code: str
    content: dict[str, Any]
    popularity: int
    process: ProcessSpec
    origin: str

    @cached_property
    def content_hash(self) -> str:
        return _hash(self.content)


def _record_build(code: str, row: _Source | None, detailed: _Source | None) -> _Record:
    base = detailed.data if detailed is not None else {}
    listed = row.data if row is not None else {}
    level = base.get("level") or (Level.CENTRAL if listed.get("is_vertical") else "")
    content: dict[str, Any] = {
        "code": code,
        "name": base.get("name") or listed["name"],
        "field": base.get("field") or listed.get("field") or "",
        "level": str(level),
        "audience_citizen": bool(listed.get("audience_citizen", False)),
        "audience_business": bool(listed.get("audience_business", False)),
        "is_vertical": bool(listed["is_vertical"]) if row is not None else bool(base.get("is_vertical")),
        "competent_authority": base.get("competent_authority", ""),
        "implementing_agency": base.get("implementing_agency", ""),
        "service_level": base.get("service_level", ""),
        "processing_time_amount": _dec_str(base.get("processing_time_amount")),
        "processing_time_unit": base.get("processing_time_unit", ""),
        "processing_time_text": base.get("processing_time_text", ""),
        "processing_time_extra": base.get("processing_time_extra", []),
        "steps": base.get("steps", []),
        "result": base.get("result", ""),
        "legal_basis": base.get("legal_basis", []),
        "notes": base.get("notes", []),
        "sources": base.get("sources", []),
        "has_details": detailed is not None,
        "documents": base.get("documents", []),
        "fees": base.get("fees", []),
    }
    unit = content["processing_time_unit"]
    total = Budget(base.get("processing_time_amount"), unit) if unit else None
    internal = base.get("internal_process") or []
    process = (
        process_definition_from_data(level=content["level"], total=total, steps=internal)
        if internal
        else process_definition_derive(level=content["level"], total=total)
    )
    origin = " + ".join(s.where for s in (row, detailed) if s is not None)
    return _Record(code, content, int(listed.get("popularity", 0)), process, origin)


@dataclass
class _Parsed:
    records: list[_Record]
    field_names: list[str]
    problems: list[Problem]
    invalid_sources: int
    skipped_codes: list[str]
    warnings: list[str]


def _catalog_read(path: Path, *, progress: bool) -> _Parsed:
    problems: list[Problem] = []
    warnings: list[str] = []
    if not path.is_dir():
        problems.append(Problem(str(path), "không phải thư mục (not a directory)"))
        return _Parsed([], [], problems, 1, [], warnings)
    jsonl = path / JSONL_NAME
    rows: list[_Source] = []
    if jsonl.is_file():
        rows = _read_jsonl(jsonl, JSONL_NAME)
    else:
        problems.append(Problem(JSONL_NAME, "không tìm thấy tệp (file not found)"))
    detailed_files = sorted((path / DETAILED_DIR).glob("*.json")) if (path / DETAILED_DIR).is_dir() else []
    detailed = [_read_detailed(p, f"{DETAILED_DIR}/{p.name}", warnings) for p in detailed_files]
    field_names: list[str] = []
    if (path / FIELDS_NAME).is_file():
        field_names, field_problems = _read_fields(path / FIELDS_NAME, FIELDS_NAME)
        problems.extend(field_problems)

    bad_codes: set[str] = set()
    for source in (*rows, *detailed):
        if source.problems:
            problems.extend(source.problems)
            if source.code is not None:
                bad_codes.add(source.code)
    detailed_codes: dict[str, _Source] = {}
    for source in detailed:
        if source.code is None:
            continue
        if source.code in detailed_codes:
            # Two files cannot hold one code since the file name must be the code; kept as a guard.
            problems.append(
                Problem(source.file, f"mã {source.code} trùng tệp khác (duplicate code)", path="$.code")
            )
            bad_codes.add(source.code)
        detailed_codes[source.code] = source
    listed = {s.code: s for s in reversed(rows) if s.code is not None}  # first occurrence wins
    codes = [
        c for c in dict.fromkeys([*(s.code for s in rows if s.code), *detailed_codes]) if c not in bad_codes
    ]

    records = []
    for code in tqdm(
        codes, desc="Kiểm tra", unit=" thủ tục", disable=not progress, file=sys.stderr, leave=False
    ):
        records.append(_record_build(code, listed.get(code), detailed_codes.get(code)))
    for record in records:
        if record.content["field"]:
            field_names.append(record.content["field"])
    invalid = len({(p.file, p.line) for p in problems})
    return _Parsed(records, list(dict.fromkeys(field_names)), problems, invalid, sorted(bad_codes), warnings)


# ---------------------------------------------------------------------------------------------------
# Import, phase 2: write
# ---------------------------------------------------------------------------------------------------

_PROCEDURE_COLUMNS: Final = (*_CONTENT_COLUMNS, "processing_time_amount", "field_id", "search_text")


def _procedure_values(record: _Record, field_ids: Mapping[str, int]) -> dict[str, Any]:
    content = record.content
    values = {column: content[column] for column in _CONTENT_COLUMNS}
    values["processing_time_amount"] = _to_decimal(content["processing_time_amount"])
    values["field_id"] = field_ids.get(content["field"]) if content["field"] else None
    values["search_text"] = _search_text(content["name"], content["field"])
    return values


_Child = TypeVar("_Child", ProcedureDocument, ProcedureFee)


def _children_sync(
    model: type[_Child],
    items: Mapping[int, list[dict[str, Any]]],
    columns: Sequence[str],
) -> None:
    """Rewrite the documents or fees of changed procedures, updating rows in place by order.

    In place rather than delete + insert: dossiers point at catalogue documents, and those links should
    survive a re-import that only corrects a wording.
    """
    if not items:
        return
    existing: dict[tuple[int, int], _Child] = {}
    ids = list(items)
    for start in range(0, len(ids), _BULK_BATCH):
        for stored in model.objects.filter(procedure_id__in=ids[start : start + _BULK_BATCH]):
            existing[(stored.procedure_id, stored.order)] = stored
    to_update: list[_Child] = []
    to_create: list[_Child] = []
    for pid, rows in items.items():
        for order, row in enumerate(rows, start=1):
            obj: _Child | None = existing.pop((pid, order), None)
            if obj is None:
                to_create.append(model(procedure_id=pid, order=order, **row))
            else:
                for column in columns:
                    setattr(obj, column, row[column])
                to_update.append(obj)
    if existing:
        model.objects.filter(pk__in=[o.pk for o in existing.values()]).delete()
    if to_update:
        model.objects.bulk_update(to_update, list(columns), batch_size=_BULK_BATCH)
    if to_create:
        model.objects.bulk_create(to_create, batch_size=_BULK_BATCH)


def _catalog_write(parsed: _Parsed, report: ImportReport, *, progress: bool) -> None:
    # Fields first: procedures point at them.
    field_ids = dict(Field.objects.values_list("name", "id"))
    missing = [name for name in parsed.field_names if name not in field_ids]
    if missing:
        taken = set(Field.objects.values_list("code", flat=True))
        created_fields = Field.objects.bulk_create(
            [Field(name=n, code=_field_slug(n, taken)) for n in missing]
        )
        field_ids.update({f.name: f.pk for f in created_fields})
        report.fields_created = len(created_fields)

    existing = {
        code: (pk, imported_hash, popularity, version)
        for code, pk, imported_hash, popularity, version in Procedure.objects.values_list(
            "code", "id", "imported_hash", "popularity", "version"
        )
    }
    now = timezone.now()
    to_create: list[Procedure] = []
    to_update: list[Procedure] = []
    to_refresh: list[Procedure] = []
    changed: list[_Record] = []
    for record in tqdm(
        parsed.records, desc="Nhập", unit=" thủ tục", disable=not progress, file=sys.stderr, leave=False
    ):
        content_hash = record.content_hash
        stored = existing.get(record.code)
        if stored is None:
            to_create.append(
                Procedure(
                    code=record.code,
                    popularity=record.popularity,
                    version=1,
                    content_hash=content_hash,
                    imported_hash=content_hash,
                    **_procedure_values(record, field_ids),
                )
            )
            changed.append(record)
        elif stored[1] != content_hash:
            to_update.append(
                Procedure(
                    pk=stored[0],
                    code=record.code,
                    popularity=record.popularity,
                    version=stored[3] + 1,
                    content_hash=content_hash,
                    imported_hash=content_hash,
                    updated_at=now,
                    **_procedure_values(record, field_ids),
                )
            )
            changed.append(record)
        else:
            report.unchanged += 1
            if stored[2] != record.popularity:
                to_refresh.append(Procedure(pk=stored[0], popularity=record.popularity, updated_at=now))
    _objects_insert(Procedure, to_create)
    if to_update:
        Procedure.objects.bulk_update(
            to_update,
            [*_PROCEDURE_COLUMNS, "popularity", "version", "content_hash", "imported_hash", "updated_at"],
            batch_size=_BULK_BATCH,
        )
    if to_refresh:
        Procedure.objects.bulk_update(to_refresh, ["popularity", "updated_at"], batch_size=_BULK_BATCH)
    report.created, report.updated, report.refreshed = len(to_create), len(to_update), len(to_refresh)

    ids = {p.code: p.pk for p in (*to_create, *to_update)}
    if any(pk is None for pk in ids.values()):  # new rows: the bulk insert returns no ids
        ids = dict(Procedure.objects.filter(code__in=list(ids)).values_list("code", "id"))
    versions = {p.code: p.version for p in (*to_create, *to_update)}
    _children_sync(
        ProcedureDocument,
        {ids[r.code]: r.content["documents"] for r in changed},
        ("name", "copies", "form_template", "required", "note"),
    )
    _children_sync(
        ProcedureFee, {ids[r.code]: r.content["fees"] for r in changed}, ("name", "amount_vnd", "note")
    )
    _objects_insert(
        ProcedureVersion,
        [
            ProcedureVersion(
                procedure_id=ids[r.code],
                number=versions[r.code],
                content_hash=r.content_hash,
                snapshot=r.content,
                source=r.origin[:300],
            )
            for r in changed
        ],
    )
    all_ids = {code: pk for code, (pk, *_rest) in existing.items()} | ids
    _process_definitions_sync({all_ids[r.code]: r.process for r in parsed.records}, report)


def _catalog_lock() -> None:
    """Serialise concurrent imports (two `make run` starting together) for this transaction.

    Taken before the existing rows are read, so the second import sees the first one's rows and finds
    nothing to do instead of failing on a unique code. SQLite needs nothing: its write transactions
    start IMMEDIATE (settings), which already queues writers.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_IMPORT_LOCK_KEY])


def catalog_import(*, path: Path, skip_invalid: bool = False, progress: bool = False) -> ImportReport:
    """Import ``path``/procedures.jsonl, ``path``/detailed/*.json and ``path``/fields.json.

    Raises ``CatalogValidationError`` (nothing written) when any source row is invalid, unless
    ``skip_invalid``: then valid codes are imported and the problems are listed in the report.
    Idempotent: unchanged rows cost nothing; a changed row gets a new version and snapshot.
    """
    started = time.perf_counter()
    parsed = _catalog_read(Path(path), progress=progress)
    if parsed.problems and not skip_invalid:
        raise CatalogValidationError(parsed.problems)
    report = ImportReport(
        invalid=parsed.invalid_sources,
        skipped_codes=parsed.skipped_codes,
        problems=parsed.problems,
        warnings=parsed.warnings,
    )
    with transaction.atomic():
        _catalog_lock()
        _catalog_write(parsed, report, progress=progress)
        if report.changed:
            reference_data_changed()  # bulk writes fire no signals
            transaction.on_commit(index_invalidate)
    report.seconds = time.perf_counter() - started
    # `make run` imports on every start: an unchanged catalogue is not worth an INFO line.
    logger.log(logging.INFO if report.changed else logging.DEBUG, "catalog import: %s", report)
    return report
