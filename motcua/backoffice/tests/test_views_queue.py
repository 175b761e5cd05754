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
from motcua.dossiers import services
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
    assert "Không có hồ sơ nào phù hợp" in tam.get(URL, {"tab": "toi"}).content.decode()
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
    assert one <= 14  # includes the two counts on the tabs (mine, waiting for my role)


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


# --------------------------------------------------------------------------------------------------
# Issue 8 point 11: what waits for my role, closed dossiers, one search box
# --------------------------------------------------------------------------------------------------


def _results(response: Any) -> str:
    return cast(str, response.content.decode().split('id="queue-results"')[1])


def _selected_tab(response: Any) -> str:
    html = response.content.decode()
    tail = html.split('aria-selected="true"', 1)[1]
    return tail.split(">", 1)[1].split("<", 1)[0].strip()


def test_default_tab_is_the_pool_when_nothing_is_assigned_to_me(world: World) -> None:
    pooled = dossier_at(world, "pool")  # appraisal step (specialist, commune A), nobody assigned
    page = client_for(world.tam).get(URL)
    assert _selected_tab(page) == "Chờ nhận"
    assert pooled.code in _results(page)
    assert 'id="count-mine">0<' in page.content.decode()
    assert 'id="count-pool">1<' in page.content.decode()


def test_default_tab_is_mine_when_something_is_assigned(world: World) -> None:
    mine = dossier_at(world, "appraisal")
    dossier_at(world, "pool")
    page = client_for(world.minh).get(URL)
    assert _selected_tab(page) == "Được giao cho tôi"
    assert mine.code in _results(page)
    assert 'id="count-mine">1<' in page.content.decode()
    assert 'id="count-pool">1<' in page.content.decode()


def test_pool_holds_what_waits_for_my_role_in_my_units(world: World) -> None:
    pooled = dossier_at(world, "pool")  # a specialist step at commune A
    online = dossier_at(world, "submitted")  # new online dossier awaiting reception at centre A
    assigned = dossier_at(world, "appraisal")  # Minh's: not in anyone's pool
    pool = {"tab": "cho-nhan"}
    tam = _results(client_for(world.tam).get(URL, pool))
    assert pooled.code in tam
    assert online.code not in tam
    assert assigned.code not in tam
    lan = _results(client_for(world.lan).get(URL, pool))
    assert online.code in lan
    assert pooled.code not in lan
    # Hùng leads commune A but the step is a specialist's: in his unit tab, not in his pool.
    assert pooled.code not in _results(client_for(world.hung).get(URL, pool))
    assert pooled.code in _results(client_for(world.hung).get(URL, {"tab": "don-vi"}))
    # Bình holds every role — in commune B only.
    binh = _results(client_for(world.binh).get(URL, pool))
    assert pooled.code not in binh
    assert online.code not in binh


def test_pool_in_another_unit_of_the_same_role_is_not_mine(world: World) -> None:
    transferred = dossier_at(world, "transferred")  # liên thông: Sở Thử Nghiệm, specialist step
    assert transferred.code in _results(client_for(world.mai).get(URL, {"tab": "cho-nhan"}))
    assert transferred.code not in _results(client_for(world.tam).get(URL, {"tab": "cho-nhan"}))


def _closed(world: World) -> dict[int, Any]:
    """One returned (10), one refused (3) and one stopped (8) dossier of centre A / commune A."""
    returned = dossier_at(world, "returned")
    submitted = dossier_at(world, "submitted")
    refused = services.dossier_refuse(
        actor=world.lan, dossier=submitted, row_version=submitted.row_version, reason="Không đúng thẩm quyền"
    )
    running = dossier_at(world, "appraisal")
    stopped = services.dossier_stop(
        actor=world.hung, dossier=running, row_version=running.row_version, reason="Người nộp đã mất"
    )
    return {10: returned, 3: refused, 8: stopped}


@pytest.mark.parametrize("tab", ["toi", "don-vi", "tat-ca"])
def test_closed_status_filters_find_closed_dossiers(world: World, tab: str) -> None:
    closed = _closed(world)
    for persona in ("lan", "hung"):
        client = client_for(getattr(world, persona))
        for status, d in closed.items():
            results = _results(client.get(URL, {"tab": tab, "status": str(status)}))
            assert d.code in results, (persona, status)
            assert "kể cả hồ sơ đã kết thúc" in results
            others = [o.code for s, o in closed.items() if s != status]
            assert not any(code in results for code in others)
    assert closed[10].code not in _results(client_for(world.binh).get(URL, {"status": "10"}))


def test_all_tab_lists_open_and_closed_dossiers_newest_first(world: World) -> None:
    returned = dossier_at(world, "returned")
    running = dossier_at(world, "appraisal")
    results = _results(client_for(world.hung).get(URL, {"tab": "tat-ca"}))
    assert running.code in results
    assert returned.code in results
    assert results.index(running.code) < results.index(returned.code)
    assert "Đã kết thúc" in results


@pytest.mark.parametrize(
    "query",
    [
        "nguyen van an",  # without diacritics
        "NGUYỄN VĂN AN",  # any case
        "van an",  # a fragment
        "022090001234",  # personal ID, exact
    ],
)
def test_one_search_box_finds_by_name_and_id_open_or_closed(world: World, query: str) -> None:
    returned = dossier_at(world, "returned")
    running = dossier_at(world, "appraisal")
    for tab in ("toi", "cho-nhan", "don-vi"):
        results = _results(client_for(world.lan).get(URL, {"tab": tab, "q": query}))
        assert returned.code in results, tab
        assert running.code in results, tab
    # Another commune's official finds nothing of commune A.
    assert running.code not in _results(client_for(world.binh).get(URL, {"q": query}))


def test_search_by_code_whole_or_prefix_any_case(world: World) -> None:
    d = dossier_at(world, "returned")
    other = dossier_at(world, "appraisal")
    client = client_for(world.minh)
    whole = _results(client.get(URL, {"q": d.code.lower()}))
    assert d.code in whole
    assert other.code not in whole
    prefix = _results(client.get(URL, {"q": f"  {d.code[:-4]}"}))
    assert d.code in prefix
    assert other.code in prefix
    assert "1 hồ sơ" in whole


def test_search_matches_nothing_for_a_partial_id_or_a_stranger(world: World) -> None:
    dossier_at(world, "appraisal")
    client = client_for(world.minh)
    assert "Không có hồ sơ nào phù hợp" in _results(client.get(URL, {"q": "0220900"}))
    assert "Không có hồ sơ nào phù hợp" in _results(client.get(URL, {"q": "Trần Thị Bích"}))


def test_an_over_long_search_says_so_and_lists_nothing(world: World) -> None:
    """Over the field's limit the search is neither dropped (listing everything) nor silent."""
    d = dossier_at(world, "appraisal")
    response = client_for(world.minh).get(URL, {"tab": "don-vi", "q": "a" * 150})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Từ khóa tìm kiếm dài quá 100 ký tự" in html
    assert d.code not in html
    assert "Không có hồ sơ nào phù hợp" in html


def test_search_partial_keeps_the_query_and_scope(world: World) -> None:
    d = dossier_at(world, "returned")
    response = client_for(world.lan).get(URL, {"tab": "toi", "q": "nguyen van"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert d.code in html
    assert 'id="queue-scope"' in html


def test_search_query_count_does_not_grow_with_rows(world: World) -> None:
    client = client_for(world.lan)
    dossier_at(world, "returned")
    one = _count_queries(client, q="nguyen van an")
    for _ in range(4):
        dossier_at(world, "appraisal")
    dossier_at(world, "returned")
    assert _count_queries(client, q="nguyen van an") == one
    assert one <= 14


def test_pool_query_count_does_not_grow_with_rows(world: World) -> None:
    client = client_for(world.tam)
    dossier_at(world, "pool")
    one = _count_queries(client)  # the default tab: the pool
    for _ in range(4):
        dossier_at(world, "pool")
    assert _count_queries(client) == one
    assert one <= 14


def test_tabs_leave_the_search_and_a_closed_status_behind(world: World) -> None:
    dossier_at(world, "returned")
    html = client_for(world.lan).get(URL, {"status": "10", "channel": "counter", "q": "an"}).content.decode()
    tabs = html.split('role="tablist"')[1].split("</div>")[0]
    assert 'href="?tab=toi&amp;channel=counter"' in tabs
    assert "status=" not in tabs
    assert "q=" not in tabs
