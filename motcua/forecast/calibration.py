"""Calibration of the lateness model on recorded histories — hiệu chuẩn (``motcua forecast-calibrate``).

Cut the time at ``T``: rebuild every dossier open at ``T`` as it stood then (state and due time from
its events up to ``T``, current step from its step rows, clock stop from its pauses), forecast it with
only what was known before ``T`` (history finished before ``T``, throughput of the 20 working days
before ``T``, the queues at ``T``), then compare with what happened after ``T``:

* **late** — the result came after the due time it had at ``T`` (``outcome = late``), or the dossier
  was extended after ``T`` (form 04: the administration apologised for missing it), or it is still
  open with that due time passed at the end of the data;
* **in time** — the result came no later than its due time;
* dossiers withdrawn, stopped or still open and not yet due at the end of the data are left out (no
  answer to compare with).

The baseline is what one knows without the model: the procedure's share of late dossiers among those
finished before ``T`` (shrunk towards the province's share like the model's levels). The same model
without its queue term is scored on the same dossiers, to show what the queues add.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Max

from motcua.dossiers.models import Dossier, DossierEvent, DossierPause, DossierState, DossierStep, Outcome
from motcua.forecast.inputs import FORECAST_STATES, DossierFacts, history_index, process_step_counts
from motcua.forecast.model import SHRINK, CalibrationBin, brier, calibration_bins
from motcua.forecast.services import forecasts_make

_CHUNK = 500


def _instant(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    return datetime.fromisoformat(value)


@dataclass
class CutResult:
    at: datetime
    pairs: list[tuple[float, bool]]
    baseline: list[tuple[float, bool]]
    without_queue: list[tuple[float, bool]]
    left_out: int


def facts_at(at: datetime, *, lookback_days: int = 120) -> tuple[list[DossierFacts], dict[int, Dossier]]:
    """The dossiers open in a forecast state at ``at``, as they stood then, and their current rows."""
    candidates = {
        d.pk: d
        for d in Dossier.objects.filter(
            received_at__lt=at, received_at__gte=at - timedelta(days=lookback_days)
        )
        .exclude(finished_at__lt=at)
        .select_related("procedure")
        .only(
            "pk",
            "procedure_id",
            "procedure__field_id",
            "process_id",
            "competent_unit_id",
            "received_at",
            "original_due_at",
            "finished_at",
            "outcome",
            "state",
            "due_at",
            "is_open",
            "extended_at",
        )
    }
    facts: list[DossierFacts] = []
    ids = sorted(candidates)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        state: dict[int, str] = {}
        due: dict[int, datetime | None] = {}
        for dossier_id, to_state, data in (
            DossierEvent.objects.filter(dossier_id__in=chunk, at__lte=at)
            .order_by("dossier_id", "seq")
            .values_list("dossier_id", "to_state", "data")
        ):
            if to_state:
                state[dossier_id] = to_state
            if isinstance(data, dict) and "due_at" in data:
                due[dossier_id] = _instant(data["due_at"])
        steps: dict[int, tuple[int | None, int, str, datetime, int | None]] = {}
        for dossier_id, order, step_unit, step_role, step_start, step_assignee in (
            DossierStep.objects.filter(dossier_id__in=chunk, started_at__lte=at)
            .order_by("dossier_id", "seq")
            .values_list("dossier_id", "process_step__order", "unit_id", "role", "started_at", "assignee_id")
        ):
            steps[dossier_id] = (order, step_unit, step_role, step_start, step_assignee)
        pauses: dict[int, list[tuple[datetime, datetime | None, int | None]]] = defaultdict(list)
        for dossier_id, begin, end, remaining in DossierPause.objects.filter(
            dossier_id__in=chunk, started_at__lte=at
        ).values_list("dossier_id", "started_at", "ended_at", "remaining_us"):
            pauses[dossier_id].append((begin, end, remaining))
        for pk in chunk:
            s = state.get(pk, "")
            if s not in FORECAST_STATES or pk not in steps:
                continue
            d = candidates[pk]
            step_order, unit_id, role, started, assignee = steps[pk]
            f = DossierFacts(
                dossier_id=pk,
                procedure_id=d.procedure_id,
                process_id=d.process_id,
                field_id=d.procedure.field_id,
                competent_unit_id=d.competent_unit_id,
                current_unit_id=unit_id,
                state=s,
                due_at=due.get(pk),
                received_at=d.received_at,
                original_due_at=d.original_due_at,
                step_order=step_order,
                step_unit_id=unit_id,
                step_role=role,
                step_started_at=started,
                assignee_id=assignee,
            )
            for begin, end, remaining in pauses.get(pk, ()):
                if end is None or end > at:
                    f.pause_started_at, f.pause_remaining_us = begin, remaining
                else:
                    f.past_pauses.append((begin, end))
            facts.append(f)
    return facts, candidates


def observed_late(d: Dossier, *, due: datetime | None, at: datetime, data_end: datetime) -> bool | None:
    """What happened after ``at`` (see the module docstring); None when there is nothing to compare."""
    if d.extended_at is not None and d.extended_at > at:
        return True
    if d.finished_at is not None:
        return d.outcome == Outcome.LATE
    if d.state in (DossierState.WITHDRAWN, DossierState.STOPPED, DossierState.REFUSED):
        return None
    if (
        due is not None
        and due < data_end
        and d.state
        not in (
            DossierState.SUPPLEMENT_REQUESTED,
            DossierState.AWAITING_PAYMENT,
        )
    ):
        return True
    return None


def procedure_late_rates(*, at: datetime, days: int = 180) -> tuple[dict[int, float], float]:
    """Baseline: each procedure's late share among dossiers finished in the ``days`` before ``at``."""
    rows = Dossier.objects.filter(finished_at__lt=at, finished_at__gte=at - timedelta(days=days)).values_list(
        "procedure_id", "outcome"
    )
    total: Counter[int] = Counter()
    late: Counter[int] = Counter()
    for procedure_id, outcome in rows.iterator(chunk_size=5000):
        total[procedure_id] += 1
        late[procedure_id] += outcome == Outcome.LATE
    overall = sum(late.values()) / max(1, sum(total.values()))
    return {p: (late[p] + SHRINK * overall) / (total[p] + SHRINK) for p in total}, overall


def calibrate_cut(at: datetime, *, data_end: datetime | None = None) -> CutResult:
    """Forecast as of ``at`` and compare with what followed (see the module docstring)."""
    if data_end is None:
        data_end = Dossier.objects.aggregate(last=Max("submitted_at"))["last"] or at
    facts, rows = facts_at(at)
    history = history_index(at=at, step_counts=process_step_counts())
    made = forecasts_make(facts, at=at, history=history)
    unqueued = {f.dossier_id: fc for f, fc in forecasts_make(facts, at=at, history=history, queues=False)}
    rates, overall = procedure_late_rates(at=at)
    pairs, baseline, without_queue = [], [], []
    left_out = 0
    for f, fc in made:
        d = rows[f.dossier_id]
        late = observed_late(d, due=f.due_at, at=at, data_end=data_end)
        if late is None:
            left_out += 1
            continue
        pairs.append((fc.probability, late))
        baseline.append((rates.get(f.procedure_id, overall), late))
        without_queue.append((unqueued[f.dossier_id].probability, late))
    return CutResult(at=at, pairs=pairs, baseline=baseline, without_queue=without_queue, left_out=left_out)


@dataclass
class Calibration:
    cuts: list[CutResult]

    @property
    def pairs(self) -> list[tuple[float, bool]]:
        return [pair for cut in self.cuts for pair in cut.pairs]

    @property
    def baseline_pairs(self) -> list[tuple[float, bool]]:
        return [pair for cut in self.cuts for pair in cut.baseline]

    def bins(self) -> list[CalibrationBin]:
        return calibration_bins(self.pairs)

    def brier(self) -> float:
        return brier(self.pairs)

    def brier_baseline(self) -> float:
        return brier(self.baseline_pairs)

    def brier_without_queue(self) -> float:
        return brier(pair for cut in self.cuts for pair in cut.without_queue)

    def queued_share(self) -> float:
        """Share of the compared dossiers whose forecast the queue term moved."""
        moved = sum(
            1
            for cut in self.cuts
            for (p, _), (q, _) in zip(cut.pairs, cut.without_queue, strict=True)
            if abs(p - q) > 1e-9
        )
        return moved / max(1, len(self.pairs))

    def late_share(self) -> float:
        pairs = self.pairs
        return sum(1 for _, late in pairs if late) / max(1, len(pairs))


def calibrate(cuts: list[datetime]) -> Calibration:
    data_end = Dossier.objects.aggregate(last=Max("submitted_at"))["last"]
    return Calibration(cuts=[calibrate_cut(at, data_end=data_end or at) for at in cuts])


def calibration_svg(bins: list[CalibrationBin], *, title: str) -> str:
    """A small calibration plot (predicted vs observed, the diagonal, marker area ∝ count) as SVG."""
    size, pad = 320, 40
    inner = size - 2 * pad

    def x(v: float) -> float:
        return pad + v * inner

    def y(v: float) -> float:
        return size - pad - v * inner

    most = max((b.count for b in bins), default=1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size + 20}" '
        f'viewBox="0 0 {size} {size + 20}" font-family="sans-serif" font-size="11">',
        f'<text x="{size / 2}" y="14" text-anchor="middle" font-size="12">{title}</text>',
        f'<rect x="{pad}" y="{pad}" width="{inner}" height="{inner}" fill="none" stroke="#999"/>',
        f'<line x1="{x(0)}" y1="{y(0)}" x2="{x(1)}" y2="{y(1)}" stroke="#bbb" stroke-dasharray="4 3"/>',
    ]
    for tick in (0, 0.25, 0.5, 0.75, 1):
        parts.append(f'<text x="{x(tick)}" y="{size - pad + 14}" text-anchor="middle">{tick:.2f}</text>')
        parts.append(f'<text x="{pad - 4}" y="{y(tick) + 4}" text-anchor="end">{tick:.2f}</text>')
    parts.append(
        f'<text x="{size / 2}" y="{size - 6}" text-anchor="middle">xác suất dự báo</text>'
        f'<text x="12" y="{size / 2}" text-anchor="middle" transform="rotate(-90 12 {size / 2})">'
        "tỉ lệ trễ thực tế</text>"
    )
    points = " ".join(f"{x(b.mean_predicted):.1f},{y(b.observed_late):.1f}" for b in bins)
    parts.append(f'<polyline points="{points}" fill="none" stroke="#c0392b" stroke-width="1.5"/>')
    for b in bins:
        radius = 2.5 + 6 * (b.count / most) ** 0.5
        parts.append(
            f'<circle cx="{x(b.mean_predicted):.1f}" cy="{y(b.observed_late):.1f}" r="{radius:.1f}" '
            f'fill="#c0392b" fill-opacity="0.6"><title>{b.count} hồ sơ</title></circle>'
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
