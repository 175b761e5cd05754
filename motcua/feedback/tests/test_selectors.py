"""The officials' PAKN list: their units only, open and overdue first, constant queries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from motcua.dossiers.tests.factories import World, dossier_at
from motcua.feedback import selectors, services


def test_officials_see_the_feedback_of_their_units_open_and_overdue_first(world: World, monday: Any):
    d = dossier_at(world, "appraisal")
    first = services.feedback_create(actor=world.an, dossier=d, kind="phan_anh", content="Một")
    monday.shift(timedelta(days=1))
    second = services.feedback_create(actor=world.an, dossier=d, kind="kien_nghi", content="Hai")
    third = services.feedback_create(actor=world.an, dossier=d, kind="kien_nghi", content="Ba")
    services.feedback_answer(actor=world.minh, feedback=first, answer="Đã trả lời")
    monday.shift(timedelta(days=20))  # every open one is now overdue
    page = selectors.feedback_list_for_official(user=world.lan, page_size=10)
    assert [row.pk for row in page.items] == [second.pk, third.pk, first.pk]
    assert all(row.due_at < page.now for row in page.items[:2])
    assert selectors.feedback_list_for_official(user=world.binh).total == 0
    assert selectors.feedback_list_for_official(user=world.an).total == 0
    open_only = selectors.feedback_list_for_official(user=world.minh, status="open")
    assert {row.pk for row in open_only.items} == {second.pk, third.pk}


def test_the_list_costs_the_same_queries_whatever_its_length(
    world: World, django_assert_max_num_queries: Any
):
    d = dossier_at(world, "appraisal")
    for n in range(5):
        services.feedback_create(actor=world.an, dossier=d, kind="phan_anh", content=f"Nội dung {n}")
    with django_assert_max_num_queries(3):
        page = selectors.feedback_list_for_official(user=world.minh)
        assert [row.dossier.procedure.name for row in page.items]


def test_one_feedback_for_an_official_of_its_units_only(world: World):
    d = dossier_at(world, "appraisal")
    row = services.feedback_create(actor=world.an, dossier=d, kind="phan_anh", content="x")
    assert selectors.feedback_get_for_official(user=world.minh, pk=row.pk) == row
    assert selectors.feedback_get_for_official(user=world.binh, pk=row.pk) is None
    assert selectors.feedback_get_for_official(user=world.an, pk=row.pk) is None


def test_a_transferred_dossiers_feedback_reaches_both_units(world: World):
    d = dossier_at(world, "transferred")  # Minh (commune A) sent it to the department (Mai's pool)
    row = services.feedback_create(actor=world.an, dossier=d, kind="kien_nghi", content="Liên thông")
    for official in (world.minh, world.mai):
        assert [r.pk for r in selectors.feedback_list_for_official(user=official).items] == [row.pk]
        assert selectors.feedback_get_for_official(user=official, pk=row.pk) == row
    assert selectors.feedback_list_for_official(user=world.binh).total == 0
