"""Procedure catalogue — danh mục thủ tục hành chính (TTHC), docs/domain.md §2.

``Procedure`` holds the current content of a procedure, flat enough to filter and search on one
table. Every content change bumps ``Procedure.version`` and appends a ``ProcedureVersion`` snapshot,
so history is kept. The internal electronic process (quy trình nội bộ) is versioned separately in
``ProcessDefinition``: a dossier keeps the process version it started with, so a definition that a
dossier points at is never edited, only superseded.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_noop

from motcua.org.models import Role, UnitKind
from motcua.worktime.models import TimeUnit


# Labels marked for the English catalogue, translated where shown: see dossiers.models.Channel.
class Level(models.TextChoices):
    """Competent level — cấp thực hiện."""

    PROVINCE = "province", gettext_noop("Cấp tỉnh")
    COMMUNE = "commune", gettext_noop("Cấp xã")
    BOTH = "both", gettext_noop("Cấp tỉnh và cấp xã")
    CENTRAL = "central", gettext_noop("Ngành dọc / trung ương")


class ServiceLevel(models.TextChoices):
    """Online service level — mức độ dịch vụ công trực tuyến."""

    FULL_ONLINE = "full_online", gettext_noop("Toàn trình")
    PARTIAL_ONLINE = "partial_online", gettext_noop("Một phần")
    OFFLINE = "offline", gettext_noop("Trực tiếp")


class FeeChannel(models.TextChoices):
    """Submission channel a fee line applies to — hình thức nộp (docs/domain.md "Phí, lệ phí")."""

    ANY = "any", gettext_noop("Mọi hình thức nộp")
    COUNTER = "counter", gettext_noop("Nộp trực tiếp")
    ONLINE = "online", gettext_noop("Nộp trực tuyến")


class FeeBasis(models.TextChoices):
    """What one amount of a fee line pays for — đơn vị tính."""

    FIXED = "fixed", gettext_noop("Mỗi hồ sơ")
    PER_PAGE = "per_page", gettext_noop("Mỗi trang")
    PER_COPY = "per_copy", gettext_noop("Mỗi bản")
    PER_CASE = "per_case", gettext_noop("Mỗi trường hợp")
    PER_TRANSACTION = "per_transaction", gettext_noop("Mỗi giao dịch")


class ResultTemplate(models.TextChoices):
    """Mẫu văn bản kết quả: the typst template that renders a procedure's result, or none (upload only).

    Blank on a procedure means "guessed from the catalogue's result text" (``catalog.selectors
    .procedure_result_template``); an administrator may set it in the admin.
    """

    DECISION = "decision", gettext_noop("Quyết định")
    CERTIFICATE = "certificate", gettext_noop("Giấy chứng nhận, giấy phép, trích lục")
    CONFIRMATION = "confirmation", gettext_noop("Văn bản xác nhận, thông báo kết quả")
    UPLOAD = "upload", gettext_noop("Chỉ tải lên tệp kết quả (không dùng mẫu)")


class Field(models.Model):
    """Field — lĩnh vực."""

    code = models.SlugField("mã lĩnh vực", max_length=120, unique=True)
    name = models.CharField("tên lĩnh vực", max_length=200, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "lĩnh vực"
        verbose_name_plural = "lĩnh vực"

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    """Procedure — thủ tục hành chính (TTHC), identified by its national code, e.g. 1.004194."""

    code = models.CharField("mã thủ tục", max_length=20, unique=True)
    name = models.TextField("tên thủ tục")
    field = models.ForeignKey(
        Field,
        verbose_name="lĩnh vực",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="procedures",
    )
    level = models.CharField("cấp thực hiện", max_length=16, choices=Level.choices, blank=True, db_index=True)
    audience_citizen = models.BooleanField("đối tượng: công dân", default=False)
    audience_business = models.BooleanField("đối tượng: tổ chức, doanh nghiệp", default=False)
    is_vertical = models.BooleanField(
        "ngành dọc", default=False, help_text="Thuộc ngành dọc trung ương quản lý"
    )
    popularity = models.BigIntegerField("mức độ phổ biến", default=0, db_index=True)
    competent_authority = models.TextField("cơ quan có thẩm quyền", blank=True)
    implementing_agency = models.TextField("cơ quan thực hiện", blank=True)
    service_level = models.CharField(
        "mức độ dịch vụ công trực tuyến",
        max_length=16,
        choices=ServiceLevel.choices,
        blank=True,
        db_index=True,
    )
    processing_time_amount = models.DecimalField(
        "thời hạn giải quyết (số lượng)", max_digits=8, decimal_places=2, null=True, blank=True
    )
    processing_time_unit = models.CharField(
        "thời hạn giải quyết (đơn vị)", max_length=16, choices=TimeUnit.choices, blank=True
    )
    processing_time_text = models.TextField("thời hạn giải quyết (nguyên văn)", blank=True)
    # Other published limits: [{kind: "max" | "extra", amount, unit, text}] — the limit when verification
    # is needed, the extension for mountain and island communes (Nghị định 151/2025)…
    processing_time_extra = models.JSONField("thời hạn khác", default=list, blank=True)
    steps = models.JSONField("trình tự thực hiện", default=list, blank=True)
    result = models.TextField("kết quả thực hiện", blank=True)
    legal_basis = models.JSONField("căn cứ pháp lý", default=list, blank=True)
    # Local configuration, not catalogue content: outside the versioned content (catalog.services
    # .versioning.CONTENT_COLUMNS), so choosing a template neither re-versions the procedure nor is
    # undone by a re-import.
    result_template = models.CharField(
        "mẫu văn bản kết quả",
        max_length=16,
        choices=ResultTemplate.choices,
        blank=True,
        default="",
        db_default="",
        help_text="Để trống: chọn theo kết quả thực hiện (Giấy chứng nhận/Giấy phép/Trích lục → giấy "
        "chứng nhận; Quyết định → quyết định; còn lại → văn bản xác nhận, thông báo).",
    )
    notes = models.JSONField("ghi chú", default=list, blank=True)
    sources = models.JSONField("nguồn dữ liệu", default=list, blank=True)
    has_details = models.BooleanField("có nội dung chi tiết", default=False, db_index=True)
    # Accent-folded "name + field" for search (see catalog.search); maintained by services.
    search_text = models.TextField("chuỗi tìm kiếm", blank=True, editable=False)
    version = models.PositiveIntegerField("phiên bản", default=1)
    content_hash = models.CharField("mã băm nội dung", max_length=64, editable=False)
    # Hash of the catalogue data as last imported. Differs from content_hash after an edit in the admin,
    # so a re-import of unchanged data (every `make run`) keeps that edit instead of reverting it.
    imported_hash = models.CharField("mã băm dữ liệu nhập", max_length=64, blank=True, editable=False)
    is_active = models.BooleanField("đang áp dụng", default=True)
    # False for a procedure of another province (a local procedure named "… trên địa bàn tỉnh Thanh Hóa"):
    # derived at import (catalog.provinces), editable in the admin; hidden from the public pages and the
    # API list, refused at intake.
    applies_here = models.BooleanField(
        "áp dụng tại Quảng Ninh",
        default=True,
        db_default=True,
        db_index=True,
        help_text="Bỏ chọn nếu thủ tục chỉ áp dụng ở tỉnh, thành phố khác (ẩn khỏi trang công khai, "
        "không tiếp nhận hồ sơ).",
    )
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        ordering = ["-popularity", "code"]
        verbose_name = "thủ tục hành chính"
        verbose_name_plural = "thủ tục hành chính"

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    @property
    def has_processing_time(self) -> bool:
        """Whether the catalogue publishes a processing time (thời hạn giải quyết) that gives a due time.

        Without one the procedure is incomplete (``selectors.procedures_incomplete``): a dossier of it
        would have no appointment, so online submission is closed and counter intake asks the officer
        for the appointment (docs/domain.md §2).
        """
        if self.processing_time_unit == TimeUnit.SAME_DAY:
            return True
        amount = self.processing_time_amount
        return bool(self.processing_time_unit) and amount is not None and amount > 0


class ProcedureDocument(models.Model):
    """Required document — thành phần hồ sơ."""

    procedure = models.ForeignKey(
        Procedure, verbose_name="thủ tục", on_delete=models.CASCADE, related_name="documents"
    )
    order = models.PositiveSmallIntegerField("thứ tự")
    name = models.TextField("tên giấy tờ")
    copies = models.CharField("số lượng", max_length=200, blank=True)
    form_template = models.CharField(
        "mẫu đơn, tờ khai", max_length=300, blank=True, help_text="Mẫu đơn, tờ khai"
    )
    required = models.BooleanField("bắt buộc", default=True)
    note = models.TextField("ghi chú", blank=True)

    class Meta:
        ordering = ["procedure", "order"]
        constraints = [models.UniqueConstraint(fields=["procedure", "order"], name="document_unique_order")]
        verbose_name = "thành phần hồ sơ"
        verbose_name_plural = "thành phần hồ sơ"

    def __str__(self) -> str:
        return self.name


class ProcedureFee(models.Model):
    """One line of a fee schedule — phí, lệ phí — and when it applies.

    ``amount_vnd`` None means the amount is not published, 0 means free. A line applies to one submission
    channel (or any); lines sharing a ``case_group`` are alternatives (one case of the group applies,
    never their sum); a ``conditional`` line is charged only when its condition arises (a copy asked
    for…). ``catalog.fees.fee_due`` picks the lines for a dossier; ``catalog.fees.fee_terms_derive``
    fills these columns at import from the line's name and note. They (and ``Procedure.applies_here``)
    have database defaults too: rows are also written by raw INSERTs (``core.orm.rows_insert``) that
    may name only the older columns.
    """

    procedure = models.ForeignKey(
        Procedure, verbose_name="thủ tục", on_delete=models.CASCADE, related_name="fees"
    )
    order = models.PositiveSmallIntegerField("thứ tự")
    name = models.TextField("tên phí, lệ phí")
    amount_vnd = models.BigIntegerField(
        "số tiền (đồng)", null=True, blank=True, help_text="Để trống: chưa công bố mức thu; 0: miễn phí."
    )
    note = models.TextField(
        "ghi chú", blank=True, help_text="Ghi chú nguồn (nội bộ, không hiển thị công khai)"
    )
    channel = models.CharField(
        "hình thức nộp",
        max_length=16,
        choices=FeeChannel.choices,
        default=FeeChannel.ANY,
        db_default=FeeChannel.ANY.value,
    )
    basis = models.CharField(
        "đơn vị tính",
        max_length=16,
        choices=FeeBasis.choices,
        default=FeeBasis.FIXED,
        db_default=FeeBasis.FIXED.value,
    )
    case_group = models.CharField(
        "nhóm trường hợp",
        max_length=200,
        blank=True,
        default="",
        db_default="",
        help_text="Các dòng cùng nhóm là các mức thay thế nhau: chỉ một trường hợp được áp dụng.",
    )
    case_name = models.CharField("trường hợp áp dụng", max_length=300, blank=True, default="", db_default="")
    conditional = models.BooleanField(
        "chỉ thu khi phát sinh",
        default=False,
        db_default=False,
        help_text="Ví dụ: phí cấp bản sao, nếu có yêu cầu.",
    )
    exemption = models.TextField(
        "miễn, giảm",
        blank=True,
        default="",
        db_default="",
        help_text="Trường hợp được miễn, giảm (công khai)",
    )

    class Meta:
        ordering = ["procedure", "order"]
        constraints = [models.UniqueConstraint(fields=["procedure", "order"], name="fee_unique_order")]
        verbose_name = "phí, lệ phí"
        verbose_name_plural = "phí, lệ phí"

    def __str__(self) -> str:
        return self.name


class ProcedureVersion(models.Model):
    """Immutable snapshot of a procedure's content at one version (lịch sử thay đổi)."""

    procedure = models.ForeignKey(
        Procedure, verbose_name="thủ tục", on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField("số phiên bản")
    content_hash = models.CharField("mã băm nội dung", max_length=64)
    snapshot = models.JSONField("nội dung")
    source = models.CharField("nguồn", max_length=300, blank=True, help_text="Tệp nguồn khi nhập")
    # Who saved this version in the admin (audit); None for imports and system rebuilds.
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người sửa",
    )
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        ordering = ["procedure", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="procedure_version_unique_number")
        ]
        verbose_name = "phiên bản thủ tục"
        verbose_name_plural = "phiên bản thủ tục"

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.number}"


class ProcessSource(models.TextChoices):
    DATA = "data", gettext_noop("Quy trình được phê duyệt (dữ liệu)")
    DERIVED = "derived", gettext_noop("Quy trình 5 bước mặc định")
    MANUAL = "manual", gettext_noop("Nhập tay")


class ProcessDefinition(models.Model):
    """Internal electronic process — quy trình nội bộ, quy trình điện tử — one version of it.

    Budgets of the steps sum to the statutory time (checked by ``catalog.services``).
    """

    procedure = models.ForeignKey(
        Procedure, verbose_name="thủ tục", on_delete=models.CASCADE, related_name="processes"
    )
    version = models.PositiveIntegerField("phiên bản")
    is_current = models.BooleanField("đang áp dụng", default=True)
    source = models.CharField("nguồn quy trình", max_length=16, choices=ProcessSource.choices)
    total_amount = models.DecimalField(
        "tổng thời gian (số lượng)", max_digits=8, decimal_places=2, null=True, blank=True
    )
    total_unit = models.CharField(
        "tổng thời gian (đơn vị)", max_length=16, choices=TimeUnit.choices, blank=True
    )
    content_hash = models.CharField("mã băm nội dung", max_length=64)
    # Audit of admin edits: who made the draft and who applied it; None for imported / derived versions.
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người tạo bản nháp",
    )
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người áp dụng",
    )
    activated_at = models.DateTimeField("áp dụng lúc", null=True, blank=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        ordering = ["procedure", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "version"], name="process_unique_version"),
            models.UniqueConstraint(
                fields=["procedure"], condition=models.Q(is_current=True), name="process_one_current"
            ),
        ]
        verbose_name = "quy trình nội bộ"
        verbose_name_plural = "quy trình nội bộ"

    def __str__(self) -> str:
        return f"{self.procedure.code} quy trình v{self.version}"

    @property
    def budgets_known(self) -> bool:
        """False for a process derived from a procedure with no published time: its budgets are null."""
        return self.total_unit != ""


class ProcessStep(models.Model):
    """One step of an internal process: who acts (unit kind + role) and its time budget."""

    process = models.ForeignKey(
        ProcessDefinition, verbose_name="quy trình", on_delete=models.CASCADE, related_name="steps"
    )
    order = models.PositiveSmallIntegerField("thứ tự")
    name = models.CharField("tên bước", max_length=200)
    actor_text = models.TextField(
        "người thực hiện (nguyên văn)", blank=True, help_text="Người thực hiện theo quy trình được phê duyệt"
    )
    actor_unit_kind = models.CharField("loại đơn vị thực hiện", max_length=32, choices=UnitKind.choices)
    actor_role = models.CharField("vai trò thực hiện", max_length=32, choices=Role.choices)
    duration_amount = models.DecimalField(
        "thời gian (số lượng)", max_digits=8, decimal_places=2, null=True, blank=True
    )
    # not_counted: "không tính thời gian" (e.g. on-site verification excluded from the deadline).
    # Blank: unknown budget (the procedure publishes no processing time).
    duration_unit = models.CharField(
        "thời gian (đơn vị)",
        max_length=16,
        choices=[*TimeUnit.choices, ("not_counted", "không tính thời gian")],
        blank=True,
    )
    task = models.TextField("nội dung công việc", blank=True)

    class Meta:
        ordering = ["process", "order"]
        constraints = [models.UniqueConstraint(fields=["process", "order"], name="process_step_unique_order")]
        verbose_name = "bước xử lý"
        verbose_name_plural = "bước xử lý"

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


class SearchTermKind(models.TextChoices):
    SYNONYM = "synonym", gettext_noop("từ đồng nghĩa")
    ABBREVIATION = "abbreviation", gettext_noop("viết tắt")
    COLLOQUIAL = "colloquial", gettext_noop("cách nói thường ngày")


class SearchTerm(models.Model):
    """One entry of the search vocabulary — từ điển tìm kiếm: what people say → catalogue words.

    ``phrase`` (folded when matched, so diacritics and case do not matter) found in a message adds
    ``expands_to`` to what the engine looks for (``catalog.search``): "sổ đỏ" → "giấy chứng nhận quyền
    sử dụng đất". Administrators edit it in the admin; every write restamps reference data, so every
    process's index follows within seconds, without a deploy.
    """

    phrase = models.CharField("cụm từ người dân dùng", max_length=200, unique=True)
    expands_to = models.CharField(
        "từ trong danh mục",
        max_length=300,
        help_text="Các từ tương ứng trong tên thủ tục; nhiều cách hiểu thì ngăn cách bằng dấu chấm phẩy (;).",
    )
    kind = models.CharField(
        "loại", max_length=16, choices=SearchTermKind.choices, default=SearchTermKind.SYNONYM
    )
    note = models.TextField("ghi chú", blank=True)
    is_active = models.BooleanField("đang dùng", default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người sửa",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField("sửa lúc", auto_now=True)

    class Meta:
        ordering = ["phrase"]
        verbose_name = "từ điển tìm kiếm"
        verbose_name_plural = "từ điển tìm kiếm"

    def __str__(self) -> str:
        return f"{self.phrase} → {self.expands_to}"
