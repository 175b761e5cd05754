"""Signing records — số văn bản, lượt ký số hàng loạt."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_noop

from motcua.dossiers.models import Dossier
from motcua.org.models import Unit


class DocumentNumberCounter(models.Model):
    """Số văn bản: the per-unit-per-year sequence of result document numbers.

    Taken inside the signing transaction by an upsert that locks the row (like the dossier-code
    counter), so concurrent signatures at one unit queue on it: numbers are unique and gap-free per
    unit and year (a rolled-back signature gives its number back).
    """

    unit = models.ForeignKey(Unit, verbose_name="đơn vị", on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField("năm")
    last_number = models.PositiveIntegerField("số cuối cùng", default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="signing_number_unique_unit_year")
        ]
        verbose_name = "sổ đăng ký số văn bản"
        verbose_name_plural = "sổ đăng ký số văn bản"

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.year}: {self.last_number}"


class BatchItemStatus(models.TextChoices):
    PENDING = "pending", gettext_noop("Đang chờ ký")
    SIGNED = "signed", gettext_noop("Đã ký số")
    FAILED = "failed", gettext_noop("Không ký được")


class SigningBatch(models.Model):
    """Lượt ký số hàng loạt: the dossiers a leader chose to sign in one action; each is a job."""

    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="người ký", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        verbose_name = "lượt ký số hàng loạt"
        verbose_name_plural = "lượt ký số hàng loạt"

    def __str__(self) -> str:
        return f"#{self.pk}"


class SigningBatchItem(models.Model):
    """One dossier of a batch: signed in its own transaction (its own job); its outcome and message."""

    batch = models.ForeignKey(
        SigningBatch, verbose_name="lượt ký", on_delete=models.CASCADE, related_name="items"
    )
    dossier = models.ForeignKey(Dossier, verbose_name="hồ sơ", on_delete=models.CASCADE, related_name="+")
    row_version = models.PositiveIntegerField("phiên bản hồ sơ")
    status = models.CharField(
        "kết quả", max_length=16, choices=BatchItemStatus.choices, default=BatchItemStatus.PENDING
    )
    message = models.TextField("thông báo", blank=True)
    document_number = models.CharField("số văn bản", max_length=64, blank=True)
    finished_at = models.DateTimeField("xong lúc", null=True, blank=True)

    class Meta:
        ordering = ["batch", "pk"]
        verbose_name = "hồ sơ trong lượt ký"
        verbose_name_plural = "hồ sơ trong lượt ký"

    def __str__(self) -> str:
        return f"{self.batch_id}/{self.dossier_id}"


class SignedResult(models.Model):
    """Kết quả điện tử: a result document signed in the system (leader + organisation seal).

    ``unsigned_sha256`` is the hash of the document before signing: its first 16 hex digits are in the
    QR code (``h``), so a printed copy leads to the original on file.
    """

    document = models.OneToOneField(
        "dossiers.DossierResultDocument",
        verbose_name="văn bản kết quả",
        on_delete=models.CASCADE,
        related_name="signed_result",
    )
    dossier = models.ForeignKey(Dossier, verbose_name="hồ sơ", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, verbose_name="đơn vị ban hành", on_delete=models.PROTECT, related_name="+")
    number = models.CharField("số văn bản", max_length=64)
    unsigned_sha256 = models.CharField("mã băm bản chưa ký (SHA-256)", max_length=64, db_index=True)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="người ký", on_delete=models.PROTECT, related_name="+"
    )
    signer_name = models.CharField("họ tên người ký", max_length=200)
    signed_at = models.DateTimeField("ký lúc", db_index=True)
    timestamped = models.BooleanField("có dấu thời gian", default=False)

    class Meta:
        verbose_name = "kết quả điện tử"
        verbose_name_plural = "kết quả điện tử"

    def __str__(self) -> str:
        return self.number
