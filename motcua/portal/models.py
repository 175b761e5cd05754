"""Online submission — nộp hồ sơ trực tuyến: form definitions and the applicant's saved drafts.

A ``FormDefinition`` is a procedure's online form (tờ khai điện tử): a JSON Schema of the answers and
UI hints (labels, help, widget, order), edited in the admin; every change raises its ``version``. A
``SubmissionDraft`` (hồ sơ đang soạn) copies the definition it started with, so an edit in the admin
never breaks a draft in progress. Its ``key`` is the idempotency key of the submission: however many
times the last step is posted, one dossier is created.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_noop

from motcua.core.storage import ContentAddressed


class FormDefinition(models.Model):
    """Online form of a procedure — tờ khai điện tử (JSON Schema + UI hints)."""

    procedure = models.OneToOneField(
        "catalog.Procedure", verbose_name="thủ tục", on_delete=models.CASCADE, related_name="online_form"
    )
    version = models.PositiveIntegerField("phiên bản", default=1, editable=False)
    schema = models.JSONField(
        "lược đồ dữ liệu (JSON Schema)",
        help_text="JSON Schema (draft 2020-12) của các câu trả lời: type object, properties, required.",
    )
    ui = models.JSONField(
        "gợi ý hiển thị",
        default=dict,
        blank=True,
        help_text='{"order": ["truong_1", …], "fields": {"truong_1": {"label": …, "help": …, '
        '"widget": "text|textarea|select|radio|date|email|tel|number|checkbox"}}}',
    )
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        verbose_name = "tờ khai điện tử"
        verbose_name_plural = "tờ khai điện tử"

    def __str__(self) -> str:
        return f"{self.procedure_id} v{self.version}"


class DraftStep(models.TextChoices):
    """Steps of the wizard, in order."""

    APPLICANT = "applicant", gettext_noop("Người nộp")
    FORM = "form", gettext_noop("Tờ khai")
    DOCUMENTS = "documents", gettext_noop("Giấy tờ")
    REVIEW = "review", gettext_noop("Xem lại và nộp")


class SubmissionDraft(models.Model):
    """A saved online submission in progress — hồ sơ đang soạn — owned by one applicant account."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="người soạn", on_delete=models.CASCADE, related_name="+"
    )
    procedure = models.ForeignKey(
        "catalog.Procedure", verbose_name="thủ tục", on_delete=models.CASCADE, related_name="+"
    )
    key = models.UUIDField("khóa chống gửi trùng", default=uuid.uuid4, unique=True, editable=False)
    step = models.CharField("bước", max_length=16, choices=DraftStep.choices, default=DraftStep.APPLICANT)
    applicant = models.JSONField("người nộp", default=dict, blank=True)
    # The applicant fields filled automatically (identity account, population database) and the value
    # each was given: a field keeps its mark while its value is unchanged, with no second lookup.
    prefilled = models.JSONField("trường tự động điền", default=dict, blank=True)
    receiving_unit = models.ForeignKey(
        "org.Unit",
        verbose_name="nơi tiếp nhận",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    form_version = models.PositiveIntegerField("phiên bản tờ khai", default=0)
    form_schema = models.JSONField("lược đồ tờ khai", default=dict, blank=True)
    form_ui = models.JSONField("gợi ý hiển thị tờ khai", default=dict, blank=True)
    answers = models.JSONField("nội dung tờ khai", default=dict, blank=True)
    dossier = models.OneToOneField(
        "dossiers.Dossier",
        verbose_name="hồ sơ đã nộp",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField("nộp lúc", null=True, blank=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)
    expires_at = models.DateTimeField("hết hạn lúc")

    class Meta:
        verbose_name = "hồ sơ đang soạn"
        verbose_name_plural = "hồ sơ đang soạn"
        ordering = ["owner", "-updated_at"]
        indexes = [models.Index(fields=["owner", "-updated_at"], name="portal_draft_owner_recent")]

    def __str__(self) -> str:
        return f"{self.procedure_id} ({self.owner_id})"


class DraftComponent(models.Model):
    """One catalogue component of a draft: an uploaded file or a document reused from the data store."""

    draft = models.ForeignKey(
        SubmissionDraft, verbose_name="hồ sơ đang soạn", on_delete=models.CASCADE, related_name="components"
    )
    document = models.ForeignKey(
        "catalog.ProcedureDocument",
        verbose_name="thành phần hồ sơ",
        on_delete=models.CASCADE,
        related_name="+",
    )
    file = models.FileField(
        "tệp", upload_to=ContentAddressed("drafts", "file_sha256"), blank=True, max_length=255
    )
    file_sha256 = models.CharField("mã băm tệp (SHA-256)", max_length=64, blank=True)
    file_name = models.CharField("tên tệp", max_length=255, blank=True)
    stored_document = models.ForeignKey(
        "datastore.StoredDocument",
        verbose_name="dùng lại từ kho dữ liệu",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "thành phần hồ sơ đang soạn"
        verbose_name_plural = "thành phần hồ sơ đang soạn"
        constraints = [
            models.UniqueConstraint(fields=["draft", "document"], name="portal_draft_component_once")
        ]

    def __str__(self) -> str:
        return self.file_name
