"""The standard periodic report — báo cáo tình hình, kết quả giải quyết TTHC — of a unit and period.

The layout of the report units send upward each period (TT 01/2020/TT-VPCP's table of dossiers
handled, by field): for each field (lĩnh vực), dossiers received (carried over, new online, new at a
counter or by post), resolved (early, on time, late) and in progress (within the time limit, overdue),
then withdrawn and stopped, and a total row. One ``statistics_by_procedure`` call (a constant number of
queries) grouped by the procedures' fields in memory; as Excel (``exports.table_xlsx``) and PDF (typst,
``documents.rendering``, template ``periodic_report.typ``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.catalog.models import Field, Procedure
from motcua.documents.rendering import render_pdf
from motcua.org.models import Unit
from motcua.reports.exports import Column, Kind, Table
from motcua.reports.periods import Period
from motcua.reports.selectors import Statistics, statistics_by_procedure


@dataclass
class FieldRow:
    """One field's line of the report (counts of dossiers)."""

    field: str
    carried_over: int = 0
    received_online: int = 0
    received_offline: int = 0
    resolved_early: int = 0
    resolved_on_time: int = 0
    resolved_late: int = 0
    in_progress_not_due: int = 0
    in_progress_overdue: int = 0
    withdrawn: int = 0
    stopped: int = 0

    @property
    def received(self) -> int:
        return self.carried_over + self.received_online + self.received_offline

    @property
    def resolved(self) -> int:
        return self.resolved_early + self.resolved_on_time + self.resolved_late

    @property
    def in_progress(self) -> int:
        return self.in_progress_not_due + self.in_progress_overdue

    def add(self, s: Statistics) -> None:
        self.carried_over += s.carried_over
        self.received_online += s.online.numerator
        self.received_offline += s.received_new - s.online.numerator
        self.resolved_early += s.resolved_early
        self.resolved_on_time += s.resolved_on_time
        self.resolved_late += s.resolved_late
        # Paused dossiers are within their time limit: the clock is stopped.
        self.in_progress_not_due += s.in_progress - s.in_progress_overdue
        self.in_progress_overdue += s.in_progress_overdue
        self.withdrawn += s.withdrawn
        self.stopped += s.stopped

    def cells(self) -> list[int]:
        return [
            self.received,
            self.carried_over,
            self.received_online,
            self.received_offline,
            self.resolved,
            self.resolved_early,
            self.resolved_on_time,
            self.resolved_late,
            self.in_progress,
            self.in_progress_not_due,
            self.in_progress_overdue,
            self.withdrawn,
            self.stopped,
        ]


@dataclass
class PeriodicReport:
    unit_name: str
    parent_unit_name: str
    period: Period
    rows: list[FieldRow] = field(default_factory=list)
    # A centre's report counts what it received, not what it decided: said under the period.
    scope_note: str = ""
    total: FieldRow = field(default_factory=lambda: FieldRow(field=""))


COLUMN_LABELS = (
    "Tổng số hồ sơ tiếp nhận",
    "Kỳ trước chuyển sang",
    "Mới tiếp nhận trực tuyến",
    "Mới tiếp nhận trực tiếp, bưu chính",
    "Đã giải quyết",
    "Trước hạn",
    "Đúng hạn",
    "Quá hạn",
    "Đang giải quyết",
    "Trong hạn",
    "Quá hạn (đang giải quyết)",
    "Rút hồ sơ",
    "Dừng xử lý",
)


def periodic_report(*, period: Period, unit: Unit | None, received_at: Unit | None = None) -> PeriodicReport:
    """The report of ``unit`` (with its descendants; None: the province) over ``period``; with
    ``received_at`` (a service centre, ``unit`` then None): of the dossiers received there, issued in
    the centre's name."""
    by_procedure = statistics_by_procedure(period=period, unit=unit, received_at=received_at)
    issuer = received_at or unit
    field_of = dict(
        Procedure.objects.filter(pk__in=[s.key for s in by_procedure]).values_list("pk", "field_id")
    )
    names = dict(Field.objects.values_list("pk", "name"))
    rows: dict[int | None, FieldRow] = {}
    for s in by_procedure:
        field_id = field_of.get(s.key)
        row = rows.get(field_id)
        if row is None:
            row = rows[field_id] = FieldRow(
                field=names.get(field_id, "") if field_id else _("Chưa phân loại")
            )
        row.add(s)
    report = PeriodicReport(
        unit_name=issuer.name if issuer else _("Ủy ban nhân dân tỉnh Quảng Ninh"),
        parent_unit_name=(issuer.parent.name if issuer and issuer.parent_id and issuer.parent else ""),
        period=period,
        rows=sorted(rows.values(), key=lambda r: r.field),
        scope_note=(
            _("Hồ sơ tiếp nhận tại %(unit)s (mọi hình thức nộp), theo lĩnh vực của cơ quan giải quyết")
            % {"unit": received_at.name}
            if received_at is not None
            else ""
        ),
    )
    for row in report.rows:
        for f in fields(FieldRow):
            if f.name != "field":
                setattr(report.total, f.name, getattr(report.total, f.name) + getattr(row, f.name))
    report.total.field = _("Tổng cộng")
    return report


def periodic_report_table(report: PeriodicReport) -> Table:
    return Table(
        slug="bao-cao-dinh-ky",
        title=_("Báo cáo tình hình, kết quả giải quyết thủ tục hành chính"),
        subtitle=" — ".join(x for x in (report.unit_name, report.period.label, report.scope_note) if x),
        columns=(
            Column(_("STT")),
            Column(_("Lĩnh vực"), Kind.TEXT),
            *(Column(_(label)) for label in COLUMN_LABELS),
        ),
        rows=[
            *((n, row.field, *row.cells()) for n, row in enumerate(report.rows, start=1)),
            (None, report.total.field, *report.total.cells()),
        ],
    )


def periodic_report_pdf(report: PeriodicReport, *, issued_at: datetime | None = None) -> bytes:
    issued_at = issued_at or timezone.now()
    local = timezone.localtime(issued_at)
    data = {
        "doc_title": "Báo cáo tình hình, kết quả giải quyết thủ tục hành chính",
        "unit_name": report.unit_name,
        "parent_unit_name": report.parent_unit_name,
        "period": report.period.label,
        "scope_note": report.scope_note,
        "issued": f"Ngày {local:%d} tháng {local:%m} năm {local:%Y}",
        "columns": list(COLUMN_LABELS),
        "rows": [{"no": str(n), "field": r.field, "cells": r.cells()} for n, r in enumerate(report.rows, 1)],
        "total": report.total.cells(),
    }
    return render_pdf("periodic_report.typ", data, issued_at=issued_at)


def report_rows_sum(rows: Sequence[FieldRow]) -> list[int]:
    """Column sums of ``rows`` (the total row checks itself against them in the tests)."""
    return [sum(col) for col in zip(*(r.cells() for r in rows), strict=True)] if rows else [0] * 13
