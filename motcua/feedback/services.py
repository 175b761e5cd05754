"""Writes of ratings and feedback — ghi đánh giá, phản ánh kiến nghị, trả lời phản ánh kiến nghị.

Every function checks who acts and on what before writing and raises ``FeedbackInvalid`` (a field →
Vietnamese message) or ``FeedbackPermissionDenied`` with nothing written.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from motcua.accounts.models import Account
from motcua.core.text import nfc
from motcua.dossiers import rules
from motcua.dossiers.models import Dossier, DossierState
from motcua.feedback.models import Feedback, FeedbackKind, FeedbackStatus, Rating, RatingLevel
from motcua.org.selectors import official_display_name
from motcua.worktime import selectors as worktime

logger = logging.getLogger(__name__)

# A rating judges the whole service: only once the result is ready (status 9) or returned (status 10).
RATABLE_STATES = frozenset({DossierState.RESULT_READY, DossierState.RETURNED})
COMMENT_MAX = 2000
CONTENT_MAX = 4000
# Unanswered feedback one dossier may have: each one is work an official must do by its due time, so a
# burst of submissions (a double click, a script) must not pile up.
OPEN_FEEDBACK_MAX = 5

RATED_ALREADY = "Hồ sơ này đã được đánh giá; mỗi hồ sơ chỉ được đánh giá một lần."
NOT_APPLICANT = "Chỉ người nộp hồ sơ được đánh giá hoặc gửi phản ánh, kiến nghị về hồ sơ này."


class FeedbackInvalid(ValueError):
    """Bad input or a refused request: ``errors`` maps a field to its Vietnamese message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = errors
        self.message = " ".join(errors.values())


class FeedbackPermissionDenied(PermissionDenied):
    """The actor may not do this (views answer 403 or 404)."""


def _text(value: str, *, field: str, label: str, limit: int, required: bool) -> str:
    text = nfc(value or "").strip()
    if required and not text:
        raise FeedbackInvalid({field: f"Vui lòng nhập {label}."})
    if len(text) > limit:
        raise FeedbackInvalid({field: f"{label.capitalize()} dài quá {limit} ký tự."})
    return text


def _applicant_check(actor: Account, dossier: Dossier) -> None:
    if not rules.is_applicant(actor, dossier):
        raise FeedbackPermissionDenied(NOT_APPLICANT)


def rating_create(*, actor: Account, dossier: Dossier, level: str, comment: str = "") -> Rating:
    """Đánh giá mức độ hài lòng: by the dossier's applicant, once its result is ready or returned, once."""
    _applicant_check(actor, dossier)
    if level not in RatingLevel.values:
        raise FeedbackInvalid({"level": "Vui lòng chọn mức độ hài lòng."})
    comment = _text(comment, field="comment", label="ý kiến", limit=COMMENT_MAX, required=False)
    if dossier.state not in RATABLE_STATES:
        raise FeedbackInvalid({"level": "Chỉ đánh giá được khi hồ sơ đã có kết quả hoặc đã trả kết quả."})
    try:
        with transaction.atomic():
            return Rating.objects.create(
                dossier=dossier, account=actor, level=level, comment=comment, created_at=timezone.now()
            )
    except IntegrityError:
        # The unique constraint decides, so two concurrent submissions store one rating.
        if Rating.objects.filter(dossier=dossier).exists():
            raise FeedbackInvalid({"level": RATED_ALREADY}) from None
        raise


def feedback_due(*, start: datetime) -> datetime:
    """When feedback sent at ``start`` is due: ``MOTCUA_FEEDBACK_DUE_WORKING_DAYS`` working days later."""
    return worktime.add_working_time(
        start=start, amount=settings.MOTCUA_FEEDBACK_DUE_WORKING_DAYS, unit="working_days"
    )


def feedback_create(*, actor: Account, dossier: Dossier, kind: str, content: str) -> Feedback:
    """Gửi phản ánh, kiến nghị về hồ sơ của mình; the due time counts working days (worktime)."""
    _applicant_check(actor, dossier)
    if kind not in FeedbackKind.values:
        raise FeedbackInvalid({"kind": "Vui lòng chọn loại: phản ánh hoặc kiến nghị."})
    content = _text(content, field="content", label="nội dung", limit=CONTENT_MAX, required=True)
    now = timezone.now()
    with transaction.atomic():
        # The dossier row is locked so that concurrent submissions count each other.
        Dossier.objects.select_for_update().filter(pk=dossier.pk).values_list("pk").first()
        waiting = Feedback.objects.filter(dossier=dossier, status=FeedbackStatus.OPEN).count()
        if waiting >= OPEN_FEEDBACK_MAX:
            raise FeedbackInvalid(
                {
                    "content": f"Hồ sơ đã có {waiting} phản ánh, kiến nghị đang chờ trả lời; vui lòng chờ "
                    "cơ quan giải quyết trả lời trước khi gửi thêm."
                }
            )
        return Feedback.objects.create(
            dossier=dossier,
            account=actor,
            kind=kind,
            content=content,
            created_at=now,
            due_at=feedback_due(start=now),
        )


def feedback_answer(*, actor: Account, feedback: Feedback, answer: str) -> Feedback:
    """Trả lời phản ánh, kiến nghị: an official handling dossiers in one of the dossier's units, once.

    Who answered and when stay on the row (and in the log): the answer is the administration's word.
    """
    answer = _text(answer, field="answer", label="nội dung trả lời", limit=CONTENT_MAX, required=True)
    with transaction.atomic():
        row = Feedback.objects.select_for_update().select_related("dossier").get(pk=feedback.pk)
        if not rules.sees_personal_data(actor, row.dossier) or rules.is_applicant(actor, row.dossier):
            raise FeedbackPermissionDenied(
                "Chỉ cán bộ xử lý hồ sơ của đơn vị tiếp nhận, giải quyết hồ sơ được trả lời "
                "phản ánh, kiến nghị này."
            )
        if row.status != FeedbackStatus.OPEN:
            raise FeedbackInvalid({"answer": "Phản ánh, kiến nghị này đã được trả lời."})
        row.answer = answer
        row.status = FeedbackStatus.ANSWERED
        row.answered_at = timezone.now()
        row.answered_by = actor
        row.answered_by_name = official_display_name(actor)[:200]
        row.save(update_fields=["answer", "status", "answered_at", "answered_by", "answered_by_name"])
    logger.info("PAKN %s của hồ sơ %s được trả lời bởi %s", row.pk, row.dossier.code, actor.username)
    return row
