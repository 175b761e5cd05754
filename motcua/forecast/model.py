"""The lateness model — mô hình dự báo nguy cơ trễ hạn: pure functions, no ORM (docs/architecture.md §25).

Everything is measured in *clock time*: working time during which the statutory clock runs (working
hours minus clock stops). A dossier's budget ``B`` is the clock time from its receipt to its first due
time; every history sample and every open dossier is expressed in units of its own ``B``, so dossiers
of procedures with 1-day and 15-day budgets can be pooled.

For an open dossier at process step ``k``, ``e`` clock time already spent at that step and ``R`` clock
time left until its due time::

    P(late) = P(W > e + r | W > e),   r = (R − D) / B

``W`` is the clock time a dossier needed from entering step ``k`` to its result (history of closed
dossiers), ``D`` the extra wait the current queue implies::

    D = max(0, queue − L − √L) / throughput,   L = throughput × mean step time   (working days → hours)

``queue`` is every running dossier in the handler's queue, with or without a due time: the handler
shares the day among them (no one works strictly in due order; a backlog slows every dossier in it).
``L`` is the queue a steady handler carries (Little's law: throughput × mean time at a step), whose
waits the history already contains; a steady queue's size varies by about ``√L`` (Poisson), so only a
backlog beyond that is added. Both choices are the ones that calibrated on simulated congestion
(docs/architecture.md §25).

Thin history is shrunk towards coarser groups, each estimate towards the next one (``SHRINK``
pseudo-samples)::

    procedure + step → field + stage → competent unit + stage → all + stage → prior

with ``p_level = (n_late + m · p_parent) / (n_alive + m)`` (``n_alive``: samples with ``W > e``;
``n_late``: with ``W > e + r``). The prior, used when there is no history at all, compares the share
of the process still ahead (``π``) with the time left (``a = r``): ``π² / (π² + a²)`` — one half when
the time left equals the planned share, near 0 with plenty of time, 1 with none.

Overdue (clock running, due passed): 1. Paused (supplement, financial obligation): ``R`` is the time
left when the clock stopped (the whole budget when a supplement restarts it) and ``D`` = 0 (nobody can
say what the queue will be when it resumes), so the probability stays frozen while paused.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from statistics import median

SHRINK = 10.0
# Below this many alive samples a level is "thin": the reason says which level carried the estimate.
THIN = 20
STAGES = 4
# The share of samples needed at a level before its median speaks for the expected finish.
MEDIAN_MIN = 5


def stage_of(order: int | None, count: int) -> int:
    """Quarter of the process a step is in (0–3); a step outside the plan (liên thông) counts as 2."""
    if order is None or count <= 0:
        return 2
    return min(STAGES - 1, (STAGES * (max(order, 1) - 1)) // count)


def planned_share_ahead(order: int | None, count: int) -> float:
    """Share of the process's steps still ahead, the current one included (π of the prior)."""
    if order is None or count <= 0:
        return 0.5
    return max(0.0, min(1.0, (count - max(order, 1) + 1) / count))


@dataclass(frozen=True, slots=True)
class HistoryKeys:
    """The groups a sample or a case belongs to, most specific first."""

    procedure_step: tuple[object, ...]
    field_stage: tuple[object, ...]
    unit_stage: tuple[object, ...]
    global_stage: tuple[object, ...]

    @classmethod
    def of(
        cls, *, procedure_id: int, step_order: int | None, step_count: int, field_id: int | None, unit_id: int
    ) -> HistoryKeys:
        stage = stage_of(step_order, step_count)
        return cls(
            procedure_step=("p", procedure_id, step_order),
            field_stage=("f", field_id, stage),
            unit_stage=("u", unit_id, stage),
            global_stage=("g", stage),
        )

    def chain(self) -> tuple[tuple[object, ...], ...]:
        """Coarsest first: the order in which the estimates are shrunk."""
        return (self.global_stage, self.unit_stage, self.field_stage, self.procedure_step)


LEVEL_LABELS = {
    "p": "thủ tục",
    "f": "lĩnh vực",
    "u": "đơn vị",
    "g": "toàn tỉnh",
}


@dataclass
class HistoryIndex:
    """Sorted normalised samples ``W / B`` per group (see the module docstring)."""

    samples: dict[tuple[object, ...], list[float]] = field(default_factory=dict)
    _sorted: bool = True

    def add(self, keys: HistoryKeys, value: float) -> None:
        for key in (keys.procedure_step, keys.field_stage, keys.unit_stage, keys.global_stage):
            self.samples.setdefault(key, []).append(value)
        self._sorted = False

    def finish(self) -> HistoryIndex:
        for values in self.samples.values():
            values.sort()
        self._sorted = True
        return self

    def above(self, key: tuple[object, ...], threshold: float) -> int:
        """How many samples of ``key`` exceed ``threshold``."""
        if not self._sorted:
            self.finish()
        values = self.samples.get(key, ())
        return len(values) - bisect_right(values, threshold)

    def remaining_median(self, key: tuple[object, ...], elapsed: float) -> float | None:
        """Median of ``W − e`` among the samples still running after ``e``; None when too few."""
        values = self.samples.get(key, ())
        alive = values[bisect_right(values, elapsed) :]
        if len(alive) < MEDIAN_MIN:
            return None
        return float(median(alive)) - elapsed


@dataclass(frozen=True, slots=True)
class Case:
    """One open dossier as the model sees it. Times in working hours of clock time."""

    dossier_id: int
    keys: HistoryKeys
    step_order: int | None
    step_count: int
    budget_h: float  # B
    remaining_h: float  # R (frozen at the clock stop when paused)
    elapsed_in_step_h: float  # e
    paused: str = ""  # "" | "supplement" | "financial"
    # Whose queue: ("a", assignee id, "") or ("p", step unit id, role) for the unit pool.
    queue_key: tuple[str, int, str] | None = None


@dataclass(frozen=True, slots=True)
class QueueLoad:
    """The handler's queue as seen by one of its dossiers."""

    size: int  # running dossiers in the queue, this one included
    throughput: float | None  # steps finished per working day (None: unknown)
    typical_step_days: float  # mean time at a step of this handler (working days)

    def extra_days(self) -> float:
        """The wait a backlog beyond the steady queue adds (see the module docstring)."""
        if not self.throughput or self.throughput <= 0:
            return 0.0
        steady = self.steady()
        return max(0.0, (self.size - steady - math.sqrt(steady)) / self.throughput)

    def steady(self) -> float:
        """``L``: the queue this handler usually carries (throughput × mean time at a step)."""
        return (self.throughput or 0.0) * self.typical_step_days


@dataclass(frozen=True, slots=True)
class Forecast:
    dossier_id: int
    probability: float
    # Working hours of clock time until the expected result (None: paused or no estimate).
    expected_remaining_h: float | None
    reason: str
    factors: dict[str, object]


def _days(hours: float, day_hours: float) -> str:
    """``1,5`` — working days with a Vietnamese decimal comma."""
    value = hours / day_hours
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _rate(value: float) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".") if value < 10 else f"{value:.0f}"
    return text.replace(".", ",")


def prior(*, share_ahead: float, available: float) -> float:
    """``π² / (π² + a²)``: the probability without any history (see the module docstring)."""
    if available <= 0:
        return 1.0
    return share_ahead**2 / (share_ahead**2 + available**2)


def survival(
    history: HistoryIndex, keys: HistoryKeys, *, elapsed: float, available: float, base: float
) -> tuple[float, str, int]:
    """Shrunk ``P(W > e + r | W > e)`` along ``keys.chain()``; (p, level letter of the most specific level
    with at least ``THIN`` alive samples — "" when none, its alive sample count)."""
    p = base
    carried, carried_n = "", 0
    for key in keys.chain():
        alive = history.above(key, elapsed)
        late = history.above(key, elapsed + available) if available > 0 else alive
        p = (late + SHRINK * p) / (alive + SHRINK)
        if alive >= THIN:
            carried, carried_n = str(key[0]), alive
    return p, carried, carried_n


def forecast(case: Case, *, history: HistoryIndex, load: QueueLoad | None, day_hours: float) -> Forecast:
    """The probability that ``case`` misses its due time, its expected remaining time and the reason."""
    budget = max(case.budget_h, 1e-6)
    factors: dict[str, object] = {
        "remaining_h": round(case.remaining_h, 2),
        "budget_h": round(case.budget_h, 2),
        "elapsed_in_step_h": round(case.elapsed_in_step_h, 2),
    }
    if not case.paused and case.remaining_h <= 0:
        late_days = _days(-case.remaining_h, day_hours)
        return Forecast(
            case.dossier_id, 1.0, None, f"đã quá hạn {late_days} ngày làm việc", factors | {"overdue": True}
        )
    extra_h = 0.0
    if load is not None and not case.paused:
        extra_h = load.extra_days() * day_hours
        factors |= {
            "queue": load.size,
            "throughput": None if load.throughput is None else round(load.throughput, 2),
            "typical_step_days": round(load.typical_step_days, 2),
            "queue_extra_h": round(extra_h, 2),
        }
    elapsed = case.elapsed_in_step_h / budget
    available = (case.remaining_h - extra_h) / budget
    base = prior(share_ahead=planned_share_ahead(case.step_order, case.step_count), available=available)
    p, level, n = survival(history, case.keys, elapsed=elapsed, available=available, base=base)
    p = min(1.0, max(0.0, p))
    factors |= {"level": level, "samples": n}
    expected: float | None = None
    if not case.paused:
        for key in reversed(case.keys.chain()):
            rest = history.remaining_median(key, elapsed)
            if rest is not None:
                expected = max(0.0, rest) * budget + extra_h
                break
    reason = _reason(case, load=load, extra_h=extra_h, expected=expected, level=level, day_hours=day_hours)
    return Forecast(case.dossier_id, round(p, 4), expected, reason, factors)


def _reason(
    case: Case,
    *,
    load: QueueLoad | None,
    extra_h: float,
    expected: float | None,
    level: str,
    day_hours: float,
) -> str:
    """The main reason in Vietnamese: the clock stop, the queue, or the time left against the usual need."""
    left = _days(case.remaining_h, day_hours)
    if case.paused:
        why = (
            "chờ công dân bổ sung hồ sơ"
            if case.paused == "supplement"
            else "chờ thực hiện nghĩa vụ tài chính"
        )
        return f"đang tạm dừng tính thời gian ({why}); còn {left} ngày làm việc khi tiếp tục"
    if load is not None and extra_h > 0 and load.throughput:
        return (
            f"hàng chờ dồn: {load.size} hồ sơ (thường ~{_rate(load.steady())}), "
            f"xử lý ~{_rate(load.throughput)}/ngày; còn {left} ngày làm việc"
        )
    text = f"còn {left} ngày làm việc"
    if expected is not None:
        text += f"; hồ sơ tương tự thường cần thêm ~{_days(expected, day_hours)} ngày"
    if level != "p":
        text += f" (ít dữ liệu của thủ tục, ước lượng theo {LEVEL_LABELS.get(level, 'mặc định')})"
    return text


def brier(pairs: Iterable[tuple[float, bool]]) -> float:
    """Mean squared error of probabilities against outcomes (lower is better)."""
    items = list(pairs)
    if not items:
        return math.nan
    return sum((p - (1.0 if late else 0.0)) ** 2 for p, late in items) / len(items)


@dataclass(frozen=True, slots=True)
class CalibrationBin:
    low: float
    high: float
    count: int
    mean_predicted: float
    observed_late: float


def calibration_bins(pairs: Iterable[tuple[float, bool]], *, bins: int = 10) -> list[CalibrationBin]:
    """Predicted probability in ``bins`` equal bins against the observed late share (empty bins left out)."""
    grouped: list[list[tuple[float, bool]]] = [[] for _ in range(bins)]
    for p, late in pairs:
        grouped[min(bins - 1, int(p * bins))].append((p, late))
    result = []
    for index, items in enumerate(grouped):
        if not items:
            continue
        result.append(
            CalibrationBin(
                low=index / bins,
                high=(index + 1) / bins,
                count=len(items),
                mean_predicted=sum(p for p, _ in items) / len(items),
                observed_late=sum(1 for _, late in items if late) / len(items),
            )
        )
    return result
