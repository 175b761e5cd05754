"""The dashboards and the public figures on a phone — kiểm thử đầu cuối báo cáo, công khai, dữ liệu mở.

    Báo (report viewer, province)  logs in on a 390 px phone, opens «Báo cáo»: key figures, the trend
                                   chart drawn, nothing wider than the screen; switches to the year,
                                   taps «Tiếp nhận mới» and gets exactly that many dossiers; downloads
                                   every table as Excel (numbers are numbers)
    a citizen (anonymous)          reads the transparency table and the open-data page on a phone and
                                   downloads the daily figures as CSV

The history: three dossiers received at phường Hạ Long's centre today, one resolved; the reports'
subscriber jobs run as the worker would run them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.hashers import make_password
from openpyxl import load_workbook

from motcua.devtools.demo_officials import DEMO_PASSWORD
from motcua.dossiers.tests.factories import World, _official, dossier_at
from motcua.org.models import Role
from motcua.reports.tests.conftest import aggregate_jobs_run
from tests.e2e.conftest import PHONE
from tests.e2e.support import Shots, in_ci, login, menu

try:
    from playwright.sync_api import Locator, Page, expect
except ImportError:  # pragma: no cover - depends on the environment
    if in_ci():
        raise
    pytest.skip("e2e: thiếu gói Python `playwright` (pip install -e '.[dev]')", allow_module_level=True)

pytestmark = pytest.mark.e2e

RECEIVED = 3

# A canvas with something drawn on it differs from an empty canvas of the same size.
CANVAS_DRAWN = """id => {
  const canvas = document.getElementById(id);
  if (!canvas || !canvas.width || !canvas.height) return false;
  const blank = document.createElement("canvas");
  blank.width = canvas.width;
  blank.height = canvas.height;
  return canvas.toDataURL() !== blank.toDataURL();
}"""


def _history(world: World) -> None:
    dossier_at(world, "result_ready")
    for _ in range(RECEIVED - 1):
        dossier_at(world, "appraisal")
    aggregate_jobs_run()


def _fits_the_phone(page: Page) -> None:
    width: int = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"{page.url}: the page scrolls sideways ({width} px)"


# The element is what a sighted reader sees at its own centre once scrolled to (its wrapper scrolls
# sideways): a header clipped away, as the site-wide phone layout does to a table's head, is not.
SEEN = """el => {
  el.scrollIntoView({block: "center", inline: "center"});
  const r = el.getBoundingClientRect();
  const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
  return el === hit || el.contains(hit);
}"""


def _read_as_table(header: Locator, cell: Locator, *, row: bool) -> None:
    """The figure sits beside its row header (below its column header) and the header is seen — a table,
    not a stack of cards whose labels are lost."""
    assert header.evaluate(SEEN), "the header is not visible"
    head, value = header.bounding_box(), cell.bounding_box()
    assert head
    assert value
    if row:
        assert value["x"] >= head["x"] + head["width"] - 1, (head, value)
        assert abs(value["y"] - head["y"]) < 2, (head, value)
    else:
        assert value["y"] >= head["y"] + head["height"] - 1, (head, value)
        assert value["x"] < head["x"] + head["width"], (head, value)
        assert head["x"] < value["x"] + value["width"], (head, value)


def test_report_viewer_reads_the_dashboard_on_a_phone_drills_down_and_exports(
    e2e_world: World, new_page: Callable[..., Page], shots: Shots, tmp_path: Path
) -> None:
    world = e2e_world
    viewer = _official("baocao", "Phạm Thị Báo", [(world.province, Role.REPORT_VIEWER)])
    viewer.password = make_password(DEMO_PASSWORD)
    viewer.save(update_fields=["password"])
    _history(world)

    page = new_page(phone=True)
    login(page, viewer)
    menu(page, "Báo cáo").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Báo cáo, thống kê")
    key = page.get_by_role("region", name="Số liệu chính")
    received = key.get_by_role("listitem").filter(has_text="Tiếp nhận mới").get_by_role("link").first
    expect(received).to_have_text(str(RECEIVED))
    resolved = key.get_by_role("listitem").filter(has_text="Đã giải quyết").get_by_role("link").first
    expect(resolved).to_have_text("1")
    # The figures table keeps its labels on a phone (a row header beside each number).
    on_time = key.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Giải quyết đúng hạn"))
    _read_as_table(on_time.get_by_role("rowheader"), on_time.get_by_role("cell"), row=True)
    page.wait_for_function(CANVAS_DRAWN, arg="chart-trend")
    chart_width = page.evaluate("document.getElementById('chart-trend').getBoundingClientRect().width")
    assert 0 < chart_width <= PHONE["width"]
    _fits_the_phone(page)
    shots.take(page, "bao-cao-thang")

    page.get_by_label("Kỳ báo cáo").select_option(label="Năm")
    page.get_by_role("button", name="Xem").click()
    expect(page.get_by_text("Toàn tỉnh — Năm ")).to_be_visible()
    received = key.get_by_role("listitem").filter(has_text="Tiếp nhận mới").get_by_role("link").first
    expect(received).to_have_text(str(RECEIVED))
    _fits_the_phone(page)
    shots.take(page, "bao-cao-nam")

    received.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tiếp nhận mới")
    expect(page.get_by_text(f"{RECEIVED} hồ sơ", exact=True)).to_be_visible()
    rows = page.get_by_role("table").locator("tbody tr")
    expect(rows).to_have_count(RECEIVED)
    _fits_the_phone(page)
    shots.take(page, "ho-so-tiep-nhan")

    page.get_by_role("link", name="Về báo cáo").click()
    with page.expect_download() as info:
        page.get_by_role("link", name="Tải tất cả bảng (Excel)").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    sheet = load_workbook(saved).worksheets[0]
    header = next(row for row in sheet.iter_rows(values_only=True) if "Tiếp nhận mới" in row)
    header_row = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == header[0])
    figure = sheet.cell(header_row + 1, header.index("Tiếp nhận mới") + 1).value
    assert isinstance(figure, int)
    assert figure == RECEIVED


def test_citizen_reads_the_public_figures_on_a_phone_and_downloads_open_data(
    e2e_world: World, new_page: Callable[..., Page], shots: Shots
) -> None:
    _history(e2e_world)
    page = new_page(phone=True)

    page.goto("/cong-khai/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Công khai kết quả giải quyết thủ tục hành chính"
    )
    table = page.get_by_role("table").first
    # A table with its column headers, scrolling inside its wrapper — not unlabelled stacked cards.
    expect(table.get_by_role("columnheader", name="Tỷ lệ đúng hạn")).to_be_attached()
    expect(table.get_by_role("columnheader", name="Đơn vị")).to_be_visible()
    expect(table.get_by_role("rowheader", name="Ủy ban nhân dân phường Hạ Long")).to_be_visible()
    first_row = table.get_by_role("row").nth(1)
    _read_as_table(
        table.get_by_role("columnheader", name="Tỷ lệ đúng hạn"),
        first_row.get_by_role("cell").nth(3),
        row=False,
    )
    _fits_the_phone(page)
    shots.take(page, "cong-khai")

    page.get_by_role("link", name="Tải dữ liệu mở").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dữ liệu mở về giải quyết thủ tục hành chính")
    _fits_the_phone(page)
    shots.take(page, "du-lieu-mo")
    daily = page.get_by_role("region", name="Số liệu giải quyết thủ tục hành chính theo ngày")
    with page.expect_download() as info:
        daily.get_by_role("link", name="CSV").click()
    download = info.value
    assert download.suggested_filename == "tong-hop-theo-ngay.csv"
    path = download.path()
    rows = list(csv.DictReader(io.StringIO(Path(path).read_text(encoding="utf-8-sig"))))
    assert rows, "the daily figures of today's dossiers"
    assert {"ngay", "ma_don_vi", "an_so_lieu"} <= set(rows[0])
    # No personal data: three dossiers of one unit are below the publication threshold.
    assert all(row["an_so_lieu"] == "1" for row in rows)
