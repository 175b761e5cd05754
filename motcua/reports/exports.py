"""Report tables and their files — bảng số liệu xuất Excel (openpyxl) và CSV.

A ``Table`` is what a dashboard shows and what its export writes, built once from the selectors'
results: Vietnamese column labels, and cells that stay numbers (counts as integers, rates as fractions
0–1 with a percent number format, points as decimals) so that a spreadsheet can sum and sort them.
CSV is UTF-8 with a byte-order mark: Excel otherwise opens it as ANSI and garbles the diacritics.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from motcua.reports.index766 import Index766, RankingRow
from motcua.reports.selectors import Share, Statistics


class Kind(StrEnum):
    TEXT = "text"
    COUNT = "count"  # integer
    RATE = "rate"  # fraction 0–1, shown as a percentage
    NUMBER = "number"  # decimal (points, working days)


@dataclass(frozen=True, slots=True)
class Column:
    label: str
    kind: Kind = Kind.COUNT


@dataclass
class Table:
    """A titled table: ``rows`` hold Python values matching ``columns`` (None: an empty cell)."""

    slug: str
    title: str
    columns: tuple[Column, ...]
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    subtitle: str = ""


def rate(share: Share) -> Decimal | None:
    return share.rate


def table_xlsx(tables: Sequence[Table]) -> bytes:
    """An Excel workbook, one sheet per table: title row, bold shaded header, typed cells."""
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDE7F3")
    for table in tables:
        sheet = book.create_sheet(_sheet_name(table.title, book.sheetnames))
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True, size=13)
        first = 2
        if table.subtitle:
            sheet.append([table.subtitle])
            first = 3
        sheet.append([c.label for c in table.columns])
        for cell in sheet[first]:
            cell.font = header_font
            cell.fill = header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        for row in table.rows:
            sheet.append([_xlsx_value(v, c.kind) for v, c in zip(row, table.columns, strict=True)])
        for index, column in enumerate(table.columns, start=1):
            letter = get_column_letter(index)
            number_format = {Kind.RATE: "0.00%", Kind.NUMBER: "0.00", Kind.COUNT: "#,##0"}.get(column.kind)
            if number_format:
                for (cell,) in sheet.iter_rows(min_row=first + 1, min_col=index, max_col=index):
                    cell.number_format = number_format
            width = max([len(column.label)] + [len(str(r[index - 1] or "")) for r in table.rows[:200]])
            sheet.column_dimensions[letter].width = min(max(10, width + 2), 60)
        sheet.freeze_panes = sheet.cell(row=first + 1, column=1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def table_csv(table: Table) -> bytes:
    """CSV, UTF-8 with BOM: header of Vietnamese labels, rates as fractions with a dot (machine-readable)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.label for c in table.columns])
    for row in table.rows:
        writer.writerow(["" if v is None else v for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx_value(value: Any, kind: Kind) -> Any:
    if value is None:
        return None
    if kind in (Kind.RATE, Kind.NUMBER) and isinstance(value, Decimal):
        return float(value)
    return value


def _sheet_name(title: str, taken: list[str]) -> str:
    base = "".join(ch for ch in title if ch not in "[]:*?/\\")[:28] or "Bang"
    name, n = base, 2
    while name in taken:
        name, n = f"{base[:26]} {n}", n + 1
    return name


# Tables of the dashboard
# --------------------------------------------------------------------------------------------------


def statistics_columns(first: Column) -> tuple[Column, ...]:
    return (
        first,
        Column(_("Kỳ trước chuyển sang")),
        Column(_("Tiếp nhận mới")),
        Column(_("Tổng số tiếp nhận")),
        Column(_("Đã giải quyết")),
        Column(_("Trước hạn")),
        Column(_("Đúng hạn")),
        Column(_("Quá hạn")),
        Column(_("Tỷ lệ đúng hạn"), Kind.RATE),
        Column(_("Đang giải quyết")),
        Column(_("Đang giải quyết, quá hạn")),
        Column(_("Tỷ lệ nộp trực tuyến"), Kind.RATE),
        Column(_("Rút hồ sơ")),
        Column(_("Dừng xử lý")),
        Column(_("Thời gian giải quyết trung bình (ngày làm việc)"), Kind.NUMBER),
    )


def statistics_row(label: Any, s: Statistics) -> tuple[Any, ...]:
    return (
        label,
        s.carried_over,
        s.received_new,
        s.received_total,
        s.resolved,
        s.resolved_early,
        s.resolved_on_time,
        s.resolved_late,
        s.on_time.rate,
        s.in_progress,
        s.in_progress_overdue,
        s.online.rate,
        s.withdrawn,
        s.stopped,
        s.processing_days_mean,
    )


def statistics_table(
    slug: str, title: str, first: Column, rows: Sequence[tuple[Any, Statistics]], subtitle: str = ""
) -> Table:
    return Table(
        slug=slug,
        title=title,
        subtitle=subtitle,
        columns=statistics_columns(first),
        rows=[statistics_row(label, s) for label, s in rows],
    )


SOURCE_LABELS = {
    "system": _("Hệ thống tính"),
    "input": _("Quản trị nhập"),
    "missing": _("Chưa nhập"),
}


def index_table(index: Index766, title: str, subtitle: str = "") -> Table:
    """Every indicator of the index: numerator, denominator, rate, target, score, maximum, source."""
    rows: list[tuple[Any, ...]] = []
    for group in index.groups:
        for i in group.indicators:
            rows.append(
                (
                    i.code,
                    group.name,
                    i.name,
                    i.numerator,
                    i.denominator,
                    i.rate,
                    i.target,
                    i.score,
                    i.maximum,
                    str(SOURCE_LABELS.get(i.source, i.source)),
                    i.note,
                )
            )
    rows.append(("", _("Tổng điểm"), "", None, None, None, None, index.total, index.maximum, "", ""))
    return Table(
        slug="chi-so-766",
        title=title,
        subtitle=subtitle,
        columns=(
            Column(_("Mã chỉ số"), Kind.TEXT),
            Column(_("Nhóm"), Kind.TEXT),
            Column(_("Chỉ số"), Kind.TEXT),
            Column(_("Tử số")),
            Column(_("Mẫu số")),
            Column(_("Tỷ lệ đạt"), Kind.RATE),
            Column(_("Chỉ tiêu"), Kind.RATE),
            Column(_("Điểm"), Kind.NUMBER),
            Column(_("Điểm tối đa"), Kind.NUMBER),
            Column(_("Nguồn số liệu"), Kind.TEXT),
            Column(_("Ghi chú"), Kind.TEXT),
        ),
        rows=rows,
    )


def ranking_table(slug: str, title: str, ranking: Sequence[RankingRow], subtitle: str = "") -> Table:
    return Table(
        slug=slug,
        title=title,
        subtitle=subtitle,
        columns=(
            Column(_("Xếp hạng")),
            Column(_("Đơn vị"), Kind.TEXT),
            Column(_("Tổng điểm 766"), Kind.NUMBER),
            Column(_("Thay đổi so với kỳ trước"), Kind.NUMBER),
            Column(_("Tỷ lệ đúng hạn"), Kind.RATE),
        ),
        rows=[
            (row.rank, row.unit.name, row.total, row.change, row.index.indicator("2.1").rate)
            for row in ranking
        ],
    )
