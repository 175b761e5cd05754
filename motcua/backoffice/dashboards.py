"""Bảng điều hành — the leadership and centre dashboards, their exports and the drill-down lists.

For the roles that oversee (report viewer and province admin: the whole province) and those that lead
a unit (leader, supervisor, unit admin: their units, ``org.selectors.official_units``). Every figure is
read from the reports app (``reports.selectors``, ``reports.index766``: aggregates, never a scan of the
dossier table); every count links to ``/can-bo/bao-cao/ho-so/``, the dossiers behind it
(``reports.drilldown``), within the viewer's units.

A service centre (``CENTRE_KINDS``) decides nothing: when the chosen unit is a centre, every figure is
about the dossiers RECEIVED there (``received_at``), the hot spots are grouped by the deciding agency
(cơ quan giải quyết), and ``?co_quan=<unit>`` narrows the centre's figures to one deciding agency
(any agency: it only narrows what the viewer's centre received). The 766 index stays per deciding unit:
a commune centre shows its committee's. Tables are the accessible source; the charts
(Chart.js, vendored) draw the same numbers from ``json_script`` data in ``dashboard-charts.js``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from motcua.backoffice.access import forbidden, official_required
from motcua.backoffice.forms import field_choices
from motcua.catalog.models import Procedure
from motcua.core.paging import page_numbers
from motcua.documents.responses import pdf_response
from motcua.dossiers.models import Channel, DossierState, Outcome
from motcua.forecast import selectors as forecast
from motcua.org.models import CENTRE_KINDS, DECIDING_KINDS, OVERSIGHT_ROLES, Role, Unit, UnitKind
from motcua.org.selectors import official_reaches_every_unit, official_role_set, official_units
from motcua.reports import drilldown, exports, periodic, transparency
from motcua.reports.index766 import index766_for, index766_ranking
from motcua.reports.periods import Period, PeriodKind, month_start
from motcua.reports.selectors import (
    Statistics,
    statistics,
    statistics_by_month,
    statistics_by_procedure,
    statistics_by_unit,
)

DASHBOARD_ROLES = frozenset({Role.LEADER, Role.SUPERVISOR, Role.UNIT_ADMIN, *OVERSIGHT_ROLES})
DASHBOARD_ONLY_MESSAGE = gettext_lazy(
    "Trang này dành cho lãnh đạo, giám sát, quản trị đơn vị và người xem báo cáo, quản trị tỉnh."
)
PERIOD_KINDS = {
    "thang": PeriodKind.MONTH,
    "quy": PeriodKind.QUARTER,
    "nam": PeriodKind.YEAR,
    "tuy-chon": PeriodKind.CUSTOM,
}
DRILL_PAGE_SIZE = 50
HOT_SPOTS = 10
TREND_MONTHS = 12


@dataclass
class Filters:
    """What the dashboard shows: the period, the unit (None: the province), field, procedure, channel."""

    period: Period
    kind_slug: str
    unit: Unit | None
    unit_ids: frozenset[int] | None  # the unit with its descendants; None: every unit
    units: list[Unit]
    field_id: int | None
    procedure: Procedure | None
    channel: str | None
    errors: list[str]
    params: dict[str, str]
    # A centre's scope only: the deciding agency its figures are narrowed to (``co_quan``), if any.
    decider: Unit | None = None
    decider_ids: frozenset[int] | None = None

    def query(self, **extra: Any) -> str:
        return urlencode({**self.params, **{k: v for k, v in extra.items() if v not in (None, "")}})

    @property
    def centre(self) -> bool:
        """The chosen unit is a service centre: the figures are what it received."""
        return self.unit is not None and self.unit.kind in CENTRE_KINDS

    @property
    def decided_by(self) -> Unit | None:
        """The ``unit`` argument of the selectors: the deciding unit scope (None: any)."""
        return self.decider if self.centre else self.unit

    @property
    def received_at(self) -> Unit | None:
        """The ``received_at`` argument of the selectors: the centre, for a centre's scope."""
        return self.unit if self.centre else None

    @property
    def drill_scope(self) -> dict[str, Any]:
        """The drill-down's unit arguments, matching ``decided_by`` / ``received_at``."""
        if self.centre:
            return {"unit_ids": self.decider_ids, "receiving_unit_ids": self.unit_ids}
        return {"unit_ids": self.unit_ids}

    @property
    def scope_label(self) -> str:
        if self.unit is None:
            return _("Toàn tỉnh")
        if not self.centre:
            return self.unit.name
        label = _("Hồ sơ tiếp nhận tại %(unit)s") % {"unit": self.unit.name}
        if self.decider is not None:
            label += " — " + _("cơ quan giải quyết: %(unit)s") % {"unit": self.decider.name}
        return label

    @property
    def index_unit(self) -> Unit | None:
        """Whose 766 index the page shows: the index is per deciding unit, so a centre shows its
        committee's (a commune centre → the commune, the province centre → the province)."""
        if not self.centre or self.unit is None:
            return self.unit
        parent = self.unit.parent
        if parent is not None and parent.kind == UnitKind.PROVINCE_COMMITTEE:
            return None
        return parent


def _descendant_ids(unit: Unit) -> frozenset[int]:
    children: dict[int | None, list[int]] = {}
    for pk, parent in Unit.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    out, stack = set(), [unit.pk]
    while stack:
        pk = stack.pop()
        out.add(pk)
        stack.extend(children.get(pk, ()))
    return frozenset(out)


def _int(value: str | None, low: int, high: int) -> int | None:
    if value is None or not value.strip().isdigit():
        return None
    n = int(value)
    return n if low <= n <= high else None


def _period(data: Any, errors: list[str]) -> tuple[Period, str]:
    today = timezone.localdate()
    slug = data.get("ky") or "thang"
    if slug not in PERIOD_KINDS:
        errors.append(_("Loại kỳ báo cáo không hợp lệ: hiển thị tháng hiện tại."))
        slug = "thang"
    year = _int(data.get("nam"), 2000, 2100) or today.year
    try:
        if slug == "quy":
            quarter = _int(data.get("quy"), 1, 4) or (today.month - 1) // 3 + 1
            return Period.quarter(year, quarter), slug
        if slug == "nam":
            return Period.year(year), slug
        if slug == "tuy-chon":
            first = date.fromisoformat(data.get("tu") or "")
            last = date.fromisoformat(data.get("den") or "")
            if (last - first).days > 366 * 3:
                raise ValueError("too long")
            return Period.custom(first, last), slug
        month = _int(data.get("thang"), 1, 12) or today.month
        return Period.month(year, month), slug
    except ValueError:
        errors.append(
            _(
                "Kỳ báo cáo tùy chọn không hợp lệ (từ ngày, đến ngày theo dạng năm-tháng-ngày, đến ngày "
                "không trước từ ngày, dài không quá 3 năm): hiển thị tháng hiện tại."
            )
        )
        return Period.month(today.year, today.month), "thang"


def _filters(request: HttpRequest) -> Filters | None:
    """The viewer's scope and the query's filters; None when the viewer may not see any dashboard."""
    user = request.user
    units = list(official_units(user=user, roles=DASHBOARD_ROLES).order_by("name"))
    if not units:
        return None
    data = request.GET
    errors: list[str] = []
    period, slug = _period(data, errors)
    every = official_reaches_every_unit(user=user)
    by_id = {u.pk: u for u in units}
    unit = by_id.get(_int(data.get("don_vi"), 1, 2**62) or 0)
    if data.get("don_vi") and unit is None:
        errors.append(_("Đơn vị không thuộc phạm vi của bạn: hiển thị đơn vị mặc định."))
    if unit is None and not every:
        # A leader's default: the top of the units they lead (the committee, not its centre).
        ids = set(by_id)
        unit = next((u for u in units if u.parent_id not in ids), units[0])
    unit_ids = _descendant_ids(unit) if unit is not None else None
    field_id = _int(data.get("linh_vuc"), 1, 2**62)
    procedure = None
    if code := (data.get("thu_tuc") or "").strip():
        procedure = Procedure.objects.filter(code=code).first()
        if procedure is None:
            errors.append(_("Không tìm thấy thủ tục có mã %(code)s.") % {"code": code[:40]})
    channel = data.get("kenh") or None
    if channel not in Channel.values:
        channel = None
    decider = None
    decider_ids = None
    if unit is not None and unit.kind in CENTRE_KINDS and (raw := data.get("co_quan")):
        decider = Unit.objects.filter(pk=_int(raw, 1, 2**62) or 0, kind__in=DECIDING_KINDS).first()
        if decider is None:
            errors.append(_("Cơ quan giải quyết không hợp lệ: hiển thị mọi cơ quan."))
        else:
            # The agency alone, as the centre's hot-spot rows count it (``own_only``).
            decider_ids = frozenset({decider.pk})
    params = {"ky": slug}
    if slug == "quy":
        params |= {"nam": str(period.first.year), "quy": str((period.first.month - 1) // 3 + 1)}
    elif slug == "nam":
        params |= {"nam": str(period.first.year)}
    elif slug == "tuy-chon":
        params |= {"tu": period.first.isoformat(), "den": period.last.isoformat()}
    else:
        params |= {"nam": str(period.first.year), "thang": str(period.first.month)}
    if unit is not None and (every or unit.pk != units[0].pk or data.get("don_vi")):
        params["don_vi"] = str(unit.pk)
    if decider is not None:
        params["co_quan"] = str(decider.pk)
    if field_id:
        params["linh_vuc"] = str(field_id)
    if procedure:
        params["thu_tuc"] = procedure.code
    if channel:
        params["kenh"] = channel
    return Filters(
        period,
        slug,
        unit,
        unit_ids,
        units,
        field_id,
        procedure,
        channel,
        errors,
        params,
        decider,
        decider_ids,
    )


def _stats(f: Filters) -> Statistics:
    return statistics(
        period=f.period,
        unit=f.decided_by,
        received_at=f.received_at,
        field_id=f.field_id,
        procedure_id=f.procedure.pk if f.procedure else None,
        channel=f.channel,
    )


def _trend(f: Filters) -> list[Statistics]:
    last = f.period.last
    first = month_start(last)
    for _i in range(TREND_MONTHS - 1):
        first = month_start(first.replace(day=1) - _one_day())
    return statistics_by_month(
        first=first,
        last=last,
        unit=f.decided_by,
        received_at=f.received_at,
        field_id=f.field_id,
        procedure_id=f.procedure.pk if f.procedure else None,
        channel=f.channel,
    )


def _one_day() -> timedelta:
    return timedelta(days=1)


def _hot_units(f: Filters) -> list[tuple[Unit, Statistics]]:
    """Deciding units in scope, most overdue first (those with nothing overdue left out). For a centre:
    the deciding agencies of the dossiers it received."""
    deciding = (UnitKind.DEPARTMENT, UnitKind.COMMUNE_COMMITTEE)
    if f.centre:
        # Each agency on its own (no roll-up of descendants): the province committee would else
        # count every department's dossiers a second time.
        ids = f.decider_ids or Unit.objects.filter(kind__in=DECIDING_KINDS).values_list("pk", flat=True)
        candidates = list(Unit.objects.filter(pk__in=sorted(ids)).order_by("name"))
    elif f.unit_ids is None:
        candidates = list(Unit.objects.filter(is_active=True, kind__in=deciding).order_by("name"))
    else:
        candidates = list(Unit.objects.filter(pk__in=sorted(f.unit_ids), is_active=True).order_by("name"))
    if not candidates:
        return []
    rows = statistics_by_unit(
        period=f.period,
        units=candidates,
        field_id=f.field_id,
        procedure_id=f.procedure.pk if f.procedure else None,
        channel=f.channel,
        received_at=f.received_at,
        own_only=f.centre,
    )
    pairs = [
        (u, s) for u, s in zip(candidates, rows, strict=True) if s.in_progress_overdue or s.received_total
    ]
    pairs.sort(key=lambda p: (-p[1].in_progress_overdue, -p[1].received_total, p[0].name))
    return pairs[:HOT_SPOTS] if f.unit_ids is None else pairs


def _hot_unit_query(f: Filters, unit: Unit) -> str:
    # A centre's row narrows the centre's figures to that agency; otherwise the row opens that unit.
    return f.query(co_quan=unit.pk) if f.centre else f.query(don_vi=unit.pk)


def _hot_procedures(f: Filters) -> list[tuple[Procedure, Statistics]]:
    rows = statistics_by_procedure(
        period=f.period, unit=f.decided_by, received_at=f.received_at, field_id=f.field_id, channel=f.channel
    )
    if f.procedure:
        rows = [s for s in rows if s.key == f.procedure.pk]
    rows.sort(key=lambda s: (-s.in_progress_overdue, -s.resolved_late, -s.received_total))
    rows = rows[:HOT_SPOTS]
    names = Procedure.objects.in_bulk([s.key for s in rows])
    return [(names[s.key], s) for s in rows if s.key in names]


def _short_names(rows: Sequence[transparency.BoardRow]) -> list[str]:
    """Chart labels: "UBND phường Hạ Long" rather than "Ủy ban nhân dân phường Hạ Long" — on a phone the
    long names leave the bars no room."""
    short = dict(Unit.objects.filter(pk__in=[r.unit_id for r in rows]).values_list("pk", "short_name"))
    return [short.get(r.unit_id) or r.unit_name for r in rows]


def _can_read_dossiers(request: HttpRequest) -> bool:
    # Overseers read no dossier page (personal data): their lists show codes without links.
    roles = official_role_set(user=request.user)
    return bool(request.user.is_superuser or not roles <= OVERSIGHT_ROLES)


@require_GET
@official_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Bảng điều hành: key figures, 12-month trend, rankings, overdue hot spots, the 766 index."""
    f = _filters(request)
    if f is None:
        return forbidden(request, DASHBOARD_ONLY_MESSAGE)
    stats = _stats(f)
    trend = _trend(f)
    board = transparency.board_for(period=f.period)
    index = index766_for(period=f.period, unit=f.index_unit)
    roles = official_role_set(user=request.user)
    risks: list[Any] = []
    if request.user.is_superuser or roles & forecast.RISK_VIEWER_ROLES:
        if f.centre:  # received at the centre, wherever they are handled now
            risks = forecast.riskiest_dossiers(user=request.user, received_at=f.unit_ids, limit=10)
        else:
            units = [f.unit] if f.unit else None
            risks = forecast.riskiest_dossiers(user=request.user, units=units, limit=10)
    charts = {
        "trend": {
            "labels": [f"{s.key:%m/%Y}" for s in trend],
            "series": [
                {"label": _("Tiếp nhận mới"), "data": [s.received_new for s in trend]},
                {"label": _("Đã giải quyết"), "data": [s.resolved for s in trend]},
                {"label": _("Giải quyết quá hạn"), "data": [s.resolved_late for s in trend]},
            ],
            "rate_label": _("Tỷ lệ đúng hạn (%)"),
            "rates": [float(s.on_time.percent) if s.on_time.percent is not None else None for s in trend],
        },
        "ranking": {
            "labels": _short_names(board.groups[0][1][:20]) if board.groups else [],
            "label": _("Tổng điểm 766"),
            "data": [
                float(row.index_total) if row.index_total is not None else None
                for row in board.groups[0][1][:20]
            ]
            if board.groups
            else [],
        },
    }
    context = {
        "f": f,
        "query": f.query(),
        "stats": stats,
        "trend": trend,
        "board": board,
        "board_groups": [(k, _(UnitKind(k).label), rows) for k, rows in board.groups],
        "index": index,
        "hot_units": [(u, st, _hot_unit_query(f, u)) for u, st in _hot_units(f)],
        "centre_query": urlencode({k: v for k, v in f.params.items() if k != "co_quan"}),
        "index_unit_name": f.index_unit.name if f.index_unit else _("Toàn tỉnh"),
        "hot_procedures": [(p, st, f.query(thu_tuc=p.code)) for p, st in _hot_procedures(f)],
        "viewer_unit_ids": {u.pk for u in f.units},
        "risks": risks,
        "link_codes": _can_read_dossiers(request),
        "charts": charts,
        "fields": field_choices(),
        "channels": [(value, _(label)) for value, label in Channel.choices],
        "months": range(1, 13),
        "quarters": range(1, 5),
        "quarter": (f.period.first.month - 1) // 3 + 1,
        "years": range(timezone.localdate().year - 5, timezone.localdate().year + 1),
    }
    return render(request, "backoffice/dashboard.html", context)


FIGURE_OUTCOME_LABELS = {o.value: o.label for o in Outcome}


@require_GET
@official_required
def drilldown_list(request: HttpRequest) -> HttpResponse:
    """The dossiers behind one figure of the dashboard (``?so_lieu=<figure>`` + the dashboard's filters)."""
    f = _filters(request)
    if f is None:
        return forbidden(request, DASHBOARD_ONLY_MESSAGE)
    figure = request.GET.get("so_lieu", "")
    if figure not in drilldown.FIGURES:
        return render(
            request,
            "backoffice/403.html",
            {"message": _("Số liệu cần xem không hợp lệ.")},
            status=400,
        )
    qs = drilldown.dossiers_behind(
        figure=figure,
        period=f.period,
        **f.drill_scope,
        field_id=f.field_id,
        procedure_id=f.procedure.pk if f.procedure else None,
        channel=f.channel,
    )
    total = qs.count()
    pages = max(1, -(-total // DRILL_PAGE_SIZE))
    page = min(_int(request.GET.get("trang"), 1, 10**6) or 1, pages)
    rows = list(
        qs.select_related("procedure", "competent_unit")
        .only(
            "code",
            "state",
            "channel",
            "received_at",
            "due_at",
            "finished_at",
            "outcome",
            "procedure__code",
            "procedure__name",
            "competent_unit__name",
        )
        .order_by("received_at", "pk")[(page - 1) * DRILL_PAGE_SIZE : page * DRILL_PAGE_SIZE]
    )
    context = {
        "f": f,
        "figure": figure,
        "figure_label": drilldown.FIGURES[figure],
        "rows": rows,
        "total": total,
        "page": page,
        "pages": pages,
        "page_numbers": page_numbers(page, pages),
        "query": f.query(so_lieu=figure),
        "dashboard_query": f.query(),
        "state_labels": {s.value: _(s.label) for s in DossierState},
        "channel_labels": {c.value: _(c.label) for c in Channel},
        "outcome_labels": {o.value: _(o.label) for o in Outcome},
        "link_codes": _can_read_dossiers(request),
    }
    return render(request, "backoffice/dashboard_dossiers.html", context)


# Exports
# --------------------------------------------------------------------------------------------------

EXPORT_TABLES = ("tong-hop", "xu-huong", "don-vi", "thu-tuc", "chi-so-766", "xep-hang-xa", "xep-hang-so")


def _tables(f: Filters, slug: str) -> list[exports.Table]:
    label = f"{f.scope_label} — {f.period.label}"
    if slug == "tong-hop":
        return [
            exports.statistics_table(
                slug,
                _("Tình hình giải quyết TTHC"),
                exports.Column(_("Phạm vi"), exports.Kind.TEXT),
                [(label, _stats(f))],
            )
        ]
    if slug == "xu-huong":
        return [
            exports.statistics_table(
                slug,
                _("Xu hướng 12 tháng"),
                exports.Column(_("Tháng"), exports.Kind.TEXT),
                [(f"{s.key:%m/%Y}", s) for s in _trend(f)],
                subtitle=label,
            )
        ]
    if slug == "don-vi":
        return [
            exports.statistics_table(
                slug,
                _("Số liệu theo cơ quan giải quyết") if f.centre else _("Số liệu theo đơn vị"),
                exports.Column(_("Cơ quan giải quyết") if f.centre else _("Đơn vị"), exports.Kind.TEXT),
                [(u.name, s) for u, s in _hot_units(f)],
                subtitle=label,
            )
        ]
    if slug == "thu-tuc":
        rows = statistics_by_procedure(
            period=f.period,
            unit=f.decided_by,
            received_at=f.received_at,
            field_id=f.field_id,
            channel=f.channel,
        )
        names = dict(Procedure.objects.filter(pk__in=[s.key for s in rows]).values_list("pk", "name"))
        return [
            exports.statistics_table(
                slug,
                _("Số liệu theo thủ tục"),
                exports.Column(_("Thủ tục"), exports.Kind.TEXT),
                [(names.get(s.key, ""), s) for s in rows],
                subtitle=label,
            )
        ]
    if slug == "chi-so-766":
        index_label = f"{f.index_unit.name if f.index_unit else _('Toàn tỉnh')} — {f.period.label}"
        return [
            exports.index_table(
                index766_for(period=f.period, unit=f.index_unit), _("Chỉ số 766"), index_label
            )
        ]
    kind = UnitKind.COMMUNE_COMMITTEE if slug == "xep-hang-xa" else UnitKind.DEPARTMENT
    title = _("Xếp hạng xã, phường, đặc khu") if slug == "xep-hang-xa" else _("Xếp hạng sở, ban, ngành")
    return [exports.ranking_table(slug, title, index766_ranking(period=f.period, kind=kind), f.period.label)]


def _file_name(slug: str, f: Filters, ext: str) -> str:
    return f"{slug}-{f.period.first:%Y%m%d}-{f.period.last:%Y%m%d}.{ext}"


def _attachment(content: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_GET
@official_required
def export_table(request: HttpRequest, slug: str, ext: str) -> HttpResponse:
    """One dashboard table (``tat-ca``: every table, one sheet each) as Excel or CSV."""
    f = _filters(request)
    if f is None:
        return forbidden(request, DASHBOARD_ONLY_MESSAGE)
    if slug == "tat-ca" and ext == "xlsx":
        tables = [t for s in EXPORT_TABLES for t in _tables(f, s)]
    elif slug in EXPORT_TABLES:
        tables = _tables(f, slug)
    else:
        raise Http404
    if ext == "xlsx":
        return _attachment(exports.table_xlsx(tables), _file_name(slug, f, ext), XLSX)
    if ext == "csv":
        return _attachment(exports.table_csv(tables[0]), _file_name(slug, f, ext), "text/csv; charset=utf-8")
    raise Http404


@require_GET
@official_required
def periodic_report(request: HttpRequest, ext: str) -> HttpResponse:
    """Báo cáo tình hình, kết quả giải quyết TTHC of the chosen unit and period, as Excel or PDF."""
    f = _filters(request)
    if f is None:
        return forbidden(request, DASHBOARD_ONLY_MESSAGE)
    report = periodic.periodic_report(period=f.period, unit=f.decided_by, received_at=f.received_at)
    if ext == "xlsx":
        table = periodic.periodic_report_table(report)
        return _attachment(exports.table_xlsx([table]), _file_name("bao-cao-dinh-ky", f, ext), XLSX)
    if ext == "pdf":
        return pdf_response(periodic.periodic_report_pdf(report), _file_name("bao-cao-dinh-ky", f, "pdf"))
    raise Http404
