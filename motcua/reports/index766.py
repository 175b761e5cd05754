"""Decision 766/QĐ-TTg index — Bộ chỉ số chỉ đạo, điều hành và đánh giá chất lượng phục vụ người dân,
doanh nghiệp — per unit and period (DESIGN §10): 100 points in five groups.

Each indicator is a rate (numerator ÷ denominator) turned into points: with a target, full points at
or above it, else ``rate ÷ target × points``; without one, ``rate × points``. A rate without any
denominator (nothing to measure: no dossier with fees, no rating…) scores full points and says so
(``Indicator.note``) — a unit is not penalised for what it was never asked to do — except the inputs an
administrator has not recorded, which score 0 and are flagged ``source = "missing"``.

Where the figure comes from (``Indicator.source``):

* ``system`` — computed here from the aggregates (``selectors.statistics``) and from what the
  extensions recorded: DVCQG sync jobs (nationalportal), copies to the personal data store and reuses
  (datastore), online payments (payments), population-database lookups (population).
* ``input`` — recorded by an administrator (``models.IndexInput``), shown as such with its source note.
* ``missing`` — an input nobody recorded for the period.

Targets are those of the decision's guidance as the province applies them (``TARGETS``): change them
there, they are the one place.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Procedure, ServiceLevel
from motcua.datastore.models import DocumentOrigin, DocumentReuse, StoredDocument
from motcua.dossiers.models import Dossier
from motcua.jobs.models import Job, JobStatus
from motcua.nationalportal.subscribers import DOSSIER_SYNC
from motcua.org.models import Unit, UnitKind
from motcua.payments.models import Payment, PaymentMethod, PaymentState
from motcua.population.models import LookupOutcome, PopulationLookup
from motcua.reports.models import IndexInput
from motcua.reports.periods import Period
from motcua.reports.selectors import Share, Statistics, statistics, statistics_by_unit

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
    score: Decimal
    maximum: Decimal
    source: Source
    note: str = ""


@dataclass(frozen=True, slots=True)
class IndicatorGroup:
    code: str
    name: str
    indicators: tuple[Indicator, ...]

    @property
    def score(self) -> Decimal:
        return sum((i.score for i in self.indicators), Decimal(0))

    @property
    def maximum(self) -> Decimal:
        return sum((i.maximum for i in self.indicators), Decimal(0))


@dataclass(frozen=True, slots=True)
class Index766:
    """The index of ``unit_id`` (None: the province) over ``period``: groups, 100-point total, and the
    change against the previous period of the same kind (``previous_total``, ``change``)."""

    unit_id: int | None
    period: Period
    groups: tuple[IndicatorGroup, ...]
    previous_total: Decimal | None = None

    @property
    def total(self) -> Decimal:
        return sum((g.score for g in self.groups), Decimal(0))

    @property
    def maximum(self) -> Decimal:
        return sum((g.maximum for g in self.groups), Decimal(0))

    @property
    def change(self) -> Decimal | None:
        return None if self.previous_total is None else self.total - self.previous_total

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
    def total(self) -> Decimal:
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


def score(rate: Decimal | None, *, maximum: Decimal, target: Decimal | None) -> Decimal:
    """Points for a rate: full at or above the target, else proportional (DESIGN §10)."""
    if rate is None:
        return maximum
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


def index766_ranking(*, period: Period, kind: str = UnitKind.COMMUNE_COMMITTEE) -> list[RankingRow]:
    """Ranking of the units of ``kind`` by 766 total over ``period``, best first, with month-on-month
    change: ``commune_committee`` (the 54 communes, each with its centre) or ``department``."""
    units = list(Unit.objects.filter(kind=kind, is_active=True).order_by("name"))
    now = _index_many(period, units)
    before = _index_many(period.previous(), units)
    rows = [Index766(u.pk, period, now[u.pk].groups, previous_total=before[u.pk].total) for u in units]
    ordered = sorted(zip(units, rows, strict=True), key=lambda pair: (-pair[1].total, pair[0].name))
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
    out = {}
    for unit, unit_stats in zip(units, stats, strict=True):
        observed = _observe(period, unit.pk, stats=unit_stats)
        out[unit.pk] = _index(period, unit.pk, observed, inputs)
    return out


def _inputs(period: Period, unit_ids: Iterable[int | None]) -> dict[tuple[int | None, str], IndexInput]:
    """The latest input per (unit, indicator) whose range overlaps the period."""
    ids = [pk for pk in unit_ids if pk is not None]
    q = Q(first_day__lte=period.last, last_day__gte=period.first)
    qs = IndexInput.objects.filter(q)
    if None not in unit_ids:
        qs = qs.filter(unit_id__in=ids)
    else:
        root = Unit.objects.filter(parent__isnull=True).values_list("pk", flat=True).first()
        qs = qs.filter(unit_id__in=[*ids, root])
    found: dict[tuple[int | None, str], IndexInput] = {}
    root_id = None if None not in unit_ids else root
    for row in qs.order_by("last_day", "entered_at", "pk"):
        key = (None if row.unit_id == root_id else row.unit_id, row.indicator)
        found[key] = row
    return found


def _observe(period: Period, unit_id: int | None, *, stats: Statistics | None = None) -> _Observed:
    stats = stats or statistics(period=period, unit=unit_id)
    # The extensions' counts are read per unit from their own tables; cheap: they hold the rows
    # of this period only (jobs, payments, store copies, lookups).
    return _Observed(stats=stats, **_extension_counts(period, stats))


def _extension_counts(period: Period, stats: Statistics) -> dict[str, Share]:
    start, end = period.start_instant(), period.end_instant()
    units = _unit_ids(stats.unit_id)
    in_scope = Q() if units is None else Q(competent_unit_id__in=units)
    received = stats.received_new
    # 1.4 dossiers synced to DVCQG: dossiers received in the period whose receipt was delivered.
    synced_ids = {
        int(pk)
        for pk in Job.objects.filter(
            name=DOSSIER_SYNC,
            status=JobStatus.DONE,
            payload__kind__in=["receive", "accept"],
            created_at__gte=start,
            created_at__lt=end,
        ).values_list("payload__dossier_id", flat=True)
    }
    synced = Dossier.objects.filter(in_scope, pk__in=sorted(synced_ids)).count() if synced_ids else 0
    # 3.2 / 3.3 procedures with fees (dossiers with fees in the period) offering / with online payment.
    fee_dossiers = Dossier.objects.filter(
        in_scope, received_at__gte=start, received_at__lt=end, fees_total__gt=0
    )
    fee_procs = set(fee_dossiers.values_list("procedure_id", flat=True).distinct())
    offering = set(
        Procedure.objects.filter(pk__in=sorted(fee_procs))
        .exclude(service_level=ServiceLevel.OFFLINE)
        .values_list("pk", flat=True)
    )
    paid_procs = set(
        Payment.objects.filter(
            Q(dossier__competent_unit_id__in=units) if units is not None else Q(),
            method=PaymentMethod.ONLINE,
            state=PaymentState.PAID,
            paid_at__gte=start,
            paid_at__lt=end,
        )
        .values_list("dossier__procedure_id", flat=True)
        .distinct()
    )
    # 4.4 reuse: dossiers received in the period that reused a stored document ÷ received online.
    reused = (
        DocumentReuse.objects.filter(
            Q(dossier__competent_unit_id__in=units) if units is not None else Q(),
            created_at__gte=start,
            created_at__lt=end,
        )
        .values("dossier_id")
        .distinct()
        .count()
    )
    # 4.5 results copied to the applicant's store ÷ resolved in the period.
    stored = (
        StoredDocument.objects.filter(
            Q(source_dossier__competent_unit_id__in=units) if units is not None else Q(),
            origin=DocumentOrigin.RESULT,
            created_at__gte=start,
            created_at__lt=end,
        )
        .values("source_dossier_id")
        .distinct()
        .count()
    )
    # 4.6 population lookups that found the person ÷ dossiers received at the counter by persons.
    lookups = PopulationLookup.objects.filter(at__gte=start, at__lt=end, outcome=LookupOutcome.FOUND)
    if units is not None:
        lookups = lookups.filter(actor__official__assignments__unit_id__in=units).distinct()
    found = lookups.count()
    return {
        "synced": Share(synced, received),
        "fee_procedures": Share(len(offering), len(fee_procs)),
        "paid_procedures": Share(len(paid_procs & fee_procs), len(fee_procs)),
        "reuse": Share(min(reused, stats.online.numerator), stats.online.numerator),
        "store_sync": Share(min(stored, stats.resolved), stats.resolved),
        "population": Share(min(found, received), received),
    }


def _unit_ids(unit_id: int | None) -> list[int] | None:
    if unit_id is None:
        return None
    from motcua.reports.selectors import _descendants, _unit_tree

    return _descendants(_unit_tree(), unit_id)


def _index(
    period: Period,
    unit_id: int | None,
    observed: _Observed,
    inputs: dict[tuple[int | None, str], IndexInput],
) -> Index766:
    s = observed.stats
    late_plus_complaints = Share(s.resolved_late + s.complaints, s.resolved + s.complaints)
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
        "5.3": Share(
            late_plus_complaints.denominator - late_plus_complaints.numerator,
            late_plus_complaints.denominator,
        ),
    }
    groups: dict[str, list[Indicator]] = {g: [] for g in Group}
    for spec in INDICATORS:
        if spec.observed:
            share = shares[spec.code]
            rate = share.rate
            indicator = Indicator(
                code=spec.code,
                group=spec.group,
                name=str(spec.name),
                numerator=share.numerator,
                denominator=share.denominator,
                rate=rate,
                target=spec.target,
                score=score(rate, maximum=spec.maximum, target=spec.target),
                maximum=spec.maximum,
                source=Source.SYSTEM,
                note="" if share.denominator else str(_("Không phát sinh trong kỳ: tính đủ điểm.")),
            )
        else:
            entered = inputs.get((unit_id, spec.code))
            if entered is None:
                indicator = Indicator(
                    code=spec.code,
                    group=spec.group,
                    name=str(spec.name),
                    numerator=None,
                    denominator=None,
                    rate=None,
                    target=spec.target,
                    score=Decimal(0).quantize(POINTS),
                    maximum=spec.maximum,
                    source=Source.MISSING,
                    note=str(_("Chưa nhập số liệu.")),
                )
            else:
                rate = (entered.value / 100).quantize(Decimal("0.000001"))
                indicator = Indicator(
                    code=spec.code,
                    group=spec.group,
                    name=str(spec.name),
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
        tuple(IndicatorGroup(g.value, str(GROUP_NAMES[g]), tuple(groups[g])) for g in Group),
    )
