"""Drill-down lists, exports, the periodic report, open data and the public board over the hand-built
month of ``test_statistics`` (its docstring tells the dossiers and their figures)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

import pytest
from openpyxl import load_workbook

from motcua.dossiers.tests.factories import World
from motcua.reports import drilldown, exports, opendata, periodic, transparency
from motcua.reports.index766 import index766_for
from motcua.reports.models import DailyAggregate
from motcua.reports.periods import Period
from motcua.reports.selectors import statistics
from motcua.reports.tests.conftest import aggregate_jobs_run
from motcua.reports.tests.test_statistics import build_march

pytestmark = pytest.mark.django_db

FIGURE_OF_STATISTICS = {
    "carried_over": lambda s: s.carried_over,
    "received_new": lambda s: s.received_new,
    "resolved": lambda s: s.resolved,
    "resolved_on_time_or_early": lambda s: s.on_time.numerator,
    "resolved_early": lambda s: s.resolved_early,
    "resolved_on_time": lambda s: s.resolved_on_time,
    "resolved_late": lambda s: s.resolved_late,
    "rejected": lambda s: s.rejected,
    "in_progress": lambda s: s.in_progress,
    "in_progress_not_due": lambda s: s.in_progress_not_due,
    "in_progress_overdue": lambda s: s.in_progress_overdue,
    "in_progress_paused": lambda s: s.in_progress_paused,
    "refused": lambda s: s.refused,
    "withdrawn": lambda s: s.withdrawn,
    "stopped": lambda s: s.stopped,
    "returned": lambda s: s.returned,
    "supplement_requested": lambda s: s.supplement_requested,
    "payment_requested": lambda s: s.payment_requested,
    "extended": lambda s: s.extended,
}


@pytest.fixture
def march(world: World, clock: Any) -> dict[str, Any]:
    d = build_march(world, clock)
    aggregate_jobs_run()
    return d


def test_every_figure_has_a_drilldown() -> None:
    assert set(FIGURE_OF_STATISTICS) == set(drilldown.FIGURES)


@pytest.mark.parametrize("month", [3, 4], ids=["past-period", "current-period"])
def test_drilldown_lists_exactly_the_dossiers_counted(
    world: World, march: dict[str, Any], month: int
) -> None:
    period = Period.month(2026, month)
    s = statistics(period=period, unit=world.province)
    for figure, value in FIGURE_OF_STATISTICS.items():
        qs = drilldown.dossiers_behind(figure=figure, period=period, unit_ids=None)
        assert qs.count() == value(s), (figure, month)
    # By name, where the docstring of test_statistics says which dossiers they are.
    if month == 3:
        late = drilldown.dossiers_behind(figure="resolved_late", period=period, unit_ids=None)
        assert list(late.values_list("pk", flat=True)) == [march["D3"].pk]
        overdue = drilldown.dossiers_behind(figure="in_progress_overdue", period=period, unit_ids=None)
        assert list(overdue.values_list("pk", flat=True)) == [march["D5"].pk]
    else:
        overdue = drilldown.dossiers_behind(figure="in_progress_overdue", period=period, unit_ids=None)
        assert set(overdue.values_list("pk", flat=True)) == {march["D5"].pk, march["D8"].pk}


def test_drilldown_scope_excludes_other_units(world: World, march: dict[str, Any]) -> None:
    period = Period.month(2026, 3)
    qs = drilldown.dossiers_behind(figure="received_new", period=period, unit_ids={world.commune_b.pk})
    assert qs.count() == 0 == statistics(period=period, unit=world.commune_b).received_new
    mine = drilldown.dossiers_behind(figure="received_new", period=period, unit_ids={world.commune_a.pk})
    assert mine.count() == statistics(period=period, unit=world.commune_a).received_new == 8


def _excel_cells_are_numbers_and_headers_vietnamese(world: World, march: dict[str, Any]) -> None:
    period = Period.month(2026, 3)
    s = statistics(period=period, unit=world.province)
    index = index766_for(period=period, unit=world.province)
    tables = [
        exports.statistics_table(
            "t", "Tình hình", exports.Column("Phạm vi", exports.Kind.TEXT), [("Tỉnh", s)]
        ),
        exports.index_table(index, "Chỉ số 766"),
    ]
    book = load_workbook(io.BytesIO(exports.table_xlsx(tables)))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[2]]
    assert header[:4] == ["Phạm vi", "Kỳ trước chuyển sang", "Tiếp nhận mới", "Tổng số tiếp nhận"]
    row = list(sheet[3])
    assert row[2].value == 8
    assert isinstance(row[2].value, int)
    on_time = row[header.index("Tỷ lệ đúng hạn")]
    assert on_time.value == pytest.approx(0.8)
    assert on_time.number_format == "0.00%"
    assert sheet["A2"].font.bold
    index_sheet = book.worksheets[1]
    sources = {r[9] for r in index_sheet.iter_rows(min_row=3, values_only=True)}
    assert {"Hệ thống tính", "Chưa nhập"} <= sources  # admin-recorded inputs marked as such
    total = list(index_sheet.iter_rows(values_only=True))[-1]
    assert total[1] == "Tổng điểm"
    assert isinstance(total[7], int | float)


def _csv_has_bom_and_parses(world: World, march: dict[str, Any]) -> None:
    s = statistics(period=Period.month(2026, 3), unit=world.province)
    table = exports.statistics_table("t", "T", exports.Column("Phạm vi", exports.Kind.TEXT), [("Tỉnh", s)])
    raw = exports.table_csv(table)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][2] == "Tiếp nhận mới"
    assert rows[1][2] == "8"
    assert rows[1][8] == "0.800000"


def _periodic_report_by_field(world: World, march: dict[str, Any]) -> None:
    report = periodic.periodic_report(period=Period.month(2026, 3), unit=world.commune_a)
    assert report.total.cells() == periodic.report_rows_sum(report.rows)
    # carried over 1 + new 8 (all at the counter); resolved 3 early, 1 on time, 1 late;
    # 3 in progress (1 overdue)
    assert report.total.cells() == [9, 1, 0, 8, 5, 3, 1, 1, 3, 2, 1, 1, 0]
    book = load_workbook(io.BytesIO(exports.table_xlsx([periodic.periodic_report_table(report)])))
    assert book.worksheets[0]["B3"].value == "Lĩnh vực"
    pdf = periodic.periodic_report_pdf(report)
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 5000


def _open_data_suppresses_small_counts(world: World, march: dict[str, Any], settings: Any) -> None:
    settings.MOTCUA_OPEN_DATA_MIN_COUNT = 2
    rows = list(opendata.daily_rows())
    assert rows, "the month has daily rows"
    for row in rows:
        for name in opendata.DAILY_COUNTERS:
            assert row[name] is None or row[name] == 0 or row[name] >= 2
        assert row["an_so_lieu"] == int(any(row[n] is None for n in opendata.DAILY_COUNTERS))
    big = next(
        r for r in rows if r["ngay"] == "2026-03-02" and r["received"] is not None and r["received"] >= 2
    )
    assert (
        big["received"]
        == DailyAggregate.objects.filter(day=date(2026, 3, 2), procedure__code=big["ma_thu_tuc"])
        .values_list("received", flat=True)
        .first()
    )
    # No personal data: the applicant's name, ID and phone appear nowhere in any dataset.
    text = "".join(
        "".join(opendata.csv_chunks(d, opendata.dataset_rows(d.slug))) for d in opendata.DATASETS.values()
    )
    for secret in ("Nguyễn Văn An", "022090001234", "0912345678", march["D1"].code):
        assert secret not in text


def _dcat_catalog_has_required_keys(march: dict[str, Any]) -> None:
    catalog = opendata.dcat_catalog(base_url="https://example.test/du-lieu-mo/", modified=date(2026, 4, 6))
    assert catalog["@type"] == "dcat:Catalog"
    for key in ("dct:title", "dct:publisher", "dct:license", "dcat:dataset", "dct:modified"):
        assert key in catalog
    assert len(catalog["dcat:dataset"]) == 3
    daily = catalog["dcat:dataset"][0]
    for key in (
        "dct:title",
        "dct:license",
        "dct:publisher",
        "dct:temporal",
        "dct:modified",
        "dcat:distribution",
    ):
        assert key in daily
    media = {d["dcat:mediaType"]["@id"].rsplit("/", 2)[-2:][-1] for d in daily["dcat:distribution"]}
    assert media == {"csv", "json"}
    assert json.loads(json.dumps(catalog, ensure_ascii=False)) == catalog


def _board_is_cached_and_has_no_personal_data(
    world: World, march: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    period = Period.month(2026, 3)
    board = transparency.board_for(period=period)
    communes = dict(board.groups)["commune_committee"]
    a = next(r for r in communes if r.unit_id == world.commune_a.pk)
    assert (a.received, a.resolved, a.on_time_percent, a.overdue) == (9, 5, 80, 1)
    with django_assert_max_num_queries(0):
        again = transparency.board_for(period=period)
    assert again.computed_at == board.computed_at


def test_exports_of_the_month(world: World, march: dict[str, Any]) -> None:
    """One hand-built month for the three export checks (building it is the slow part)."""
    _excel_cells_are_numbers_and_headers_vietnamese(world, march)
    _csv_has_bom_and_parses(world, march)
    _periodic_report_by_field(world, march)


def test_open_data_and_board_of_the_month(
    world: World, march: dict[str, Any], settings: Any, django_assert_max_num_queries: Any
) -> None:
    _board_is_cached_and_has_no_personal_data(world, march, django_assert_max_num_queries)
    _dcat_catalog_has_required_keys(march)
    _open_data_suppresses_small_counts(world, march, settings)
