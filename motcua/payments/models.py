"""Payments of fees — thanh toán phí, lệ phí: payments, their event log, e-receipts, exemptions.

All money is integer VND (``PositiveBigIntegerField``). A payment pays a set of a dossier's fee lines
(``DossierFee``); at most one *active* payment (created, pending, paid) exists per dossier and fee set
(a partial unique constraint on ``fee_key``), so the same fee cannot be paid twice.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_noop

from motcua.dossiers.models import Dossier, DossierFee
from motcua.org.models import Unit


class PaymentState(models.TextChoices):
    """Trạng thái thanh toán."""

    CREATED = "created", gettext_noop("Mới tạo")
    PENDING = "pending", gettext_noop("Chờ xác nhận")
    PAID = "paid", gettext_noop("Đã thanh toán")
    FAILED = "failed", gettext_noop("Không thành công")
    EXPIRED = "expired", gettext_noop("Hết hạn")
    # Money taken by the gateway after we had given the order up (expired): no receipt, nothing changes
    # on the dossier; finance refunds it or accepts it (reconciliation, docs/domain.md).
    PAID_LATE = "paid_late", gettext_noop("Thanh toán sau khi hết hạn (cần đối soát)")
    REFUNDED = "refunded", gettext_noop("Đã hoàn tiền")


# The only state changes there are (services.payment_transition checks every change against it).
TRANSITIONS: dict[str, frozenset[str]] = {
    PaymentState.CREATED: frozenset({PaymentState.PENDING, PaymentState.EXPIRED, PaymentState.PAID}),
    PaymentState.PENDING: frozenset({PaymentState.PAID, PaymentState.FAILED, PaymentState.EXPIRED}),
    PaymentState.PAID: frozenset({PaymentState.REFUNDED}),
    PaymentState.FAILED: frozenset(),
    PaymentState.EXPIRED: frozenset({PaymentState.PAID_LATE}),
    PaymentState.PAID_LATE: frozenset({PaymentState.REFUNDED}),
    PaymentState.REFUNDED: frozenset(),
}
ACTIVE_STATES = (PaymentState.CREATED, PaymentState.PENDING, PaymentState.PAID)


class PaymentMethod(models.TextChoices):
    """Hình thức thanh toán — never cash (100 % cashless)."""

    ONLINE = "online", gettext_noop("Trực tuyến qua cổng thanh toán")
    CARD = "card", gettext_noop("Thẻ ngân hàng tại quầy (POS)")
    BANK_QR = "bank_qr", gettext_noop("Chuyển khoản bằng mã QR tại quầy")


COUNTER_METHODS = (PaymentMethod.CARD, PaymentMethod.BANK_QR)


class Payment(models.Model):
    """A payment of a dossier's fee lines — giao dịch thanh toán phí, lệ phí."""

    reference = models.CharField("mã giao dịch", max_length=34, unique=True)
    dossier = models.ForeignKey(
        Dossier, verbose_name="hồ sơ", on_delete=models.PROTECT, related_name="payments"
    )
    unit = models.ForeignKey(Unit, verbose_name="đơn vị thu", on_delete=models.PROTECT, related_name="+")
    fees = models.ManyToManyField(DossierFee, verbose_name="khoản phí", related_name="payments")
    # The paid lines' ids, sorted and comma-joined: what the uniqueness of an active payment is about.
    fee_key = models.CharField("các khoản phí", max_length=500)
    amount_vnd = models.PositiveBigIntegerField("số tiền (đồng)")
    method = models.CharField("hình thức", max_length=20, choices=PaymentMethod.choices)
    gateway = models.CharField("cổng thanh toán", max_length=20, blank=True, default="")
    state = models.CharField(
        "trạng thái", max_length=20, choices=PaymentState.choices, default=PaymentState.CREATED
    )
    created_at = models.DateTimeField("tạo lúc")
    expires_at = models.DateTimeField("hết hạn lúc", null=True, blank=True)
    paid_at = models.DateTimeField("thanh toán lúc", null=True, blank=True)
    transaction_no = models.CharField(
        "mã giao dịch của cổng/ngân hàng", max_length=100, blank=True, default=""
    )
    bank_code = models.CharField("ngân hàng", max_length=40, blank=True, default="")
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người nộp",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="cán bộ ghi nhận",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Set when the money arrived but the dossier could not take it (closed meanwhile) or it came late:
    # the reconciliation page lists it until finance resolves it (refund).
    needs_review = models.CharField("cần đối soát", max_length=300, blank=True, default="")

    class Meta:
        verbose_name = "giao dịch thanh toán"
        verbose_name_plural = "giao dịch thanh toán"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "fee_key"],
                condition=Q(state__in=["created", "pending", "paid"]),
                name="payment_one_active_per_fee_set",
            ),
            models.CheckConstraint(condition=Q(amount_vnd__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(condition=~Q(method="cash"), name="payment_never_cash"),
        ]
        indexes = [
            models.Index(fields=["state", "expires_at"], name="payment_state_expiry"),
            models.Index(fields=["unit", "created_at"], name="payment_unit_created"),
        ]

    def __str__(self) -> str:
        return self.reference


class PaymentEvent(models.Model):
    """One line of a payment's own log — nhật ký giao dịch: every state change and every notification."""

    payment = models.ForeignKey(
        Payment, verbose_name="giao dịch", on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField("lúc")
    kind = models.CharField("loại", max_length=40)
    from_state = models.CharField("từ trạng thái", max_length=20, blank=True, default="")
    to_state = models.CharField("sang trạng thái", max_length=20, blank=True, default="")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người thực hiện",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField("ghi chú", blank=True, default="")
    data = models.JSONField("dữ liệu", default=dict, blank=True)

    class Meta:
        verbose_name = "nhật ký giao dịch"
        verbose_name_plural = "nhật ký giao dịch"
        ordering = ["payment", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.payment_id} {self.kind}"


class NotificationLog(models.Model):
    """Every gateway notification (IPN) received — thông báo kết quả từ cổng thanh toán — kept whatever
    its outcome (bad signature, unknown order…), for safety and reconciliation."""

    received_at = models.DateTimeField("nhận lúc")
    gateway = models.CharField("cổng thanh toán", max_length=20)
    reference = models.CharField("mã giao dịch", max_length=100, blank=True, default="")
    payment = models.ForeignKey(
        Payment, verbose_name="giao dịch", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField("kết quả xử lý", max_length=30)
    amount_vnd = models.BigIntegerField("số tiền báo (đồng)", null=True, blank=True)
    success = models.BooleanField("cổng báo thành công", default=False)
    params = models.JSONField("tham số nhận được", default=dict)

    class Meta:
        verbose_name = "thông báo từ cổng thanh toán"
        verbose_name_plural = "thông báo từ cổng thanh toán"
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.gateway} {self.reference} {self.outcome}"


class ReceiptCounter(models.Model):
    """Last receipt number of a unit in a year — bộ đếm số biên lai (locked while issuing)."""

    unit = models.ForeignKey(Unit, verbose_name="đơn vị", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField("năm")
    last_number = models.PositiveIntegerField("số cuối")

    class Meta:
        verbose_name = "bộ đếm biên lai"
        verbose_name_plural = "bộ đếm biên lai"
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="receipt_counter_unit_year")]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.year}: {self.last_number}"


class Receipt(models.Model):
    """Electronic receipt — biên lai điện tử thu phí, lệ phí: one per paid payment."""

    payment = models.OneToOneField(
        Payment, verbose_name="giao dịch", on_delete=models.PROTECT, related_name="receipt"
    )
    unit = models.ForeignKey(Unit, verbose_name="đơn vị thu", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("năm")
    series = models.CharField("ký hiệu", max_length=20)
    number = models.PositiveIntegerField("số")
    issued_at = models.DateTimeField("lập lúc")
    amount_vnd = models.PositiveBigIntegerField("số tiền (đồng)")
    payer_name = models.CharField("người nộp", max_length=300)
    # Printed on the receipt and in its QR code: whoever holds it can check it on the tracking page.
    verification_code = models.UUIDField("mã tra cứu", default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        verbose_name = "biên lai điện tử"
        verbose_name_plural = "biên lai điện tử"
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "number"], name="receipt_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.series} {self.number_display}"

    @property
    def number_display(self) -> str:
        return f"{self.number:07d}"


class FeeExemption(models.Model):
    """Exemption by applicant category — đối tượng miễn phí, lệ phí — with its legal basis.

    ``procedure_code`` blank: applies to every procedure (a general rule, e.g. children under 6).
    """

    category = models.CharField("đối tượng", max_length=200)
    legal_basis = models.TextField("căn cứ pháp lý")
    procedure_code = models.CharField(
        "mã thủ tục (để trống: mọi thủ tục)", max_length=40, blank=True, default=""
    )
    active = models.BooleanField("đang áp dụng", default=True)

    class Meta:
        verbose_name = "đối tượng miễn phí, lệ phí"
        verbose_name_plural = "đối tượng miễn phí, lệ phí"
        ordering = ["category"]

    def __str__(self) -> str:
        return self.category


class ExemptionState(models.TextChoices):
    CLAIMED = "claimed", gettext_noop("Chờ xác nhận")
    CONFIRMED = "confirmed", gettext_noop("Đã xác nhận")
    REFUSED = "refused", gettext_noop("Không được miễn")


class ExemptionClaim(models.Model):
    """An applicant's claim of an exemption, or an officer's at intake — đề nghị miễn phí, lệ phí."""

    dossier = models.ForeignKey(Dossier, verbose_name="hồ sơ", on_delete=models.CASCADE, related_name="+")
    exemption = models.ForeignKey(
        FeeExemption, verbose_name="đối tượng", on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField("trạng thái", max_length=20, choices=ExemptionState.choices)
    evidence = models.TextField("giấy tờ chứng minh", blank=True, default="")
    claimed_at = models.DateTimeField("đề nghị lúc")
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người đề nghị",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField("xác nhận lúc", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="cán bộ xác nhận",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "đề nghị miễn phí, lệ phí"
        verbose_name_plural = "đề nghị miễn phí, lệ phí"
        constraints = [
            models.UniqueConstraint(
                fields=["dossier"], condition=Q(state__in=["claimed", "confirmed"]), name="exemption_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.exemption_id}"
