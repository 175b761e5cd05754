"""The applicant's personal data store — kho quản lý dữ liệu điện tử (docs/domain.md "Kho dữ liệu").

Every document an applicant uploaded with a dossier, uploaded to the store directly, or was issued as
the result of a dossier is one ``StoredDocument`` of its owner. A document collected from a dossier
points at the dossier component's own file (the same stored bytes, not a copy); one the applicant
uploaded to the store has its own file. ``DocumentReuse`` records each time a stored document was used
in a new dossier instead of an upload (a Decision 766 indicator: tái sử dụng dữ liệu).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_noop

from motcua.core.storage import ContentAddressed


class DocumentOrigin(models.TextChoices):
    """Where a stored document came from — nguồn giấy tờ."""

    UPLOADED = "uploaded", gettext_noop("Tự tải lên")
    DOSSIER = "dossier", gettext_noop("Đã nộp kèm hồ sơ")
    RESULT = "result", gettext_noop("Kết quả giải quyết")


class StoredDocument(models.Model):
    """One document of the applicant's store — giấy tờ trong kho dữ liệu."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="chủ sở hữu", on_delete=models.CASCADE, related_name="+"
    )
    origin = models.CharField("nguồn", max_length=16, choices=DocumentOrigin.choices)
    # The document type, as the catalogue names the component (tên thành phần hồ sơ): what matches it to
    # a required component of a new submission.
    name = models.CharField("loại giấy tờ", max_length=500)
    issuer = models.CharField("cơ quan cấp", max_length=300, blank=True)
    issued_on = models.DateField("ngày cấp", null=True, blank=True)
    valid_until = models.DateField("có giá trị đến", null=True, blank=True)
    file = models.FileField(
        "tệp", upload_to=ContentAddressed("datastore", "file_sha256"), blank=True, max_length=255
    )
    file_sha256 = models.CharField("mã băm tệp (SHA-256)", max_length=64, blank=True)
    # Set for documents collected from a dossier (its components or its result); never by the applicant.
    source_dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name="hồ sơ nguồn",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source_component = models.OneToOneField(
        "dossiers.DossierComponent",
        verbose_name="thành phần hồ sơ nguồn",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("lưu lúc", auto_now_add=True)

    class Meta:
        verbose_name = "giấy tờ trong kho dữ liệu"
        verbose_name_plural = "kho dữ liệu điện tử"
        ordering = ["owner", "-created_at", "-pk"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="datastore_owner_recent")]
        constraints = [
            # One result entry per dossier: the subscriber may be retried.
            models.UniqueConstraint(
                fields=["source_dossier"], condition=models.Q(origin="result"), name="datastore_one_result"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def deletable(self) -> bool:
        """Issued results stay: the applicant may delete only what they brought."""
        return self.origin != DocumentOrigin.RESULT


class DocumentReuse(models.Model):
    """A stored document used in a dossier instead of a new upload — tái sử dụng dữ liệu (766)."""

    dossier = models.ForeignKey(
        "dossiers.Dossier", verbose_name="hồ sơ", on_delete=models.CASCADE, related_name="+"
    )
    document = models.ForeignKey(
        StoredDocument, verbose_name="giấy tờ", null=True, on_delete=models.SET_NULL, related_name="reuses"
    )
    component_name = models.CharField("thành phần hồ sơ", max_length=500)
    created_at = models.DateTimeField("lúc", auto_now_add=True)

    class Meta:
        verbose_name = "lượt tái sử dụng dữ liệu"
        verbose_name_plural = "lượt tái sử dụng dữ liệu"
        constraints = [
            models.UniqueConstraint(fields=["dossier", "component_name"], name="datastore_reuse_once"),
        ]

    def __str__(self) -> str:
        return self.component_name


class CountKind(models.TextChoices):
    """What ``DailyDossierCount`` counts."""

    REUSE = "reuse", gettext_noop("Hồ sơ tái sử dụng dữ liệu")
    RESULT = "result", gettext_noop("Kết quả lưu vào kho")


class DailyDossierCount(models.Model):
    """Dossiers of ``unit`` (competent) that first reused a stored document (``reuse``), or whose
    result went into the applicant's store (``result``), on ``day`` (local date) — what indicators
    4.4 and 4.5 of Decision 766 read instead of the store's rows. Written in the transaction that
    writes those rows; ``services.dossier_counts_rebuild`` recomputes them from the rows."""

    day = models.DateField("ngày")
    unit = models.ForeignKey("org.Unit", verbose_name="đơn vị", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("loại", max_length=8, choices=CountKind.choices)
    count = models.IntegerField("số hồ sơ", default=0)

    class Meta:
        verbose_name = "số hồ sơ theo ngày (kho dữ liệu)"
        verbose_name_plural = "số hồ sơ theo ngày (kho dữ liệu)"
        constraints = [
            models.UniqueConstraint(fields=["day", "unit", "kind"], name="datastore_daily_count_key"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.unit_id} {self.day}: {self.count}"
