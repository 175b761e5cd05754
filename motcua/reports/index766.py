"""Decision 766/QĐ-TTg index — Bộ chỉ số chỉ đạo, điều hành và đánh giá chất lượng phục vụ người dân,
doanh nghiệp — per unit and period (DESIGN §10): 100 points in five groups.

Each indicator is a rate (numerator ÷ denominator) turned into points: with a target, full points at
or above it, else ``rate ÷ target × points``; without one, ``rate × points``. An indicator without any
denominator (nothing to measure: no dossier with fees, no rating…) is *not applicable*: it has no
score and its points leave the maximum, and the total is scaled back to 100 (``Index766.total`` =
points ÷ applicable maximum × 100) — a unit is neither rewarded nor penalised for what it was never
asked to do, and a unit with nothing at all to measure has no total (ranked last). Inputs an
administrator has not recorded score 0 and are flagged ``source = "missing"``.

Where the figure comes from (``Indicator.source``):

* ``system`` — computed here from the aggregates (``selectors.statistics``) and from what the
  extensions recorded: dossiers synced to DVCQG (nationalportal's daily counts), copies to the
  personal data store and reuses (datastore), online payments (payments), population-database
  lookups (population).
* ``input`` — recorded by an administrator (``models.IndexInput``), shown as such with its source note.
* ``missing`` — an input nobody recorded for the period.

Targets are those of the decision's guidance as the province applies them (``TARGETS``): change them
there, they are the one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from django.db.models import Sum
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.core.dbrouter import reads_from_replica
from motcua.datastore.models import CountKind, DailyDossierCount
from motcua.nationalportal.models import DailySyncCount
from motcua.org.models import RoleAssignment, Unit, UnitKind
from motcua.payments.selectors import procedures_offering_online_payment
from motcua.population.models import DailyLookupCount
from motcua.reports.models import IndexInput
from motcua.reports.periods import Period
from motcua.reports.selectors import (
    Share,
    Statistics,
    _descendants,
    _unit_tree,
    procedures_by_unit,
    statistics,
    statistics_by_unit,
)

POINTS = Decimal("0.01")


class Source(StrEnum):
    SYSTEM = "system"
    INPUT = "input"
    MISSING = "missing"


@dataclass(frozen=True, slots=True)
class IndicatorSpec:
    """One indicator of the decision: code, group, Vietnamese name, maximum points, target rate."""

    code: str
    group: str
    name: str | Promise
    maximum: Decimal
    target: Decimal | None = None  # a rate 0–1; None: points proportional to the rate
    observed: bool = True  # False: an administrator records it (IndexInput)


class Group(StrEnum):
    TRANSPARENCY = "cong_khai"
    PROGRESS = "tien_do"
    ONLINE = "truc_tuyen"
    DIGITISATION = "so_hoa"
    SATISFACTION = "hai_long"


GROUP_NAMES: dict[str, str | Promise] = {
    Group.TRANSPARENCY: _("Công khai, minh bạch"),
    Group.PROGRESS: _("Tiến độ giải quyết"),
    Group.ONLINE: _("Dịch vụ công trực tuyến"),
    Group.DIGITISATION: _("Số hóa hồ sơ"),
    Group.SATISFACTION: _("Mức độ hài lòng"),
}

D = Decimal
# DESIGN §10. Targets: the province's annual plan under Decision 766 (rates 0–1).
INDICATORS: tuple[IndicatorSpec, ...] = (
    IndicatorSpec("1.1", Group.TRANSPARENCY, _("TTHC được công bố đúng hạn"), D(6), observed=False),
    IndicatorSpec(
        "1.2", Group.TRANSPARENCY, _("TTHC được cập nhật, công khai kịp thời"), D(4), observed=False
    ),
    IndicatorSpec("1.3", Group.TRANSPARENCY, _("TTHC được công khai đầy đủ"), D(2), observed=False),
    IndicatorSpec("1.4", Group.TRANSPARENCY, _("Hồ sơ được đồng bộ lên Cổng DVCQG"), D(6)),
    IndicatorSpec("2.1", Group.PROGRESS, _("Hồ sơ giải quyết trước hạn, đúng hạn"), D(20)),
    IndicatorSpec("3.1", Group.ONLINE, _("Hồ sơ trực tuyến toàn trình"), D(12), target=D("0.8")),
    IndicatorSpec("3.2", Group.ONLINE, _("TTHC có phí cung cấp thanh toán trực tuyến"), D(2)),
    IndicatorSpec("3.3", Group.ONLINE, _("TTHC có phát sinh thanh toán trực tuyến"), D(2)),
    IndicatorSpec("3.4", Group.ONLINE, _("Hồ sơ có phí được thanh toán trực tuyến"), D(6), target=D("0.8")),
    IndicatorSpec("4.1", Group.DIGITISATION, _("Hồ sơ cấp kết quả điện tử"), D(6)),
    IndicatorSpec("4.2", Group.DIGITISATION, _("Hồ sơ được số hóa"), D(4)),
    IndicatorSpec("4.3", Group.DIGITISATION, _("Chứng thực bản sao điện tử"), D(2), observed=False),
    IndicatorSpec("4.4", Group.DIGITISATION, _("Khai thác, tái sử dụng dữ liệu số hóa"), D(2)),
    IndicatorSpec("4.5", Group.DIGITISATION, _("Kết quả được đồng bộ vào kho dữ liệu cá nhân"), D(4)),
    IndicatorSpec("4.6", Group.DIGITISATION, _("Khai thác CSDL quốc gia về dân cư"), D(2)),
    IndicatorSpec("4.7", Group.DIGITISATION, _("TTHC được kết nối CSDL dân cư"), D(2), observed=False),
    IndicatorSpec("5.1", Group.SATISFACTION, _("Phản ánh, kiến nghị được xử lý đúng hạn"), D(6)),
    IndicatorSpec("5.2", Group.SATISFACTION, _("Mức độ hài lòng về giải quyết TTHC"), D(6)),
    IndicatorSpec("5.3", Group.SATISFACTION, _("100% − (tỷ lệ trễ hạn + tỷ lệ phản ánh)"), D(6)),
)
SPECS: dict[str, IndicatorSpec] = {spec.code: spec for spec in INDICATORS}


@dataclass(frozen=True, slots=True)
class Indicator:
    """One indicator of a unit and period — chỉ số thành phần.

    ``numerator`` / ``denominator``: counts (``value`` holds the input's percent for ``input``);
    ``rate`` 0–1 or None when there was nothing to measure; ``score`` ≤ ``maximum``; ``note``: how
    the rate was read (Vietnamese), e.g. the input's source note or "không phát sinh".
    """

    code: str
    group: str
    name: str
    numerator: int | None
    denominator: int | None
    rate: Decimal | None
    target: Decimal | None
    score: Decimal | None  # None: not applicable (nothing to measure in the period)
    maximum: Decimal
    source: Source
    note: str = ""

    @property
    def applicable(self) -> bool:
        return self.score is not None


@dataclass(frozen=True, slots=True)
class IndicatorGroup:
    code: str
    name: str
    indicators: tuple[Indicator, ...]

    @property
    def score(self) -> Decimal:
        """Points of the applicable indicators."""
        return sum((i.score for i in self.indicators if i.score is not None), Decimal(0))

    @property
    def maximum(self) -> Decimal:
        """The group's points in the decision (all its indicators)."""
        return sum((i.maximum for i in self.indicators), Decimal(0))

    @property
    def applicable_maximum(self) -> Decimal:
        return sum((i.maximum for i in self.indicators if i.applicable), Decimal(0))


@dataclass(frozen=True, slots=True)
class Index766:
    """The index of ``unit_id`` (None: the province) over ``period``: groups, 100-point total, and the
    change against the previous period of the same kind (``previous_total``, ``change``)."""

    unit_id: int | None
    period: Period
    groups: tuple[IndicatorGroup, ...]
    previous_total: Decimal | None = None

    @property
    def points(self) -> Decimal:
        """Sum of the applicable indicators' scores."""
        return sum((g.score for g in self.groups), Decimal(0))

    @property
    def applicable_maximum(self) -> Decimal:
        return sum((g.applicable_maximum for g in self.groups), Decimal(0))

    @property
    def maximum(self) -> Decimal:
        return sum((g.maximum for g in self.groups), Decimal(0))

    @property
    def total(self) -> Decimal | None:
        """The 100-point total: points ÷ applicable maximum × 100; None when nothing applies."""
        if not self.applicable_maximum:
            return None
        return (self.points * 100 / self.applicable_maximum).quantize(POINTS, rounding=ROUND_HALF_UP)

    @property
    def change(self) -> Decimal | None:
        """Change of the total against the previous period (month-on-month for a month)."""
        if self.previous_total is None or self.total is None:
            return None
        return self.total - self.previous_total

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for g in self.groups for i in g.indicators)

    def indicator(self, code: str) -> Indicator:
        return next(i for i in self.indicators if i.code == code)


@dataclass(frozen=True, slots=True)
class RankingRow:
    """One row of a ranking: position (ties share it), the unit, its total and month-on-month change."""

    rank: int
    unit: Unit
    index: Index766

    @property
    def total(self) -> Decimal | None:
        return self.index.total

    @property
    def change(self) -> Decimal | None:
        return self.index.change


@dataclass
class _Observed:
    """What the system observed for one unit: the statistics and the extensions' counts."""

    stats: Statistics
    synced: Share = field(default_factory=lambda: Share(0, 0))
    fee_procedures: Share = field(default_factory=lambda: Share(0, 0))
    paid_procedures: Share = field(default_factory=lambda: Share(0, 0))
    reuse: Share = field(default_factory=lambda: Share(0, 0))
    store_sync: Share = field(default_factory=lambda: Share(0, 0))
    population: Share = field(default_factory=lambda: Share(0, 0))


def score(rate: Decimal | None, *, maximum: Decimal, target: Decimal | None) -> Decimal | None:
    """Points for a rate: full at or above the target, else proportional (DESIGN §10); None without
    a rate (not applicable)."""
    if rate is None:
        return None
    rate = min(max(rate, Decimal(0)), Decimal(1))
    if target is None:
        value = rate * maximum
    elif rate >= target:
        value = maximum
    else:
        value = rate / target * maximum
    return value.quantize(POINTS, rounding=ROUND_HALF_UP)


# Public selectors
# --------------------------------------------------------------------------------------------------


@reads_from_replica()
def index766_for(*, period: Period, unit: Unit | None = None, with_previous: bool = True) -> Index766:
    """The index of ``unit`` (with its descendants; None: the province) over ``period``, with the
    previous period's total for the change (``with_previous=False`` skips it)."""
    unit_id = unit.pk if unit is not None else None
    index = _index(period, unit_id, _observe(period, unit_id), _inputs(period, [unit_id]))
    if with_previous:
        before = period.previous()
        previous = _index(before, unit_id, _observe(before, unit_id), _inputs(before, [unit_id]))
        index = Index766(unit_id, period, index.groups, previous_total=previous.total)
    return index


@reads_from_replica()
def index766_ranking(*, period: Period, kind: str = UnitKind.COMMUNE_COMMITTEE) -> list[RankingRow]:
    """Ranking of the units of ``kind`` by 766 total over ``period``, best first, with month-on-month
    change: ``commune_committee`` (the 54 communes, each with its centre) or ``department``."""
    units = list(Unit.objects.filter(kind=kind, is_active=True).order_by("name"))
    now = _index_many(period, units)
    before = _index_many(period.previous(), units)
    rows = [Index766(u.pk, period, now[u.pk].groups, previous_total=before[u.pk].total) for u in units]
    ordered = sorted(
        zip(units, rows, strict=True),
        key=lambda pair: (pair[1].total is None, -(pair[1].total or 0), pair[0].name),
    )
    ranking: list[RankingRow] = []
    for position, (unit, index) in enumerate(ordered, start=1):
        rank = ranking[-1].rank if ranking and ranking[-1].total == index.total else position
        ranking.append(RankingRow(rank=rank, unit=unit, index=index))
    return ranking


# Internals
# --------------------------------------------------------------------------------------------------


def _index_many(period: Period, units: Sequence[Unit]) -> dict[int, Index766]:
    stats = statistics_by_unit(period=period, units=units)
    inputs = _inputs(period, [u.pk for u in units])
    counts = _extension_counts(period, stats)
    labels = _Labels.current()
    return {
        unit.pk: _index(period, unit.pk, _Observed(stats=unit_stats, **counts[unit.pk]), inputs, labels)
        for unit, unit_stats in zip(units, stats, strict=True)
    }


def _inputs(period: Period, unit_ids: Sequence[int | None]) -> dict[tuple[int | None, str], IndexInput]:
    """The latest input per (unit, indicator) whose range overlaps the period (the province's are
    recorded on the root unit)."""
    root = None
    ids = [pk for pk in unit_ids if pk is not None]
    if None in unit_ids:
        root = Unit.objects.filter(parent__isnull=True).values_list("pk", flat=True).first()
        if root is not None:
            ids.append(root)
    qs = IndexInput.objects.filter(first_day__lte=period.last, last_day__gte=period.first, unit_id__in=ids)
    found: dict[tuple[int | None, str], IndexInput] = {}
    for row in qs.order_by("last_day", "entered_at", "pk"):
        key = (None if root is not None and row.unit_id == root else row.unit_id, row.indicator)
        found[key] = row
    return found


def _observe(period: Period, unit_id: int | None) -> _Observed:
    stats = statistics(period=period, unit=unit_id)
    return _Observed(stats=stats, **_extension_counts(period, [stats])[unit_id])


def _extension_counts(period: Period, stats: Sequence[Statistics]) -> dict[int | None, dict[str, Share]]:
    """What the extensions recorded, per unit of ``stats`` (each rolling up its descendants): a
    constant number of queries (grouped by the dossiers' competent unit), whatever the number of
    units — the ranking of the 54 communes reads each table once."""
    tree = _unit_tree()
    members = {s.unit_id: None if s.unit_id is None else set(_descendants(tree, s.unit_id)) for s in stats}

    def rolled(per_unit: dict[int, int]) -> dict[int | None, int]:
        return {
            key: sum(n for unit, n in per_unit.items() if units is None or unit in units)
            for key, units in members.items()
        }

    # 1.4 dossiers synced to DVCQG: dossiers whose receipt was first delivered in the period (the
    # national portal's daily counts, not its jobs: one job per dossier event).
    synced: dict[int, int] = dict(
        DailySyncCount.objects.filter(day__gte=period.first, day__lte=period.last)
        .values("unit_id")
        .order_by()
        .annotate(n=Sum("count"))
        .values_list("unit_id", "n")
    )
    # 3.2 / 3.3: procedures of the dossiers with fees in the period (aggregates), those offering online
    # payment (payments' catalogue rule), those with a fee paid online.
    fee_procs = procedures_by_unit(period=period, counter="with_fees")
    paid_procs = procedures_by_unit(period=period, counter="paid_online")
    every_fee_proc = sorted(set().union(*fee_procs.values())) if fee_procs else []
    offering = set(
        procedures_offering_online_payment().filter(pk__in=every_fee_proc).values_list("pk", flat=True)
    )
    # 4.4 dossiers that reused a stored document; 4.5 results copied to the applicant's store (the
    # store's daily counts: a dossier counts on the day of its first reuse, of its result's copy).
    in_period = {"day__gte": period.first, "day__lte": period.last}
    reused: dict[int, int] = {}
    stored: dict[int, int] = {}
    for unit_id, kind, n in (
        DailyDossierCount.objects.filter(**in_period)
        .values_list("unit_id", "kind")
        .order_by()
        .annotate(n=Sum("count"))
    ):
        (reused if kind == CountKind.REUSE else stored)[unit_id] = n
    # 4.6 population lookups that found the person, by the units of the official who looked up (each
    # lookup once per unit, whatever the official's assignments there).
    per_actor: dict[int, int] = dict(
        DailyLookupCount.objects.filter(**in_period)
        .values_list("actor_id")
        .order_by()
        .annotate(n=Sum("count"))
    )
    lookups: dict[int, int] = {}
    for actor_id, unit_id in (
        RoleAssignment.objects.filter(official__user_id__in=list(per_actor))
        .values_list("official__user_id", "unit_id")
        .order_by()
        .distinct()
    ):
        lookups[unit_id] = lookups.get(unit_id, 0) + per_actor[actor_id]
    synced_n, reused_n, stored_n, lookups_n = rolled(synced), rolled(reused), rolled(stored), rolled(lookups)
    out: dict[int | None, dict[str, Share]] = {}
    for s in stats:
        units = members[s.unit_id]
        procs = {p for unit, ps in fee_procs.items() if units is None or unit in units for p in ps}
        paid = {p for unit, ps in paid_procs.items() if units is None or unit in units for p in ps}
        received = s.received_new
        out[s.unit_id] = {
            "synced": Share(min(synced_n[s.unit_id], received), received),
            "fee_procedures": Share(len(procs & offering), len(procs)),
            "paid_procedures": Share(len(paid & procs), len(procs)),
            "reuse": Share(min(reused_n[s.unit_id], s.online.numerator), s.online.numerator),
            "store_sync": Share(min(stored_n[s.unit_id], s.resolved), s.resolved),
            "population": Share(min(lookups_n[s.unit_id], received), received),
        }
    return out


@dataclass(frozen=True, slots=True)
class _Labels:
    """The indicators' texts in the active language, translated once per call: a ranking builds
    ~2,000 indicators, and each lazy string costs a catalogue lookup when it is turned into text."""

    names: dict[str, str]
    groups: dict[str, str]
    not_applicable: str
    missing: str

    @classmethod
    def current(cls) -> _Labels:
        return cls(
            names={spec.code: str(spec.name) for spec in INDICATORS},
            groups={g: str(name) for g, name in GROUP_NAMES.items()},
            not_applicable=str(_("Không phát sinh trong kỳ: không tính điểm.")),
            missing=str(_("Chưa nhập số liệu.")),
        )


def _index(
    period: Period,
    unit_id: int | None,
    observed: _Observed,
    inputs: dict[tuple[int | None, str], IndexInput],
    labels: _Labels | None = None,
) -> Index766:
    labels = labels or _Labels.current()
    s = observed.stats
    shares: dict[str, Share] = {
        "1.4": observed.synced,
        "2.1": s.on_time,
        "3.1": s.full_online,
        "3.2": observed.fee_procedures,
        "3.3": observed.paid_procedures,
        "3.4": s.online_payment,
        "4.1": s.electronic_results,
        "4.2": s.digitised,
        "4.4": observed.reuse,
        "4.5": observed.store_sync,
        "4.6": observed.population,
        "5.1": s.feedback_on_time,
        "5.2": s.satisfaction.satisfied_share,
        # 100 % − (late % + complaint %), both over the dossiers resolved in the period.
        "5.3": Share(max(0, s.resolved - s.resolved_late - s.complaints), s.resolved),
    }
    groups: dict[str, list[Indicator]] = {g: [] for g in Group}
    for spec in INDICATORS:
        if spec.observed:
            share = shares[spec.code]
            rate = share.rate
            indicator = Indicator(
                code=spec.code,
                group=spec.group,
                name=labels.names[spec.code],
                numerator=share.numerator,
                denominator=share.denominator,
                rate=rate,
                target=spec.target,
                score=score(rate, maximum=spec.maximum, target=spec.target),
                maximum=spec.maximum,
                source=Source.SYSTEM,
                note="" if share.denominator else labels.not_applicable,
            )
        else:
            entered = inputs.get((unit_id, spec.code))
            if entered is None:
                indicator = Indicator(
                    code=spec.code,
                    group=spec.group,
                    name=labels.names[spec.code],
                    numerator=None,
                    denominator=None,
                    rate=None,
                    target=spec.target,
                    score=Decimal(0).quantize(POINTS),
                    maximum=spec.maximum,
                    source=Source.MISSING,
                    note=labels.missing,
                )
            else:
                rate = (entered.value / 100).quantize(Decimal("0.000001"))
                indicator = Indicator(
                    code=spec.code,
                    group=spec.group,
                    name=labels.names[spec.code],
                    numerator=None,
                    denominator=None,
                    rate=rate,
                    target=spec.target,
                    score=score(rate, maximum=spec.maximum, target=spec.target),
                    maximum=spec.maximum,
                    source=Source.INPUT,
                    note=entered.source_note,
                )
        groups[spec.group].append(indicator)
    return Index766(
        unit_id,
        period,
        tuple(IndicatorGroup(g.value, labels.groups[g], tuple(groups[g])) for g in Group),
    )
