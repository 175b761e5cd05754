"""Writes of the payments extension — thanh toán phí, lệ phí: orders, gateway notifications (IPN),
e-receipts, counter payments, expiry, refunds, exemptions.

The dossier changes only through the engine's ``dossier_fees_settle`` (status 6: ``record_payment``;
otherwise a ``fees_paid`` event), inside the payment's transaction.

Lock order (keep it): the ``Payment`` row → the ``Dossier`` row (the engine's lock, taken by
``dossier_fees_settle`` or by ``payment_start``) → the unit's ``ReceiptCounter`` row. A transaction
that creates a payment locks the dossier first and only inserts the payment, which no one else can
hold yet. The counter is taken last and held only to the commit, like the dossier code counter.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from motcua.accounts.models import Account
from motcua.core.text import fold, nfc
from motcua.dossiers import rules
from motcua.dossiers.errors import DossierError
from motcua.dossiers.models import Dossier, DossierFee, DossierState
from motcua.dossiers.services import dossier_fees_settle
from motcua.org.models import Role
from motcua.payments.gateways.base import (
    FeeLine,
    GatewayError,
    GatewayTransaction,
    NotificationOutcome,
    PaymentOrder,
    SignatureInvalid,
    gateway_codes,
    gateway_get,
)
from motcua.payments.models import (
    ACTIVE_STATES,
    COUNTER_METHODS,
    TRANSITIONS,
    ExemptionClaim,
    ExemptionState,
    FeeExemption,
    NotificationLog,
    Payment,
    PaymentEvent,
    PaymentMethod,
    PaymentState,
    Receipt,
    ReceiptCounter,
)

logger = logging.getLogger(__name__)

# Who may refund a payment (no finance role exists yet: the unit's leaders and centre supervisors).
REFUND_ROLES = (Role.LEADER, Role.SUPERVISOR)


class PaymentRefused(Exception):
    """A payment request refused with a Vietnamese message — nothing was written."""


# --------------------------------------------------------------------------------------------------
# State changes of a payment and its log
# --------------------------------------------------------------------------------------------------


def _log(
    p: Payment,
    *,
    kind: str,
    now: datetime,
    actor: Account | None = None,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    data: Mapping[str, Any] | None = None,
) -> None:
    PaymentEvent.objects.create(
        payment=p,
        at=now,
        kind=kind,
        from_state=from_state,
        to_state=to_state,
        actor=actor,
        note=note,
        data=dict(data or {}),
    )


def payment_transition(
    p: Payment,
    *,
    to_state: str,
    now: datetime,
    kind: str,
    actor: Account | None = None,
    note: str = "",
    data: Mapping[str, Any] | None = None,
) -> None:
    """Move ``p`` to ``to_state`` if the transition table allows it, and log it (caller holds the row)."""
    if to_state not in TRANSITIONS[p.state]:
        raise ValueError(f"payment {p.reference}: {p.state} → {to_state} is not a transition")
    from_state = p.state
    p.state = to_state
    p.save(update_fields=["state", "paid_at", "transaction_no", "bank_code", "needs_review"])
    _log(p, kind=kind, now=now, actor=actor, from_state=from_state, to_state=to_state, note=note, data=data)


def _reference_new(now: datetime) -> str:
    # "MC" + local date + 10 random hex digits: unique (constraint), unguessable, within VNPay's 34.
    local = timezone.localtime(now)
    return f"MC{local:%y%m%d}{secrets.token_hex(5).upper()}"


def _fee_key(fees: Sequence[DossierFee]) -> str:
    return ",".join(str(pk) for pk in sorted(f.pk for f in fees))


def payable_fees(dossier: Dossier) -> list[DossierFee]:
    """The dossier's fee lines not yet paid, with an amount (a zero-fee dossier has none)."""
    return list(dossier.fees.filter(paid_at__isnull=True, amount_vnd__gt=0).order_by("pk"))


def payment_order(p: Payment, *, client_ip: str = "127.0.0.1") -> PaymentOrder:
    """The gateway's view of a payment (the adapters know no models)."""
    d = p.dossier
    procedure = d.procedure
    return PaymentOrder(
        reference=p.reference,
        amount_vnd=p.amount_vnd,
        description=f"Nop phi ho so {d.code}",
        created_at=p.created_at,
        expires_at=p.expires_at or p.created_at,
        dossier_code=d.code,
        procedure_code=getattr(procedure, "code", "") or "",
        fee_lines=tuple(
            FeeLine(code=str(f.pk), name=f.name, amount_vnd=int(f.amount_vnd)) for f in p.fees.all()
        ),
        client_ip=client_ip or "127.0.0.1",
    )


# --------------------------------------------------------------------------------------------------
# Online payment: start, notification (IPN), expiry
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkout:
    payment: Payment
    url: str


def payment_start(
    *, actor: Account, dossier: Dossier, gateway_code: str, return_url: str, client_ip: str = ""
) -> Checkout:
    """The applicant starts paying the dossier's unpaid fees online — thanh toán trực tuyến.

    One active payment per dossier and fee set: an unexpired order on the same gateway is reused; one
    on another gateway is given up (expired) — if the citizen still pays it, the money arrives as
    ``paid_late`` and reconciliation lists it for a refund.
    """
    if gateway_code not in gateway_codes():
        raise PaymentRefused("Cổng thanh toán không hợp lệ. Vui lòng chọn lại.")
    if not rules.is_applicant(actor, dossier):
        raise PaymentRefused("Chỉ người nộp hồ sơ được thanh toán phí, lệ phí trực tuyến của hồ sơ này.")
    now = timezone.now()
    with transaction.atomic():
        # The engine's lock: a settle (IPN, counter) of the same dossier waits, and we see its result.
        d = Dossier.objects.select_for_update().get(pk=dossier.pk)
        if not d.is_open:
            raise PaymentRefused("Hồ sơ đã kết thúc xử lý; không thể thanh toán.")
        fees = payable_fees(d)
        if not fees:
            raise PaymentRefused("Hồ sơ không có khoản phí, lệ phí nào chờ nộp.")
        if ExemptionClaim.objects.filter(dossier=d, state=ExemptionState.CLAIMED).exists():
            raise PaymentRefused("Đề nghị miễn phí, lệ phí của hồ sơ đang chờ cán bộ xác nhận.")
        key = _fee_key(fees)
        reusable = None
        for old in Payment.objects.filter(dossier=d, fee_key=key, state__in=ACTIVE_STATES):
            if old.state == PaymentState.PAID:
                raise PaymentRefused("Các khoản phí, lệ phí này đã được thanh toán.")
            if old.gateway == gateway_code and old.expires_at and old.expires_at > now:
                reusable = old
            else:
                payment_transition(
                    old,
                    to_state=PaymentState.EXPIRED,
                    now=now,
                    kind="replaced",
                    note="Thay bằng giao dịch mới.",
                )
        if reusable is None:
            try:
                with transaction.atomic():
                    p = Payment.objects.create(
                        reference=_reference_new(now),
                        dossier=d,
                        unit=d.receiving_unit,
                        fee_key=key,
                        amount_vnd=sum(int(f.amount_vnd) for f in fees),
                        method=PaymentMethod.ONLINE,
                        gateway=gateway_code,
                        created_at=now,
                        expires_at=now + timedelta(minutes=settings.MOTCUA_PAYMENT_EXPIRY_MINUTES),
                        payer=actor,
                    )
            except IntegrityError as exc:  # a concurrent start won the constraint (PostgreSQL)
                raise PaymentRefused(
                    "Đang có một giao dịch thanh toán khác cho hồ sơ này; vui lòng thử lại."
                ) from exc
            p.fees.set(fees)
            _log(p, kind="created", now=now, actor=actor, to_state=p.state, data={"gateway": gateway_code})
        else:
            p = reusable
    gateway = gateway_get(gateway_code)
    try:
        url = gateway.checkout_url(payment_order(p, client_ip=client_ip), return_url=return_url)
    except GatewayError as exc:
        logger.warning("payment %s: gateway %s unavailable: %s", p.reference, gateway_code, exc)
        raise PaymentRefused(
            "Cổng thanh toán tạm thời không phản hồi. Vui lòng thử lại sau ít phút."
        ) from exc
    if p.state == PaymentState.CREATED:
        with transaction.atomic():
            p = Payment.objects.select_for_update().get(pk=p.pk)
            if p.state == PaymentState.CREATED:
                payment_transition(
                    p, to_state=PaymentState.PENDING, now=timezone.now(), kind="redirected", actor=actor
                )
    return Checkout(payment=p, url=url)


def _receipt_number_next(*, unit_id: int, year: int) -> int:
    """Next receipt number of a unit and year: one upsert that keeps the counter row locked to the commit."""
    table = connection.ops.quote_name(ReceiptCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (unit_id, year, last_number) VALUES (%s, %s, 1) "
            f"ON CONFLICT (unit_id, year) DO UPDATE SET last_number = {table}.last_number + 1 "
            "RETURNING last_number",
            [unit_id, year],
        )
        (number,) = cursor.fetchone()
    return int(number)


def receipt_issue(p: Payment, *, now: datetime) -> Receipt:
    """Issue the e-receipt of a paid payment (in the caller's transaction; counter locked last)."""
    year = timezone.localtime(now).year
    number = _receipt_number_next(unit_id=p.unit_id, year=year)
    d = p.dossier
    receipt = Receipt.objects.create(
        payment=p,
        unit_id=p.unit_id,
        year=year,
        series=f"{settings.MOTCUA_RECEIPT_SERIES_PREFIX}-{year % 100:02d}E",
        number=number,
        issued_at=now,
        amount_vnd=p.amount_vnd,
        payer_name=d.applicant_name[:300],
    )
    _log(p, kind="receipt", now=now, data={"series": receipt.series, "number": receipt.number_display})
    return receipt


def _settle(p: Payment, *, actor: Account | None, now: datetime) -> None:
    """Tell the engine the fees are paid; a dossier that cannot take it any more flags the payment."""
    fee_ids = [f.pk for f in p.fees.all()]
    try:
        with transaction.atomic():
            dossier_fees_settle(
                actor=actor, dossier=p.dossier_id, fee_ids=fee_ids, reference=p.reference, method=p.method
            )
    except DossierError as exc:
        if actor is not None:
            raise
        # Money was collected: the receipt stands; finance refunds it from the reconciliation page.
        p.needs_review = f"Hồ sơ không nhận được khoản nộp: {exc}"[:300]
        p.save(update_fields=["needs_review"])
        _log(p, kind="settle_refused", now=now, note=str(exc))


def _notification_log(
    *,
    gateway: str,
    now: datetime,
    outcome: str,
    params: Mapping[str, str],
    tx: GatewayTransaction | None = None,
    payment: Payment | None = None,
) -> None:
    NotificationLog.objects.create(
        received_at=now,
        gateway=gateway,
        outcome=outcome,
        payment=payment,
        reference=(tx.reference if tx else str(params.get("vnp_TxnRef", "")))[:100],
        amount_vnd=tx.amount_vnd if tx else None,
        success=bool(tx and tx.success),
        params=dict(params),
    )


def payment_notification_handle(
    *, gateway_code: str, params: Mapping[str, str]
) -> tuple[int, dict[str, str]]:
    """The gateway's server-to-server notification (IPN) — the only thing that confirms a payment.

    Answers in the gateway's own words (``notification_answer``). Every notification is logged
    (``NotificationLog``), whatever its outcome; a rejected one changes nothing else. In one
    transaction a confirmed success marks the payment paid, issues the receipt and settles the
    dossier's fees through the engine (which enqueues the applicant's notifications).
    """
    gateway = gateway_get(gateway_code)
    now = timezone.now()
    params = {str(k): str(v) for k, v in params.items()}
    try:
        tx = gateway.verify_notification(params)
    except SignatureInvalid:
        logger.warning("IPN %s: invalid signature %s", gateway_code, params.get("vnp_TxnRef", ""))
        _notification_log(
            gateway=gateway_code, now=now, outcome=NotificationOutcome.INVALID_SIGNATURE, params=params
        )
        return gateway.notification_answer(NotificationOutcome.INVALID_SIGNATURE)
    except GatewayError:
        logger.exception("IPN %s: not understood", gateway_code)
        _notification_log(
            gateway=gateway_code, now=now, outcome=NotificationOutcome.UNKNOWN_ERROR, params=params
        )
        return gateway.notification_answer(NotificationOutcome.UNKNOWN_ERROR)
    with transaction.atomic():
        outcome, p = _notification_apply(gateway_code, tx, now=now)
        _notification_log(gateway=gateway_code, now=now, outcome=outcome, params=params, tx=tx, payment=p)
    if outcome not in (NotificationOutcome.CONFIRMED, NotificationOutcome.ALREADY_CONFIRMED):
        logger.warning("IPN %s %s: %s", gateway_code, tx.reference, outcome)
    return gateway.notification_answer(outcome)


def _notification_apply(
    gateway_code: str, tx: GatewayTransaction, *, now: datetime
) -> tuple[NotificationOutcome, Payment | None]:
    # Lock order step 1: the payment row. Two notifications for one payment queue here; the second
    # finds it paid and is answered "already confirmed" — one receipt.
    p = Payment.objects.select_for_update().filter(reference=tx.reference, gateway=gateway_code).first()
    if p is None:
        return NotificationOutcome.ORDER_NOT_FOUND, None
    if tx.amount_vnd != p.amount_vnd:
        _log(p, kind="ipn_invalid_amount", now=now, data={"amount_vnd": tx.amount_vnd})
        return NotificationOutcome.INVALID_AMOUNT, p
    details = {"response_code": tx.response_code, "transaction_no": tx.transaction_no}
    if p.state == PaymentState.EXPIRED and tx.success:
        # Money taken after we gave the order up: recorded, nothing else changes (no receipt, no
        # dossier change); reconciliation lists it for a refund or for finance to accept.
        p.paid_at = tx.paid_at or now
        p.transaction_no, p.bank_code = tx.transaction_no[:100], tx.bank_code[:40]
        p.needs_review = "Cổng báo thanh toán thành công sau khi giao dịch đã hết hạn."
        payment_transition(p, to_state=PaymentState.PAID_LATE, now=now, kind="ipn_late_success", data=details)
        return NotificationOutcome.ALREADY_CONFIRMED, p
    if p.state not in (PaymentState.CREATED, PaymentState.PENDING):
        _log(p, kind="ipn_repeated", now=now, data={**details, "success": tx.success})
        return NotificationOutcome.ALREADY_CONFIRMED, p
    if not tx.success:
        payment_transition(p, to_state=PaymentState.FAILED, now=now, kind="ipn_failed", data=details)
        return NotificationOutcome.CONFIRMED, p
    p.paid_at = tx.paid_at or now
    p.transaction_no, p.bank_code = tx.transaction_no[:100], tx.bank_code[:40]
    payment_transition(p, to_state=PaymentState.PAID, now=now, kind="ipn_paid", data=details)
    _settle(p, actor=None, now=now)
    receipt_issue(p, now=now)
    return NotificationOutcome.CONFIRMED, p


def payments_expire(*, now: datetime | None = None) -> int:
    """Expire orders whose time is up (periodic job). Returns how many."""
    now = now or timezone.now()
    count = 0
    due = Payment.objects.filter(
        state__in=(PaymentState.CREATED, PaymentState.PENDING), expires_at__lt=now
    ).values_list("pk", flat=True)
    for pk in list(due[:1000]):
        with transaction.atomic():
            p = Payment.objects.select_for_update().filter(pk=pk).first()
            # Re-checked under the lock: an IPN may have confirmed it meanwhile.
            if p is None or p.state not in (PaymentState.CREATED, PaymentState.PENDING):
                continue
            payment_transition(p, to_state=PaymentState.EXPIRED, now=now, kind="expired")
            count += 1
    return count


# --------------------------------------------------------------------------------------------------
# Counter payments and refunds
# --------------------------------------------------------------------------------------------------


def payment_counter_record(
    *, actor: Account, dossier: Dossier, method: str, transaction_reference: str, amount_vnd: int
) -> Receipt:
    """An officer records a card (POS) or bank-transfer-QR payment at the counter — thu phí tại quầy.

    Cash is not an option. The amount must be exactly what is due; the same receipt as online.
    """
    if method not in COUNTER_METHODS:
        raise PaymentRefused("Hình thức thanh toán không hợp lệ (không thu tiền mặt).")
    reference_text = nfc(transaction_reference or "").strip()
    if not reference_text or len(reference_text) > 100:
        raise PaymentRefused(
            "Vui lòng nhập mã giao dịch (tối đa 100 ký tự) trên hóa đơn POS hoặc sao kê chuyển khoản."
        )
    now = timezone.now()
    with transaction.atomic():
        d = Dossier.objects.select_for_update().get(pk=dossier.pk)
        fees = payable_fees(d)
        if not fees:
            raise PaymentRefused("Hồ sơ không có khoản phí, lệ phí nào chờ nộp.")
        due = sum(int(f.amount_vnd) for f in fees)
        if amount_vnd != due:
            raise PaymentRefused(f"Số tiền phải đúng số phải nộp: {due:,} đồng.".replace(",", "."))
        key = _fee_key(fees)
        for old in Payment.objects.select_for_update().filter(
            dossier=d, fee_key=key, state__in=ACTIVE_STATES
        ):
            # The citizen had started paying online: that order is given up (a late success is flagged).
            payment_transition(
                old,
                to_state=PaymentState.EXPIRED,
                now=now,
                kind="replaced",
                note="Thu tại quầy thay thế.",
                actor=actor,
            )
        p = Payment.objects.create(
            reference=_reference_new(now),
            dossier=d,
            unit=d.receiving_unit,
            fee_key=key,
            amount_vnd=due,
            method=method,
            created_at=now,
            paid_at=now,
            transaction_no=reference_text,
            recorded_by=actor,
            state=PaymentState.CREATED,
        )
        p.fees.set(fees)
        _log(p, kind="created", now=now, actor=actor, to_state=p.state)
        payment_transition(
            p,
            to_state=PaymentState.PAID,
            now=now,
            kind="counter_paid",
            actor=actor,
            data={"transaction_reference": reference_text},
        )
        try:
            _settle(p, actor=actor, now=now)
        except DossierError as exc:
            raise PaymentRefused(str(exc)) from exc
        return receipt_issue(p, now=now)


_ENDED_WITHOUT_SERVICE = frozenset({DossierState.REFUSED, DossierState.WITHDRAWN, DossierState.STOPPED})


def refund_allowed(*, actor: Account, payment: Payment) -> bool:
    return rules.has_role(actor, payment.unit, *REFUND_ROLES)


def payment_refund(*, actor: Account, payment: Payment, reason: str) -> Payment:
    """Refund a payment — hoàn tiền — through the gateway (online) or as recorded (counter).

    Only money the dossier does not keep: a late payment, or a paid one flagged for review or of a
    dossier that ended without the service (withdrawn, refused, stopped).
    """
    reason = nfc(reason or "").strip()
    if not reason:
        raise PaymentRefused("Vui lòng nêu lý do hoàn tiền.")
    if not refund_allowed(actor=actor, payment=payment):
        raise PaymentRefused("Chỉ lãnh đạo hoặc giám sát của đơn vị thu được hoàn tiền.")
    now = timezone.now()
    with transaction.atomic():
        p = Payment.objects.select_for_update().get(pk=payment.pk)
        refundable = p.state == PaymentState.PAID_LATE or (
            p.state == PaymentState.PAID
            and (bool(p.needs_review) or p.dossier.state in _ENDED_WITHOUT_SERVICE)
        )
        if not refundable:
            raise PaymentRefused("Giao dịch này không thuộc trường hợp được hoàn tiền.")
        data: dict[str, Any] = {"reason": reason}
        if p.method == PaymentMethod.ONLINE:
            try:
                tx = gateway_get(p.gateway).refund(
                    payment_order(p), amount_vnd=p.amount_vnd, reason=fold(reason)[:255], by=actor.username
                )
            except GatewayError as exc:
                raise PaymentRefused(f"Cổng thanh toán không thực hiện được hoàn tiền: {exc}") from exc
            if not tx.success:
                raise PaymentRefused(f"Cổng thanh toán từ chối hoàn tiền (mã {tx.response_code}).")
            data |= {"response_code": tx.response_code, "transaction_no": tx.transaction_no}
        p.needs_review = ""
        payment_transition(
            p, to_state=PaymentState.REFUNDED, now=now, kind="refunded", actor=actor, note=reason, data=data
        )
    return p


# --------------------------------------------------------------------------------------------------
# Exemptions
# --------------------------------------------------------------------------------------------------


def exemption_claim(
    *, actor: Account, dossier: Dossier, exemption: FeeExemption, evidence: str = ""
) -> ExemptionClaim:
    """The applicant claims an exemption online, or an officer applies it at intake (confirmed at once)."""
    officer = rules.has_role(actor, dossier.receiving_unit, Role.RECEPTION)
    if not (officer or rules.is_applicant(actor, dossier)):
        raise PaymentRefused("Bạn không có quyền đề nghị miễn phí, lệ phí cho hồ sơ này.")
    if not exemption.active or exemption.procedure_code not in ("", getattr(dossier.procedure, "code", "")):
        raise PaymentRefused("Đối tượng miễn phí, lệ phí này không áp dụng cho thủ tục của hồ sơ.")
    now = timezone.now()
    with transaction.atomic():
        Dossier.objects.select_for_update().get(pk=dossier.pk)
        if not payable_fees(dossier):
            raise PaymentRefused("Hồ sơ không có khoản phí, lệ phí nào chờ nộp.")
        try:
            with transaction.atomic():
                claim = ExemptionClaim.objects.create(
                    dossier=dossier,
                    exemption=exemption,
                    state=ExemptionState.CLAIMED,
                    evidence=nfc(evidence)[:2000],
                    claimed_at=now,
                    claimed_by=actor,
                )
        except IntegrityError as exc:
            raise PaymentRefused("Hồ sơ đã có đề nghị miễn phí, lệ phí.") from exc
        if officer:
            exemption_decide(actor=actor, claim=claim, confirm=True)
    return claim


def exemption_decide(*, actor: Account, claim: ExemptionClaim, confirm: bool) -> ExemptionClaim:
    """An official confirms or refuses a claimed exemption; a confirmed one settles the fees at 0 đồng."""
    dossier = claim.dossier
    if not rules.has_role(actor, dossier.receiving_unit, Role.RECEPTION) and not rules.is_step_actor(
        actor, dossier
    ):
        raise PaymentRefused("Chỉ cán bộ tiếp nhận hoặc đang xử lý hồ sơ được xác nhận miễn phí, lệ phí.")
    now = timezone.now()
    with transaction.atomic():
        claim = ExemptionClaim.objects.select_for_update().get(pk=claim.pk)
        if claim.state != ExemptionState.CLAIMED:
            raise PaymentRefused("Đề nghị này đã được xử lý.")
        claim.state = ExemptionState.CONFIRMED if confirm else ExemptionState.REFUSED
        claim.decided_at, claim.decided_by = now, actor
        claim.save(update_fields=["state", "decided_at", "decided_by"])
        if confirm:
            exemption = claim.exemption
            try:
                dossier_fees_settle(
                    actor=actor,
                    dossier=dossier.pk,
                    fee_ids=[f.pk for f in payable_fees(dossier)],
                    reference=f"Miễn: {exemption.category} ({exemption.legal_basis})"[:255],
                    method="exempt",
                )
            except DossierError as exc:
                raise PaymentRefused(str(exc)) from exc
    return claim


# --------------------------------------------------------------------------------------------------
# Daily gateway check (reconciliation)
# --------------------------------------------------------------------------------------------------


def payments_gateway_check(*, day: date) -> int:
    """Ask the gateway (querydr) about the day's online orders it never confirmed to us.

    An order the gateway reports as paid while we hold it unpaid (the IPN was lost, or came after
    expiry) is flagged ``needs_review`` with what the gateway said; the reconciliation page lists it.
    Returns how many were flagged. Nothing is marked paid from a query: only the signed IPN does that.
    """
    start = timezone.make_aware(datetime.combine(day, time.min))
    end = start + timedelta(days=1)
    flagged = 0
    now = timezone.now()
    candidates = Payment.objects.filter(
        method=PaymentMethod.ONLINE,
        created_at__gte=start,
        created_at__lt=end,
        state__in=(PaymentState.PENDING, PaymentState.EXPIRED, PaymentState.FAILED),
    ).select_related("dossier", "dossier__procedure")
    for p in candidates:
        try:
            tx = gateway_get(p.gateway).query(payment_order(p))
        except (GatewayError, KeyError) as exc:
            logger.warning("querydr %s: %s", p.reference, exc)
            continue
        with transaction.atomic():
            locked = Payment.objects.select_for_update().get(pk=p.pk)
            _log(
                locked,
                kind="query",
                now=now,
                data={"success": tx.success, "response_code": tx.response_code, "amount_vnd": tx.amount_vnd},
            )
            if tx.success and locked.state != PaymentState.PAID and not locked.needs_review:
                locked.needs_review = (
                    "Cổng báo đã thu tiền (tra cứu querydr) nhưng hệ thống chưa nhận xác nhận."
                )
                locked.save(update_fields=["needs_review"])
                flagged += 1
    return flagged
