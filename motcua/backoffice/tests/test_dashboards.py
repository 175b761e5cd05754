"""Bảng điều hành (/can-bo/bao-cao/): who opens it, what scope each role sees, drill-down lists, exports."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from motcua.backoffice.tests.conftest import client_for
from motcua.dossiers.tests.factories import World, _official, dossier_at
from motcua.org.models import Role
from motcua.reports.tests.conftest import aggregate_jobs_run

pytestmark = pytest.mark.django_db

# persona → status of the dashboard
MATRIX = {
    "baocao": 200,  # report viewer, province
    "qttinh": 200,  # province admin
    "hung": 200,  # leader, commune A
    "giamsat": 200,  # supervisor, centre A
    "lan": 403,  # reception officer
    "minh": 403,  # specialist
}


def _persona(world: World, name: str) -> Any:
    if name == "baocao":
        return _official("baocao", "Phạm Thị Báo", [(world.province, Role.REPORT_VIEWER)])
    if name == "qttinh":
        return _official("qttinh", "Trịnh Văn Quản", [(world.province, Role.PROVINCE_ADMIN)])
    if name == "giamsat":
        return _official("giamsat", "Đỗ Thị Sát", [(world.centre_a, Role.SUPERVISOR)])
    return getattr(world, name)


@pytest.fixture
def handled(world: World) -> dict[str, Any]:
    """Two dossiers of commune A: one resolved (result ready), one at appraisal; aggregates up to date."""
    done = dossier_at(world, "result_ready")
    open_ = dossier_at(world, "appraisal")
    aggregate_jobs_run()
    return {"done": done, "open": open_}


@pytest.mark.parametrize("persona", MATRIX)
def test_who_opens_the_dashboard(world: World, handled: dict[str, Any], persona: str) -> None:
    response = client_for(_persona(world, persona)).get(reverse("backoffice:dashboard"))
    assert response.status_code == MATRIX[persona]
    if response.status_code == 200:
        assert b"chart-trend-data" in response.content
        assert b"vendor/chart.umd.min.js" in response.content


def test_report_viewer_opens_the_unit_page(world: World, handled: dict[str, Any]) -> None:
    client = client_for(_persona(world, "baocao"))
    assert client.get(reverse("backoffice:unit")).status_code == 200
    assert client.get(reverse("backoffice:unit"), {"unit": world.commune_a.pk}).status_code == 200


def test_leader_sees_own_unit_only(world: World, handled: dict[str, Any]) -> None:
    client = client_for(world.hung)
    page = client.get(reverse("backoffice:dashboard"))
    assert page.context["f"].unit == world.commune_a
    # Another commune is refused: the leader's own unit is shown instead, with a message.
    other = client.get(reverse("backoffice:dashboard"), {"don_vi": world.commune_b.pk})
    assert other.context["f"].unit == world.commune_a
    assert other.context["f"].errors
    drill = client.get(
        reverse("backoffice:dashboard_dossiers"),
        {"so_lieu": "received_new", "don_vi": str(world.commune_b.pk)},
    )
    assert drill.context["f"].unit == world.commune_a


def test_drilldown_lists_the_dossiers_counted(
    world: World, handled: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    client = client_for(world.hung)
    page = client.get(reverse("backoffice:dashboard"))
    stats = page.context["stats"]
    assert (stats.received_new, stats.resolved, stats.in_progress) == (2, 1, 1)
    for figure, expected in (
        ("received_new", {"done", "open"}),
        ("resolved", {"done"}),
        ("in_progress", {"open"}),
    ):
        with django_assert_max_num_queries(12):
            response = client.get(
                reverse("backoffice:dashboard_dossiers"),
                {"so_lieu": figure, **dict(page.context["f"].params)},
            )
        assert response.status_code == 200
        assert {d.code for d in response.context["rows"]} == {handled[k].code for k in expected}
        assert response.context["total"] == len(expected)
    assert client.get(reverse("backoffice:dashboard_dossiers"), {"so_lieu": "x"}).status_code == 400


def test_overseer_lists_codes_without_links(world: World, handled: dict[str, Any]) -> None:
    client = client_for(_persona(world, "baocao"))
    response = client.get(reverse("backoffice:dashboard_dossiers"), {"so_lieu": "received_new"})
    assert response.context["total"] == 2
    assert handled["done"].code.encode() in response.content
    assert reverse("backoffice:dossier_detail", args=[handled["done"].code]).encode() not in response.content
    assert b"Nguy\xe1\xbb\x85n V\xc4\x83n An" not in response.content  # no applicant names


def test_dashboard_query_count_is_bounded(
    world: World, handled: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    client = client_for(_persona(world, "baocao"))
    client.get(reverse("backoffice:dashboard"))  # fills the rankings' cache
    # 12 months × the statistics' 8 queries, the index (this period and the previous), the hot spots.
    with django_assert_max_num_queries(170):
        assert client.get(reverse("backoffice:dashboard")).status_code == 200


def test_exports(world: World, handled: dict[str, Any]) -> None:
    client = client_for(world.hung)
    xlsx = client.get(reverse("backoffice:dashboard_export", args=["tat-ca", "xlsx"]))
    assert xlsx.status_code == 200
    assert xlsx["Content-Disposition"].startswith("attachment")
    book = load_workbook(io.BytesIO(xlsx.content))
    assert len(book.worksheets) >= 6
    first = book.worksheets[0]
    assert first["C2"].value == "Tiếp nhận mới"
    assert first["C3"].value == 2
    raw = client.get(reverse("backoffice:dashboard_export", args=["tong-hop", "csv"])).content
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][2] == "Tiếp nhận mới"
    assert rows[1][2] == "2"
    pdf = client.get(reverse("backoffice:periodic_report", args=["pdf"]))
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    report = load_workbook(
        io.BytesIO(client.get(reverse("backoffice:periodic_report", args=["xlsx"])).content)
    )
    assert report.worksheets[0]["B3"].value == "Lĩnh vực"
    assert client.get(reverse("backoffice:dashboard_export", args=["khong-co", "xlsx"])).status_code == 404
    assert client_for(world.lan).get(reverse("backoffice:periodic_report", args=["pdf"])).status_code == 403


def test_bad_period_is_explained(world: World, handled: dict[str, Any]) -> None:
    client = client_for(world.hung)
    response = client.get(reverse("backoffice:dashboard"), {"ky": "tuy-chon", "tu": "2026-13-01", "den": "x"})
    assert response.status_code == 200
    assert any("không hợp lệ" in e for e in response.context["f"].errors)
    quarter = client.get(reverse("backoffice:dashboard"), {"ky": "quy", "nam": "2026", "quy": "1"})
    assert quarter.context["f"].period.label == "Quý I/2026"
