"""Dossier — hồ sơ thủ tục hành chính — and everything that happens to it.

A dossier is received (online, at a counter, kiosk, by post or from DVCQG), goes through the steps of
the procedure's internal process *version* it started with, and ends with a returned result. Every
internal state maps to exactly one DVCQG status code 1–10 (docs/domain.md §4). All writes go through
``dossiers.services``; every change appends a hash-chained ``DossierEvent``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_noop

from motcua.catalog.fees import FeeStatus, fee_summary
from motcua.catalog.models import Procedure, ProcedureDocument, ProcessDefinition, ProcessStep
from motcua.core.storage import ContentAddressed
from motcua.core.text import fold
from motcua.org.models import Role, Unit


# Choice labels are marked with gettext_noop: they stay plain Vietnamese strings wherever the records,
# the statutory forms and the e-mails use them; a page translates one where it shows it
# ({% translate dossier.get_state_display %}), so English pages get them from the catalogue.
class Channel(models.TextChoices):
    """Hình thức nộp hồ sơ."""

    ONLINE = "online", gettext_noop("Trực tuyến")
    COUNTER = "counter", gettext_noop("Trực tiếp tại quầy")
    KIOSK = "kiosk", gettext_noop("Ki-ốt")
    POSTAL = "postal", gettext_noop("Bưu chính công ích")
    DVCQG = "dvcqg", gettext_noop("Cổng Dịch vụ công quốc gia")


class DvcqgStatus(models.IntegerChoices):
    """DVCQG TrangThaiHoSo (docs/domain.md §4.1)."""

    NEW = 1, gettext_noop("Mới đăng ký")
    ACCEPTED = 2, gettext_noop("Được tiếp nhận")
    REFUSED = 3, gettext_noop("Không được tiếp nhận")
    IN_PROGRESS = 4, gettext_noop("Đang xử lý")
    SUPPLEMENT = 5, gettext_noop("Yêu cầu bổ sung giấy tờ")
    FINANCIAL = 6, gettext_noop("Yêu cầu thực hiện nghĩa vụ tài chính")
    WITHDRAWN = 7, gettext_noop("Công dân yêu cầu rút hồ sơ")
    STOPPED = 8, gettext_noop("Dừng xử lý")
    DONE = 9, gettext_noop("Đã xử lý xong")
    RETURNED = 10, gettext_noop("Đã trả kết quả")


class DossierState(models.TextChoices):
    """Internal state — finer than the DVCQG status; ``STATE_STATUS`` maps each to one code."""

    SUBMITTED = "submitted", gettext_noop("Mới đăng ký, chờ tiếp nhận")
    REFUSED = "refused", gettext_noop("Từ chối tiếp nhận")
    ACCEPTED = "accepted", gettext_noop("Đã tiếp nhận")
    PROCESSING = "processing", gettext_noop("Đang xử lý")
    TRANSFERRED = "transferred", gettext_noop("Đang xử lý liên thông tại đơn vị khác")
    SUPPLEMENT_REQUESTED = "supplement_requested", gettext_noop("Chờ công dân bổ sung hồ sơ")
    AWAITING_PAYMENT = "awaiting_payment", gettext_noop("Chờ thực hiện nghĩa vụ tài chính")
    WITHDRAWN = "withdrawn", gettext_noop("Công dân rút hồ sơ")
    STOPPED = "stopped", gettext_noop("Dừng xử lý")
    RESULT_READY = "result_ready", gettext_noop("Đã có kết quả, chờ trả")
    RETURNED = "returned", gettext_noop("Đã trả kết quả")


STATE_STATUS: dict[str, int] = {
    DossierState.SUBMITTED: DvcqgStatus.NEW,
    DossierState.REFUSED: DvcqgStatus.REFUSED,
    DossierState.ACCEPTED: DvcqgStatus.ACCEPTED,
    DossierState.PROCESSING: DvcqgStatus.IN_PROGRESS,
    DossierState.TRANSFERRED: DvcqgStatus.IN_PROGRESS,
    DossierState.SUPPLEMENT_REQUESTED: DvcqgStatus.SUPPLEMENT,
    DossierState.AWAITING_PAYMENT: DvcqgStatus.FINANCIAL,
    DossierState.WITHDRAWN: DvcqgStatus.WITHDRAWN,
    DossierState.STOPPED: DvcqgStatus.STOPPED,
    DossierState.RESULT_READY: DvcqgStatus.DONE,
    DossierState.RETURNED: DvcqgStatus.RETURNED,
}


# States in which the dossier still awaits an action by the administration (it sits in a queue).
OPEN_STATES: frozenset[str] = frozenset(
    {
        DossierState.SUBMITTED,
        DossierState.ACCEPTED,
        DossierState.PROCESSING,
        DossierState.TRANSFERRED,
        DossierState.SUPPLEMENT_REQUESTED,
        DossierState.AWAITING_PAYMENT,
        DossierState.RESULT_READY,
    }
)
# DVCQG statuses that only closed dossiers have (từ chối, rút, dừng, đã trả): a list filtered on one
# looks at every dossier, not only the open ones of the queues.
CLOSED_STATUSES: frozenset[int] = frozenset(
    STATE_STATUS[s] for s in DossierState if s not in OPEN_STATES
) - frozenset(STATE_STATUS[s] for s in OPEN_STATES)
# States in which the statutory clock runs: only these can be "sắp đến hạn" or "quá hạn".
CLOCK_RUNNING_STATES: frozenset[str] = frozenset(
    {DossierState.ACCEPTED, DossierState.PROCESSING, DossierState.TRANSFERRED}
)


class Outcome(models.TextChoices):
    """Kết quả đúng hạn — per dossier and per step."""

    EARLY = "early", gettext_noop("Trước hạn")
    ON_TIME = "on_time", gettext_noop("Đúng hạn")
    LATE = "late", gettext_noop("Quá hạn")


class ApplicantKind(models.TextChoices):
    PERSON = "person", gettext_noop("Cá nhân")
    ORGANISATION = "organisation", gettext_noop("Tổ chức, doanh nghiệp")


class Decision(models.TextChoices):
    """Decision on the request once appraised."""

    APPROVED = "approved", gettext_noop("Chấp thuận")
    REJECTED = "rejected", gettext_noop("Từ chối giải quyết")


class ProcedureDossierOptions(models.Model):
    """Per-procedure options of the dossier engine that the catalogue does not (yet) carry.

    ``supplement_resumes_remaining``: after a supplement (bổ sung) the clock resumes with the working
    time that was left when it stopped, instead of restarting from zero with the full duration (the
    default, docs/domain.md §6.6).
    """

    procedure = models.OneToOneField(
        Procedure,
        verbose_name="thủ tục",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="dossier_options",
    )
    supplement_resumes_remaining = models.BooleanField(
        "tiếp tục thời gian còn lại sau bổ sung",
        default=False,
        help_text="Bỏ chọn: tính lại từ đầu toàn bộ thời hạn khi nhận đủ hồ sơ bổ sung (mặc định).",
    )

    class Meta:
        verbose_name = "tùy chọn xử lý hồ sơ của thủ tục"
        verbose_name_plural = "tùy chọn xử lý hồ sơ của thủ tục"

    def __str__(self) -> str:
        return f"{self.procedure_id}"


class DossierCodeCounter(models.Model):
    """Per-agency-per-day sequence behind dossier codes (docs/domain.md §5.1).

    The row is locked (SELECT … FOR UPDATE) inside the receipt transaction, so concurrent receipts at
    one unit queue on it: codes are unique and gap-free within a unit and day.
    """

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT)
    day = models.DateField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "day"], name="code_counter_unique_unit_day")]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.day}: {self.last_number}"


class Dossier(models.Model):
    """Dossier — hồ sơ."""

    code = models.CharField("mã hồ sơ", max_length=64, unique=True)
    # db_index=False on foreign keys whose lookups a composite index below already leads with, or that
    # are only looked up to delete a user (rare): every index is written by every receipt (bench P2).
    procedure = models.ForeignKey(
        Procedure, verbose_name="thủ tục", on_delete=models.PROTECT, related_name="dossiers", db_index=False
    )
    procedure_version = models.PositiveIntegerField("phiên bản thủ tục")
    process = models.ForeignKey(
        ProcessDefinition, verbose_name="quy trình nội bộ", on_delete=models.PROTECT, related_name="dossiers"
    )
    channel = models.CharField("hình thức nộp", max_length=16, choices=Channel.choices)
    # Applicant — người nộp / chủ hồ sơ.
    applicant_kind = models.CharField(
        "loại người nộp", max_length=16, choices=ApplicantKind.choices, default=ApplicantKind.PERSON
    )
    applicant_name = models.CharField("tên người nộp", max_length=255)
    # ``core.text.fold`` of the name, kept by ``save``: the officials' search matches it accent-free
    # ("nguyen van a" finds "Nguyễn Văn A"); a trigram index serves it on PostgreSQL (migration 0006).
    applicant_search = models.CharField(
        "tên người nộp (không dấu)", max_length=255, blank=True, editable=False
    )
    applicant_id_number = models.CharField(
        "số định danh, mã số thuế",
        max_length=20,
        blank=True,
        help_text="Số định danh cá nhân / mã số doanh nghiệp",
    )
    applicant_birth_date = models.DateField("ngày sinh", null=True, blank=True)
    applicant_phone = models.CharField("điện thoại", max_length=20, blank=True)
    applicant_email = models.EmailField("thư điện tử", blank=True)
    applicant_address = models.CharField("địa chỉ", max_length=500, blank=True)
    # Representative — người được ủy quyền, optional.
    representative_name = models.CharField("người được ủy quyền", max_length=255, blank=True)
    representative_id_number = models.CharField("số định danh người được ủy quyền", max_length=20, blank=True)
    representative_phone = models.CharField("điện thoại người được ủy quyền", max_length=20, blank=True)
    summary = models.TextField("trích yếu", blank=True, help_text="Trích yếu hồ sơ")
    applicant_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="tài khoản người nộp",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    receiving_unit = models.ForeignKey(
        Unit,
        verbose_name="đơn vị tiếp nhận",
        on_delete=models.PROTECT,
        related_name="received_dossiers",
        db_index=False,
    )
    competent_unit = models.ForeignKey(
        Unit,
        verbose_name="cơ quan có thẩm quyền giải quyết",
        on_delete=models.PROTECT,
        related_name="competent_dossiers",
    )
    current_unit = models.ForeignKey(
        Unit, verbose_name="đơn vị đang xử lý", on_delete=models.PROTECT, related_name="current_dossiers"
    )
    state = models.CharField("trạng thái xử lý", max_length=32, choices=DossierState.choices)
    status = models.PositiveSmallIntegerField("trạng thái (DVCQG)", choices=DvcqgStatus.choices)
    # state in OPEN_STATES, kept by services next to ``state``: the queue indexes are partial on it so
    # they stay small while closed dossiers pile up (1M+ rows).
    is_open = models.BooleanField("đang mở", default=True)
    # Why the dossier was refused / stopped / withdrawn / rejected (shown on forms 03 and the stop notice).
    state_reason = models.TextField("lý do", blank=True)
    # Liên thông: the unit the dossier returns to when the other unit sends it back.
    transfer_origin_unit = models.ForeignKey(
        Unit,
        verbose_name="đơn vị chuyển liên thông",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    current_step = models.ForeignKey(
        "DossierStep",
        verbose_name="bước hiện tại",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    current_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="cán bộ đang xử lý",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision = models.CharField("quyết định", max_length=16, choices=Decision.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người quyết định",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    # Signature seam: the reference of the signed result (the signing app fills it later).
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người ký",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    signed_at = models.DateTimeField("ký lúc", null=True, blank=True)
    signature_reference = models.CharField("mã chữ ký số", max_length=255, blank=True)
    submitted_at = models.DateTimeField("nộp lúc")
    received_at = models.DateTimeField("tiếp nhận lúc", null=True, blank=True)
    # Counting of the statutory time starts here (re-set when a supplement restarts the clock).
    clock_started_at = models.DateTimeField("bắt đầu tính thời gian lúc", null=True, blank=True)
    due_at = models.DateTimeField("hẹn trả kết quả", null=True, blank=True, help_text="Hẹn trả kết quả")
    original_due_at = models.DateTimeField("hẹn trả ban đầu", null=True, blank=True)
    # Procedure without a processing time: the officer set ``due_at`` at receipt, for this reason.
    appointment_reason = models.TextField("lý do hẹn trả", blank=True)
    paused_at = models.DateTimeField("tạm dừng lúc", null=True, blank=True)
    extended = models.BooleanField("đã gia hạn", default=False)
    extension_reason = models.TextField("lý do gia hạn", blank=True)
    extended_at = models.DateTimeField("gia hạn lúc", null=True, blank=True)
    finished_at = models.DateTimeField("xử lý xong lúc", null=True, blank=True)
    returned_at = models.DateTimeField("trả kết quả lúc", null=True, blank=True)
    outcome = models.CharField("kết quả đúng hạn", max_length=16, choices=Outcome.choices, blank=True)
    # The fee due, fixed at submission from the schedule then in force (catalog.fees.fee_due): a later
    # edit of the schedule does not change it. ``fees_total`` is the known amount; ``fee_status`` says
    # whether that is all (due / free) or some amount is not published; ``fee_explanation`` says which
    # lines applied and why. Blank status: a dossier received before the fee rules.
    fees_total = models.BigIntegerField("tổng phí, lệ phí (đồng)", default=0)
    fees_paid = models.BooleanField("đã nộp phí", default=False)
    # Database defaults as well: the simulation writes dossiers with raw INSERTs.
    fee_status = models.CharField(
        "tình trạng phí", max_length=16, choices=FeeStatus.choices, blank=True, default="", db_default=""
    )
    fee_explanation = models.TextField("căn cứ tính phí", blank=True, default="", db_default="")
    fee_case = models.CharField("trường hợp tính phí", max_length=300, blank=True, default="", db_default="")
    # Unique (Meta.constraints); NULL, not "", for dossiers received without a key, so they never collide.
    idempotency_key = models.CharField("khóa chống trùng", max_length=100, null=True, blank=True)  # noqa: DJ001
    # Audit chain head: number of events and hash of the last one (detects a deleted tail event).
    event_count = models.PositiveIntegerField("số sự kiện", default=0)
    last_event_hash = models.CharField("mã băm sự kiện cuối", max_length=64, blank=True)
    # Bumped by every transition; officials act on the version they saw (conflict detection).
    row_version = models.PositiveIntegerField("phiên bản bản ghi", default=0)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        ordering = ["due_at"]
        verbose_name = "hồ sơ"
        verbose_name_plural = "hồ sơ"
        indexes = [
            # The officials' queues (selectors.dossier_queue): open dossiers of a unit / of an assignee by
            # due time. Partial on is_open so closed dossiers — the bulk of a 1M-row table — are not in
            # them; the queue query repeats ``is_open = true`` so the planner can use them. ``id`` ends
            # each one because the queue orders by (due_at NULLS LAST, id): most open dossiers have no
            # due time, and without the tie-breaker in the index a deep page or a status filter had to
            # sort the whole NULL group of the unit.
            models.Index(
                fields=["current_unit", "due_at", "id"],
                condition=models.Q(is_open=True),
                name="dossier_open_unit_due_id",
            ),
            models.Index(
                fields=["current_unit", "status", "due_at", "id"],
                condition=models.Q(is_open=True),
                name="dossier_open_unit_st_due_id",
            ),
            models.Index(
                fields=["current_assignee", "due_at", "id"],
                condition=models.Q(is_open=True),
                name="dossier_open_assignee_due_id",
            ),
            models.Index(fields=["procedure", "due_at"], name="dossier_procedure_due"),
            # Ledger (form 06) and reports: dossiers received by a unit in a period.
            models.Index(fields=["receiving_unit", "received_at"], name="dossier_receiving_received"),
            # A citizen's own dossiers, newest first.
            models.Index(fields=["applicant_user", "submitted_at"], name="dossier_applicant_submitted"),
            # Officials' search by personal ID / tax code (exact). Code prefixes use the unique index of
            # ``code`` (its LIKE-pattern twin on PostgreSQL); names the trigram index of migration 0006.
            models.Index(fields=["applicant_id_number"], name="dossier_applicant_id_number"),
        ]
        # A constraint rather than unique=True: on PostgreSQL that also builds a LIKE-pattern index
        # nobody queries, written by every receipt.
        constraints = [
            models.UniqueConstraint(fields=["idempotency_key"], name="dossier_unique_idempotency_key")
        ]
        # Who may submit online (rules.submit_error): a service account (API client) only with this
        # permission, granted in the admin or by ``motcua create-token --can-submit``.
        permissions = [("submit_dossier", "Được nộp hồ sơ trực tuyến qua API (tài khoản dịch vụ)")]

    def __str__(self) -> str:
        return self.code

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Every writer (services, factories, the simulator) gets the folded name without thinking of it.
        update_fields = kwargs.get("update_fields")
        fields = self.search_refresh(update_fields)
        if update_fields is not None:
            kwargs["update_fields"] = fields
        super().save(*args, **kwargs)

    def search_refresh(self, update_fields: Iterable[str] | None) -> list[str]:
        """Refresh the folded name; the fields to write (``update_fields`` plus it when the name is
        among them). For ``save()`` and for writers that send the UPDATE themselves
        (``services.recording.event_record``)."""
        self.applicant_search = fold(self.applicant_name)[:255]
        fields = list(update_fields or ())
        if "applicant_name" in fields and "applicant_search" not in fields:
            fields.append("applicant_search")
        return fields

    @property
    def fee_summary(self) -> str:
        """ "Phải nộp: 20.000 đồng", "Miễn phí", "Chưa công bố mức thu"… (catalog.fees.fee_summary)."""
        return fee_summary(self.fee_status, self.fees_total)


class DossierComponent(models.Model):
    """Component — thành phần hồ sơ as submitted: paper presented and/or digitised file."""

    # Indexed by component_unique_order (dossier, order).
    dossier = models.ForeignKey(
        Dossier, verbose_name="hồ sơ", on_delete=models.CASCADE, related_name="components", db_index=False
    )
    order = models.PositiveSmallIntegerField("thứ tự")
    catalog_document = models.ForeignKey(
        ProcedureDocument,
        verbose_name="thành phần trong danh mục",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    name = models.TextField("tên giấy tờ")
    required = models.BooleanField("bắt buộc", default=True)
    copies = models.CharField("số lượng", max_length=200, blank=True)
    paper_presented = models.BooleanField("đã xuất trình bản giấy", default=False)
    # Named from the content's SHA-256 (core.storage), checked against it on every download.
    file = models.FileField(
        "tệp", upload_to=ContentAddressed("dossiers", "file_sha256"), blank=True, max_length=255
    )
    file_sha256 = models.CharField("mã băm tệp (SHA-256)", max_length=64, blank=True)
    uploaded_at = models.DateTimeField("tải lên lúc", null=True, blank=True)
    is_supplement = models.BooleanField("bổ sung", default=False)

    class Meta:
        verbose_name = "thành phần hồ sơ"
        verbose_name_plural = "thành phần hồ sơ"
        ordering = ["dossier", "order"]
        constraints = [models.UniqueConstraint(fields=["dossier", "order"], name="component_unique_order")]

    def __str__(self) -> str:
        return self.name


class SignatureStatus(models.TextChoices):
    """What the check of a result file's digital signatures found (trạng thái chữ ký số)."""

    UNCHECKED = "unchecked", gettext_noop("Chưa kiểm tra")
    VERIFIED = "verified", gettext_noop("Đã ký số, hợp lệ")
    UNSIGNED = "unsigned", gettext_noop("Không có chữ ký số")
    INVALID = "invalid", gettext_noop("Chữ ký số không hợp lệ")


class DossierResultDocument(models.Model):
    """Result document — văn bản kết quả giải quyết: the signed file the applicant receives.

    Stored as sent at the signing step (a PDF is never re-written: that would break its signature;
    a JPEG/PNG scan is converted to a PDF). The applicant downloads it once the result is ready.
    """

    dossier = models.ForeignKey(
        Dossier, verbose_name="hồ sơ", on_delete=models.CASCADE, related_name="result_documents"
    )
    name = models.CharField("tên tệp", max_length=255)
    file = models.FileField("tệp", upload_to=ContentAddressed("results", "sha256"), max_length=255)
    sha256 = models.CharField("mã băm tệp (SHA-256)", max_length=64)
    size = models.PositiveBigIntegerField("dung lượng (byte)")
    content_type = models.CharField("kiểu nội dung", max_length=100, default="application/pdf")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người tải lên",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    uploaded_at = models.DateTimeField("tải lên lúc")
    # Set by the signing extension after checking the file's PAdES signatures (motcua/signing): only a
    # ``verified`` result counts as an electronic result and may be returned online (domain §8).
    signature_status = models.CharField(
        "trạng thái chữ ký số",
        max_length=16,
        choices=SignatureStatus.choices,
        default=SignatureStatus.UNCHECKED,
    )
    signature_checked_at = models.DateTimeField("kiểm tra chữ ký lúc", null=True, blank=True)

    class Meta:
        verbose_name = "văn bản kết quả giải quyết"
        verbose_name_plural = "văn bản kết quả giải quyết"
        ordering = ["dossier", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name


class DossierResultDraft(models.Model):
    """Draft result — dự thảo kết quả: the file the specialist uploads at the appraisal step for the
    approver and the leader to read before signing (one current draft per dossier; replaced until the
    result is signed). Stored as ``_result_pdf`` gives it: a PDF as sent, an image as a PDF."""

    dossier = models.OneToOneField(
        Dossier, verbose_name="hồ sơ", on_delete=models.CASCADE, related_name="result_draft"
    )
    name = models.CharField("tên tệp", max_length=255)
    file = models.FileField("tệp", upload_to=ContentAddressed("result-drafts", "sha256"), max_length=255)
    sha256 = models.CharField("mã băm tệp (SHA-256)", max_length=64)
    size = models.PositiveBigIntegerField("dung lượng (byte)")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người tải lên",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    uploaded_at = models.DateTimeField("tải lên lúc")

    class Meta:
        verbose_name = "dự thảo kết quả"
        verbose_name_plural = "dự thảo kết quả"

    def __str__(self) -> str:
        return self.name


class DossierFee(models.Model):
    """Fee due on a dossier — phí, lệ phí."""

    dossier = models.ForeignKey(Dossier, verbose_name="hồ sơ", on_delete=models.CASCADE, related_name="fees")
    name = models.TextField("tên phí, lệ phí")
    amount_vnd = models.BigIntegerField("số tiền (đồng)")
    paid_at = models.DateTimeField("đã nộp lúc", null=True, blank=True)
    explanation = models.TextField(
        "căn cứ tính", blank=True, default="", db_default="", help_text="Dòng biểu phí đã áp dụng và lý do"
    )

    class Meta:
        verbose_name = "phí, lệ phí của hồ sơ"
        verbose_name_plural = "phí, lệ phí của hồ sơ"

    def __str__(self) -> str:
        return f"{self.name}: {self.amount_vnd}"


class StepStatus(models.TextChoices):
    ACTIVE = "active", gettext_noop("Đang thực hiện")
    DONE = "done", gettext_noop("Đã hoàn thành")
    SENT_BACK = "sent_back", gettext_noop("Trả lại bước trước")
    CANCELLED = "cancelled", gettext_noop("Hủy")


class DossierStep(models.Model):
    """One pass of a dossier through one process step (a hand-over row of form 05).

    A step sent back and redone gets a new row, so history is never rewritten.
    """

    dossier = models.ForeignKey(Dossier, verbose_name="hồ sơ", on_delete=models.CASCADE, related_name="steps")
    seq = models.PositiveSmallIntegerField("số thứ tự")
    process_step = models.ForeignKey(
        ProcessStep, verbose_name="bước trong quy trình", null=True, blank=True, on_delete=models.PROTECT
    )
    name = models.CharField("tên bước", max_length=200)
    unit = models.ForeignKey(Unit, verbose_name="đơn vị", on_delete=models.PROTECT, related_name="+")
    role = models.CharField("vai trò", max_length=32, choices=Role.choices)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="cán bộ xử lý",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người chuyển",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_at = models.DateTimeField("bắt đầu lúc")
    due_at = models.DateTimeField("hạn xử lý", null=True, blank=True)
    finished_at = models.DateTimeField("hoàn thành lúc", null=True, blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người hoàn thành",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        "trạng thái", max_length=16, choices=StepStatus.choices, default=StepStatus.ACTIVE
    )
    outcome = models.CharField("kết quả đúng hạn", max_length=16, choices=Outcome.choices, blank=True)
    note = models.TextField("ghi chú", blank=True)

    class Meta:
        verbose_name = "bước xử lý hồ sơ"
        verbose_name_plural = "bước xử lý hồ sơ"
        ordering = ["dossier", "seq"]
        constraints = [models.UniqueConstraint(fields=["dossier", "seq"], name="dossier_step_unique_seq")]

    def __str__(self) -> str:
        return f"{self.seq}. {self.name}"


class PauseReason(models.TextChoices):
    SUPPLEMENT = "supplement", gettext_noop("Yêu cầu bổ sung hồ sơ")
    FINANCIAL = "financial", gettext_noop("Thực hiện nghĩa vụ tài chính")


class DossierPause(models.Model):
    """Clock stop — thời gian tạm dừng (supplement request, financial obligation)."""

    dossier = models.ForeignKey(
        Dossier, verbose_name="hồ sơ", on_delete=models.CASCADE, related_name="pauses"
    )
    reason = models.CharField("lý do tạm dừng", max_length=16, choices=PauseReason.choices)
    started_at = models.DateTimeField("bắt đầu lúc")
    ended_at = models.DateTimeField("kết thúc lúc", null=True, blank=True)
    note = models.TextField("ghi chú", blank=True)
    # What the applicant must supply or pay: [{"name": …, "note": …}] / [{"name": …, "amount_vnd": …}].
    items = models.JSONField("nội dung yêu cầu", default=list, blank=True)
    # State to go back to when the pause ends.
    resume_state = models.CharField("trạng thái khi tiếp tục", max_length=32, choices=DossierState.choices)
    # Working time left on the dossier and on its current step when the clock stopped (null: no due).
    remaining_us = models.BigIntegerField("thời gian còn lại của hồ sơ (µs)", null=True, blank=True)
    step_remaining_us = models.BigIntegerField("thời gian còn lại của bước (µs)", null=True, blank=True)

    class Meta:
        verbose_name = "tạm dừng tính thời gian"
        verbose_name_plural = "tạm dừng tính thời gian"
        ordering = ["dossier", "started_at"]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} từ {timezone.localtime(self.started_at):%d/%m/%Y}"


class DossierEvent(models.Model):
    """Audit event — nhật ký xử lý: append-only, hash-chained per dossier.

    ``hash = sha256(prev_hash + canonical JSON of the event)``; ``motcua verify-audit`` recomputes the
    chain and compares its head with ``Dossier.event_count`` / ``last_event_hash``.
    """

    # Indexed by dossier_event_unique_seq (dossier, seq).
    dossier = models.ForeignKey(
        Dossier, verbose_name="hồ sơ", on_delete=models.PROTECT, related_name="events", db_index=False
    )
    seq = models.PositiveIntegerField("số thứ tự")
    at = models.DateTimeField("thời điểm")
    action = models.CharField("thao tác", max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người thực hiện",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    actor_name = models.CharField("tên người thực hiện", max_length=200, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name="đơn vị", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_state = models.CharField("từ trạng thái", max_length=32, blank=True)
    to_state = models.CharField("sang trạng thái", max_length=32, blank=True)
    reason = models.TextField("lý do", blank=True)
    data = models.JSONField("dữ liệu", default=dict, blank=True)
    prev_hash = models.CharField("mã băm sự kiện trước", max_length=64, blank=True)
    hash = models.CharField("mã băm", max_length=64)

    class Meta:
        verbose_name = "sự kiện hồ sơ"
        verbose_name_plural = "sự kiện hồ sơ"
        ordering = ["dossier", "seq"]
        constraints = [models.UniqueConstraint(fields=["dossier", "seq"], name="dossier_event_unique_seq")]

    def __str__(self) -> str:
        return f"{self.seq}. {self.action}"


class IntakeNoticeKind(models.TextChoices):
    """What the officer gave the applicant instead of receiving the dossier."""

    SUPPLEMENT = "supplement", gettext_noop("Hướng dẫn bổ sung, hoàn thiện hồ sơ (mẫu 02)")
    REFUSAL = "refusal", gettext_noop("Từ chối tiếp nhận hồ sơ (mẫu 03)")


class IntakeNotice(models.Model):
    """Slip issued at the counter instead of a receipt — phiếu hướng dẫn bổ sung / từ chối tiếp nhận.

    A dossier that is incomplete (or not admissible) is not received: no dossier, no code, no clock.
    The officer records what is missing (form 02) or why it is refused (form 03); this row is that
    record — who issued what to whom and when — and the form is printed from it. Append-only.
    """

    kind = models.CharField("loại phiếu", max_length=16, choices=IntakeNoticeKind.choices)
    procedure = models.ForeignKey(
        Procedure, verbose_name="thủ tục", on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(Unit, verbose_name="đơn vị", on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="cán bộ lập phiếu", on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField("tên cán bộ", max_length=200, blank=True)
    issued_at = models.DateTimeField("lập lúc")
    applicant_name = models.CharField("tên người nộp", max_length=255)
    applicant_id_number = models.CharField("số định danh, mã số thuế", max_length=20, blank=True)
    applicant_phone = models.CharField("điện thoại", max_length=20, blank=True)
    applicant_email = models.CharField("thư điện tử", max_length=254, blank=True)
    applicant_address = models.CharField("địa chỉ", max_length=500, blank=True)
    # Form 02: [{"name": document or point to supplement, "note": what is wrong}].
    items = models.JSONField("nội dung hướng dẫn", default=list, blank=True)
    # Form 03: the reasons; form 02: the officer's note (optional).
    reason = models.TextField("lý do", blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["unit", "issued_at"], name="intake_notice_unit_issued")]
        verbose_name = "phiếu hướng dẫn, từ chối tại quầy"
        verbose_name_plural = "phiếu hướng dẫn, từ chối tại quầy"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.applicant_name}"


class AuditSeal(models.Model):
    """Sealed checkpoint of the audit log — niêm phong nhật ký (``dossiers.sealing``).

    A Merkle tree over one leaf per dossier whose chain grew since the previous seal —
    ``(dossier id, event count, head hash)``, sorted by dossier id — and an HMAC-SHA256 of its root
    under a key kept outside the database (``MOTCUA_AUDIT_SEAL_KEY``). Each seal's MAC covers the
    previous one's, so the seals form a chain too. Published on the portal (page, JSON, CSV): a history
    rewritten after a seal no longer hashes to the published root. Append-only (database triggers).
    """

    seq = models.PositiveIntegerField("số thứ tự", unique=True)
    sealed_at = models.DateTimeField("niêm phong lúc")
    dossier_count = models.PositiveIntegerField("số hồ sơ niêm phong")
    event_count = models.PositiveBigIntegerField("số sự kiện được bảo chứng")
    root = models.CharField("gốc cây Merkle", max_length=64)
    prev_mac = models.CharField("mã niêm phong trước", max_length=64, blank=True)
    mac = models.CharField("mã niêm phong (HMAC-SHA256)", max_length=64)
    # First 16 hex digits of SHA-256(key): which key sealed it (a rotated key is named, never stored).
    key_id = models.CharField("mã nhận diện khóa", max_length=16)

    class Meta:
        verbose_name = "niêm phong nhật ký"
        verbose_name_plural = "niêm phong nhật ký"
        ordering = ["-seq"]

    def __str__(self) -> str:
        return f"{self.seq}: {self.root[:16]}"


class AuditSealLeaf(models.Model):
    """One dossier's chain head in a seal: leaf ``position`` of its Merkle tree."""

    seal = models.ForeignKey(AuditSeal, on_delete=models.PROTECT, related_name="leaves", db_index=False)
    position = models.PositiveIntegerField("vị trí lá")
    # No database constraint: a seal outlives nothing, but must not stop a dossier's deletion either
    # (none is deleted today; the seal would then report the leaf as not matching).
    dossier = models.ForeignKey(
        Dossier, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", db_index=False
    )
    event_count = models.PositiveIntegerField("số sự kiện")
    head_hash = models.CharField("mã băm sự kiện cuối", max_length=64)

    class Meta:
        verbose_name = "lá niêm phong"
        verbose_name_plural = "lá niêm phong"
        constraints = [
            models.UniqueConstraint(fields=["seal", "position"], name="audit_seal_leaf_unique_position")
        ]
        # The tracking page's "latest seal of this dossier" and the sealer's "what was sealed".
        indexes = [models.Index(fields=["dossier", "seal"], name="audit_seal_leaf_dossier")]

    def __str__(self) -> str:
        return f"{self.seal_id}/{self.position}"


class AuditSealNode(models.Model):
    """A node of a seal's Merkle tree (level 0: the leaves' hashes): an inclusion proof reads log n."""

    seal = models.ForeignKey(AuditSeal, on_delete=models.PROTECT, related_name="+", db_index=False)
    level = models.PositiveSmallIntegerField("tầng")
    position = models.PositiveIntegerField("vị trí")
    hash = models.CharField("mã băm", max_length=64)

    class Meta:
        verbose_name = "nút cây niêm phong"
        verbose_name_plural = "nút cây niêm phong"
        constraints = [
            models.UniqueConstraint(
                fields=["seal", "level", "position"], name="audit_seal_node_unique_position"
            )
        ]

    def __str__(self) -> str:
        return f"{self.seal_id}/{self.level}/{self.position}"
