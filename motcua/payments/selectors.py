"""Reads of the payments extension: a dossier's payments and receipts, reconciliation, 766 figures."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import UUID

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from motcua.catalog.models import Procedure, ProcedureFee
from motcua.dossiers.models import Dossier, DossierFee
from motcua.payments.gateways.base import NotificationOutcome, gateway_codes
from motcua.payments.models import NotificationLog, Payment, PaymentMethod, PaymentState, Receipt


def dossier_payments(dossier: Dossier) -> QuerySet[Payment]:
    return Payment.objects.filter(dossier=dossier).select_related("receipt").order_by("-created_at", "-pk")


def dossier_receipts(dossier: Dossier) -> QuerySet[Receipt]:
    return Receipt.objects.filter(payment__dossier=dossier).select_related("unit").order_by("issued_at", "pk")


def dossier_amount_payable(dossier: Dossier) -> int:
    """What is still to pay on the dossier (0: nothing, e.g. a zero-fee or paid dossier)."""
    return sum(
        DossierFee.objects.filter(dossier=dossier, paid_at__isnull=True, amount_vnd__gt=0).values_list(
            "amount_vnd", flat=True
        )
    )


def payment_for_applicant(*, reference: str, user_id: int | None) -> Payment | None:
    if user_id is None:
        return None
    return (
        Payment.objects.select_related("dossier")
        .filter(reference=reference, dossier__applicant_user_id=user_id)
        .first()
    )


def receipt_by_verification(code: str) -> Receipt | None:
    try:
        uuid = UUID(code)
    except (ValueError, TypeError):
        return None
    return Receipt.objects.select_related("payment__dossier", "unit").filter(verification_code=uuid).first()


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


# --------------------------------------------------------------------------------------------------
# Reconciliation — đối soát
# --------------------------------------------------------------------------------------------------


class MismatchKind:
    PAID_NO_RECEIPT = "Đã thanh toán nhưng chưa có biên lai"
    RECEIPT_NO_GATEWAY = "Có biên lai nhưng không có xác nhận của cổng thanh toán"
    AMOUNT = "Chênh lệch số tiền"
    LATE = "Thanh toán thành công sau khi giao dịch hết hạn"
    DOSSIER_NOT_SETTLED = "Đã thu tiền nhưng hồ sơ chưa ghi nhận đã nộp"
    REVIEW = "Cần xem xét"


@dataclass(frozen=True)
class ReconciliationRow:
    """One payment of the day with what the three sources say about it."""

    day: date
    unit_name: str
    reference: str
    dossier_code: str
    method: str
    gateway: str
    state: str
    amount_vnd: int
    gateway_amount_vnd: int | None
    receipt: str
    receipt_amount_vnd: int | None
    problems: tuple[str, ...]


def reconciliation_rows(*, unit_ids: Collection[int], day: date) -> list[ReconciliationRow]:
    """Payments of ``unit_ids`` created or paid on ``day`` (local): gateway vs receipts vs dossiers."""
    start, end = _day_bounds(day)
    confirmed = NotificationLog.objects.filter(
        payment=OuterRef("pk"), outcome=NotificationOutcome.CONFIRMED, success=True
    )
    payments = (
        Payment.objects.filter(unit_id__in=list(unit_ids))
        .filter(Q(created_at__gte=start, created_at__lt=end) | Q(paid_at__gte=start, paid_at__lt=end))
        .select_related("dossier", "unit")
        .prefetch_related("fees")
        .annotate(gateway_confirmed=Exists(confirmed))
        .order_by("unit__name", "created_at", "pk")
    )
    receipts = {r.payment_id: r for r in Receipt.objects.filter(payment__in=payments)}
    gateway_amounts = dict(
        NotificationLog.objects.filter(payment__in=payments, success=True)
        .order_by("received_at")
        .values_list("payment_id", "amount_vnd")
    )
    rows = []
    for p in payments:
        receipt = receipts.get(p.pk)
        problems: list[str] = []
        paid = p.state in (PaymentState.PAID, PaymentState.REFUNDED)
        online = p.method == PaymentMethod.ONLINE
        if p.state == PaymentState.PAID and receipt is None:
            problems.append(MismatchKind.PAID_NO_RECEIPT)
        if receipt is not None and online and not getattr(p, "gateway_confirmed", False):
            problems.append(MismatchKind.RECEIPT_NO_GATEWAY)
        gateway_amount = gateway_amounts.get(p.pk)
        fees_sum = sum(int(f.amount_vnd) for f in p.fees.all())
        if (
            (receipt is not None and receipt.amount_vnd != p.amount_vnd)
            or (gateway_amount is not None and gateway_amount != p.amount_vnd)
            or fees_sum != p.amount_vnd
        ):
            problems.append(MismatchKind.AMOUNT)
        if p.state == PaymentState.PAID_LATE:
            problems.append(MismatchKind.LATE)
        if paid and p.state == PaymentState.PAID and any(f.paid_at is None for f in p.fees.all()):
            problems.append(MismatchKind.DOSSIER_NOT_SETTLED)
        if p.needs_review and p.state != PaymentState.PAID_LATE:
            problems.append(f"{MismatchKind.REVIEW}: {p.needs_review}")
        rows.append(
            ReconciliationRow(
                day=day,
                unit_name=p.unit.name,
                reference=p.reference,
                dossier_code=p.dossier.code,
                method=str(PaymentMethod(p.method).label),
                gateway=p.gateway,
                state=str(PaymentState(p.state).label),
                amount_vnd=p.amount_vnd,
                gateway_amount_vnd=gateway_amount,
                receipt=str(receipt) if receipt else "",
                receipt_amount_vnd=receipt.amount_vnd if receipt else None,
                problems=tuple(problems),
            )
        )
    return rows


# --------------------------------------------------------------------------------------------------
# Decision 766 figures — chỉ số thanh toán trực tuyến (docs/domain.md, fees payment)
# --------------------------------------------------------------------------------------------------


def procedures_offering_online_payment() -> QuerySet[Procedure]:
    """Procedures whose fees can be paid online: of this province, with a published positive fee line,
    while at least one gateway is configured (every dossier with a fee then offers «Thanh toán»)."""
    if not gateway_codes():
        return Procedure.objects.none()
    paid_lines = ProcedureFee.objects.filter(procedure=OuterRef("pk"), amount_vnd__gt=0)
    return Procedure.objects.filter(applies_here=True).filter(Exists(paid_lines))


def _dossiers(unit_ids: Collection[int] | None, start: datetime, end: datetime) -> QuerySet[Dossier]:
    qs = Dossier.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
    if unit_ids is not None:
        qs = qs.filter(receiving_unit_id__in=list(unit_ids))
    return qs


def _paid_online() -> QuerySet[Payment]:
    return Payment.objects.filter(
        dossier=OuterRef("pk"),
        method=PaymentMethod.ONLINE,
        state__in=(PaymentState.PAID, PaymentState.REFUNDED),
    )


def procedures_with_online_payments(
    *, unit_ids: Collection[int] | None, start: datetime, end: datetime
) -> QuerySet[Procedure]:
    """Procedures with at least one dossier of the period paid online."""
    dossiers = _dossiers(unit_ids, start, end).filter(Exists(_paid_online()))
    return Procedure.objects.filter(pk__in=dossiers.values("procedure_id"))


@dataclass(frozen=True)
class OnlinePaymentRate:
    dossiers_with_fees: int
    paid_online: int

    @property
    def rate(self) -> float | None:
        return None if not self.dossiers_with_fees else self.paid_online / self.dossiers_with_fees


def online_payment_rate(
    *, unit_ids: Collection[int] | None, start: datetime, end: datetime
) -> OnlinePaymentRate:
    """Dossiers with fees paid online ÷ dossiers with fees (submitted in [start, end), per receiving unit)."""
    with_fees = _dossiers(unit_ids, start, end).filter(fees_total__gt=0)
    return OnlinePaymentRate(
        dossiers_with_fees=with_fees.count(), paid_online=with_fees.filter(Exists(_paid_online())).count()
    )
