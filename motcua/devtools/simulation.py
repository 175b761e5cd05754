"""Simulated dossier histories — dữ liệu hồ sơ mô phỏng for demos, load tests and benchmarks.

``simulate(dossiers=N, days=D, seed=S)`` writes N dossiers received over the last D days with complete,
consistent histories, as if every one had gone through ``dossiers.services``: channels, receipt or
online submission and acceptance, the steps of the procedure's current process (form 05 rows),
supplements and financial obligations with clock stops (``DossierPause``), inter-agency transfers,
send-backs, extensions, refusals, withdrawals, stops, decisions, signatures and returned results, with
per-step and per-dossier outcomes, and a **valid hash chain** of ``DossierEvent`` rows per dossier
(``motcua verify-audit`` passes). Dossiers whose history runs past "now" stay open in the state they
have reached, so recent dossiers fill the officials' queues and older ones are closed.

Why not call the services in a loop? They take the time from ``timezone.now()`` and cost ~20 queries
per transition; a million dossiers × ~8 transitions would take days. Instead this module plays the
histories in memory — every transition it takes is one ``dossiers.rules`` allows in that state and at
that step position (``History._refusal`` asks the engine's rules; ``tests/test_simulation_replay.py``
replays the stored histories through them) — and bulk-inserts the rows: ``COPY … FROM STDIN`` on
PostgreSQL (psycopg ``cursor.copy()``), ``executemany`` on other databases, one transaction per
``batch`` dossiers.

Deadlines. ``worktime.add_working_time`` costs ~60 µs per call, too slow for the ~2 due times per
dossier at 1M dossiers. Working-day and working-hour budgets are computed on a *working-time axis*
built from the engine's own calendar: the working days of the window (``worktime.is_working_day``:
weekends, holidays, make-up days, the province's overrides) are numbered, and an instant maps to
``index × day_length + working time before it that day``; adding N working days is an addition on the
axis and the inverse map uses the engine's end-of-period rule (a due reached exactly at 12:00 is 12:00,
not 13:00). ``tests/test_simulation.py`` checks the axis against the engine on random instants. Other
units (same day, calendar days, clock hours) call the engine, memoised per (start, amount, unit).

Codes. Dossiers are numbered per receiving unit and local day in submission order, continuing each
``DossierCodeCounter`` row and writing it back, so later real receipts continue the sequence; the
code text is the engine's (``dossiers.codes.dossier_code_format``).

Caveats (documented in docs/benchmarks.md): run it on an idle database (ids and counters are taken
at the start and written back at the end); simulated dossiers have no applicant account and enqueue
no jobs (no notifications, no DVCQG sync); officials missing at a unit are created as synthetic
accounts with unusable passwords (``sim.<role>.<unit slug>``).
"""

from __future__ import annotations

import bisect
import hashlib
import json
import math
import multiprocessing
import os
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, connections, transaction
from django.db.models import Max
from django.utils import timezone

from motcua.accounts import identity_numbers
from motcua.accounts.models import Account, AccountKind
from motcua.catalog.fees import FeeDue, FeeStatus, fee_channel_of, fee_due, vnd
from motcua.catalog.models import (
    FeeChannel,
    Procedure,
    ProcedureDocument,
    ProcedureFee,
    ProcessDefinition,
    ProcessStep,
    ServiceLevel,
)
from motcua.core.orm import concrete_fields, in_transaction, rows_insert
from motcua.core.text import fold
from motcua.dossiers import deadlines, event_data, rules
from motcua.dossiers.codes import dossier_code_format
from motcua.dossiers.errors import DossierInvalid
from motcua.dossiers.models import (
    OPEN_STATES,
    STATE_STATUS,
    Channel,
    Decision,
    Dossier,
    DossierCodeCounter,
    DossierComponent,
    DossierEvent,
    DossierFee,
    DossierPause,
    DossierState,
    DossierStep,
    Outcome,
    PauseReason,
    ProcedureDossierOptions,
    StepStatus,
)
from motcua.dossiers.rules import Action, StepPerformer, decision_index, step_performer
from motcua.dossiers.selectors import dossier_route_competent_unit
from motcua.org.models import CENTRE_KINDS, Official, Role, RoleAssignment, Unit, UnitKind
from motcua.worktime import selectors as worktime
from motcua.worktime.calendar import WorkTimeError
from motcua.worktime.models import TimeUnit

US = 1_000_000
DAY_US = 86_400 * US
HOUR_US = 3_600 * US
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

# Marker in the data of every simulated dossier's first event: {"simulated": "bulk" | "demo"}.
MARKER_KEY = "simulated"


# --------------------------------------------------------------------------------------------------
# Working-time axis
# --------------------------------------------------------------------------------------------------


def _centre_kind(kind: str) -> str:
    """The centre kind whose procedures a centre of ``kind`` receives (province or commune)."""
    return UnitKind.PROVINCE_CENTRE if kind == UnitKind.PROVINCE_CENTRE else UnitKind.COMMUNE_CENTRE


def _tax_code(digits: str) -> str:
    """``digits`` made a valid tax code (its check digit) without drawing more random numbers.

    The random stream stays as it was, so the simulated histories do not change.
    """
    prefix = digits[:9]
    while (check := identity_numbers.tax_code_check_digit(prefix)) is None:
        prefix = prefix[:8] + str((int(prefix[8]) + 1) % 10)
    return f"{prefix}{check}"


# Mobile prefixes in use (docs/domain.md §9.1): a random number gets the one of its first digit.
_MOBILE_PREFIXES = {"3": "03", "5": "05", "7": "07", "8": "08", "9": "09"}
_MOBILE_SECOND = {"03": "23456789", "05": "2689", "07": "06789", "08": "123456789", "09": "012345678"}


def _mobile(number: str) -> str:
    """``number`` (0X + 8 digits) with a second digit of a real mobile range, without drawing more."""
    head = _MOBILE_PREFIXES[number[1]]
    allowed = _MOBILE_SECOND[head]
    return head + allowed[int(number[2]) % len(allowed)] + number[3:]


class WorkAxis:
    """Working time as a number line over a window of days (see the module docstring).

    Instants are integers: microseconds since the Unix epoch (UTC). ``to_axis`` rolls an instant
    forward to working time; ``due(k)`` is the engine's due instant for axis position ``k``
    (end-inclusive); ``at(k)`` the instant an action at ``k`` happens (start of the next period).
    """

    def __init__(self, *, first: date, last: date) -> None:
        schedule = worktime.get_schedule()
        self.periods = schedule.periods
        self.day = schedule.day_length
        probe = datetime.combine(first, datetime.min.time(), tzinfo=schedule.tz)
        offset = probe.utcoffset()
        assert offset is not None
        for day in (first, last):
            other = datetime.combine(day, datetime.min.time(), tzinfo=schedule.tz).utcoffset()
            if other != offset:  # pragma: no cover - Asia/Ho_Chi_Minh has no DST
                raise ValueError("Múi giờ có giờ mùa hè trong khoảng mô phỏng: chưa hỗ trợ.")
        self.offset = int(offset.total_seconds()) * US
        self.first_ordinal = first.toordinal()
        self.last_ordinal = last.toordinal()
        self.days: list[int] = []  # ordinals of working days
        # For every ordinal in the window: index of the first working day on or after it.
        self.next_index: list[int] = []
        for ordinal in range(self.first_ordinal, self.last_ordinal + 1):
            self.next_index.append(len(self.days))
            if worktime.is_working_day(date.fromordinal(ordinal)):
                self.days.append(ordinal)
        self.working = set(self.days)

    def local(self, instant: int) -> tuple[int, int]:
        """(local ordinal, microseconds after local midnight)."""
        days, tod = divmod(instant + self.offset, DAY_US)
        return days + EPOCH_ORDINAL, tod

    def instant(self, ordinal: int, tod: int) -> int:
        return (ordinal - EPOCH_ORDINAL) * DAY_US + tod - self.offset

    def to_axis(self, instant: int) -> int:
        ordinal, tod = self.local(instant)
        if not self.first_ordinal <= ordinal <= self.last_ordinal:
            raise ValueError("Thời điểm nằm ngoài khoảng lịch của mô phỏng.")
        index = self.next_index[ordinal - self.first_ordinal]
        if ordinal not in self.working:
            return index * self.day
        worked = 0
        for begin, end in self.periods:
            worked += min(max(tod - begin, 0), end - begin)
        return index * self.day + worked

    def _from(self, k: int, *, inclusive: bool) -> int:
        index, rest = divmod(k, self.day)
        if inclusive and rest == 0 and index > 0:
            index, rest = index - 1, self.day
        ordinal = self.days[index]
        for begin, end in self.periods:
            length = end - begin
            if rest < length or (inclusive and rest == length):
                return self.instant(ordinal, begin + rest)
            rest -= length
        return self.instant(self.days[index + 1], self.periods[0][0])  # pragma: no cover

    def due(self, k: int) -> int:
        """Instant at which the work reaching axis position ``k`` is due (engine rule: end-inclusive)."""
        return self._from(k, inclusive=True)

    def at(self, k: int) -> int:
        """Instant of an action at axis position ``k`` (the start of a period rather than its end)."""
        return self._from(k, inclusive=False)

    def local_ordinal(self, instant: int) -> int:
        return (instant + self.offset) // DAY_US + EPOCH_ORDINAL


def instant_dt(instant: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=instant)


def dt_instant(value: datetime) -> int:
    return (value - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


@dataclass(frozen=True)
class Budget:
    """A time budget (process total or step) in a form that is cheap to add."""

    amount: Decimal | None
    unit: str
    work_us: int | None  # exact working microseconds for working days/hours; None: use the engine

    @classmethod
    def of(cls, amount: Decimal | None, unit: str, hours_per_day: Decimal) -> Budget | None:
        if not deadlines.budget_counted(amount, unit):  # the engine's rule, zero budgets included
            return None
        work: int | None = None
        if unit == TimeUnit.WORKING_DAYS and amount is not None:
            work = int((amount * hours_per_day * HOUR_US).to_integral_value())
        elif unit == TimeUnit.WORKING_HOURS and amount is not None:
            work = int((amount * HOUR_US).to_integral_value())
        if work == 0:
            work = None
        return cls(amount, unit, work)

    @property
    def nominal_work(self) -> int:
        """Working time the budget roughly represents (to plan how long the work takes)."""
        if self.work_us is not None:
            return self.work_us
        if self.unit == TimeUnit.SAME_DAY:
            return 4 * HOUR_US
        amount = float(self.amount or 1)
        if self.unit == TimeUnit.CALENDAR_DAYS:
            return int(amount * 5 / 7 * 8 * HOUR_US)
        return int(amount * HOUR_US / 3)  # clock hours: about a third are working hours


class DueCalculator:
    """Due instants: on the axis for working days/hours, the engine (memoised) otherwise."""

    def __init__(self, axis: WorkAxis) -> None:
        self.axis = axis
        self._memo: dict[tuple[int, Decimal | None, str], int] = {}

    def due(self, budget: Budget | None, start: int) -> int | None:
        if budget is None:
            return None
        if budget.work_us is not None:
            return self.axis.due(self.axis.to_axis(start) + budget.work_us)
        key = (start, budget.amount, budget.unit)
        found = self._memo.get(key)
        if found is None:
            amount = budget.amount if budget.amount is not None else Decimal(0)
            try:
                found = dt_instant(
                    worktime.add_working_time(start=instant_dt(start), amount=amount, unit=budget.unit)
                )
            except WorkTimeError:
                # Catalogue data the engine rejects (e.g. 1.5 calendar days): the services would fail
                # on it too; the simulation treats it as an unpublished budget (no due time).
                found = -1
            self._memo[key] = found
        if found < 0:
            return None
        return found


# --------------------------------------------------------------------------------------------------
# Text: names, timestamps, JSON
# --------------------------------------------------------------------------------------------------

FAMILY = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Phan", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương",
    "Lý", "Đào", "Đinh", "Lưu", "Mai", "Trịnh", "Tạ", "Cao", "Lương", "Vương", "Nông", "Hà",
)  # fmt: skip
MIDDLE_M = ("Văn", "Đức", "Minh", "Quang", "Hữu", "Thành", "Xuân", "Công", "Đình", "Mạnh", "Ngọc", "Trung")
MIDDLE_F = ("Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Phương", "Kim", "Hồng", "Mai", "Bích", "Diệu")
GIVEN_M = (
    "An", "Bình", "Cường", "Dũng", "Đức", "Giang", "Hải", "Hiếu", "Hoàng", "Hùng", "Huy", "Khánh",
    "Long", "Minh", "Nam", "Phong", "Phúc", "Quân", "Sơn", "Tâm", "Thắng", "Thành", "Toàn", "Trung",
    "Tuấn", "Việt", "Vinh", "Khoa", "Lâm", "Tùng",
)  # fmt: skip
GIVEN_F = (
    "Anh", "Chi", "Dung", "Duyên", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Hương", "Huyền", "Lan",
    "Linh", "Loan", "Mai", "Ngọc", "Nhung", "Oanh", "Phương", "Quyên", "Thảo", "Thu", "Trang",
    "Uyên", "Vân", "Yến", "Hiền", "Nga", "Thủy", "Liên",
)  # fmt: skip
COMPANY = (
    "Công ty TNHH Thương mại {}", "Công ty Cổ phần Du lịch {}", "Công ty TNHH Xây dựng {}",
    "Hợp tác xã Thủy sản {}", "Công ty Cổ phần Vận tải {}", "Công ty TNHH Dịch vụ {}",
)  # fmt: skip
COMPANY_NAMES = ("Hạ Long Xanh", "Bãi Cháy", "Vân Đồn", "Minh Phát", "Đông Bắc", "Cô Tô Biển", "Hòn Gai")

SUPPLEMENT_ITEMS = (
    ("Bản sao Căn cước công dân", "Bản chụp bị mờ, không đọc được số định danh."),
    ("Tờ khai", "Thiếu chữ ký của người đề nghị."),
    ("Giấy tờ chứng minh chỗ ở hợp pháp", "Chưa có xác nhận của chủ nhà."),
    ("Sơ đồ vị trí thửa đất", "Sai diện tích so với giấy chứng nhận."),
    ("Giấy ủy quyền", "Chưa được chứng thực."),
)
GENERIC_COMPONENTS = (
    ("Đơn đề nghị (tờ khai) theo mẫu", True),
    ("Bản sao giấy tờ tùy thân của người đề nghị", True),
    ("Giấy tờ khác có liên quan", False),
)
REFUSE_REASONS = (
    "Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan; đã hướng dẫn công dân nộp đúng nơi.",
    "Thành phần hồ sơ không đúng quy định, thiếu giấy tờ bắt buộc.",
    "Thông tin trên tờ khai không khớp với Cơ sở dữ liệu quốc gia về dân cư.",
)
WITHDRAW_REASONS = (
    "Công dân đề nghị rút hồ sơ để bổ sung thêm giấy tờ.",
    "Công dân không còn nhu cầu giải quyết.",
)
STOP_REASONS = (
    "Quá thời hạn bổ sung hồ sơ mà công dân không bổ sung theo yêu cầu.",
    "Có tranh chấp liên quan đang được cơ quan có thẩm quyền giải quyết.",
)
REJECT_REASONS = ("Không đủ điều kiện theo quy định.", "Đối tượng không thuộc diện được giải quyết.")
SEND_BACK_REASONS = (
    "Đề nghị thẩm định lại, bổ sung ý kiến pháp lý.",
    "Dự thảo kết quả còn sai sót, đề nghị chỉnh sửa.",
)
EXTEND_REASONS = ("Hồ sơ cần xác minh thực địa, phải lấy ý kiến cơ quan liên quan.",)
TRANSFER_REASONS = ("Đề nghị phối hợp xác minh thông tin.", "Lấy ý kiến chuyên môn theo quy định.")
FINANCIAL_FEES = (
    ("Lệ phí trước bạ", 500_000),
    ("Tiền sử dụng đất", 12_000_000),
    ("Lệ phí cấp giấy chứng nhận", 100_000),
)


def _vn_name(rng: random.Random) -> tuple[str, bool]:
    male = rng.random() < 0.5
    middle = rng.choice(MIDDLE_M if male else MIDDLE_F)
    given = rng.choice(GIVEN_M if male else GIVEN_F)
    return f"{rng.choice(FAMILY)} {middle} {given}", male


class Clock:
    """Fast text forms of whole-second instants (the hot path: ~10 per dossier)."""

    def __init__(self) -> None:
        self._dates: dict[int, str] = {}
        self._tods = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86_400)]

    def _parts(self, instant: int) -> tuple[str, str]:
        days, second = divmod(instant // US, 86_400)
        text = self._dates.get(days)
        if text is None:
            text = self._dates[days] = date.fromordinal(days + EPOCH_ORDINAL).isoformat()
        return text, self._tods[second]

    def db(self, instant: int | None) -> str | None:
        """Database literal: UTC, which both SQLite (Django's format) and PostgreSQL (session UTC) read."""
        if instant is None:
            return None
        day, tod = self._parts(instant)
        return f"{day} {tod}"

    def db_and_audit(self, instant: int) -> tuple[str, str]:
        day, tod = self._parts(instant)
        return f"{day} {tod}", f"{day}T{tod}.000000+00:00"

    def json(self, instant: int | None) -> str | None:
        """What ``DjangoJSONEncoder`` makes of an aware UTC datetime without microseconds."""
        if instant is None:
            return None
        day, tod = self._parts(instant)
        return f"{day}T{tod}Z"


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


_str: Callable[[str], str] = json.encoder.encode_basestring  # C: a JSON string, non-ASCII kept


def _num(value: int | None) -> str:
    return "null" if value is None else str(value)


# --------------------------------------------------------------------------------------------------
# The world the simulation reads: catalogue, units, officials
# --------------------------------------------------------------------------------------------------


@dataclass
class UnitInfo:
    id: int
    kind: str
    name: str
    short_name: str
    agency_code: str
    parent_id: int | None
    slug: str


@dataclass
class StepInfo:
    id: int
    order: int
    name: str
    unit_kind: str
    role: str
    budget: Budget | None


@dataclass
class ProcInfo:
    id: int
    code: str
    name: str
    version: int
    level: str
    service_level: str
    popularity: int
    process_id: int
    total: Budget | None
    steps: list[StepInfo]
    decision: int
    documents: list[tuple[int, str, bool, str]]  # id, name, required, copies
    fees: dict[str, FeeDue]  # the fee due per fee channel (catalog.fees), as the receipt computes it
    resumes_remaining: bool
    # Organisations apply only where the catalogue opens the procedure to them (no company registers
    # a child's birth).
    for_organisations: bool


@dataclass
class Official_:
    user_id: int
    name: str


class World:
    """Snapshot of what the simulation needs, loaded once (a dozen queries)."""

    def __init__(self, *, centre_slugs: Sequence[str] | None, demo: bool, create_officials: bool) -> None:
        hours_per_day = worktime.get_schedule().hours_per_day
        self.units = {
            u.pk: UnitInfo(u.pk, u.kind, u.name, u.short_name, u.agency_code, u.parent_id, u.slug or "")
            # Creation order, not the model's (kind, name): a rename must not change what a seed plays.
            for u in Unit.objects.filter(is_active=True).order_by("pk")
        }
        # Each unit's number in creation order, from 1 (on a freshly loaded database, its pk): what a
        # unit's own draws (its weight as a centre, its surges) are keyed on, so that a seed gives the
        # same histories on any database holding the same organisation, whatever ids it handed out.
        self.ordinal = {pk: number for number, pk in enumerate(self.units, start=1)}
        if centre_slugs is None:
            self.centres = [u for u in self.units.values() if u.kind in CENTRE_KINDS]
        else:
            self.centres = [u for u in self.units.values() if u.slug in set(centre_slugs)]
        self.centres.sort(key=lambda u: u.id)
        if not self.centres:
            raise DossierInvalid(
                {"units": "Chưa có trung tâm phục vụ hành chính công nào; hãy chạy load-demo."}
            )
        self.province_committee = next(
            (
                u.id
                for u in sorted(self.units.values(), key=lambda u: u.id)
                if u.kind == UnitKind.PROVINCE_COMMITTEE
            ),
            None,
        )
        self.departments = [u.id for u in self.units.values() if u.kind == UnitKind.DEPARTMENT]
        self.communes = [u.id for u in self.units.values() if u.kind == UnitKind.COMMUNE_COMMITTEE]

        processes = {
            p.procedure_id: p
            for p in ProcessDefinition.objects.filter(
                is_current=True, procedure__is_active=True, procedure__applies_here=True
            ).only("pk", "procedure_id", "total_amount", "total_unit")
        }
        steps: dict[int, list[StepInfo]] = {}
        for s in ProcessStep.objects.filter(process__in=[p.pk for p in processes.values()]).order_by(
            "process_id", "order"
        ):
            steps.setdefault(s.process_id, []).append(
                StepInfo(
                    s.pk,
                    s.order,
                    s.name,
                    s.actor_unit_kind,
                    s.actor_role,
                    Budget.of(s.duration_amount, s.duration_unit, hours_per_day),
                )
            )
        documents: dict[int, list[tuple[int, str, bool, str]]] = {}
        for doc in ProcedureDocument.objects.order_by("procedure_id", "order"):
            documents.setdefault(doc.procedure_id, []).append((doc.pk, doc.name, doc.required, doc.copies))
        schedules: dict[int, list[ProcedureFee]] = {}
        for fee in ProcedureFee.objects.order_by("procedure_id", "order"):
            schedules.setdefault(fee.procedure_id, []).append(fee)
        # The receipt's rule (dossiers.services.receipt): alternatives chosen per channel, first case.
        fees = {
            pid: {
                str(channel): fee_due(fees=schedules.get(pid, []), channel=channel)
                for channel in (FeeChannel.COUNTER, FeeChannel.ONLINE)
            }
            for pid in processes
        }
        resumes = set(
            ProcedureDossierOptions.objects.filter(supplement_resumes_remaining=True).values_list(
                "procedure_id", flat=True
            )
        )
        self.procedures: list[ProcInfo] = []
        self._routes_from_province: dict[int, int | None] = {}
        self._routes_from_commune: dict[int, int | None] = {}
        procedures = (
            Procedure.objects.filter(is_active=True, pk__in=processes.keys())
            .select_related("field")
            # The catalogue's order, named here: the draws must not change with the model's Meta.
            .order_by("-popularity", "code", "pk")
        ).only(
            "pk", "code", "name", "version", "level", "service_level", "popularity",
            "implementing_agency", "competent_authority", "field__name", "audience_business",
        )  # fmt: skip
        province_centre = next((u for u in self.units.values() if u.kind == UnitKind.PROVINCE_CENTRE), None)
        commune_centre = next((u for u in self.units.values() if u.kind == UnitKind.COMMUNE_CENTRE), None)
        departments = [
            (fold(u.name.removeprefix("Sở ").split(" tỉnh")[0]), u)
            for u in Unit.objects.filter(kind=UnitKind.DEPARTMENT, is_active=True).order_by("pk")
        ]
        unit_objects = {
            u.pk: u
            for u in Unit.objects.select_related("parent").filter(
                pk__in=[c.id for c in (province_centre, commune_centre) if c]
            )
        }
        for proc in procedures:
            plan = steps.get(processes[proc.pk].pk, [])
            if len(plan) < 2:
                continue
            process = processes[proc.pk]
            info = ProcInfo(
                id=proc.pk,
                code=proc.code,
                name=proc.name,
                version=proc.version,
                level=proc.level,
                service_level=proc.service_level,
                popularity=proc.popularity,
                process_id=process.pk,
                total=Budget.of(process.total_amount, process.total_unit, hours_per_day),
                steps=plan,
                decision=_decision_index(plan),
                documents=documents.get(proc.pk, []),
                fees=fees[proc.pk],
                resumes_remaining=proc.pk in resumes,
                for_organisations=proc.audience_business,
            )
            # Routing (selectors.dossier_route_competent_unit) depends on the procedure and on the
            # *kind* of the receiving centre (a commune centre routes to its own commune), so two
            # probes per procedure cover every centre.
            for centre_info, routes in (
                (province_centre, self._routes_from_province),
                (commune_centre, self._routes_from_commune),
            ):
                if centre_info is None:
                    continue
                try:
                    competent = dossier_route_competent_unit(
                        procedure=proc, receiving_unit=unit_objects[centre_info.id]
                    )
                except DossierInvalid:
                    # The router names a department only when the catalogue text names it; otherwise
                    # the applicant chooses one (chosen_unit) — simulate that choice by keyword.
                    chosen = (
                        self._department_guess(proc, departments) if centre_info is province_centre else None
                    )
                    if chosen is None:
                        continue
                    try:
                        competent = dossier_route_competent_unit(
                            procedure=proc, receiving_unit=unit_objects[centre_info.id], chosen_unit=chosen
                        )
                    except DossierInvalid:
                        continue
                routes[proc.pk] = None if competent.kind == UnitKind.COMMUNE_COMMITTEE else competent.pk
            self.procedures.append(info)
        self.by_id = {p.id: p for p in self.procedures}
        self._rule_dossiers: dict[int, Dossier] = {}
        # History._refusal: the rules' answer per (process, action, state, step, claimed, signed).
        self.refusals: dict[tuple[Any, ...], str | None] = {}

        self.officials: dict[tuple[int, str], list[Official_]] = {}
        self._load_officials()
        self.demo = demo
        if create_officials:
            self._synthetic_officials_ensure()
            self._load_officials()

        # Candidate procedures per centre kind, weighted by popularity (+1 so unpopular ones appear).
        self.candidates: dict[str, tuple[list[ProcInfo], list[float]]] = {}
        for kind, routes in (
            (UnitKind.PROVINCE_CENTRE, self._routes_from_province),
            (UnitKind.COMMUNE_CENTRE, self._routes_from_commune),
        ):
            picked = [p for p in self.procedures if p.id in routes]
            if demo:
                # Demo dossiers show the system as it should run: procedures with complete data only
                # (a processing time, hence a due time — overdue and due-soon dossiers occur), whose
                # every step a demo official can take.
                picked = [p for p in picked if p.total is not None and self._covered(p, routes[p.id], kind)]
            weights: list[float] = []
            total = 0.0
            for p in picked:
                total += math.sqrt(p.popularity + 1)  # damped: the top procedure has 15M uses
                weights.append(total)
            self.candidates[kind] = (picked, weights)

    @staticmethod
    def _department_guess(proc: Procedure, departments: list[tuple[str, Unit]]) -> Unit | None:
        field_name = proc.field.name if proc.field_id and proc.field else ""
        text = fold(f"{proc.name} {field_name} {proc.implementing_agency} {proc.competent_authority}")
        for keyword, unit in departments:
            if keyword and keyword in text:
                return unit
        return None

    def _load_officials(self) -> None:
        self.officials = {}
        rows = (
            RoleAssignment.objects.filter(is_active=True, official__user__is_active=True)
            .order_by("unit_id", "role", "official__user_id")
            .values_list("unit_id", "role", "official__user_id", "official__full_name")
        )
        for unit_id, role, user_id, name in rows:
            self.officials.setdefault((unit_id, role), []).append(Official_(user_id, name))

    def route(self, proc: ProcInfo, centre: UnitInfo) -> int:
        if centre.kind == UnitKind.PROVINCE_CENTRE:
            found = self._routes_from_province[proc.id]
            assert found is not None
            return found
        found = self._routes_from_commune[proc.id]
        if found is None:
            assert centre.parent_id is not None
            return centre.parent_id
        return found

    def step_unit(self, step: StepInfo, *, receiving: int, competent: int) -> int:
        """``services.step_unit_resolve`` on ids, with the provincial committee looked up once."""
        performer = step_performer(step_kind=step.unit_kind, competent_kind=self.units[competent].kind)
        if performer == StepPerformer.RECEIVING_CENTRE:
            return receiving
        if performer == StepPerformer.PROVINCE_COMMITTEE and self.province_committee is not None:
            return self.province_committee
        return competent

    def _needed(
        self, proc: ProcInfo, competent: int | None, centre_ids: Iterable[int]
    ) -> set[tuple[int, str]]:
        needed: set[tuple[int, str]] = set()
        for centre in centre_ids:
            unit = self.units[centre]
            if unit.kind == UnitKind.PROVINCE_CENTRE and competent is None:
                continue
            comp = competent if competent is not None else unit.parent_id
            if comp is None:
                continue
            for step in proc.steps:
                needed.add((self.step_unit(step, receiving=centre, competent=comp), step.role))
            needed.add((comp, Role.LEADER))
            needed.add((centre, Role.RECEPTION))
        return needed

    def _covered(self, proc: ProcInfo, competent: int | None, kind: str) -> bool:
        """Every step of ``proc`` received at the simulated centres of ``kind`` has an official."""
        centres = [c.id for c in self.centres if c.kind == kind]
        needed = self._needed(proc, competent, centres)
        return bool(centres) and all(self.officials.get(key) for key in needed)

    def _synthetic_officials_ensure(self) -> None:
        """Create an account for every (unit, role) a simulated step needs and nobody holds."""
        needed: set[tuple[int, str]] = set()
        province_centres = [c.id for c in self.centres if c.kind == UnitKind.PROVINCE_CENTRE]
        commune_centres = [c.id for c in self.centres if c.kind == UnitKind.COMMUNE_CENTRE]
        for proc in self.procedures:
            if proc.id in self._routes_from_province and province_centres:
                needed |= self._needed(proc, self._routes_from_province[proc.id], province_centres)
            if proc.id in self._routes_from_commune and commune_centres:
                needed |= self._needed(proc, self._routes_from_commune[proc.id], commune_centres)
        # Transfers go to another commune committee or a department: a specialist there.
        for unit_id in self.departments + self.communes:
            needed.add((unit_id, Role.SPECIALIST))
        missing = sorted(key for key in needed if not self.officials.get(key))
        if not missing:
            return
        rng = random.Random(20260101)
        password = make_password(None)
        usernames = {key: f"sim.{key[1]}.{self.units[key[0]].slug or key[0]}"[:150] for key in missing}
        full_names = {name: _vn_name(rng)[0] for name in usernames.values()}
        existing = set(
            Account.objects.filter(username__in=usernames.values()).values_list("username", flat=True)
        )
        with transaction.atomic():
            Account.objects.bulk_create(
                [
                    Account(
                        username=name,
                        password=password,
                        kind=AccountKind.OFFICIAL,
                        full_name=full_names[name],
                    )
                    for name in usernames.values()
                    if name not in existing
                ]
            )
            users = dict(
                Account.objects.filter(username__in=usernames.values()).values_list("username", "pk")
            )
            have = set(Official.objects.filter(user_id__in=users.values()).values_list("user_id", flat=True))
            Official.objects.bulk_create(
                [
                    Official(user_id=pk, full_name=full_names[name], title="Tài khoản mô phỏng")
                    for name, pk in users.items()
                    if pk not in have
                ]
            )
            officials = dict(Official.objects.filter(user_id__in=users.values()).values_list("user_id", "pk"))
            RoleAssignment.objects.bulk_create(
                [
                    RoleAssignment(official_id=officials[users[usernames[key]]], unit_id=key[0], role=key[1])
                    for key in missing
                ],
                ignore_conflicts=True,
            )

    def rule_dossier(self, process_id: int) -> Dossier:
        """An unsaved dossier of this process version on which ``History`` asks the engine's rules.

        One per process version, so ``rules.step_plan`` reads its steps once; the histories, run one
        after the other, set its state and current step before each question.
        """
        dossier = self._rule_dossiers.get(process_id)
        if dossier is None:
            dossier = self._rule_dossiers[process_id] = Dossier(process_id=process_id)
        return dossier

    def official(self, rng: random.Random, unit: int, role: str) -> Official_ | None:
        pool = self.officials.get((unit, role))
        if not pool:
            return None
        return pool[rng.randrange(len(pool))] if len(pool) > 1 else pool[0]


def _decision_index(steps: list[StepInfo]) -> int:
    return decision_index([s.role for s in steps])


# --------------------------------------------------------------------------------------------------
# Rows
# --------------------------------------------------------------------------------------------------

STEP_COLUMNS = (
    "id", "dossier_id", "seq", "process_step_id", "name", "unit_id", "role", "assignee_id",
    "handed_over_by_id", "started_at", "due_at", "finished_at", "finished_by_id", "status", "outcome", "note",
)  # fmt: skip
EVENT_COLUMNS = (
    "id", "dossier_id", "seq", "at", "action", "actor_id", "actor_name", "unit_id", "from_state",
    "to_state", "reason", "data", "prev_hash", "hash",
)  # fmt: skip
COMPONENT_COLUMNS = (
    "id", "dossier_id", "order", "catalog_document_id", "name", "required", "copies", "paper_presented",
    "file", "file_sha256", "uploaded_at", "is_supplement",
)  # fmt: skip
FEE_COLUMNS = ("id", "dossier_id", "name", "amount_vnd", "paid_at", "explanation")
PAUSE_COLUMNS = (
    "id", "dossier_id", "reason", "started_at", "ended_at", "note", "items", "resume_state",
    "remaining_us", "step_remaining_us",
)  # fmt: skip


def _dossier_columns() -> tuple[list[str], list[Any]]:
    columns: list[str] = []
    defaults: list[Any] = []
    for f in concrete_fields(Dossier):
        columns.append(f.column)
        if f.null:
            defaults.append(None)
        elif f.has_default():
            defaults.append(f.get_default())
        else:
            defaults.append("" if f.get_internal_type() in ("CharField", "TextField", "EmailField") else None)
    return columns, defaults


TABLES = (Dossier, DossierStep, DossierEvent, DossierComponent, DossierFee, DossierPause)
# Most rows one dossier can have per table: each batch gets its own block of ids, so batches can be
# generated in parallel and stay deterministic (ids have gaps between batches; nothing relies on
# dense ids).
PER_DOSSIER = {
    "dossiers_dossierstep": 48,
    "dossiers_dossierevent": 96,
    "dossiers_dossiercomponent": 48,
    "dossiers_dossierfee": 16,
    "dossiers_dossierpause": 4,
}


def ids_first_free() -> dict[str, int]:
    """Next primary key of each table, read once at the start (the database must be idle)."""
    return {
        model._meta.db_table: (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1 for model in TABLES
    }


class Ids:
    """Primary keys for one batch: ``first`` per table, at most ``limit`` rows each."""

    def __init__(self, first: dict[str, int], *, dossiers: int = 0) -> None:
        self.next = dict(first)
        self.stop = {table: value + PER_DOSSIER.get(table, 1) * dossiers for table, value in first.items()}
        self.checked = dossiers > 0

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        if self.checked and value >= self.stop[table]:
            raise RuntimeError(f"Quá số dòng dự kiến mỗi hồ sơ ở bảng {table} (PER_DOSSIER).")
        return value


class Rows:
    """Rows of one batch, per table, as tuples in the column order above."""

    def __init__(self) -> None:
        self.dossiers: list[tuple[Any, ...]] = []
        self.steps: list[tuple[Any, ...]] = []
        self.events: list[tuple[Any, ...]] = []
        self.components: list[tuple[Any, ...]] = []
        self.fees: list[tuple[Any, ...]] = []
        self.pauses: list[tuple[Any, ...]] = []

    def _tables(self) -> tuple[list[tuple[Any, ...]], ...]:
        return (self.dossiers, self.steps, self.events, self.components, self.fees, self.pauses)

    def mark(self) -> tuple[int, ...]:
        return tuple(len(table) for table in self._tables())

    def truncate(self, mark: tuple[int, ...]) -> None:
        """Drop the rows appended since ``mark`` (a history played again replaces them)."""
        for table, length in zip(self._tables(), mark, strict=True):
            del table[length:]


# --------------------------------------------------------------------------------------------------
# One dossier's history
# --------------------------------------------------------------------------------------------------


class _Cut(Exception):
    """The next action would happen after "now": the dossier stays in its current state."""


@dataclass
class Skeleton:
    """What is decided before codes are numbered: where, what, when, how."""

    index: int
    centre: UnitInfo
    proc: ProcInfo
    channel: str
    receive_k: int  # axis position of receipt (counter) or acceptance (online)
    submitted_at: int  # instant
    force: str | None = None
    code: str = ""
    dossier_id: int = 0
    seed: int = 0


@dataclass
class _StepRow:
    id: int
    seq: int
    process_step_id: int | None
    index: int | None  # index in the plan; None for a transfer step
    name: str
    unit: int
    role: str
    assignee: int | None
    handed_over_by: int | None
    started_at: int
    due_at: int | None
    finished_at: int | None = None
    finished_by: int | None = None
    status: str = StepStatus.ACTIVE
    outcome: str = ""
    note: str = ""

    def tuple(self, dossier_id: int, clock: Clock) -> tuple[Any, ...]:
        return (
            self.id, dossier_id, self.seq, self.process_step_id, self.name, self.unit, self.role,
            self.assignee, self.handed_over_by, clock.db(self.started_at), clock.db(self.due_at),
            clock.db(self.finished_at), self.finished_by, self.status, self.outcome, self.note,
        )  # fmt: skip


@dataclass
class _Pause:
    id: int
    reason: str
    started_at: int
    note: str
    items: list[dict[str, Any]]
    resume_state: str
    remaining_us: int | None
    step_remaining_us: int | None
    ended_at: int | None = None


@dataclass(frozen=True)
class PlayedDossier:
    """What an applicant chooser (``simulate(applicant=…)``) sees of a history played in memory."""

    dossier_id: int
    code: str
    state: str
    receiving_unit: str  # slug
    procedure_id: int
    applicant_kind: str
    applicant_id_number: str


# Given a played history, the applicant to record instead of the random one (``APPLICANT_FIELDS``
# except the kind, which the procedure's audience decides), or None to keep it.
ApplicantChooser = Callable[[PlayedDossier], Mapping[str, Any] | None]


@dataclass
class Mix:
    """Probabilities of the realistic mix (per dossier unless noted)."""

    refuse: float = 0.06  # online dossiers refused at reception
    withdraw_before_accept: float = 0.015
    supplement: float = 0.12
    supplement_never: float = 0.12  # of supplements: the citizen never comes back (→ withdraw/stop)
    transfer: float = 0.06
    payment: float = 0.05
    send_back: float = 0.04
    reject: float = 0.03
    stop: float = 0.012
    withdraw: float = 0.012
    extend_if_late: float = 0.35
    pool: float = 0.3  # a step left to the unit pool (then claimed)
    speed_median: float = 0.55  # work time / budget
    speed_sigma: float = 0.45
    surges: float = 0.0  # overload episodes per unit and 100 working days (``Surges``); 0: none


class Surges:
    """Overload episodes of the units — đợt quá tải (``Mix.surges`` > 0, ``simulate --surges``).

    Every history is played on its own, so no queue can build up from the others' work. Congestion is
    drawn instead as episodes per unit: during one the arrivals routed to the unit are up to ``PEAK``
    times denser and the work at its steps takes as much longer, and the slowdown drains linearly over
    as long again afterwards (the backlog clears). At an instant inside an episode the unit therefore
    holds more open dossiers and each of them waits longer, as a real queue does: what the lateness
    forecast's queue term is meant to see, and what ``forecast-calibrate`` measures it against.
    Episodes are drawn per unit from their own seed (same seed, same episodes in every process).
    """

    PEAK = 3.0

    def __init__(self, *, seed: int, per_100_days: float, days: int, ordinal: Mapping[int, int]) -> None:
        self.seed, self.rate, self.days = seed, per_100_days / 100, days
        self.ordinal = ordinal  # unit id → ``World.ordinal`` (what the draws are keyed on)
        self._episodes: dict[int, list[tuple[int, int, float]]] = {}

    def episodes(self, unit: int) -> list[tuple[int, int, float]]:
        """(first working day, end, strength) on the axis's working-day numbers."""
        found = self._episodes.get(unit)
        if found is None:
            rng = random.Random(f"surges:{self.seed}:{self.ordinal[unit]}")
            found, day = [], int(rng.expovariate(self.rate))
            while day < self.days:
                length = rng.randint(5, 15)
                found.append((day, day + length, rng.uniform(1.8, self.PEAK)))
                day += 2 * length + int(rng.expovariate(self.rate))
            self._episodes[unit] = found
        return found

    def factor(self, unit: int, day: int) -> float:
        """How many times the unit's usual load it carries on working day ``day`` (1: no episode)."""
        for start, end, strength in self.episodes(unit):
            if day < start:
                break
            if day < end:
                return strength
            drained = (day - end) / (end - start)
            if drained < 1:
                return 1 + (strength - 1) * (1 - drained)
        return 1.0


class History:
    """Replays the services' rules for one dossier, appending its rows (see services.py)."""

    def __init__(
        self,
        sim: Simulation,
        sk: Skeleton,
        rng: random.Random,
        *,
        now: int,
        rows: Rows,
        marker: str,
        ids: Ids | None = None,
        applicant: Mapping[str, Any] | None = None,
    ) -> None:
        self.sim, self.sk, self.rng, self.now, self.rows, self.marker = sim, sk, rng, now, rows, marker
        self.applicant_chosen = applicant
        self.world = sim.world
        self.axis = sim.axis
        self.clock = sim.clock
        self.ids = ids if ids is not None else Ids(sim.first_ids)
        self.mix = sim.mix
        p = sk.proc
        self.p = p
        self.receiving = sk.centre.id
        self.competent = self.world.route(p, sk.centre)
        self.current_unit = self.receiving
        self.state = ""
        self.steps: list[_StepRow] = []
        self.step: _StepRow | None = None
        self.pauses: list[_Pause] = []
        self.pause: _Pause | None = None
        self.events = 0
        self.last_hash = ""
        self.transitions: list[tuple[int, str]] = []  # (instant, state) — for forcing a state at "now"
        self.t = sk.submitted_at
        self.last_at = self.t
        self.d: dict[str, Any] = {}
        self.component_count = 0
        self.fees_total = 0
        self.fees: list[list[Any]] = []  # [id, name, amount, paid_at, explanation]
        # How long the work takes compared with the budget (lateness comes from here).
        self.speed = rng.lognormvariate(math.log(self.mix.speed_median), self.mix.speed_sigma)
        self._rule_step = DossierStep()
        total = p.total.nominal_work if p.total else 3 * 8 * HOUR_US
        self.plan_work = max(int(total * self.speed), 20 * 60 * US)

    # ---- time ------------------------------------------------------------------------------------

    def _advance(self, work: int) -> int:
        """Move the clock ``work`` working microseconds forward (whole seconds); cut at "now"."""
        k = self.axis.to_axis(self.t) + max(work, US)
        t = self.axis.at(k)
        t -= t % US
        if t <= self.t:
            t = self.t + US
        if t > self.now:
            raise _Cut
        self.t = t
        return t

    def _step_work(self, index: int) -> int:
        """Working time spent at a plan step: a share of the planned work."""
        p = self.p
        n = len(p.steps)
        if index == 0:
            share = 0.05
        elif index < p.decision:
            share = 0.6 / max(p.decision - 1, 1)
        elif index == p.decision:
            share = 0.2
        else:
            share = 0.15 / max(n - 2 - p.decision, 1)
        return int(self.plan_work * share * self.rng.uniform(0.6, 1.4))

    # ---- the engine's rules ----------------------------------------------------------------------

    def _refusal(self, action: str) -> str | None:
        """``rules.state_error`` for ``action`` on the dossier as it stands now: the simulator takes the
        engine's decisions (which actions each state and step position allow), it does not copy them.

        Apart from an extension (which depends on the time left), the answer depends only on the state,
        the step of the process version, whether the step is claimed and whether the result is signed,
        so it is asked once per such case (a million dossiers ask a few thousand questions).
        """
        step = self.step
        d = self.d
        key = None
        if action != Action.EXTEND:
            key = (
                self.p.process_id, action, self.state, step is None,
                step.process_step_id if step else None, step is None or step.assignee is None,
                d.get("signed_at") is None,
            )  # fmt: skip
            if key in self.world.refusals:
                return self.world.refusals[key]
        dossier = self.world.rule_dossier(self.p.process_id)
        if step is None:
            dossier.current_step = None
        else:
            rule_step = self._rule_step
            rule_step.pk = step.id
            rule_step.process_step_id = step.process_step_id
            rule_step.assignee_id = step.assignee
            rule_step.name = step.name
            dossier.current_step = rule_step
        dossier.state = self.state
        dossier.signed_at = None if d.get("signed_at") is None else instant_dt(d["signed_at"])
        dossier.extended = bool(d.get("extended"))
        dossier.due_at = None if d.get("due_at") is None else instant_dt(d["due_at"])
        refusal = rules.state_error(action, dossier, now=instant_dt(self.t))
        if key is not None:
            self.world.refusals[key] = refusal
        return refusal

    def _allows(self, action: str) -> bool:
        return self._refusal(action) is None

    def _require(self, action: str) -> None:
        """Stop at a simulator bug rather than write a history the engine would have refused."""
        refusal = self._refusal(action)
        if refusal is not None:
            raise RuntimeError(f"Mô phỏng sai quy tắc ({self.sk.code}, {action}): {refusal}")

    # ---- rows ------------------------------------------------------------------------------------

    def _record(
        self,
        action: str,
        *,
        actor: Official_ | None,
        unit: int | None,
        to_state: str | None = None,
        reason: str = "",
        data: dict[str, Any] | None = None,
        actor_name: str | None = None,
    ) -> None:
        from_state = self.state
        if to_state is not None:
            self.state = to_state
            self.transitions.append((self.t, to_state))
        self.events += 1
        data = data or {}
        if self.events == 1:
            data[MARKER_KEY] = self.marker
            data[event_data.APPLICANT_KEY] = event_data.applicant_digest(self.d)
        # As the engine's ``event_record``: the row as this event leaves it.
        data[event_data.ROW_KEY] = event_data.row_after(
            unit=self.current_unit,
            step=self.step.id if self.step else None,
            due_at=self.clock.json(self.d.get("due_at")),
        )
        name = actor_name if actor_name is not None else (actor.name if actor else "Hệ thống")
        at = self.t
        seq = self.events
        actor_id = actor.user_id if actor else None
        name = name[:200]
        data_json = _dumps(data)
        prev = self.last_hash
        at_db, at_audit = self.clock.db_and_audit(at)
        # audit.event_canonical, assembled by hand (keys in sorted order, same separators and escaping
        # as json.dumps(sort_keys=True, ensure_ascii=False)): one small dumps per event instead of two.
        canonical = "".join(
            (
                '{"action":', _str(action), ',"actor":', _num(actor_id), ',"actor_name":', _str(name),
                ',"at":"', at_audit, '","data":', data_json, ',"dossier":', str(self.sk.dossier_id),
                ',"from_state":', _str(from_state), ',"prev_hash":"', prev, '","reason":', _str(reason),
                ',"seq":', str(seq), ',"to_state":', _str(self.state), ',"unit":', _num(unit), "}",
            )
        )  # fmt: skip
        digest = hashlib.sha256((prev + canonical).encode()).hexdigest()
        self.rows.events.append(
            (
                self.ids.take("dossiers_dossierevent"), self.sk.dossier_id, seq, at_db, action,
                actor_id, name, unit, from_state, self.state, reason, data_json, prev, digest,
            )
        )  # fmt: skip
        self.last_hash = digest
        self.last_at = at

    def _step_start(
        self,
        *,
        index: int | None,
        unit: int,
        role: str,
        assignee: Official_ | None,
        by: Official_ | None,
        name: str = "",
    ) -> _StepRow:
        plan_step = self.p.steps[index] if index is not None else None
        row = _StepRow(
            id=self.ids.take("dossiers_dossierstep"),
            seq=len(self.steps) + 1,
            process_step_id=plan_step.id if plan_step else None,
            index=index,
            name=name or (plan_step.name if plan_step else ""),
            unit=unit,
            role=role,
            assignee=assignee.user_id if assignee else None,
            handed_over_by=by.user_id if by else None,
            started_at=self.t,
            due_at=self.sim.dues.due(plan_step.budget if plan_step else None, self.t),
        )
        self.steps.append(row)
        self.step = row
        self.current_unit = unit
        self.d["current_assignee_id"] = row.assignee
        return row

    def _plan_step_start(self, index: int, *, assignee: Official_ | None, by: Official_ | None) -> _StepRow:
        step = self.p.steps[index]
        unit = self.world.step_unit(step, receiving=self.receiving, competent=self.competent)
        return self._step_start(index=index, unit=unit, role=step.role, assignee=assignee, by=by)

    def _step_finish(
        self, by: Official_ | None, status: str = StepStatus.DONE, note: str = ""
    ) -> _StepRow | None:
        step = self.step
        if step is None or step.finished_at is not None:
            return step
        step.finished_at = self.t
        step.finished_by = by.user_id if by else None
        step.status = status
        step.outcome = "" if status == StepStatus.CANCELLED else self._outcome(self.t, step.due_at)
        if note:
            step.note = note
        return step

    def _outcome(self, finished: int, due: int | None) -> str:
        """``deadlines.outcome``: late after the instant, early on an earlier local date."""
        if due is None:
            return Outcome.ON_TIME
        if finished > due:
            return Outcome.LATE
        if self.axis.local_ordinal(finished) < self.axis.local_ordinal(due):
            return Outcome.EARLY
        return Outcome.ON_TIME

    def _handover(self, previous: _StepRow | None, step: _StepRow) -> dict[str, Any]:
        return event_data.handed_over(
            from_step=previous.name if previous else "",
            from_outcome=previous.outcome if previous else "",
            to_step=step.name,
            to_unit=self.world.units[step.unit].agency_code,
            to_role=step.role,
            assignee=step.assignee,
            step_due_at=self.clock.json(step.due_at),
        )

    def _pick(self, unit: int, role: str) -> Official_ | None:
        return self.world.official(self.rng, unit, role)

    def _by_id(self, user_id: int | None, unit: int, role: str) -> Official_ | None:
        for official in self.world.officials.get((unit, role), ()):
            if official.user_id == user_id:
                return official
        return None

    def _actor(self) -> Official_ | None:
        """The current step's actor: its assignee, else someone claims it from the unit pool first."""
        step = self.step
        assert step is not None
        if step.assignee is not None:
            return self._by_id(step.assignee, step.unit, step.role) or self._pick(step.unit, step.role)
        official = self._pick(step.unit, step.role)
        if official is None:
            return None
        self._advance(int(self.rng.uniform(0.02, 0.3) * 8 * HOUR_US))
        self._require(Action.CLAIM)
        step.assignee = official.user_id
        self.d["current_assignee_id"] = official.user_id
        self._record(Action.CLAIM, actor=official, unit=self.current_unit)
        return official

    def _next_assignee(self, index: int) -> Official_ | None:
        if self.rng.random() < self.mix.pool:
            return None
        step = self.p.steps[index]
        return self._pick(
            self.world.step_unit(step, receiving=self.receiving, competent=self.competent), step.role
        )

    # ---- the history -----------------------------------------------------------------------------

    def run(self) -> None:
        d = self.d
        sk = self.sk
        d.update(
            code=sk.code,
            procedure_id=self.p.id,
            procedure_version=self.p.version,
            process_id=self.p.process_id,
            channel=sk.channel,
            receiving_unit_id=self.receiving,
            competent_unit_id=self.competent,
            submitted_at=sk.submitted_at,
            summary=f"{self.p.name[:300]}",
            fees_paid=True,
        )
        self._applicant()
        try:
            self._receipt()
            if self.state == DossierState.ACCEPTED:
                self._process()
        except _Cut:
            pass
        self._finish_rows()

    def _applicant(self) -> None:
        rng, d = self.rng, self.d
        # The roll is drawn for every dossier, so the rest of a seeded history does not depend on it.
        if rng.random() < 0.1 and self.p.for_organisations:
            d["applicant_kind"] = "organisation"
            d["applicant_name"] = rng.choice(COMPANY).format(rng.choice(COMPANY_NAMES))
            d["applicant_id_number"] = _tax_code(f"57{rng.randrange(10**8):08d}")
            rep, _ = _vn_name(rng)
            d["representative_name"] = rep
            d["representative_phone"] = _mobile(f"09{rng.randrange(10**8):08d}")
        else:
            name, male = _vn_name(rng)
            year = rng.randint(1950, 2006)
            century = 0 if year < 2000 else 2
            gender = century + (0 if male else 1)
            d["applicant_kind"] = "person"
            d["applicant_name"] = name
            province = "022" if rng.random() < 0.8 else rng.choice(("001", "031", "036", "038", "079"))
            d["applicant_id_number"] = f"{province}{gender}{year % 100:02d}{rng.randrange(10**6):06d}"
            d["applicant_birth_date"] = date(year, rng.randint(1, 12), rng.randint(1, 28)).isoformat()
        d["applicant_phone"] = _mobile(f"0{rng.choice('39785')}{rng.randrange(10**8):08d}")
        place = self.world.units[self.receiving].name.replace("Trung tâm Phục vụ hành chính công ", "")
        d["applicant_address"] = f"{place}, tỉnh Quảng Ninh"
        if self.applicant_chosen is not None:
            # After the draws above, so the rest of the history is the one the chooser saw.
            chosen = dict(self.applicant_chosen)
            unknown = set(chosen) - set(event_data.APPLICANT_FIELDS)
            if unknown or chosen.get("applicant_kind", d["applicant_kind"]) != d["applicant_kind"]:
                raise ValueError(
                    f"Người nộp hồ sơ mô phỏng không hợp lệ: {sorted(unknown) or 'applicant_kind'}"
                )
            birth = chosen.get("applicant_birth_date")
            if isinstance(birth, date):
                chosen["applicant_birth_date"] = birth.isoformat()
            d.update(chosen)
        # Rows are inserted without Dossier.save, which keeps the accent-folded name the search uses.
        d["applicant_search"] = fold(d["applicant_name"])[:255]

    def _components(self, *, supplement: bool, names: Sequence[str] = ()) -> list[str]:
        rng = self.rng
        added: list[str] = []
        now_db = self.clock.db(self.t)
        if supplement:
            entries: list[tuple[int | None, str, bool, str]] = [(None, name, False, "") for name in names]
        elif self.p.documents:
            entries = list(self.p.documents)
        else:
            entries = [
                (None, name, required, "01 bản") for name, required in GENERIC_COMPONENTS[: rng.randint(1, 3)]
            ]
        online = self.sk.channel in (Channel.ONLINE, Channel.DVCQG)
        for doc_id, name, required, copies in entries:
            self.component_count += 1
            has_file = online or rng.random() < 0.7  # digitised at the counter
            self.rows.components.append(
                (
                    self.ids.take("dossiers_dossiercomponent"), self.sk.dossier_id, self.component_count,
                    doc_id, name, required, copies, not online, "", "", now_db if has_file else None,
                    supplement,
                )
            )  # fmt: skip
            added.append(name)
        return added

    def _fees_catalogue(self) -> None:
        due = self.p.fees[fee_channel_of(self.sk.channel)]
        for line in due.lines:
            if line.amount_vnd:
                self.fees.append(
                    [self.ids.take("dossiers_dossierfee"), line.name, line.amount_vnd, None, line.explanation]
                )
        self.fees_total += due.total_vnd
        self.d.update(
            fees_paid=due.status == FeeStatus.FREE,
            fee_status=due.status,
            fee_explanation=due.explanation,
            fee_case=due.case[:300],
        )

    def _clock_start(self) -> None:
        d = self.d
        d["received_at"] = self.t
        d["clock_started_at"] = self.axis.at(self.axis.to_axis(self.t))
        d["due_at"] = self.sim.dues.due(self.p.total, self.t)
        d["original_due_at"] = d["due_at"]

    def _receipt(self) -> None:
        rng, sk, d = self.rng, self.sk, self.d
        force = sk.force
        if sk.channel in (Channel.ONLINE, Channel.DVCQG):
            d["status"] = STATE_STATUS[DossierState.SUBMITTED]
            self._components(supplement=False)
            self._fees_catalogue()
            self._record(
                "submit",
                actor=None,
                actor_name=d["applicant_name"],
                unit=self.receiving,
                to_state=DossierState.SUBMITTED,
                data=event_data.submitted(
                    channel=sk.channel, competent_unit=self.world.units[self.competent].agency_code
                ),
            )
            if force == DossierState.WITHDRAWN or (
                force is None and rng.random() < self.mix.withdraw_before_accept
            ):
                self._advance(int(rng.uniform(0.05, 0.8) * 8 * HOUR_US))
                self._withdraw(on_behalf=False)
                return
            reception = self._pick(self.receiving, Role.RECEPTION)
            accept_at = self.axis.at(sk.receive_k)
            accept_at -= accept_at % US
            if accept_at > self.now:
                raise _Cut
            self.t = max(accept_at, self.t + US)
            if force == DossierState.REFUSED or (force is None and rng.random() < self.mix.refuse):
                self._require(Action.REFUSE)
                reason = rng.choice(REFUSE_REASONS)
                d["state_reason"] = reason
                d["finished_at"] = self.t
                d["current_assignee_id"] = None
                self._record(
                    Action.REFUSE,
                    actor=reception,
                    unit=self.receiving,
                    to_state=DossierState.REFUSED,
                    reason=reason,
                    data=event_data.refused(),
                )
                return
            self._require(Action.ACCEPT)
            self._clock_start()
            self._plan_step_start(0, assignee=reception, by=reception)
            self._record(
                Action.ACCEPT,
                actor=reception,
                unit=self.receiving,
                to_state=DossierState.ACCEPTED,
                data=event_data.accepted(due_at=self.clock.json(d["due_at"])),
            )
            return
        # Counter, kiosk, post: received and accepted at once.
        reception = self._pick(self.receiving, Role.RECEPTION)
        d["status"] = STATE_STATUS[DossierState.ACCEPTED]
        self._components(supplement=False)
        self._fees_catalogue()
        self._clock_start()
        self._plan_step_start(0, assignee=reception, by=reception)
        self._record(
            "receive",
            actor=reception,
            unit=self.receiving,
            to_state=DossierState.ACCEPTED,
            data=event_data.received(
                channel=sk.channel,
                competent_unit=self.world.units[self.competent].agency_code,
                due_at=self.clock.json(d["due_at"]),
            ),
        )

    def _process(self) -> None:
        rng, mix, p, force = self.rng, self.mix, self.p, self.sk.force
        decision = p.decision
        sent_back = transferred = supplemented = paid = False
        wants_transfer = force == DossierState.TRANSFERRED or (force is None and rng.random() < mix.transfer)
        wants_supplement = force == DossierState.SUPPLEMENT_REQUESTED or (
            force is None and rng.random() < mix.supplement
        )
        wants_payment = force == DossierState.AWAITING_PAYMENT or (
            force is None and rng.random() < mix.payment
        )
        wants_stop = force == DossierState.STOPPED or (force is None and rng.random() < mix.stop)
        wants_withdraw = force == DossierState.WITHDRAWN or (force is None and rng.random() < mix.withdraw)
        first_work_index = 1 if decision > 1 else decision
        while True:
            step = self.step
            assert step is not None
            assert step.index is not None
            index = step.index
            if self._allows(Action.RETURN_RESULT):
                # Waiting for the citizen to collect the result (not counted).
                self._advance(int(rng.expovariate(1 / (1.5 * 8 * HOUR_US))))
                actor = self._pick(self.receiving, Role.RECEPTION)
                self._step_finish(actor)
                self.d["returned_at"] = self.t
                self.d["current_assignee_id"] = None
                method = (
                    "online"
                    if self.sk.channel in (Channel.ONLINE, Channel.DVCQG) and rng.random() < 0.6
                    else ("postal" if self.sk.channel == Channel.POSTAL else "counter")
                )
                self._record(
                    Action.RETURN_RESULT,
                    actor=actor,
                    unit=self.current_unit,
                    to_state=DossierState.RETURNED,
                    data=event_data.result_returned(method=method, decision=self.d.get("decision", "")),
                )
                return
            work = self._step_work(index)
            if self.sim.surges is not None:
                work = int(
                    work * self.sim.surges.factor(step.unit, self.axis.to_axis(self.t) // self.axis.day)
                )
            self._advance(work)
            actor = self._actor()
            self._maybe_extend(actor)
            if index == first_work_index:
                if wants_withdraw:
                    self._withdraw(on_behalf=True)
                    return
                if wants_stop and not wants_supplement:
                    self._stop()
                    return
                if wants_transfer and not transferred and self._allows(Action.TRANSFER):
                    transferred = True
                    self._transfer(actor)
                    continue
                if wants_supplement and not supplemented and self._allows(Action.REQUEST_SUPPLEMENT):
                    supplemented = True
                    if not self._supplement(actor, stop=wants_stop):
                        return
                    continue
            # Which of the step's actions the rules allow tells the decision step, a signing step
            # (between the decision and the return) and a step before the decision apart.
            deciding = self._allows(Action.APPROVE)
            if wants_payment and not paid and deciding and self._allows(Action.REQUEST_PAYMENT):
                paid = True
                self._payment(actor)
                continue
            if deciding:
                if (
                    not sent_back
                    and self._allows(Action.SEND_BACK)
                    and force is None
                    and rng.random() < mix.send_back
                ):
                    sent_back = True
                    self._send_back(actor, index - 1)
                    continue
                self._decide(actor, reject=force is None and rng.random() < mix.reject)
                continue
            if not self._allows(Action.RECORD_SIGNATURE):
                self._require(Action.FORWARD)
                previous = self._step_finish(actor)
                new = self._plan_step_start(index + 1, assignee=self._next_assignee(index + 1), by=actor)
                self._record(
                    Action.FORWARD,
                    actor=actor,
                    unit=previous.unit if previous else None,
                    to_state=DossierState.PROCESSING,
                    data=self._handover(previous, new),
                )
                continue
            # A signing step.
            if self.d.get("signed_at") is None:
                signer = self._pick(self.competent, Role.LEADER) or actor
                reference = f"KQ-{self.sk.code}"
                self.d.update(
                    signed_by_id=signer.user_id if signer else None,
                    signed_at=self.t,
                    signature_reference=reference,
                )
                self._record(
                    Action.RECORD_SIGNATURE,
                    actor=actor,
                    unit=self.current_unit,
                    data=event_data.signed(
                        signer=signer.user_id if signer else None,
                        signer_name=signer.name if signer else "",
                        reference=reference,
                    ),
                )
                self._advance(int(rng.uniform(0.05, 0.3) * 8 * HOUR_US))
            unit = self.current_unit
            ready = self._allows(Action.MARK_RESULT_READY)
            if not ready:
                self._require(Action.FORWARD)
            previous = self._step_finish(actor)
            if not ready:
                new = self._plan_step_start(index + 1, assignee=self._next_assignee(index + 1), by=actor)
                self._record(
                    Action.FORWARD,
                    actor=actor,
                    unit=unit,
                    to_state=DossierState.PROCESSING,
                    data=self._handover(previous, new),
                )
                continue
            self._result_ready()
            data = event_data.result_ready(
                self._handover(previous, self.step) if self.step else {}, outcome=self.d["outcome"]
            )
            self._record(
                Action.MARK_RESULT_READY,
                actor=actor,
                unit=unit,
                to_state=DossierState.RESULT_READY,
                data=data,
            )

    def _result_ready(self) -> None:
        self.d["finished_at"] = self.t
        self.d["outcome"] = self._outcome(self.t, self.d.get("due_at"))
        self._plan_step_start(len(self.p.steps) - 1, assignee=None, by=None)

    def _decide(self, actor: Official_ | None, *, reject: bool) -> None:
        self._require(Action.REJECT if reject else Action.APPROVE)
        p = self.p
        index = p.decision
        unit = self.current_unit
        reason = self.rng.choice(REJECT_REASONS) if reject else ""
        previous = self._step_finish(actor, note=reason)
        decision = Decision.REJECTED if reject else Decision.APPROVED
        self.d["decision"] = decision
        self.d["decided_by_id"] = actor.user_id if actor else None
        if reject:
            self.d["state_reason"] = reason
        if index + 1 == len(p.steps) - 1:
            self._result_ready()
            to_state = DossierState.RESULT_READY
        else:
            self._plan_step_start(index + 1, assignee=self._next_assignee(index + 1), by=actor)
            to_state = DossierState.PROCESSING
        data = event_data.decided(
            self._handover(previous, self.step) if self.step else {},
            decision=decision,
            outcome=self.d.get("outcome", ""),
        )
        self._record(
            Action.REJECT if reject else Action.APPROVE,
            actor=actor,
            unit=unit,
            to_state=to_state,
            reason=reason,
            data=data,
        )

    def _send_back(self, actor: Official_ | None, target: int) -> None:
        self._require(Action.SEND_BACK)
        reason = self.rng.choice(SEND_BACK_REASONS)
        unit = self.current_unit
        previous = self._step_finish(actor, status=StepStatus.SENT_BACK, note=reason)
        plan_step = self.p.steps[target]
        step_unit = self.world.step_unit(plan_step, receiving=self.receiving, competent=self.competent)
        last_handler = next(
            (
                s.finished_by
                for s in reversed(self.steps)
                if s.process_step_id == plan_step.id and s.finished_by
            ),
            None,
        )
        assignee = self._by_id(last_handler, step_unit, plan_step.role) if last_handler else None
        new = self._step_start(index=target, unit=step_unit, role=plan_step.role, assignee=assignee, by=actor)
        self._record(
            Action.SEND_BACK,
            actor=actor,
            unit=unit,
            to_state=DossierState.PROCESSING,
            reason=reason,
            data=self._handover(previous, new),
        )

    def _transfer(self, actor: Official_ | None) -> None:
        rng, world = self.rng, self.world
        choices = [
            u
            for u in world.departments + world.communes
            if u != self.current_unit and world.officials.get((u, Role.SPECIALIST))
        ]
        if not choices:
            return
        self._require(Action.TRANSFER)
        to_unit = rng.choice(choices)
        reason = rng.choice(TRANSFER_REASONS)
        origin = self.current_unit
        previous = self._step_finish(actor, note=f"Chuyển liên thông: {reason}")
        info = world.units[to_unit]
        assignee = self._pick(to_unit, Role.SPECIALIST) if rng.random() < 0.5 else None
        new = self._step_start(
            index=None,
            unit=to_unit,
            role=Role.SPECIALIST,
            assignee=assignee,
            by=actor,
            name=f"Xử lý liên thông tại {info.short_name or info.name}"[:200],
        )
        self.d["transfer_origin_unit_id"] = origin
        self._record(
            Action.TRANSFER,
            actor=actor,
            unit=origin,
            to_state=DossierState.TRANSFERRED,
            reason=reason,
            data=self._handover(previous, new),
        )
        # The other unit works on it, then sends it back to the step and official it came from.
        self._advance(int(self.plan_work * rng.uniform(0.1, 0.4)))
        other = self._actor()
        resumed = next(s for s in reversed(self.steps) if s.index is not None)
        assert resumed.index is not None
        plan_step = self.p.steps[resumed.index]
        step_unit = world.step_unit(plan_step, receiving=self.receiving, competent=self.competent)
        back_to = self._by_id(new.handed_over_by, step_unit, plan_step.role)
        self._require(Action.TRANSFER_BACK)
        unit = self.current_unit
        previous = self._step_finish(other, note="Đã có ý kiến phối hợp.")
        new = self._step_start(
            index=resumed.index, unit=step_unit, role=plan_step.role, assignee=back_to, by=other
        )
        self.d["transfer_origin_unit_id"] = None
        self._record(
            Action.TRANSFER_BACK,
            actor=other,
            unit=unit,
            to_state=DossierState.PROCESSING,
            reason="Đã có ý kiến phối hợp.",
            data=self._handover(previous, new),
        )

    def _pause_start(self, reason: str, note: str, items: list[dict[str, Any]]) -> _Pause:
        due = self.d.get("due_at")
        step_due = self.step.due_at if self.step else None
        here = self.axis.to_axis(self.t)
        pause = _Pause(
            id=self.ids.take("dossiers_dossierpause"),
            reason=reason,
            started_at=self.t,
            note=note,
            items=items,
            resume_state=self.state,
            remaining_us=self._remaining(here, due),
            step_remaining_us=self._remaining(here, step_due),
        )
        self.pauses.append(pause)
        self.pause = pause
        self.d["paused_at"] = self.t
        return pause

    def _remaining(self, here: int, due: int | None) -> int | None:
        """``deadlines.remaining_us``: working time from now to the due instant (negative when late)."""
        if due is None:
            return None
        return self.axis.to_axis(due) - here

    def _resume(self, restart: bool) -> dict[str, Any]:
        pause = self.pause
        assert pause is not None
        d = self.d
        old_due = d.get("due_at")
        step = self.step
        if restart:
            d["clock_started_at"] = self.axis.at(self.axis.to_axis(self.t))
            d["due_at"] = self.sim.dues.due(self.p.total, self.t)
            plan_step = self.p.steps[step.index] if step and step.index is not None else None
            step_due = self.sim.dues.due(plan_step.budget if plan_step else None, self.t)
            d["original_due_at"] = d["due_at"]
        else:
            d["due_at"] = self._resume_due(pause.remaining_us)
            step_due = self._resume_due(pause.step_remaining_us)
        if step is not None and step.finished_at is None:
            step.due_at = step_due
        pause.ended_at = self.t
        d["paused_at"] = None
        self.pause = None
        return event_data.resumed(
            restart=restart,
            old_due_at=self.clock.json(old_due),
            due_at=self.clock.json(d.get("due_at")),
            step_due_at=self.clock.json(step_due),
        )

    def _resume_due(self, remaining: int | None) -> int | None:
        if remaining is None:
            return None
        here = self.axis.to_axis(self.t)
        return self.axis.due(here + remaining) if remaining > 0 else self.axis.at(here)

    def _supplement(self, actor: Official_ | None, *, stop: bool) -> bool:
        """Request a supplement; returns False when the dossier ends here (withdrawn or stopped)."""
        rng = self.rng
        picked = rng.sample(SUPPLEMENT_ITEMS, rng.randint(1, 2))
        items = [{"name": name, "note": note} for name, note in picked]
        reason = "Hồ sơ chưa đầy đủ, đề nghị công dân bổ sung, hoàn thiện theo danh mục."
        self._require(Action.REQUEST_SUPPLEMENT)
        self._pause_start(PauseReason.SUPPLEMENT, reason, items)
        self._record(
            Action.REQUEST_SUPPLEMENT,
            actor=actor,
            unit=self.current_unit,
            to_state=DossierState.SUPPLEMENT_REQUESTED,
            reason=reason,
            data=event_data.supplement_requested(items=items),
        )
        never = (
            self.sk.force == DossierState.SUPPLEMENT_REQUESTED
            or stop
            or rng.random() < self.mix.supplement_never
        )
        if never:
            self._advance(int(rng.uniform(5, 15) * 8 * HOUR_US))
            if self.sk.force == DossierState.SUPPLEMENT_REQUESTED:
                raise _Cut
            if stop or rng.random() < 0.5:
                self._stop()
            else:
                self._withdraw(on_behalf=True)
            return False
        self._advance(int(rng.uniform(0.5, 6) * 8 * HOUR_US))
        self._require(Action.RECEIVE_SUPPLEMENT)
        reception = self._pick(self.receiving, Role.RECEPTION)
        added = self._components(supplement=True, names=[item["name"] for item in items])
        data = self._resume(restart=not self.p.resumes_remaining)
        data["components"] = added
        self._record(
            Action.RECEIVE_SUPPLEMENT,
            actor=reception,
            unit=self.current_unit,
            to_state=self.pauses[-1].resume_state,
            data=data,
        )
        return True

    def _payment(self, actor: Official_ | None) -> None:
        self._require(Action.REQUEST_PAYMENT)
        rng = self.rng
        name, amount = rng.choice(FINANCIAL_FEES)
        amount = int(amount * rng.choice((1, 1, 2, 3)))
        items = [{"name": name, "amount_vnd": amount}]
        self.fees.append([self.ids.take("dossiers_dossierfee"), name, amount, None, ""])
        self.fees_total += amount
        self.d["fees_paid"] = False
        # As dossiers.services.pauses.dossier_request_payment records it.
        if self.d.get("fee_status") != FeeStatus.PARTIAL:
            self.d["fee_status"] = FeeStatus.DUE
        added = f"Nghĩa vụ tài chính bổ sung: {name}: {vnd(amount)}."
        self.d["fee_explanation"] = f"{self.d.get('fee_explanation', '')} {added}".strip()
        self._pause_start(PauseReason.FINANCIAL, "", items)
        self._record(
            Action.REQUEST_PAYMENT,
            actor=actor,
            unit=self.current_unit,
            to_state=DossierState.AWAITING_PAYMENT,
            data=event_data.payment_requested(fees=items),
        )
        forced = self.sk.force == DossierState.AWAITING_PAYMENT
        self._advance(int((20 if forced else rng.uniform(0.3, 5)) * 8 * HOUR_US))
        for fee in self.fees:
            if fee[3] is None:
                fee[3] = self.t
        self.d["fees_paid"] = True
        self._require(Action.RECORD_PAYMENT)
        data = self._resume(restart=False)
        data["reference"] = f"BL{rng.randrange(10**7):07d}"
        reception = self._pick(self.receiving, Role.RECEPTION)
        self._record(
            Action.RECORD_PAYMENT,
            actor=reception,
            unit=self.current_unit,
            to_state=self.pauses[-1].resume_state,
            data=data,
        )

    def _maybe_extend(self, actor: Official_ | None) -> None:
        """Apology and new appointment (form 04) when the work will clearly overrun, as far as the rules
        allow it (once, while the clock runs, at least one working day before the deadline)."""
        d = self.d
        if self.speed < 1.0 or self.rng.random() >= self.mix.extend_if_late:
            return
        if self._refusal(Action.EXTEND) is not None:
            return
        due = d["due_at"]
        new_due = self.axis.due(
            self.axis.to_axis(due) + int(self.plan_work * self.rng.uniform(0.3, 0.8)) + self.axis.day
        )
        reason = EXTEND_REASONS[0]
        d["original_due_at"] = d.get("original_due_at") or due
        d.update(due_at=new_due, extended=True, extended_at=self.t, extension_reason=reason)
        self._record(
            Action.EXTEND,
            actor=actor,
            unit=self.current_unit,
            reason=reason,
            data=event_data.extended(old_due_at=self.clock.json(due), due_at=self.clock.json(new_due)),
        )

    def _close_open_work(self, by: Official_ | None) -> None:
        self._step_finish(by, status=StepStatus.CANCELLED)
        if self.pause is not None:
            self.pause.ended_at = self.t
            self.pause = None
        self.d["paused_at"] = None
        self.d["current_assignee_id"] = None
        self.d["transfer_origin_unit_id"] = None

    def _withdraw(self, *, on_behalf: bool) -> None:
        self._require(Action.WITHDRAW)
        reason = self.rng.choice(WITHDRAW_REASONS)
        actor = self._pick(self.receiving, Role.RECEPTION) if on_behalf else None
        unit = self.current_unit
        self._close_open_work(actor)
        self.d["state_reason"] = reason
        self.d["finished_at"] = self.t
        self._record(
            Action.WITHDRAW,
            actor=actor,
            actor_name=None if on_behalf else self.d["applicant_name"],
            unit=unit if on_behalf else None,
            to_state=DossierState.WITHDRAWN,
            reason=reason,
            data=event_data.withdrawn(on_behalf=on_behalf),
        )

    def _stop(self) -> None:
        self._require(Action.STOP)
        reason = self.rng.choice(STOP_REASONS)
        leader = self._pick(self.competent, Role.LEADER)
        unit = self.current_unit
        self._close_open_work(leader)
        self.d["state_reason"] = reason
        self.d["finished_at"] = self.t
        self._record(
            Action.STOP,
            actor=leader,
            unit=unit,
            to_state=DossierState.STOPPED,
            reason=reason,
            data=event_data.stopped(),
        )

    def _finish_rows(self) -> None:
        d, clock, rows, dossier_id = self.d, self.clock, self.rows, self.sk.dossier_id
        for step in self.steps:
            rows.steps.append(step.tuple(dossier_id, clock))
        for pause in self.pauses:
            rows.pauses.append(
                (
                    pause.id, dossier_id, pause.reason, clock.db(pause.started_at),
                    clock.db(pause.ended_at), pause.note, _dumps(pause.items), pause.resume_state,
                    pause.remaining_us, pause.step_remaining_us,
                )
            )  # fmt: skip
        for fee_id, name, amount, paid_at, explanation in self.fees:
            rows.fees.append((fee_id, dossier_id, name, amount, clock.db(paid_at), explanation))
        d["id"] = dossier_id
        d["state"] = self.state
        d["status"] = STATE_STATUS[self.state]
        d["is_open"] = self.state in OPEN_STATES
        d["current_unit_id"] = self.current_unit
        d["current_step_id"] = self.step.id if self.step else None
        d["fees_total"] = self.fees_total
        d["event_count"] = self.events
        d["last_event_hash"] = self.last_hash
        d["row_version"] = self.events
        d["created_at"] = self.sk.submitted_at
        d["updated_at"] = self.last_at
        for key in (
            "submitted_at", "received_at", "clock_started_at", "due_at", "original_due_at", "paused_at",
            "extended_at", "finished_at", "returned_at", "signed_at", "created_at", "updated_at",
        ):  # fmt: skip
            if key in d:
                d[key] = clock.db(d[key])
        rows.dossiers.append(tuple(d.get(attname, default) for attname, default in self.sim.dossier_layout))


# --------------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------------
# The simulation
# --------------------------------------------------------------------------------------------------

CHANNEL_MIX: dict[str, tuple[tuple[str, float], ...]] = {
    ServiceLevel.FULL_ONLINE: (
        (Channel.ONLINE, 0.55), (Channel.DVCQG, 0.1), (Channel.COUNTER, 0.25), (Channel.KIOSK, 0.05),
        (Channel.POSTAL, 0.05),
    ),
    ServiceLevel.PARTIAL_ONLINE: (
        (Channel.ONLINE, 0.35), (Channel.DVCQG, 0.05), (Channel.COUNTER, 0.5), (Channel.KIOSK, 0.06),
        (Channel.POSTAL, 0.04),
    ),
    "": ((Channel.COUNTER, 0.82), (Channel.KIOSK, 0.08), (Channel.POSTAL, 0.05), (Channel.ONLINE, 0.05)),
}  # fmt: skip

# States a forced dossier is placed in (demo data and tests cover every state).
FORCEABLE: tuple[str, ...] = (
    DossierState.SUBMITTED, DossierState.REFUSED, DossierState.ACCEPTED, DossierState.PROCESSING,
    DossierState.TRANSFERRED, DossierState.SUPPLEMENT_REQUESTED, DossierState.AWAITING_PAYMENT,
    DossierState.WITHDRAWN, DossierState.STOPPED, DossierState.RESULT_READY, DossierState.RETURNED,
)  # fmt: skip


@dataclass
class SimulationResult:
    dossiers: int
    steps: int
    events: int
    components: int
    fees: int
    pauses: int
    seconds: float
    states: dict[str, int] = field(default_factory=dict)

    def add(self, sizes: dict[str, int], states: dict[str, int]) -> None:
        self.dossiers += sizes["dossiers"]
        self.steps += sizes["steps"]
        self.events += sizes["events"]
        self.components += sizes["components"]
        self.fees += sizes["fees"]
        self.pauses += sizes["pauses"]
        for state, count in states.items():
            self.states[state] = self.states.get(state, 0) + count

    def __str__(self) -> str:
        return (
            f"{self.dossiers} hồ sơ, {self.steps} bước, {self.events} sự kiện, {self.components} thành phần, "
            f"{self.fees} khoản phí, {self.pauses} lần tạm dừng trong {self.seconds:.1f} s"
        )


class Simulation:
    def __init__(
        self,
        *,
        days: int,
        seed: int,
        now: datetime | None = None,
        centre_slugs: Sequence[str] | None = None,
        demo: bool = False,
        mix: Mix | None = None,
        applicant: ApplicantChooser | None = None,
    ) -> None:
        self.seed = seed
        self.applicant_chooser = applicant
        self.days = days
        now = now or timezone.now()
        self.now = dt_instant(now) - dt_instant(now) % US
        self.mix = mix or Mix()
        self.marker = "demo" if demo else "bulk"
        self.world = World(centre_slugs=centre_slugs, demo=demo, create_officials=not demo)
        local_now = instant_dt(self.now).astimezone(worktime.get_schedule().tz).date()
        self.axis = WorkAxis(
            first=local_now - timedelta(days=days + 10), last=local_now + timedelta(days=800)
        )
        self.dues = DueCalculator(self.axis)
        self.surges = (
            Surges(
                seed=seed, per_100_days=self.mix.surges, days=len(self.axis.days), ordinal=self.world.ordinal
            )
            if self.mix.surges > 0
            else None
        )
        self.clock = Clock()
        self.first_ids = ids_first_free()
        self.ids = Ids(self.first_ids)  # dossier ids (dense) and scratch ids of dry runs
        columns, defaults = _dossier_columns()
        attnames = [f.attname for f in concrete_fields(Dossier)]
        self.dossier_columns = columns
        self.dossier_layout = list(zip(attnames, defaults, strict=True))

    # ---- skeletons -------------------------------------------------------------------------------

    def skeletons(self, count: int, *, force_all_states: bool = False) -> list[Skeleton]:
        rng = random.Random(self.seed)
        world, axis = self.world, self.axis
        k_now = axis.to_axis(self.now)
        k_first = axis.to_axis(self.now - self.days * DAY_US)
        centres = [c for c in world.centres if world.candidates[_centre_kind(c.kind)][0]]
        if not centres:
            raise DossierInvalid(
                {"procedures": "Không có thủ tục nào tiếp nhận được tại các trung tâm đã chọn."}
            )

        def size(c: UnitInfo) -> float:
            """A commune centre's fixed pseudo-random size: wards are busier than islands."""
            return 1.0 + (world.ordinal[c.id] * 7919 % 13) / 6

        # The provincial centre takes about a tenth of the province's dossiers (a third with few centres).
        commune_weight = sum(size(c) for c in centres if c.kind != UnitKind.PROVINCE_CENTRE)
        province_weight = max(commune_weight * (0.11 if len(centres) > 10 else 0.5), 1.0)
        # Province centre busier than one commune; bigger communes (wards) busier than islands.
        centre_weights: list[float] = []
        total = 0.0
        for c in centres:
            total += province_weight if c.kind == UnitKind.PROVINCE_CENTRE else size(c)
            centre_weights.append(total)
        result: list[Skeleton] = []
        for index in range(count):
            centre = centres[bisect.bisect(centre_weights, rng.random() * total)]
            procs, weights = world.candidates[_centre_kind(centre.kind)]
            if not procs:
                raise DossierInvalid(
                    {"procedures": f"Không có thủ tục nào tiếp nhận được tại {centre.name}."}
                )
            proc = procs[bisect.bisect(weights, rng.random() * weights[-1])]
            mix = CHANNEL_MIX.get(proc.service_level, CHANNEL_MIX[""])
            roll = rng.random()
            channel = mix[-1][0]
            for name, share in mix:
                if roll < share:
                    channel = name
                    break
                roll -= share
            receive_k = rng.randrange(k_first, max(k_now, k_first + 1))
            if self.surges is not None:
                # Thinning: a day of the competent unit's episode keeps up to PEAK times as many arrivals.
                competent = world.route(proc, centre)
                while rng.random() * Surges.PEAK > self.surges.factor(competent, receive_k // axis.day):
                    receive_k = rng.randrange(k_first, max(k_now, k_first + 1))
            submitted = axis.at(receive_k)
            if channel in (Channel.ONLINE, Channel.DVCQG):
                # Submitted online at any hour, accepted within about a working day.
                submitted -= int(rng.expovariate(1 / (14 * HOUR_US)))
            submitted = min(submitted - submitted % US, self.now)
            result.append(
                Skeleton(index, centre, proc, channel, receive_k, submitted, seed=rng.getrandbits(62))
            )
        if force_all_states:
            for sk, state in zip(result, FORCEABLE, strict=False):
                self._force(sk, state)
        return result

    def _force(self, sk: Skeleton, state: str) -> None:
        """Place a dossier so that "now" falls in ``state``: dry-run its history, then shift it.

        Every wait in a history is working time on the axis, so shifting the receipt by an axis
        distance replays the same history (same random draws) shifted by that distance.
        """
        sk.force = state
        if state in (DossierState.SUBMITTED, DossierState.REFUSED):
            sk.channel = Channel.ONLINE
        if state == DossierState.SUBMITTED:
            # Submitted an hour ago, to be accepted half a working day from now.
            sk.submitted_at = self.now - HOUR_US
            sk.receive_k = self.axis.to_axis(self.now) + 4 * HOUR_US
            return
        need = {str(DossierState.TRANSFERRED): 2, str(DossierState.SUPPLEMENT_REQUESTED): 1}.get(state, 0)
        if sk.proc.decision < need:
            better = [p for p in self.world.candidates[_centre_kind(sk.centre.kind)][0] if p.decision >= need]
            if better:
                sk.proc = better[0]
        gap = (
            self.axis.at(sk.receive_k) - sk.submitted_at
            if sk.channel in (Channel.ONLINE, Channel.DVCQG)
            else 0
        )
        sk.submitted_at = self.axis.at(sk.receive_k) - gap
        sk.submitted_at -= sk.submitted_at % US
        dry = History(self, sk, random.Random(sk.seed), now=10**18, rows=Rows(), marker=self.marker)
        dry.run()
        window: tuple[int, int] | None = None
        for i, (t, s) in enumerate(dry.transitions):
            if s == state:
                end = dry.transitions[i + 1][0] if i + 1 < len(dry.transitions) else t + 5 * DAY_US
                window = (t, end)
        if window is None:
            sk.force = None
            return
        begin, end = window
        target_k = (self.axis.to_axis(begin) + self.axis.to_axis(end)) // 2
        if target_k <= self.axis.to_axis(begin):
            target_k = self.axis.to_axis(begin) + 1
        delta_k = self.axis.to_axis(self.now) - target_k
        sk.receive_k += delta_k
        sk.submitted_at = self.axis.at(sk.receive_k) - gap
        sk.submitted_at -= sk.submitted_at % US

    def number(self, skeletons: list[Skeleton]) -> dict[tuple[int, date], int]:
        """Codes per unit and local day in submission order, continuing the stored counters."""
        skeletons.sort(key=lambda sk: (sk.submitted_at, sk.index))
        days = {(sk.centre.id, self.axis.local_ordinal(sk.submitted_at)) for sk in skeletons}
        counters: dict[tuple[int, date], int] = {}
        if days:
            ordinals = [o for _, o in days]
            for unit_id, day, last in DossierCodeCounter.objects.filter(
                unit_id__in={u for u, _ in days},
                day__gte=date.fromordinal(min(ordinals)),
                day__lte=date.fromordinal(max(ordinals)),
            ).values_list("unit_id", "day", "last_number"):
                counters[(unit_id, day)] = last
        for sk in skeletons:
            day = date.fromordinal(self.axis.local_ordinal(sk.submitted_at))
            key = (sk.centre.id, day)
            number = counters.get(key, 0) + 1
            counters[key] = number
            sk.code = dossier_code_format(agency_code=sk.centre.agency_code, day=day, number=number)
            sk.dossier_id = self.ids.take("dossiers_dossier")
        self.dossier_ids_end = self.ids.next["dossiers_dossier"]
        return counters

    # ---- run -------------------------------------------------------------------------------------

    def run(
        self,
        count: int,
        *,
        batch: int = 10_000,
        force_all_states: bool = False,
        progress: Callable[[int], None] | None = None,
        fast_constraints: bool | None = None,
        workers: int | None = None,
    ) -> SimulationResult:
        global _ACTIVE
        started = time.perf_counter()
        self.skeleton_list = self.skeletons(count, force_all_states=force_all_states)
        counters = self.number(self.skeleton_list)
        self.batch = batch
        postgres = connection.vendor == "postgresql"
        if fast_constraints is None:
            fast_constraints = postgres and _is_superuser()
        self.fast_constraints = fast_constraints
        if workers is None:
            # Parallel only on PostgreSQL outside a transaction (SQLite has one writer; a test's
            # transaction would be invisible to other connections).
            workers = (os.cpu_count() or 1) if postgres and not in_transaction() else 1
        if self.applicant_chooser is not None:
            workers = 1  # the chooser sees the dossiers in order, in this process
        batches = range(0, -(-len(self.skeleton_list) // batch))
        result = SimulationResult(0, 0, 0, 0, 0, 0, 0.0)
        if workers > 1 and len(batches) > 1:
            _ACTIVE = self
            connections.close_all()  # children open their own connections
            try:
                with multiprocessing.get_context("fork").Pool(min(workers, len(batches))) as pool:
                    outcomes: Iterable[tuple[dict[str, int], dict[str, int]]] = pool.imap_unordered(
                        _batch_in_worker, batches
                    )
                    for sizes, batch_states in outcomes:
                        result.add(sizes, batch_states)
                        if progress is not None:
                            progress(sizes["dossiers"])
            finally:
                _ACTIVE = None
        else:
            for number in batches:
                sizes, batch_states = self.batch_write(number)
                result.add(sizes, batch_states)
                if progress is not None:
                    progress(sizes["dossiers"])
        self._counters_save(counters)
        if postgres:
            self._sequences_reset()
            with connection.cursor() as cursor:
                for model in TABLES:
                    cursor.execute(f"ANALYZE {model._meta.db_table}")
        result.states = dict(sorted(result.states.items()))
        result.seconds = time.perf_counter() - started
        return result

    def batch_write(self, number: int) -> tuple[dict[str, int], dict[str, int]]:
        """Generate and insert batch ``number`` in one transaction; returns row counts and states."""
        skeletons = self.skeleton_list[number * self.batch : (number + 1) * self.batch]
        first = {
            table: (self.dossier_ids_end if table == "dossiers_dossier" else value)
            + number * self.batch * PER_DOSSIER.get(table, 1)
            for table, value in self.first_ids.items()
        }
        ids = Ids(first, dossiers=self.batch)
        rows = Rows()
        states: dict[str, int] = {}
        for sk in skeletons:
            history = self.play(sk, rows=rows, ids=ids)
            states[history.state] = states.get(history.state, 0) + 1
        postgres = connection.vendor == "postgresql"
        with transaction.atomic():
            if postgres and self.fast_constraints:
                # Bulk load: the rows reference only rows read at the start or written in this batch,
                # so the per-row foreign-key triggers (most of the load time) are skipped.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL session_replication_role = replica")
            rows_insert(Dossier._meta.db_table, self.dossier_columns, rows.dossiers)
            rows_insert(DossierStep._meta.db_table, STEP_COLUMNS, rows.steps)
            rows_insert(DossierEvent._meta.db_table, EVENT_COLUMNS, rows.events)
            rows_insert(DossierComponent._meta.db_table, COMPONENT_COLUMNS, rows.components)
            rows_insert(DossierFee._meta.db_table, FEE_COLUMNS, rows.fees)
            rows_insert(DossierPause._meta.db_table, PAUSE_COLUMNS, rows.pauses)
        sizes = {
            "dossiers": len(rows.dossiers),
            "steps": len(rows.steps),
            "events": len(rows.events),
            "components": len(rows.components),
            "fees": len(rows.fees),
            "pauses": len(rows.pauses),
        }
        return sizes, states

    def play(self, sk: Skeleton, *, rows: Rows, ids: Ids) -> History:
        """Play one dossier's history into ``rows``; the applicant chooser may then replace its applicant.

        The applicant is part of the first event (its digest, and the name of a citizen who submits or
        withdraws), so a chosen applicant is recorded by playing the history again with it rather than
        by editing rows: same seed, same draws, same history, events that agree with the row.
        """
        rows_mark, ids_mark = rows.mark(), dict(ids.next)
        history = History(
            self, sk, random.Random(sk.seed), now=self.now, rows=rows, marker=self.marker, ids=ids
        )
        history.run()
        if self.applicant_chooser is None:
            return history
        played = PlayedDossier(
            dossier_id=sk.dossier_id,
            code=sk.code,
            state=history.state,
            receiving_unit=sk.centre.slug,
            procedure_id=sk.proc.id,
            applicant_kind=history.d["applicant_kind"],
            applicant_id_number=history.d["applicant_id_number"],
        )
        chosen = self.applicant_chooser(played)
        if chosen is None:
            return history
        rows.truncate(rows_mark)
        ids.next = ids_mark
        again = History(
            self,
            sk,
            random.Random(sk.seed),
            now=self.now,
            rows=rows,
            marker=self.marker,
            ids=ids,
            applicant=chosen,
        )
        again.run()
        if again.state != history.state or again.events != history.events:  # pragma: no cover - a bug
            raise RuntimeError(f"Mô phỏng lại hồ sơ {sk.code} cho kết quả khác.")
        return again

    def _counters_save(self, counters: dict[tuple[int, date], int]) -> None:
        DossierCodeCounter.objects.bulk_create(
            [
                DossierCodeCounter(unit_id=unit_id, day=day, last_number=last)
                for (unit_id, day), last in counters.items()
            ],
            update_conflicts=True,
            unique_fields=["unit", "day"],
            update_fields=["last_number"],
            batch_size=2000,
        )

    def _sequences_reset(self) -> None:
        with connection.cursor() as cursor:
            for model in TABLES:
                table = model._meta.db_table
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                    f"GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), 1))",
                    [table],
                )


_ACTIVE: Simulation | None = None


def _batch_in_worker(number: int) -> tuple[dict[str, int], dict[str, int]]:
    assert _ACTIVE is not None
    try:
        return _ACTIVE.batch_write(number)
    finally:
        connections.close_all()


def _is_superuser() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
    return bool(row and row[0])


def simulate(
    *,
    dossiers: int,
    days: int,
    seed: int = 2026,
    batch: int = 10_000,
    now: datetime | None = None,
    centre_slugs: Sequence[str] | None = None,
    demo: bool = False,
    force_all_states: bool = False,
    progress: Callable[[int], None] | None = None,
    mix: Mix | None = None,
    workers: int | None = None,
    fast_constraints: bool | None = None,
    applicant: ApplicantChooser | None = None,
) -> SimulationResult:
    """Generate ``dossiers`` simulated dossiers received over the last ``days`` days (same seed, same data).

    ``centre_slugs``: receive only at these centres (default: every centre). ``demo``: only procedures
    whose every step has a demo official (no synthetic accounts). ``force_all_states``: the first
    dossiers are placed so that every state occurs at "now". ``workers``: processes generating and
    writing batches in parallel (default: one per CPU on PostgreSQL, else 1). ``fast_constraints``:
    skip the per-row foreign-key triggers while loading (default: on PostgreSQL as a superuser).
    ``applicant``: called with every played history, in dossier order in one process; the applicant
    it returns is the one recorded (at creation, in the row and in the first event), e.g. the demo
    identities of ``devtools.demo_dossiers``.
    """
    if dossiers < 0 or days < 1:
        raise DossierInvalid({"dossiers": "Số hồ sơ phải ≥ 0 và số ngày ≥ 1."})
    sim = Simulation(
        days=days, seed=seed, now=now, centre_slugs=centre_slugs, demo=demo, mix=mix, applicant=applicant
    )
    return sim.run(
        dossiers,
        batch=batch,
        force_all_states=force_all_states,
        progress=progress,
        workers=workers,
        fast_constraints=fast_constraints,
    )


def simulated_dossiers(*, marker: str) -> Iterator[int]:  # pragma: no cover - helper for shells
    """Ids of dossiers whose first event carries ``{"simulated": marker}``."""
    yield from DossierEvent.objects.filter(seq=1, data__simulated=marker).values_list("dossier_id", flat=True)
