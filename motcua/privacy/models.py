"""The access log of personal data — nhật ký truy cập dữ liệu cá nhân (Decree 13/2023/NĐ-CP, Art. 27)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PersonalDataAccess(models.Model):
    """One read of an applicant's personal data by an official: who, in which unit, what, when.

    Written by ``services.personal_data_access_record`` from the back office's dossier page and
    downloads, and from the officials' dossier API. The data subject sees the entries about them in
    the portal («Ai đã xem dữ liệu của tôi»). The subject is the applicant's account when the dossier
    has one, and always a keyed hash of the identity number written on the dossier: a counter dossier
    not linked to an account still shows up for the citizen who signs in with that number, and the
    table itself holds no identity number.
    """

    official = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="cán bộ",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Copied at the time: the name shown to the citizen stays the one of that day.
    official_name = models.CharField("tên cán bộ", max_length=200)
    unit = models.ForeignKey(
        "org.Unit", verbose_name="đơn vị", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unit_name = models.CharField("tên đơn vị", max_length=255, blank=True)
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name="hồ sơ",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    dossier_code = models.CharField("mã hồ sơ", max_length=64, blank=True)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="chủ thể dữ liệu",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    subject_hash = models.CharField("mã băm số định danh của chủ thể", max_length=64, blank=True)
    what = models.CharField("dữ liệu đã xem", max_length=300)
    channel = models.CharField("kênh", max_length=16, default="web")
    request_id = models.CharField("mã yêu cầu", max_length=64, blank=True)
    at = models.DateTimeField("lúc", db_index=True)

    class Meta:
        verbose_name = "lượt truy cập dữ liệu cá nhân"
        verbose_name_plural = "nhật ký truy cập dữ liệu cá nhân"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["subject", "-at"], name="privacy_access_subject"),
            models.Index(fields=["subject_hash", "-at"], name="privacy_access_subject_hash"),
        ]

    def __str__(self) -> str:
        return f"{self.official_name}: {self.what} ({self.dossier_code})"
