"""The lateness forecast in the back office: the queue's badge and order, the leadership list."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from motcua.backoffice.tests.conftest import client_for
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import World, dossier_at
from motcua.forecast.models import LatenessForecast
from motcua.org.models import Role
from motcua.org.tests.factories import OfficialFactory, UserFactory

pytestmark = pytest.mark.django_db
QUEUE = reverse("backoffice:queue")
RISKS = reverse("backoffice:risks")


def _forecast(
    d: Dossier, probability: float, reason: str = "hàng chờ dồn: 23 hồ sơ (thường ~4), xử lý ~4/ngày"
) -> None:
    LatenessForecast.objects.update_or_create(
        dossier=d,
        defaults={
            "unit_id": d.current_unit_id,
            "probability": probability,
            "reason": reason,
            "computed_at": timezone.now(),
        },
    )


def _queries(client: Any, url: str, **params: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_the_queue_shows_the_risk_badge_with_its_reason_for_one_more_query(world: World) -> None:
    client = client_for(world.minh)
    first = dossier_at(world, "appraisal")
    without, _ = _queries(client, QUEUE)
    _forecast(first, 0.72)
    for _ in range(4):
        _forecast(dossier_at(world, "appraisal"), 0.2)
    with_forecasts, html = _queries(client, QUEUE)
    assert with_forecasts <= without + 1
    assert "Nguy cơ trễ 72%" in html
    assert 'title="hàng chờ dồn: 23 hồ sơ (thường ~4), xử lý ~4/ngày"' in html
    assert html.count("badge bo-badge--risk") == 1  # 20 % is below the badge threshold


def test_the_queue_sorts_by_risk_on_request(world: World) -> None:
    client = client_for(world.minh)
    early, late = dossier_at(world, "appraisal"), dossier_at(world, "appraisal")
    _forecast(early, 0.1)
    _forecast(late, 0.9)
    by_due = client.get(QUEUE).content.decode()
    assert by_due.index(early.code) < by_due.index(late.code)
    count, by_risk = _queries(client, QUEUE, sap_xep="nguy-co")
    assert by_risk.index(late.code) < by_risk.index(early.code)
    assert "sắp xếp theo nguy cơ trễ hạn" in by_risk
    assert count <= 15


def test_the_leadership_list_shows_the_riskiest_dossiers_of_my_units(world: World) -> None:
    mine = dossier_at(world, "appraisal")
    _forecast(mine, 0.81)
    _forecast(dossier_at(world, "appraisal"), 0.3)  # below the list's threshold
    html = client_for(world.hung).get(RISKS).content.decode()
    assert mine.code in html
    assert "81%" in html
    assert world.procedure.name in html
    assert world.commune_a.name in html
    assert 'id="risk-count">1 hồ sơ' in html
    # Bình leads another commune: nothing of Hạ Long's.
    other = client_for(world.binh).get(RISKS).content.decode()
    assert mine.code not in other


def test_the_leadership_list_is_for_leaders_supervisors_and_report_viewers(world: World) -> None:
    d = dossier_at(world, "appraisal")
    _forecast(d, 0.95)
    assert client_for(world.minh).get(RISKS).status_code == 403  # a specialist
    viewer = UserFactory(username="xem.bao.cao")
    OfficialFactory(
        user=viewer, full_name="Người xem báo cáo", assignments=[(world.province, Role.REPORT_VIEWER)]
    )
    response = client_for(viewer).get(RISKS)
    html = response.content.decode()
    assert response.status_code == 200
    assert d.code in html
    assert reverse("backoffice:dossier_detail", args=[d.code]) not in html  # no personal data page
    assert 'href="/can-bo/nguy-co-tre-han/"' in client_for(world.hung).get(QUEUE).content.decode()


def test_a_centre_supervisor_sees_the_riskiest_dossiers_received_at_the_centre(world: World) -> None:
    """Handled by the commune's committee, received at its centre: the centre's dashboard lists it (the
    supervisor chases the deciding agency); one received at another centre is not listed."""
    ours = dossier_at(world, "appraisal")
    assert ours.receiving_unit_id == world.centre_a.pk
    assert ours.current_unit_id != world.centre_a.pk
    _forecast(ours, 0.77)
    theirs = dossier_at(world, "appraisal")
    Dossier.objects.filter(pk=theirs.pk).update(receiving_unit=world.centre_b)
    _forecast(theirs, 0.95)
    supervisor = OfficialFactory(
        user=UserFactory(username="giamsat.a"), assignments=[(world.centre_a, Role.SUPERVISOR)]
    ).user
    html = client_for(supervisor).get(reverse("backoffice:dashboard")).content.decode()
    assert ours.code in html
    assert theirs.code not in html
