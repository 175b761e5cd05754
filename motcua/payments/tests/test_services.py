"""The payment flow through the services: start, IPN (every rejection), expiry, counter, refund."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import IntegrityError, transaction

from motcua.dossiers.models import Dossier, DossierEvent, DossierState
from motcua.dossiers.tests.factories import MONDAY_0900, World, dossier_at, dossier_submit
from motcua.jobs.models import Job
from motcua.payments import services
from motcua.payments.models import (
    NotificationLog,
    Payment,
    PaymentMethod,
    PaymentState,
    Receipt,
)
from motcua.payments.tests.helpers import vnpay_ipn

RETURN = "http://testserver/thanh-toan/ket-qua"


def _start(world: World, dossier: Dossier, gateway: str = "vnpay") -> Payment:
    return services.payment_start(
        actor=world.an, dossier=dossier, gateway_code=gateway, return_url=RETURN
    ).payment


def _ipn(params: dict[str, str]) -> dict[str, str]:
    status, body = services.payment_notification_handle(gateway_code="vnpay", params=params)
    assert status == 200
    return body


@pytest.fixture
def awaiting(world: World) -> Dossier:
    with time_machine.travel(MONDAY_0900, tick=False):
        return dossier_at(world, "payment")


def test_citizen_pays_status_6_dossier_and_it_proceeds(world: World, awaiting: Dossier) -> None:
    with time_machine.travel(MONDAY_0900 + timedelta(hours=1), tick=False):
        p = _start(world, awaiting)
        assert p.state == PaymentState.PENDING
        assert p.amount_vnd == 1_050_000  # the 50 000 đ fee at receipt + the 1 000 000 đ obligation
        assert _ipn(vnpay_ipn(p)) == {"RspCode": "00", "Message": "Confirm Success"}
    p.refresh_from_db()
    awaiting.refresh_from_db()
    assert p.state == PaymentState.PAID
    assert awaiting.state == DossierState.PROCESSING
    assert awaiting.fees_paid
    last = DossierEvent.objects.filter(dossier=awaiting).order_by("-seq").first()
    assert last is not None
    assert last.action == "record_payment"
    assert last.actor is None
    receipt = Receipt.objects.get(payment=p)
    assert (receipt.series, receipt.number_display, receipt.amount_vnd) == ("QN-26E", "0000001", 1_050_000)
    assert list(p.events.values_list("kind", flat=True)) == ["created", "redirected", "ipn_paid", "receipt"]


def test_fees_paid_right_after_online_submission_keep_the_state(world: World) -> None:
    with time_machine.travel(MONDAY_0900, tick=False):
        d = dossier_submit(world)
        p = _start(world, d)
        assert _ipn(vnpay_ipn(p))["RspCode"] == "00"
    d.refresh_from_db()
    assert d.state == DossierState.SUBMITTED
    assert d.fees_paid
    assert DossierEvent.objects.filter(dossier=d, action="fees_paid").count() == 1
    # The applicant is told through the engine's event (the notification subscribers' jobs).
    event = DossierEvent.objects.get(dossier=d, action="fees_paid")
    assert Job.objects.filter(idempotency_key=f"notifications.applicant_email:{d.pk}:{event.seq}").exists()


def test_duplicated_ipn_gives_one_receipt_and_answers_02(world: World, awaiting: Dossier) -> None:
    p = _start(world, awaiting)
    params = vnpay_ipn(p)
    assert _ipn(params)["RspCode"] == "00"
    assert _ipn(params) == {"RspCode": "02", "Message": "Order already confirmed"}
    assert Receipt.objects.filter(payment=p).count() == 1
    assert list(NotificationLog.objects.order_by("pk").values_list("outcome", flat=True)) == [
        "confirmed",
        "already_confirmed",
    ]


@pytest.mark.parametrize(
    ("tamper", "answer"),
    [
        ({"secret": "WRONG"}, "97"),
        ({"amount_vnd": 1_000}, "04"),
        ({"reference": "MC000000UNKNOWN"}, "01"),
    ],
)
def test_rejected_ipn_changes_nothing(world: World, awaiting, tamper: dict[str, Any], answer: str) -> None:
    p = _start(world, awaiting)
    version = awaiting.row_version
    assert _ipn(vnpay_ipn(p, **tamper))["RspCode"] == answer
    p.refresh_from_db()
    awaiting.refresh_from_db()
    assert p.state == PaymentState.PENDING
    assert awaiting.state == DossierState.AWAITING_PAYMENT
    assert awaiting.row_version == version
    assert not Receipt.objects.exists()
    assert NotificationLog.objects.count() == 1


def test_failed_payment_then_a_new_one(world: World, awaiting: Dossier) -> None:
    p = _start(world, awaiting)
    assert _ipn(vnpay_ipn(p, code="24"))["RspCode"] == "00"
    p.refresh_from_db()
    assert p.state == PaymentState.FAILED
    again = _start(world, awaiting)
    assert again.pk != p.pk
    assert again.state == PaymentState.PENDING


def test_same_gateway_reuses_the_open_order_and_double_payment_is_refused(
    world: World, awaiting: Dossier
) -> None:
    p = _start(world, awaiting)
    assert _start(world, awaiting).pk == p.pk
    _ipn(vnpay_ipn(p))
    with pytest.raises(services.PaymentRefused, match="không có khoản phí"):
        _start(world, awaiting)


def test_constraint_refuses_a_second_active_payment_of_the_same_fees(world: World, awaiting: Dossier) -> None:
    p = _start(world, awaiting)
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(
            reference="MCDUPLICATE",
            dossier=awaiting,
            unit=p.unit,
            fee_key=p.fee_key,
            amount_vnd=p.amount_vnd,
            method=PaymentMethod.ONLINE,
            gateway="vnpay",
            created_at=p.created_at,
            state=PaymentState.PENDING,
        )


def test_expiry_job_then_late_success_is_flagged_not_applied(world: World, awaiting: Dossier) -> None:
    with time_machine.travel(MONDAY_0900 + timedelta(hours=1), tick=False):
        p = _start(world, awaiting)
    with time_machine.travel(MONDAY_0900 + timedelta(hours=1, minutes=14), tick=False):
        assert services.payments_expire() == 0
    with time_machine.travel(MONDAY_0900 + timedelta(hours=1, minutes=16), tick=False):
        assert services.payments_expire() == 1
        assert _ipn(vnpay_ipn(p))["RspCode"] == "02"
    p.refresh_from_db()
    awaiting.refresh_from_db()
    assert p.state == PaymentState.PAID_LATE
    assert p.needs_review
    assert awaiting.state == DossierState.AWAITING_PAYMENT
    assert not Receipt.objects.exists()


def test_counter_payment_by_card_gives_the_same_receipt(world: World, awaiting: Dossier) -> None:
    with pytest.raises(services.PaymentRefused, match="đúng số phải nộp"):
        services.payment_counter_record(
            actor=world.lan, dossier=awaiting, method="card", transaction_reference="POS-1", amount_vnd=1
        )
    with pytest.raises(services.PaymentRefused, match="tiền mặt"):
        services.payment_counter_record(
            actor=world.lan, dossier=awaiting, method="cash", transaction_reference="X", amount_vnd=1_050_000
        )
    receipt = services.payment_counter_record(
        actor=world.lan,
        dossier=awaiting,
        method="card",
        transaction_reference="POS-778899",
        amount_vnd=1_050_000,
    )
    awaiting.refresh_from_db()
    assert awaiting.state == DossierState.PROCESSING
    assert receipt.payment.method == PaymentMethod.CARD
    assert receipt.number == 1


def test_counter_payment_by_an_outsider_is_refused(world: World, awaiting: Dossier) -> None:
    with pytest.raises(services.PaymentRefused):
        services.payment_counter_record(
            actor=world.binh,
            dossier=awaiting,
            method="bank_qr",
            transaction_reference="FT1",
            amount_vnd=1_050_000,
        )
    assert not Payment.objects.exists()


def test_only_the_applicant_starts_an_online_payment(world: World, awaiting: Dossier) -> None:
    with pytest.raises(services.PaymentRefused):
        services.payment_start(actor=world.lan, dossier=awaiting, gateway_code="vnpay", return_url=RETURN)
    with pytest.raises(services.PaymentRefused, match="Cổng thanh toán"):
        services.payment_start(actor=world.an, dossier=awaiting, gateway_code="momo", return_url=RETURN)


def test_receipt_numbers_follow_each_other_per_unit_and_year(world: World) -> None:
    numbers = []
    for i in range(3):
        d = dossier_submit(world, key=f"k{i}")
        p = _start(world, d)
        _ipn(vnpay_ipn(p))
        numbers.append(Receipt.objects.get(payment=p).number)
    assert numbers == [1, 2, 3]


def test_refund_of_a_late_payment_needs_a_leader(world: World, awaiting: Dossier) -> None:
    with time_machine.travel(MONDAY_0900, tick=False):
        p = _start(world, awaiting)
    with time_machine.travel(MONDAY_0900 + timedelta(minutes=30), tick=False):
        services.payments_expire()
        _ipn(vnpay_ipn(p))
    p.refresh_from_db()
    with pytest.raises(services.PaymentRefused, match="lãnh đạo"):
        services.payment_refund(actor=world.lan, payment=p, reason="Thu trùng")
    assert p.state == PaymentState.PAID_LATE


def test_exemption_claimed_online_and_confirmed_settles_the_fees(world: World) -> None:
    from motcua.payments.models import ExemptionClaim, ExemptionState, FeeExemption

    d = dossier_submit(world)
    category = FeeExemption.objects.create(
        category="Trẻ em dưới 6 tuổi", legal_basis="Điều 4 Thông tư số 85/2019/TT-BTC"
    )
    claim = services.exemption_claim(actor=world.an, dossier=d, exemption=category, evidence="Giấy khai sinh")
    assert claim.state == ExemptionState.CLAIMED
    with pytest.raises(services.PaymentRefused, match="chờ cán bộ xác nhận"):
        _start(world, d)
    with pytest.raises(services.PaymentRefused):
        services.exemption_decide(actor=world.binh, claim=claim, confirm=True)
    services.exemption_decide(actor=world.lan, claim=claim, confirm=True)
    d.refresh_from_db()
    assert d.fees_paid
    assert ExemptionClaim.objects.get().state == ExemptionState.CONFIRMED
    assert not Payment.objects.exists()


def test_766_figures(world: World) -> None:
    from motcua.payments import selectors

    with time_machine.travel(MONDAY_0900, tick=False):
        paid = dossier_submit(world, key="a")
        dossier_submit(world, key="b")
        _ipn(vnpay_ipn(_start(world, paid)))
    start, end = MONDAY_0900 - timedelta(days=1), MONDAY_0900 + timedelta(days=1)
    rate = selectors.online_payment_rate(unit_ids=[world.centre_a.pk], start=start, end=end)
    assert (rate.dossiers_with_fees, rate.paid_online, rate.rate) == (2, 1, 0.5)
    with_payments = selectors.procedures_with_online_payments(
        unit_ids=[world.centre_a.pk], start=start, end=end
    )
    assert list(with_payments) == [world.procedure]
    assert world.procedure in selectors.procedures_offering_online_payment()
