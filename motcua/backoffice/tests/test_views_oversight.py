"""Who reads what in the back office (issue 8 point 12): a permission matrix over named personas.

Report viewers (Phạm Thị Báo) and the province admin (Trịnh Văn Quản) oversee the whole province:
they read the queue lists and the unit page with the applicant's initials only, and get the Vietnamese
403 on anything that shows a dossier's personal data (page, files, forms, ledger). Officials who handle
dossiers keep reading them in full; an official of another commune gets 404 (codes cannot be probed).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from motcua.backoffice.tests.conftest import client_for
from motcua.dossiers.tests.factories import World, _official, dossier_at
from motcua.org.models import Role

pytestmark = pytest.mark.django_db

PERSONAS = {
    "baocao": "Phạm Thị Báo — xem báo cáo, UBND tỉnh (cả tỉnh, chỉ đọc)",
    "qttinh": "Trịnh Văn Quản — quản trị tỉnh, UBND tỉnh (cả tỉnh, chỉ đọc hồ sơ)",
    "lan": "Lan — tiếp nhận, TT PVHCC phường Hạ Long",
    "minh": "Minh — chuyên viên, UBND phường Hạ Long",
    "hung": "Hùng — lãnh đạo, UBND phường Hạ Long",
    "binh": "Bình — mọi vai trò ở phường Bãi Cháy (người ngoài)",
}

# persona → status of: queue, unit page, dossier page, file download, form 01, ledger (form 06)
MATRIX: dict[str, dict[str, int]] = {
    "baocao": {"queue": 200, "unit": 200, "detail": 403, "file": 403, "form": 403, "ledger": 403},
    "qttinh": {"queue": 200, "unit": 200, "detail": 403, "file": 403, "form": 403, "ledger": 403},
    "lan": {"queue": 200, "unit": 403, "detail": 200, "file": 200, "form": 200, "ledger": 403},
    "minh": {"queue": 200, "unit": 403, "detail": 200, "file": 200, "form": 200, "ledger": 403},
    "hung": {"queue": 200, "unit": 200, "detail": 200, "file": 200, "form": 200, "ledger": 200},
    # Bình leads commune B: his own unit page and ledger; commune A's ledger is not among his choices.
    "binh": {"queue": 200, "unit": 200, "detail": 404, "file": 404, "form": 404, "ledger": 400},
}


def _persona(world: World, name: str) -> Any:
    if name == "baocao":
        return _official("baocao", "Phạm Thị Báo", [(world.province, Role.REPORT_VIEWER)])
    if name == "qttinh":
        return _official("qttinh", "Trịnh Văn Quản", [(world.province, Role.PROVINCE_ADMIN)])
    return getattr(world, name)


@pytest.mark.parametrize("persona", MATRIX)
def test_permission_matrix(world: World, persona: str) -> None:
    d = dossier_at(world, "appraisal")
    component = d.components.first()
    assert component is not None
    component.file.save("giay-to.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    client = client_for(_persona(world, persona))
    urls = {
        "queue": reverse("backoffice:queue"),
        "unit": reverse("backoffice:unit"),
        "detail": reverse("backoffice:dossier_detail", args=[d.code]),
        "file": reverse("backoffice:component_download", args=[d.code, component.pk]),
        "form": reverse("backoffice:dossier_form_pdf", args=[d.code, "01"]),
        "ledger": reverse("backoffice:ledger_pdf")
        + f"?unit={world.commune_a.pk}&tu=2026-03-01&den=2026-03-02",
    }
    got = {page: client.get(url).status_code for page, url in urls.items()}
    assert got == MATRIX[persona], PERSONAS[persona]


@pytest.mark.parametrize("persona", ["baocao", "qttinh"])
def test_overseer_gets_the_vietnamese_403_with_the_reason_on_the_dossier(world: World, persona: str) -> None:
    d = dossier_at(world, "appraisal")
    client = client_for(_persona(world, persona))
    response = client.get(reverse("backoffice:dossier_detail", args=[d.code]))
    html = response.content.decode()
    assert response.status_code == 403
    assert "Không có quyền truy cập" in html
    assert "không được xem nội dung hồ sơ" in html
    assert "Nguyễn Văn An" not in html
    assert "022090001234" not in html
    # Acting is refused the same way (and nothing changes).
    post = client.post(
        reverse("backoffice:dossier_action", args=[d.code, "claim"]), {"row_version": d.row_version}
    )
    assert post.status_code == 403
    d.refresh_from_db()
    assert d.current_assignee == world.minh


PERSONAL = ("Nguyễn Văn An", "022090001234", "0912345678", "an@example.test", "Tổ 1, khu 2")


@pytest.mark.parametrize("persona", ["baocao", "qttinh"])
def test_overseer_lists_show_initials_and_no_link(world: World, persona: str) -> None:
    d = dossier_at(world, "appraisal")
    client = client_for(_persona(world, persona))
    detail_url = reverse("backoffice:dossier_detail", args=[d.code])
    for url, params in (
        (reverse("backoffice:queue"), {"tab": "don-vi"}),
        (reverse("backoffice:queue"), {"tab": "tat-ca"}),
        (reverse("backoffice:unit"), {"unit": str(world.commune_a.pk)}),
    ):
        html = client.get(url, params).content.decode()
        assert d.code in html, url
        assert "N. V. A." in html
        assert not any(value in html for value in PERSONAL), url
        assert detail_url not in html


def test_overseer_unit_page_has_counts_and_no_ledger(world: World) -> None:
    dossier_at(world, "appraisal")
    dossier_at(world, "pool")
    html = client_for(_persona(world, "baocao")).get(
        reverse("backoffice:unit"), {"unit": str(world.commune_a.pk)}
    )
    page = html.content.decode()
    assert html.status_code == 200
    assert '<span class="bo-counts__n">2</span> Đang mở' in page
    assert "Sổ theo dõi hồ sơ" not in page
    # Hùng, who leads the unit, keeps the ledger.
    assert "Sổ theo dõi hồ sơ" in client_for(world.hung).get(reverse("backoffice:unit")).content.decode()


def test_overseer_searches_by_code_only(world: World) -> None:
    d = dossier_at(world, "returned")
    client = client_for(_persona(world, "baocao"))
    url = reverse("backoffice:queue")
    by_code = client.get(url, {"q": d.code}).content.decode()
    assert d.code in by_code
    assert "N. V. A." in by_code
    assert "Mã hồ sơ, tên người nộp" not in by_code  # the box says what it searches
    for query in ("nguyen van an", "022090001234"):
        assert d.code not in client.get(url, {"q": query}).content.decode().split('id="queue-results"')[1]


def test_an_overseer_who_also_handles_dossiers_reads_their_own_units_in_full(world: World) -> None:
    """Minh is also a report viewer: commune A stays readable, commune B is initials only."""
    mine = dossier_at(world, "appraisal")
    elsewhere = dossier_at(world, "submitted")
    elsewhere.receiving_unit = elsewhere.competent_unit = elsewhere.current_unit = world.centre_b
    elsewhere.save()
    from motcua.org.tests.factories import RoleAssignmentFactory

    RoleAssignmentFactory(official=world.minh.official, unit=world.province, role=Role.REPORT_VIEWER)
    client = client_for(world.minh)
    html = client.get(reverse("backoffice:queue"), {"tab": "don-vi"}).content.decode()
    assert reverse("backoffice:dossier_detail", args=[mine.code]) in html
    assert reverse("backoffice:dossier_detail", args=[elsewhere.code]) not in html
    assert elsewhere.code in html
    assert client.get(reverse("backoffice:dossier_detail", args=[elsewhere.code])).status_code == 403
    assert client.get(reverse("backoffice:dossier_detail", args=[mine.code])).status_code == 200


@pytest.mark.parametrize("persona", ["baocao", "qttinh"])
def test_overseer_queue_opens_on_the_units_open_dossiers(world: World, persona: str) -> None:
    d = dossier_at(world, "appraisal")
    client = client_for(_persona(world, persona))
    html = client.get(reverse("backoffice:queue")).content.decode()
    tabs = html.split('role="tablist"')[1].split("</div>")[0]
    assert "Được giao cho tôi" not in tabs
    assert "Chờ nhận" not in tabs
    assert 'aria-selected="true" aria-current="page">Của đơn vị tôi' in tabs
    assert d.code in html.split('id="queue-results"')[1]
    partial = client.get(reverse("backoffice:queue"), HTTP_HX_REQUEST="true")
    assert d.code in partial.content.decode()


def test_overseer_lists_cost_a_constant_number_of_queries(world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(_persona(world, "baocao"))
    dossier_at(world, "appraisal")

    def count(url: str, params: dict[str, str]) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, params).status_code == 200
        return len(ctx.captured_queries)

    pages = [
        (reverse("backoffice:queue"), {}),
        (reverse("backoffice:queue"), {"tab": "tat-ca"}),
        (reverse("backoffice:unit"), {"unit": str(world.commune_a.pk)}),
    ]
    few = [count(url, params) for url, params in pages]
    for _ in range(4):
        dossier_at(world, "appraisal")
    dossier_at(world, "returned")
    assert [count(url, params) for url, params in pages] == few
    assert max(few) <= 14


def test_unit_page_finds_closed_dossiers_by_status_and_search(world: World) -> None:
    returned = dossier_at(world, "returned")
    running = dossier_at(world, "appraisal")
    url = reverse("backoffice:unit")
    for persona in ("hung", "baocao"):
        client = client_for(_persona(world, persona))
        unit = {"unit": str(world.commune_a.pk)}
        closed = client.get(url, {**unit, "status": "10"}).content.decode().split('id="queue-results"')[1]
        assert returned.code in closed
        assert running.code not in closed
        assert "kể cả hồ sơ đã kết thúc" in closed
        found = client.get(url, {**unit, "q": returned.code}).content.decode().split('id="queue-results"')[1]
        assert returned.code in found


def _move_to(dossier: Any, unit: Any) -> None:
    dossier.current_unit = unit
    dossier.current_assignee = None
    dossier.save(update_fields=["current_unit", "current_assignee"])


@pytest.mark.parametrize("persona", ["baocao", "qttinh"])
def test_overseer_unit_page_opens_on_a_province_wide_overview(world: World, persona: str) -> None:
    """Point 12: not on "UBND tỉnh" with every count 0, but on the sums and the units holding dossiers."""
    dossier_at(world, "appraisal")
    dossier_at(world, "appraisal")
    _move_to(dossier_at(world, "appraisal"), world.commune_b)
    response = client_for(_persona(world, persona)).get(reverse("backoffice:unit"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Hồ sơ của các đơn vị</h1>" in page
    assert '<span class="bo-counts__n">3</span> Đang mở' in page
    assert "Tổng hợp" in page.split('id="id_pick_unit"')[1].split("</option>")[0]  # the choice shown
    rows = page.split('aria-labelledby="h-units"')[1].split("</section>")[0]
    open_cell = '</a></th><td data-label="Đang mở">'
    hạ_long = rows.index(f'href="?unit={world.commune_a.pk}">{world.commune_a.name}{open_cell}2</td>')
    bãi_cháy = rows.index(f'href="?unit={world.commune_b.pk}">{world.commune_b.name}{open_cell}1</td>')
    assert hạ_long < bãi_cháy  # most open dossiers first
    assert world.province.name not in rows  # nothing open there: counted among the others
    # On a phone the table becomes cards: every number says what it counts.
    assert rows.count("<td>") == 0
    assert "đơn vị khác không có hồ sơ đang mở" in rows
    # The queue rows and the personal data stay on the unit pages (and the queue), not here.
    assert 'id="queue-results"' not in page
    assert "N. V. A." not in page


def test_choosing_a_unit_still_opens_its_page(world: World) -> None:
    d = dossier_at(world, "appraisal")
    page = (
        client_for(_persona(world, "baocao"))
        .get(reverse("backoffice:unit"), {"unit": str(world.commune_a.pk)})
        .content.decode()
    )
    assert "<h1>Hồ sơ của đơn vị</h1>" in page
    assert d.code in page.split('id="queue-results"')[1]


def test_a_leader_reaching_several_units_gets_their_overview_and_the_ledger(world: World) -> None:
    """Hùng leads the ward committee and so supervises its centre: both units, summed, and form 06."""
    d = dossier_at(world, "appraisal")
    _move_to(dossier_at(world, "appraisal"), world.commune_b)  # not his: not counted
    page = client_for(world.hung).get(reverse("backoffice:unit")).content.decode()
    assert "<h1>Hồ sơ của các đơn vị</h1>" in page
    assert '<span class="bo-counts__n">1</span> Đang mở' in page
    assert f'href="?unit={d.current_unit.pk}">' in page
    assert world.commune_b.name not in page
    assert "Sổ theo dõi hồ sơ" in page


def test_overview_in_english(world: World) -> None:
    from django.conf import settings

    dossier_at(world, "appraisal")
    client = client_for(_persona(world, "baocao"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("backoffice:unit")).content.decode()
    assert "<h1>Dossiers of all units</h1>" in page
    assert "Units with open dossiers" in page
    assert "Hồ sơ của các đơn vị" not in page
    assert "không có hồ sơ đang mở" not in page


def test_overview_costs_a_constant_number_of_queries(world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(_persona(world, "baocao"))
    dossier_at(world, "appraisal")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("backoffice:unit")).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for unit in (world.commune_b, world.centre_b, world.department):
        _move_to(dossier_at(world, "appraisal"), unit)
    dossier_at(world, "returned")
    assert count() == few
    assert few <= 10


@pytest.mark.parametrize("persona", MATRIX)
def test_the_navigation_links_only_pages_the_persona_may_open(world: World, persona: str) -> None:
    """A link that answers 403 is a dead end: the menu offers intake and the unit page exactly to
    those whom the pages let in."""
    client = client_for(_persona(world, persona))
    html = client.get(reverse("backoffice:queue")).content.decode()
    for name in ("intake_start", "unit"):
        url = reverse(f"backoffice:{name}")
        opens = client.get(url).status_code == 200
        assert (f'href="{url}"' in html) == opens, (persona, name, opens)
