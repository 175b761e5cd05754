"""Việc của tôi: content, tabs, filters, htmx partial, constant query count."""

from __future__ import annotations

from typing import Any, cast

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from motcua.backoffice.tests.conftest import client_for
from motcua.catalog.models import Field
from motcua.catalog.tests.factories import FieldFactory
from motcua.dossiers.tests.factories import (
    World,
    dossier_advance,
    dossier_at,
    dossier_receive_at_counter,
    vn,
)

pytestmark = pytest.mark.django_db
URL = reverse("backoffice:queue")


def test_mine_lists_my_dossiers_with_code_procedure_applicant_and_due(world: World) -> None:
    d = dossier_at(world, "appraisal")
    html = client_for(world.minh).get(URL).content.decode()
    assert d.code in html
    assert world.procedure.name in html
    assert "Nguyễn Văn An" in html
    assert "02/03/2026" in html  # received
    assert "1 hồ sơ" in html
    assert "Quá hạn" not in html.split('id="queue-results"')[1]


def test_tabs_mine_and_unit(world: World) -> None:
    mine = dossier_at(world, "appraisal")
    pooled = dossier_at(world, "pool")
    tam = client_for(world.tam)
    assert pooled.code in tam.get(URL, {"tab": "don-vi"}).content.decode()
    assert mine.code in tam.get(URL, {"tab": "don-vi"}).content.decode()
    assert "Không có hồ sơ nào phù hợp" in tam.get(URL).content.decode()
    # Bình of another commune sees none of them.
    assert mine.code not in client_for(world.binh).get(URL, {"tab": "don-vi"}).content.decode()


def test_badges_due_soon_and_overdue(world: World, monday: Any) -> None:
    d = dossier_at(world, "appraisal")  # due Thursday 09:00 (3 working days)
    client = client_for(world.minh)
    monday.move_to(vn(2026, 3, 4, 10))
    assert "Sắp đến hạn" in client.get(URL).content.decode().split('id="queue-results"')[1]
    monday.move_to(vn(2026, 3, 6, 10))
    results = client.get(URL).content.decode().split('id="queue-results"')[1]
    assert "Quá hạn" in results
    assert d.code in client.get(URL, {"han": "qua-han"}).content.decode()
    assert d.code not in client.get(URL, {"han": "sap-den-han"}).content.decode()


def test_filters(world: World) -> None:
    a = dossier_at(world, "appraisal")
    s = dossier_at(world, "supplement")
    client = client_for(world.minh)

    def codes(**params: str) -> set[str]:
        html = client.get(URL, params).content.decode().split('id="queue-results"')[1]
        return {code for code in (a.code, s.code) if code in html}

    assert codes() == {a.code, s.code}
    assert codes(status="5") == {s.code}
    assert codes(status="4") == {a.code}
    assert codes(procedure=world.procedure.code) == {a.code, s.code}
    assert codes(procedure=world.province_procedure.code) == set()
    assert codes(procedure="9.999999") == set()
    assert codes(channel="counter") == {a.code, s.code}
    assert codes(channel="online") == set()
    assert codes(field="999999") == {a.code, s.code}  # unknown field: ignored, not a crash
    assert codes(status="abc", page="x") == {a.code, s.code}


def test_htmx_request_gets_only_the_results(world: World) -> None:
    d = dossier_at(world, "appraisal")
    response = client_for(world.minh).get(URL, {"status": "4"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert d.code in html
    assert "<html" not in html
    assert 'id="queue-filters"' not in html
    assert response["Vary"].lower().count("hx-request") == 1


@pytest.mark.parametrize(
    ("url", "user", "params"),
    [
        (URL, "minh", {}),
        (URL, "tam", {"tab": "don-vi"}),
        (reverse("backoffice:unit"), "hung", {"unit": "commune_a"}),
    ],
)
def test_htmx_field_filter_applies_like_the_full_page(
    world: World, url: str, user: str, params: dict[str, str]
) -> None:
    # Regression: the htmx partial built its filter form without the field choices, so a field filter
    # failed validation and was dropped — the partial listed every dossier while the full page had none.
    world.procedure.field = cast(Field, FieldFactory(name="Lĩnh vực của hồ sơ"))
    world.procedure.save(update_fields=["field"])
    d = dossier_at(world, "appraisal")
    client = client_for(getattr(world, user))
    params = {key: str(getattr(world, value).pk) if key == "unit" else value for key, value in params.items()}
    own = {**params, "field": str(world.procedure.field_id)}
    other = {**params, "field": str(cast(Field, FieldFactory(name="Lĩnh vực không có hồ sơ")).pk)}
    for headers in ({}, {"HX-Request": "true"}):
        assert d.code in client.get(url, own, headers=headers).content.decode()
        html = client.get(url, other, headers=headers).content.decode()
        assert d.code not in html
        assert "Không có hồ sơ nào phù hợp" in html


def test_htmx_unit_filter_is_read_from_the_form(world: World) -> None:
    d = dossier_at(world, "appraisal")
    client = client_for(world.tam)
    for headers in ({}, {"HX-Request": "true"}):
        here = client.get(URL, {"tab": "don-vi", "unit": str(world.commune_a.pk)}, headers=headers)
        assert d.code in here.content.decode()
        # The centre below the commune is one of Tâm's units too, but the dossier is not there.
        there = client.get(URL, {"tab": "don-vi", "unit": str(world.centre_a.pk)}, headers=headers)
        assert d.code not in there.content.decode()


def test_pagination(world: World) -> None:
    for _ in range(21):
        dossier_receive_at_counter(world)
    client = client_for(world.lan)
    first = client.get(URL).content.decode()
    assert "21 hồ sơ" in first
    assert 'aria-label="Trang 2"' in first
    second = client.get(URL, {"page": "2"}).content.decode()
    assert second.count('class="bo-code"') == 1
    assert client.get(URL, {"page": "99"}).status_code == 200  # stale bookmark: last page


def _count_queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("params", [{}, {"tab": "don-vi"}, {"procedure": "9.000001", "han": "qua-han"}])
def test_query_count_does_not_grow_with_rows(world: World, params: dict[str, str]) -> None:
    client = client_for(world.minh)
    dossier_advance(world, dossier_receive_at_counter(world), to="appraisal")
    one = _count_queries(client, **params)
    for _ in range(6):
        dossier_advance(world, dossier_receive_at_counter(world), to="appraisal")
    dossier_at(world, "supplement")
    assert _count_queries(client, **params) == one
    assert one <= 12


def test_htmx_partial_query_count_is_small_and_constant(world: World) -> None:
    client = client_for(world.minh)
    dossier_at(world, "appraisal")
    with CaptureQueriesContext(connection) as small:
        client.get(URL, HTTP_HX_REQUEST="true")
    for _ in range(5):
        dossier_at(world, "appraisal")
    with CaptureQueriesContext(connection) as large:
        client.get(URL, HTTP_HX_REQUEST="true")
    assert len(small.captured_queries) == len(large.captured_queries) <= 8
