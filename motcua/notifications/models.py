"""What the notifications app records — thông báo đã gửi, hộp thư thông báo của người nộp.

``ChannelDelivery``: one row per (dossier event, channel) for the channels whose provider cannot be
asked twice safely (SMS, Zalo). It is written *before* the provider is called (``sending``) and marked
``sent`` after, so a retried job knows whether an earlier attempt got as far as the provider.

``InboxNotification``: the applicant's notification inbox in the portal (``/thong-bao``), one entry per
applicant-visible event of a dossier linked to their account.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class DeliveryStatus(models.TextChoices):
    SENDING = "sending", "Đang gửi"
    SENT = "sent", "Đã gửi"
    # The provider answered with an error or could not be reached: nothing was sent, a retry may send.
    FAILED = "failed", "Lỗi, sẽ gửi lại"
    # The provider refused the recipient for good (no Zalo account, invalid number): not retried.
    REJECTED = "rejected", "Nhà cung cấp từ chối"
    # The worker died after calling a provider that cannot de-duplicate: not sent again (at most once).
    UNCERTAIN = "uncertain", "Không rõ (tiến trình dừng giữa chừng)"


class ChannelDelivery(models.Model):
    """The send of one event's message on one channel — lượt gửi thông báo."""

    key = models.CharField(
        "khoá", max_length=200, help_text="Khoá chống trùng của công việc gửi (sự kiện + kênh)."
    )
    channel = models.CharField("kênh", max_length=10)
    dossier_code = models.CharField("mã hồ sơ", max_length=40)
    recipient = models.CharField("người nhận", max_length=40)
    status = models.CharField("trạng thái", max_length=10, choices=DeliveryStatus.choices)
    provider_id = models.CharField("mã của nhà cung cấp", max_length=100, blank=True)
    attempts = models.PositiveIntegerField("số lần gọi", default=0)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    sent_at = models.DateTimeField("gửi lúc", null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "lượt gửi SMS/Zalo"
        verbose_name_plural = "lượt gửi SMS/Zalo"
        constraints = [models.UniqueConstraint(fields=["key"], name="channel_delivery_unique_key")]

    def __str__(self) -> str:
        return f"{self.channel} {self.dossier_code} → {self.recipient}: {self.get_status_display()}"


class InboxNotification(models.Model):
    """An entry of the applicant's notification inbox — thông báo trong tài khoản."""

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="tài khoản"
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="+", verbose_name="hồ sơ"
    )
    event_seq = models.PositiveIntegerField("sự kiện số")
    kind = models.CharField("loại sự kiện", max_length=30)
    title = models.CharField("tiêu đề", max_length=255)
    text = models.TextField("nội dung")
    link = models.CharField("liên kết", max_length=500)
    created_at = models.DateTimeField("lúc", auto_now_add=True)
    read_at = models.DateTimeField("đã đọc lúc", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "thông báo"
        verbose_name_plural = "thông báo"
        indexes = [models.Index(fields=["account", "-created_at"], name="inbox_account_created")]
        # One entry per event: a retried job adds nothing.
        constraints = [
            models.UniqueConstraint(fields=["account", "dossier", "event_seq"], name="inbox_unique_event")
        ]

    def __str__(self) -> str:
        return self.title
