"""Process specs — the content of one internal process version (quy trình nội bộ), before storage.

Two ways to get one, both pure (no database):

* ``process_definition_from_data``: an approved process given in the catalogue data, its actors read
  by ``process_actor_map``'s documented keyword rules (who does the step, at which kind of unit);
* ``process_definition_derive``: the default five steps of Quảng Ninh (docs/domain.md §3) with budgets that
  sum exactly to the statutory time, for procedures without an approved process.

Storing specs as versions is ``processes``'s job.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from functools import cached_property, lru_cache
from typing import Any, Final

from motcua.catalog.models import Level, ProcessSource, TimeUnit
from motcua.catalog.services.budgets import Budget, BudgetProblem, budget_convert, process_definition_validate
from motcua.catalog.services.common import (
    NOT_COUNTED,
    WORKING_UNITS,
    decimal_text,
    hash_content,
    hours_per_day,
    to_decimal,
)
from motcua.core.text import fold, nfc
from motcua.org.models import Role, UnitKind


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
            "total_amount": decimal_text(self.total_amount),
            "total_unit": self.total_unit,
            "steps": [
                {
                    "name": s.name,
                    "actor_text": s.actor_text,
                    "actor_unit_kind": s.actor_unit_kind,
                    "actor_role": s.actor_role,
                    "duration_amount": decimal_text(s.duration_amount),
                    "duration_unit": s.duration_unit,
                    "task": s.task,
                }
                for s in self.steps
            ],
        }

    @cached_property
    def content_hash(self) -> str:
        return hash_content(self.content())

    def problems(self) -> list[BudgetProblem]:
        """``process_definition_validate`` of this process: its step budgets against its total."""
        return process_definition_validate(
            total=Budget(self.total_amount, self.total_unit) if self.total_unit else None,
            budgets=[s.budget for s in self.steps],
        )


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
                duration_amount=to_decimal(duration.get("amount")),
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


# The default five-step process (docs/domain.md §3)


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
    # docs/domain.md §3 example: receive 0.5 → appraise → approve 1 → sign 0.5.
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
    if unit in WORKING_UNITS:
        hours = budget_convert(amount, unit, TimeUnit.WORKING_HOURS)
        if hours >= 2 * hours_per_day():
            days = _day_rule(hours / hours_per_day())
            return [Budget(budget_convert(d, TimeUnit.WORKING_DAYS, unit), unit) for d in days], total
        # Under two working days a quarter-day grain is too coarse: split in working hours.
        return [Budget(h, TimeUnit.WORKING_HOURS) for h in _split(hours, Decimal("0.25"))], total
    if unit == TimeUnit.CALENDAR_DAYS:
        return [Budget(d, unit) for d in _calendar_day_rule(amount)], total
    # Clock hours (emergencies): proportional, quarter-hour grain.
    return [Budget(h, unit) for h in _split(amount, Decimal("0.25"))], total


def process_definition_derive(*, level: str, total: Budget | None) -> ProcessSpec:
    """The default five-step process of docs/domain.md §3 for a procedure without an approved one.

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
    return _derive(level, total, hours_per_day())


@lru_cache(maxsize=512)
def _derive(level: str, total: Budget | None, day_hours: Decimal) -> ProcessSpec:
    # day_hours only keys the cache: a changed WORKTIME setting must not reuse old splits.
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
