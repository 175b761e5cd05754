"""Rating and PAKN services: who, when, once; due times in working days; answers audited."""

from __future__ import annotations

from typing import Any

import pytest

from motcua.accounts.tests.factories import AccountFactory
from motcua.dossiers.tests.factories import World, dossier_at, vn
from motcua.feedback import services
from motcua.feedback.models import Feedback, FeedbackStatus, Rating


def test_rating_by_the_applicant_once_the_result_is_returned(world: World):
    d = dossier_at(world, "returned")
    rating = services.rating_create(actor=world.an, dossier=d, level="hai_long", comment="  Tốt  ")
    assert rating.comment == "Tốt"
    assert rating.account_id == world.an.pk
    with pytest.raises(services.FeedbackInvalid) as exc:
        services.rating_create(actor=world.an, dossier=d, level="khong_hai_long")
    assert exc.value.errors == {"level": services.RATED_ALREADY}
    assert Rating.objects.get(dossier=d).level == "hai_long"


def test_rating_allowed_when_the_result_is_ready(world: World):
    d = dossier_at(world, "result_ready")
    assert services.rating_create(actor=world.an, dossier=d, level="rat_hai_long").pk


@pytest.mark.parametrize("stage", ["submitted", "received", "supplement", "signing"])
def test_no_rating_before_the_result(world: World, stage: str):
    d = dossier_at(world, stage)
    with pytest.raises(services.FeedbackInvalid, match="đã có kết quả"):
        services.rating_create(actor=world.an, dossier=d, level="hai_long")
    assert not Rating.objects.exists()


def test_only_the_applicant_rates_or_sends_feedback(world: World):
    d = dossier_at(world, "returned")
    for other in (AccountFactory.create(citizen=True), world.lan, world.binh):
        with pytest.raises(services.FeedbackPermissionDenied):
            services.rating_create(actor=other, dossier=d, level="hai_long")
        with pytest.raises(services.FeedbackPermissionDenied):
            services.feedback_create(actor=other, dossier=d, kind="kien_nghi", content="x")
    assert not Rating.objects.exists()
    assert not Feedback.objects.exists()


@pytest.mark.parametrize(
    ("level", "comment", "field"),
    [("", "", "level"), ("5 sao", "", "level"), ("hai_long", "x" * 2001, "comment")],
)
def test_bad_rating_input_names_the_field(world: World, level: str, comment: str, field: str):
    d = dossier_at(world, "returned")
    with pytest.raises(services.FeedbackInvalid) as exc:
        services.rating_create(actor=world.an, dossier=d, level=level, comment=comment)
    assert field in exc.value.errors
    assert not Rating.objects.exists()


def test_feedback_is_due_in_ten_working_days(world: World):
    d = dossier_at(world, "appraisal")
    row = services.feedback_create(actor=world.an, dossier=d, kind="phan_anh", content="Chậm hướng dẫn")
    # Monday 2/3 09:00 + 10 working days (8 h each) = Monday 16/3 09:00.
    assert row.due_at == vn(2026, 3, 16, 9)
    assert row.status == FeedbackStatus.OPEN


def test_feedback_due_time_skips_the_weekend(world: World, monday: Any, settings: Any):
    settings.MOTCUA_FEEDBACK_DUE_WORKING_DAYS = 1
    d = dossier_at(world, "appraisal")
    monday.move_to(vn(2026, 3, 6, 16))  # Friday 16:00
    row = services.feedback_create(actor=world.an, dossier=d, kind="kien_nghi", content="Đề nghị")
    assert row.due_at == vn(2026, 3, 9, 16)  # Monday 16:00: Saturday and Sunday are not counted


@pytest.mark.parametrize(
    ("kind", "content", "field"), [("khac", "x", "kind"), ("phan_anh", "   ", "content")]
)
def test_bad_feedback_input_names_the_field(world: World, kind: str, content: str, field: str):
    d = dossier_at(world, "appraisal")
    with pytest.raises(services.FeedbackInvalid) as exc:
        services.feedback_create(actor=world.an, dossier=d, kind=kind, content=content)
    assert field in exc.value.errors


def test_an_official_of_the_dossiers_units_answers_once_and_is_recorded(world: World, monday: Any):
    d = dossier_at(world, "appraisal")
    row = services.feedback_create(actor=world.an, dossier=d, kind="phan_anh", content="Chậm")
    monday.shift(3600)
    answered = services.feedback_answer(actor=world.minh, feedback=row, answer="Đã xử lý")
    assert answered.status == FeedbackStatus.ANSWERED
    assert answered.answered_by_id == world.minh.pk
    assert answered.answered_by_name == "Trần Văn Minh"
    assert answered.answered_at == vn(2026, 3, 2, 10)
    with pytest.raises(services.FeedbackInvalid, match="đã được trả lời"):
        services.feedback_answer(actor=world.hung, feedback=row, answer="Lần hai")
    row.refresh_from_db()
    assert row.answer == "Đã xử lý"


def test_outsiders_and_the_applicant_cannot_answer(world: World):
    d = dossier_at(world, "appraisal")
    row = services.feedback_create(actor=world.an, dossier=d, kind="phan_anh", content="Chậm")
    for actor in (world.binh, world.an, AccountFactory.create(citizen=True)):
        with pytest.raises(services.FeedbackPermissionDenied):
            services.feedback_answer(actor=actor, feedback=row, answer="x")
    with pytest.raises(services.FeedbackInvalid):
        services.feedback_answer(actor=world.minh, feedback=row, answer="  ")
    row.refresh_from_db()
    assert row.status == FeedbackStatus.OPEN
    assert not row.answer


def test_at_most_five_unanswered_feedback_per_dossier(world: World):
    d = dossier_at(world, "appraisal")
    rows = [
        services.feedback_create(actor=world.an, dossier=d, kind="phan_anh", content=f"Lần {n}")
        for n in range(services.OPEN_FEEDBACK_MAX)
    ]
    with pytest.raises(services.FeedbackInvalid, match="đang chờ trả lời"):
        services.feedback_create(actor=world.an, dossier=d, kind="phan_anh", content="Lần nữa")
    assert Feedback.objects.filter(dossier=d).count() == services.OPEN_FEEDBACK_MAX
    services.feedback_answer(actor=world.minh, feedback=rows[0], answer="Đã trả lời")
    assert services.feedback_create(
        actor=world.an, dossier=d, kind="kien_nghi", content="Sau khi có trả lời"
    ).pk
