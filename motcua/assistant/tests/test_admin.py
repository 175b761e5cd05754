"""The question log's one-step fixes in the admin: a synonym into the catalogue's search vocabulary."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from motcua.assistant.models import QuestionLog
from motcua.catalog.models import Procedure, SearchTerm, SearchTermKind
from motcua.catalog.tests.factories import ProcedureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_() -> Client:
    client = Client()
    client.force_login(
        get_user_model().objects.create_superuser("quantri", "qt@example.vn", "mat-khau-dai-123")
    )
    return client


def _log(text: str, *, chosen: Procedure | None) -> QuestionLog:
    now = timezone.now()
    return QuestionLog.objects.create(
        normalized=text.lower(),
        text=text,
        reason="low_confidence",
        chosen_code=chosen.code if chosen else "",
        first_seen=now,
        last_seen=now,
    )


def _act(client: Client, action: str, logs: list[QuestionLog]) -> Any:
    return client.post(
        "/admin/assistant/questionlog/",
        {"action": action, "_selected_action": [str(log.pk) for log in logs]},
    )


def test_one_question_opens_the_vocabulary_form_filled_in(admin_client_: Client) -> None:
    birth = ProcedureFactory.create(code="1.001193", name="Đăng ký khai sinh")
    log = _log("giấy tờ cho em bé mới đẻ", chosen=birth)

    response = _act(admin_client_, "add_synonym", [log])

    assert response.status_code == 302
    url = urlsplit(response["Location"])
    assert url.path == "/admin/catalog/searchterm/add/"
    params = parse_qs(url.query)
    assert params["phrase"] == ["giấy tờ cho em bé mới đẻ"]
    assert params["expands_to"] == ["Đăng ký khai sinh"]
    assert params["kind"] == [SearchTermKind.COLLOQUIAL]
    assert not SearchTerm.objects.filter(phrase__icontains="em bé").exists()  # saved by the admin, not here
    form = admin_client_.get(response["Location"])
    assert "giấy tờ cho em bé mới đẻ" in form.content.decode()


def test_several_questions_become_entries_and_unknown_ones_are_skipped(admin_client_: Client) -> None:
    birth = ProcedureFactory.create(code="1.001193", name="Đăng ký khai sinh")
    death = ProcedureFactory.create(code="1.000656", name="Đăng ký khai tử")
    logs = [
        _log("giấy tờ cho em bé mới đẻ", chosen=birth),
        _log("báo tử cho ông", chosen=death),
        _log("hỏi linh tinh", chosen=None),
    ]

    response = _act(admin_client_, "add_synonym", logs)

    assert response.status_code == 302
    terms = dict(SearchTerm.objects.filter(note__contains="trợ lý ảo").values_list("phrase", "expands_to"))
    assert terms == {"giấy tờ cho em bé mới đẻ": "Đăng ký khai sinh", "báo tử cho ông": "Đăng ký khai tử"}
    assert SearchTerm.objects.get(phrase="báo tử cho ông").updated_by is not None
