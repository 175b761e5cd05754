"""The back office's PAKN page: list of the official's units, answer form, audit of who answered."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from motcua.backoffice.tests.conftest import client_for
from motcua.dossiers.tests.factories import World, dossier_at
from motcua.feedback import services
from motcua.feedback.models import Feedback, FeedbackStatus


def test_an_official_answers_feedback_from_the_list(world: World, django_assert_max_num_queries: Any):
    d = dossier_at(world, "appraisal")
    row = services.feedback_create(actor=world.an, dossier=d, kind="phan_anh", content="Cán bộ chưa gọi lại")
    client = client_for(world.minh)
    client.get(reverse("backoffice:feedback_list"))  # warm the session and reference caches
    with django_assert_max_num_queries(12):
        page = client.get(reverse("backoffice:feedback_list"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Cán bộ chưa gọi lại" in html
    assert d.code in html
    url = reverse("backoffice:feedback_answer", args=[row.pk])
    empty = client.post(url, {"answer": ""})
    assert empty.status_code == 400
    assert "Vui lòng nhập nội dung trả lời." in empty.content.decode()
    done = client.post(url, {"answer": "Đã gọi lại cho công dân"})
    assert done.status_code == 302
    row.refresh_from_db()
    assert row.status == FeedbackStatus.ANSWERED
    assert row.answered_by_id == world.minh.pk
    again = client.post(url, {"answer": "Lần hai"})
    assert again.status_code == 400
    assert "đã được trả lời" in again.content.decode()
    assert Feedback.objects.get(pk=row.pk).answer == "Đã gọi lại cho công dân"
    html = client.get(reverse("backoffice:feedback_list")).content.decode()
    assert "Đã trả lời bởi Trần Văn Minh" in html


def test_the_navigation_links_the_page(world: World):
    html = client_for(world.lan).get(reverse("backoffice:queue")).content.decode()
    assert reverse("backoffice:feedback_list") in html
