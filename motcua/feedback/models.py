"""Rating — đánh giá mức độ hài lòng — and feedback — phản ánh, kiến nghị (PAKN) — about a dossier.

Both belong to the dossier's applicant: a rating once the result is ready or returned (one per
dossier, a unique constraint), feedback at any time (many per dossier), each with a due time in
working days by which an official of the dossier's units must answer (docs/domain.md, "Hồ sơ của
tôi"). The answer records who answered and when; an answer is final.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_noop

from motcua.dossiers.models import Dossier


class RatingLevel(models.TextChoices):
    """Mức độ hài lòng (the three levels of the national portal's survey)."""

    VERY_SATISFIED = "rat_hai_long", gettext_noop("Rất hài lòng")
    SATISFIED = "hai_long", gettext_noop("Hài lòng")
    UNSATISFIED = "khong_hai_long", gettext_noop("Không hài lòng")


class Rating(models.Model):
    """Rating — đánh giá của người nộp về việc giải quyết một hồ sơ."""

    dossier = models.OneToOneField(
        Dossier, verbose_name="hồ sơ", on_delete=models.CASCADE, related_name="rating"
    )
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="người đánh giá", on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField("mức độ hài lòng", max_length=16, choices=RatingLevel.choices)
    comment = models.TextField("ý kiến", blank=True)
    created_at = models.DateTimeField("đánh giá lúc")

    class Meta:
        verbose_name = "đánh giá hài lòng"
        verbose_name_plural = "đánh giá hài lòng"
        # OneToOne already makes it unique; named so the service can tell this race from others.
        constraints = [models.UniqueConstraint(fields=["dossier"], name="rating_one_per_dossier")]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.level}"


class FeedbackKind(models.TextChoices):
    """Loại phản ánh, kiến nghị."""

    COMPLAINT = "phan_anh", gettext_noop("Phản ánh")
    PROPOSAL = "kien_nghi", gettext_noop("Kiến nghị")


class FeedbackStatus(models.TextChoices):
    OPEN = "open", gettext_noop("Chờ trả lời")
    ANSWERED = "answered", gettext_noop("Đã trả lời")


class Feedback(models.Model):
    """Feedback — phản ánh, kiến nghị (PAKN) của người nộp về một hồ sơ; answered by ``due_at``."""

    dossier = models.ForeignKey(
        Dossier, verbose_name="hồ sơ", on_delete=models.CASCADE, related_name="feedback"
    )
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="người gửi", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("loại", max_length=16, choices=FeedbackKind.choices)
    content = models.TextField("nội dung")
    created_at = models.DateTimeField("gửi lúc")
    due_at = models.DateTimeField("hạn trả lời")
    status = models.CharField(
        "trạng thái", max_length=16, choices=FeedbackStatus.choices, default=FeedbackStatus.OPEN
    )
    answer = models.TextField("nội dung trả lời", blank=True)
    answered_at = models.DateTimeField("trả lời lúc", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="cán bộ trả lời",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The name as it was when answering (the audit keeps it if the account is renamed).
    answered_by_name = models.CharField("tên cán bộ trả lời", max_length=200, blank=True)

    class Meta:
        verbose_name = "phản ánh, kiến nghị"
        verbose_name_plural = "phản ánh, kiến nghị"
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The officials' list: open ones first, by due time.
            models.Index(fields=["status", "due_at"], name="feedback_status_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == FeedbackStatus.OPEN
