"""Centres' reports: the receiving unit as a dimension of the aggregates (hand-built, figures by hand).

Dossiers of March 2026 (all received Monday 2/3 09:00–09:05 local time, the month of ``MONDAY_0900``):

=== ============================================ ========================= ===================================
A1  commune procedure, counter of centre A        decided by commune A      resolved Mon 2/3 10:00 (early)
A2  commune procedure, counter of centre A        decided by commune A      open (due Thu 5/3 09:00)
P1  province procedure, counter of province ctr   decided by Sở Thử Nghiệm  open (due 9/3)
P2  province procedure, counter of province ctr   decided by Sở Thử Nghiệm  withdrawn Tue 3/3
P3  province procedure, province centre, chosen   decided by Sở Thứ Hai     open (due 9/3)
C1  commune procedure, province centre, chosen    decided by commune A      resolved Wed 4/3 (early)
=== ============================================ ========================= ===================================

So the province centre received 4 in March (P1, P2, P3, C1) for three deciding agencies: Sở Thử
Nghiệm 2, Sở Thứ Hai 1, commune A 1; centre A received 2 (A1, A2); commune A decided 3 (A1, A2, C1).
At the end of March every open one is overdue.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Sum
from django.urls import reverse

from motcua.backoffice.tests.conftest import client_for
from motcua.dossiers import services
from motcua.dossiers.tests.factories import (
    APPLICANT,
    World,
    _official,
    complete_components,
    dossier_advance,
    dossier_receive_at_counter,
    result_pdf,
    vn,
)
from motcua.org.models import Role
from motcua.org.tests.factories import UnitFactory
from motcua.reports import drilldown, opendata, periodic
from motcua.reports.models import MonthlyUnitAggregate
from motcua.reports.periods import Period
from motcua.reports.selectors import statistics, statistics_by_procedure, statistics_by_unit
from motcua.reports.services import aggregates_rebuild
from motcua.reports.tests.conftest import aggregate_jobs_run
from motcua.reports.tests.test_reportsui import FIGURE_OF_STATISTICS
from motcua.reports.tests.test_statistics import aggregate_rows

pytestmark = pytest.mark.django_db


def _at_province_centre(world: World, **kwargs: Any) -> Any:
    kwargs.setdefault("procedure", world.province_procedure)
    return services.dossier_receive(
        actor=world.ngoc,
        receiving_unit=world.province_centre,
        components=complete_components(kwargs["procedure"]),
        applicant=APPLICANT,
        applicant_user=world.an,
        **kwargs,
    )


def _resolve_commune_dossier(world: World, d: Any, receiver: Any) -> Any:
    """The five steps of the commune procedure, step 1 by whoever received it."""
    d = services.dossier_forward(actor=receiver, dossier=d, row_version=d.row_version, assignee=world.minh)
    d = services.dossier_forward(actor=world.minh, dossier=d, row_version=d.row_version, assignee=world.hung)
    d = services.dossier_approve(actor=world.hung, dossier=d, row_version=d.row_version)
    d = services.dossier_record_signature(
        actor=world.hoa,
        dossier=d,
        signer=world.hung,
        signature_reference="QD-7/2026",
        row_version=d.row_version,
        result_file=result_pdf(),
    )
    return services.dossier_mark_result_ready(actor=world.hoa, dossier=d, row_version=d.row_version)


@pytest.fixture
def centres(world: World, clock: Any) -> dict[str, Any]:
    second = UnitFactory(department=True, parent=world.province, name="Sở Thứ Hai", short_name="Sở TH")
    d: dict[str, Any] = {"second": second}
    d["A1"] = dossier_receive_at_counter(world)
    d["A2"] = dossier_receive_at_counter(world)
    d["P1"] = _at_province_centre(world)
    d["P2"] = _at_province_centre(world)
    d["P3"] = _at_province_centre(world, chosen_unit=second)
    d["C1"] = _at_province_centre(world, procedure=world.procedure, chosen_unit=world.commune_a)
    clock.move_to(vn(2026, 3, 2, 10))
    d["A1"] = dossier_advance(world, d["A1"], to="result_ready")
    clock.move_to(vn(2026, 3, 3, 9))
    d["P2"] = services.dossier_withdraw(
        actor=world.ngoc, dossier=d["P2"], row_version=d["P2"].row_version, reason="Người nộp xin rút"
    )
    clock.move_to(vn(2026, 3, 4, 9))
    d["C1"] = _resolve_commune_dossier(world, d["C1"], world.ngoc)
    aggregate_jobs_run()
    return d


def test_the_receiving_unit_is_a_key_of_every_aggregate(
    world: World, centres: dict[str, Any], settings: Any
) -> None:
    assert {d.receiving_unit_id for d in (centres["P1"], centres["C1"])} == {world.province_centre.pk}
    assert centres["C1"].competent_unit_id == world.commune_a.pk
    assert centres["P3"].competent_unit_id == centres["second"].pk
    # The subscriber's rows are the rebuild's, receiving unit included.
    incremental = aggregate_rows()
    at_centre = MonthlyUnitAggregate.objects.filter(receiving_unit=world.province_centre)
    assert at_centre.aggregate(n=Sum("received"))["n"] == 4
    assert at_centre.values("unit_id").distinct().count() == 3
    aggregates_rebuild()
    assert aggregate_rows() == incremental
    # Open data sums over the receiving unit: one row for commune A's procedure that day (A1, A2 at
    # centre A, C1 at the province centre), not one per centre.
    settings.MOTCUA_OPEN_DATA_MIN_COUNT = 1
    rows = [
        r
        for r in opendata.daily_rows()
        if r["ngay"] == "2026-03-02" and r["ma_thu_tuc"] == world.procedure.code and r["received"]
    ]
    assert [r["received"] for r in rows] == [3]


@pytest.mark.parametrize(
    ("month", "clock_at"),
    [(3, (2026, 4, 6, 9)), (3, (2026, 3, 20, 9))],
    ids=["past-period", "current-period"],
)
def test_centre_figures_and_drilldown_are_exact(
    world: World, centres: dict[str, Any], clock: Any, month: int, clock_at: tuple[int, ...]
) -> None:
    clock.move_to(vn(*clock_at))
    period = Period.month(2026, month)
    province_centre = statistics(period=period, received_at=world.province_centre)
    assert province_centre.received_at_id == world.province_centre.pk
    assert (province_centre.received_new, province_centre.resolved, province_centre.withdrawn) == (4, 1, 1)
    assert (province_centre.in_progress, province_centre.in_progress_overdue) == (2, 2)
    assert province_centre.resolved_early == 1
    centre_a = statistics(period=period, received_at=world.centre_a)
    assert (centre_a.received_new, centre_a.resolved, centre_a.in_progress) == (2, 1, 1)
    # The deciding-unit scope is unchanged: commune A decided what both centres received for it.
    assert statistics(period=period, unit=world.commune_a).received_new == 3
    assert statistics(period=period, unit=world.province_centre).received_new == 0
    # Both scopes at once: what the province centre received for commune A.
    both = statistics(period=period, unit=world.commune_a, received_at=world.province_centre)
    assert (both.received_new, both.resolved) == (1, 1)
    # Per deciding agency, each alone.
    agencies = [world.department, centres["second"], world.commune_a, world.province]
    rows = statistics_by_unit(period=period, units=agencies, received_at=world.province_centre, own_only=True)
    assert [s.received_new for s in rows] == [2, 1, 1, 0]
    # Per procedure.
    by_procedure = {
        s.key: s.received_new
        for s in statistics_by_procedure(period=period, received_at=world.province_centre)
    }
    assert by_procedure == {world.province_procedure.pk: 3, world.procedure.pk: 1}
    # The drill-down lists exactly the dossiers counted, for every figure and both centres.
    for centre, stats in ((world.province_centre, province_centre), (world.centre_a, centre_a)):
        for figure, value in FIGURE_OF_STATISTICS.items():
            qs = drilldown.dossiers_behind(
                figure=figure, period=period, unit_ids=None, receiving_unit_ids={centre.pk}
            )
            assert qs.count() == value(stats), (centre.name, figure)
    received = drilldown.dossiers_behind(
        figure="received_new", period=period, unit_ids=None, receiving_unit_ids={world.province_centre.pk}
    )
    assert set(received.values_list("pk", flat=True)) == {centres[k].pk for k in ("P1", "P2", "P3", "C1")}


def test_centre_periodic_report(world: World, centres: dict[str, Any], clock: Any) -> None:
    clock.move_to(vn(2026, 4, 6, 9))
    report = periodic.periodic_report(
        period=Period.month(2026, 3), unit=None, received_at=world.province_centre
    )
    assert report.unit_name == world.province_centre.name
    assert "Hồ sơ tiếp nhận tại" in report.scope_note
    assert report.total.received == 4
    assert report.total.in_progress_overdue == 2
    assert report.total.withdrawn == 1
    assert periodic.periodic_report_pdf(report).startswith(b"%PDF")


def test_centre_dashboard(
    world: World, centres: dict[str, Any], clock: Any, django_assert_max_num_queries: Any
) -> None:
    clock.move_to(vn(2026, 3, 20, 9))
    supervisor = _official("giamsat.tinh", "Đỗ Thị Sát", [(world.province_centre, Role.SUPERVISOR)])
    client = client_for(supervisor)
    client.get(reverse("backoffice:dashboard"))  # fills the rankings' cache
    with django_assert_max_num_queries(170):
        page = client.get(reverse("backoffice:dashboard"))
    f = page.context["f"]
    assert f.unit == world.province_centre
    assert f.centre
    assert page.context["stats"].received_new == 4
    assert "Hồ sơ tiếp nhận tại" in page.content.decode()
    hot = {u.pk: (s.received_total, s.in_progress_overdue, q) for u, s, q in page.context["hot_units"]}
    assert {pk: v[:2] for pk, v in hot.items()} == {
        world.department.pk: (2, 1),
        centres["second"].pk: (1, 1),
        world.commune_a.pk: (1, 0),
    }
    # A hot-spot row narrows the centre's figures to that agency; its drill-down lists them.
    narrowed = client.get(reverse("backoffice:dashboard") + "?" + hot[world.department.pk][2])
    assert narrowed.context["f"].unit == world.province_centre
    assert narrowed.context["stats"].received_new == 2
    drill = client.get(
        reverse("backoffice:dashboard_dossiers"),
        {"so_lieu": "received_new", **dict(narrowed.context["f"].params)},
    )
    assert {d.pk for d in drill.context["rows"]} == {centres["P1"].pk, centres["P2"].pk}
    units_csv = client.get(reverse("backoffice:dashboard_export", args=["don-vi", "csv"])).content.decode(
        "utf-8-sig"
    )
    assert units_csv.splitlines()[0].startswith("Cơ quan giải quyết")
    # The whole centre's drill-down.
    everything = client.get(reverse("backoffice:dashboard_dossiers"), {"so_lieu": "received_new"})
    assert everything.context["total"] == 4
    # The province centre's page shows the province's 766 index, the commune centre's its committee's.
    assert page.context["f"].index_unit is None
    leader = client_for(world.hung).get(reverse("backoffice:dashboard"), {"don_vi": world.centre_a.pk})
    assert leader.context["f"].unit == world.centre_a
    assert leader.context["f"].index_unit == world.commune_a
    assert leader.context["stats"].received_new == 2
    # An unknown agency is explained, the centre's figures shown whole.
    bad = client.get(reverse("backoffice:dashboard"), {"co_quan": "999999999"})
    assert bad.context["f"].errors
    assert bad.context["stats"].received_new == 4
