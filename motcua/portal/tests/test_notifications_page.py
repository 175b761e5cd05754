"""/thong-bao: the signed-in applicant's notifications; private to them."""

from __future__ import annotations

from typing import Any

from django.test import Client

from motcua.accounts.tests.factories import AccountFactory
from motcua.dossiers.tests.factories import World, dossier_at
from motcua.jobs import delivery
from motcua.jobs.models import Job
from motcua.notifications.models import InboxNotification
from motcua.notifications.subscribers import APPLICANT_INBOX


def _inbox_of_an(world: World, stages: tuple[str, ...] = ("received",)) -> list[InboxNotification]:
    for stage in stages:
        dossier_at(world, stage)
    delivery.jobs_run_due(job_ids=list(Job.objects.filter(name=APPLICANT_INBOX).values_list("pk", flat=True)))
    return list(InboxNotification.objects.filter(account=world.an))


def test_lists_newest_first_with_the_unread_count_in_the_navigation(
    world: World, client: Client, django_assert_max_num_queries: Any
) -> None:
    entries = _inbox_of_an(world, ("received", "received", "submitted"))
    client.force_login(world.an)
    with django_assert_max_num_queries(8):
        response = client.get("/thong-bao")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'Thông báo <span aria-hidden="true">({len(entries)})</span>' in html
    for entry in entries:
        assert entry.title in html
    assert html.index(entries[0].title) < html.index(entries[-1].title)  # newest first (model ordering)


def test_mark_one_read_then_all(world: World, client: Client) -> None:
    first, second = _inbox_of_an(world, ("received", "received"))
    client.force_login(world.an)
    response = client.post("/thong-bao", {"id": first.pk})
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None
    assert second.read_at is None
    client.post("/thong-bao", {})
    second.refresh_from_db()
    assert second.read_at is not None
    assert '<span aria-hidden="true">(0)</span>' in client.get("/thong-bao").content.decode()


def test_another_citizen_neither_sees_nor_marks_mine(world: World, client: Client) -> None:
    (mine,) = _inbox_of_an(world)
    other = AccountFactory.create(citizen=True)
    client.force_login(other)
    page = client.get("/thong-bao").content.decode()
    assert mine.title not in page
    assert '<span aria-hidden="true">(0)</span>' in page
    client.post("/thong-bao", {"id": mine.pk})
    mine.refresh_from_db()
    assert mine.read_at is None


def test_anonymous_goes_to_login_and_officials_get_403(world: World, client: Client) -> None:
    response = client.get("/thong-bao")
    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap?next=/thong-bao")
    client.force_login(world.lan)
    assert client.get("/thong-bao").status_code == 403


def test_a_tampered_id_changes_nothing(world: World, client: Client) -> None:
    (mine,) = _inbox_of_an(world)
    client.force_login(world.an)
    assert client.post("/thong-bao", {"id": "1 OR 1=1"}).status_code == 403
    mine.refresh_from_db()
    assert mine.read_at is None
