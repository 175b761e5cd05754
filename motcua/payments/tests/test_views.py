"""Pages and endpoints of payments: the IPN over HTTP, the citizen's pay/return pages, receipts,
the back office's counter payment, refunds and reconciliation (with its Excel export), and who may
open what."""

from __future__ import annotations

import io
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from motcua.accounts.models import Account
from motcua.dossiers.models import Dossier, DossierState
from motcua.dossiers.tests.factories import MONDAY_0900, World, dossier_at
from motcua.payments import services
from motcua.payments.models import Payment, PaymentState, Receipt
from motcua.payments.tests.helpers import vnpay_ipn
from motcua.portal.tests.mine_support import other_citizen


def client_for(user: Account | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def awaiting(world: World) -> Dossier:
    with time_machine.travel(MONDAY_0900, tick=False):
        return dossier_at(world, "payment")


def _pay(world: World, d: Dossier) -> Payment:
    response = client_for(world.an).post(
        reverse("portal:my_dossier_pay", args=[d.code]), {"gateway": "vnpay"}
    )
    assert response.status_code == 302
    url = urlsplit(response["Location"])
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert query["vnp_Amount"] == "105000000"
    assert "vnp_SecureHash" in query
    return Payment.objects.get(reference=query["vnp_TxnRef"])


def test_citizen_pays_then_the_ipn_confirms_and_the_return_page_shows_the_receipt(
    world: World, awaiting: Dossier
) -> None:
    an = client_for(world.an)
    page = an.get(reverse("portal:my_dossier_detail", args=[awaiting.code]))
    assert "Thanh toán lệ phí" in page.content.decode()
    p = _pay(world, awaiting)
    params = vnpay_ipn(p)
    returned = an.get(reverse("portal:payment_return", args=["vnpay"]), params)
    assert 'data-payment-state="pending"' in returned.content.decode()  # the browser alone proves nothing
    answer = Client().get(reverse("payments:ipn", args=["vnpay"]), params)
    assert answer.json() == {"RspCode": "00", "Message": "Confirm Success"}
    returned = an.get(reverse("portal:payment_return", args=["vnpay"]), params)
    assert 'data-payment-state="paid"' in returned.content.decode()
    receipt = Receipt.objects.get(payment=p)
    pdf = an.get(reverse("portal:my_dossier_receipt", args=[awaiting.code, receipt.pk]))
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    check = Client().get(reverse("payments:receipt_verify", args=[receipt.verification_code]))
    body = check.content.decode()
    assert "QN-26E" in body
    assert "0000001" in body
    assert awaiting.applicant_name not in body
    awaiting.refresh_from_db()
    assert awaiting.state == DossierState.PROCESSING


def test_ipn_with_a_bad_signature_over_http_answers_97(world: World, awaiting: Dossier) -> None:
    p = _pay(world, awaiting)
    answer = Client().get(reverse("payments:ipn", args=["vnpay"]), vnpay_ipn(p, secret="NOT-OURS"))
    assert answer.json()["RspCode"] == "97"
    p.refresh_from_db()
    assert p.state == PaymentState.PENDING


def test_other_people_cannot_pay_or_download(world: World, awaiting: Dossier) -> None:
    p = _pay(world, awaiting)
    Client().get(reverse("payments:ipn", args=["vnpay"]), vnpay_ipn(p))
    receipt = Receipt.objects.get(payment=p)
    binh = other_citizen()
    for client, expected in ((client_for(binh), 404), (client_for(None), 302)):
        assert client.get(reverse("portal:my_dossier_pay", args=[awaiting.code])).status_code == expected
        assert (
            client.get(reverse("portal:my_dossier_receipt", args=[awaiting.code, receipt.pk])).status_code
            == expected
        )
    # Officials of other units do not see the back-office pages of the dossier.
    assert (
        client_for(world.binh).get(reverse("backoffice:dossier_payments", args=[awaiting.code])).status_code
        == 404
    )
    assert (
        client_for(world.lan)
        .get(reverse("backoffice:receipt_pdf", args=[awaiting.code, receipt.pk]))
        .status_code
        == 200
    )


def test_counter_payment_page_records_a_card_payment(world: World, awaiting: Dossier) -> None:
    lan = client_for(world.lan)
    page = lan.get(reverse("backoffice:dossier_payments", args=[awaiting.code]))
    assert "1.050.000" in page.content.decode()
    refused = lan.post(
        reverse("backoffice:counter_payment", args=[awaiting.code]),
        {"method": "cash", "transaction_reference": "X", "amount_vnd": "1050000"},
        follow=True,
    )
    assert "không thu tiền mặt" in refused.content.decode()
    assert not Payment.objects.exists()
    lan.post(
        reverse("backoffice:counter_payment", args=[awaiting.code]),
        {"method": "bank_qr", "transaction_reference": "FT26061123456", "amount_vnd": "1050000"},
    )
    awaiting.refresh_from_db()
    assert awaiting.state == DossierState.PROCESSING
    assert Receipt.objects.get().payment.transaction_no == "FT26061123456"


def test_reconciliation_lists_mismatches_and_exports_excel(world: World, awaiting: Dossier) -> None:
    from openpyxl import load_workbook

    with time_machine.travel(MONDAY_0900 + timedelta(hours=1), tick=False):
        p = _pay(world, awaiting)
    with time_machine.travel(MONDAY_0900 + timedelta(hours=2), tick=False):
        services.payments_expire()
        Client().get(reverse("payments:ipn", args=["vnpay"]), vnpay_ipn(p))  # late success
        hung = client_for(world.hung)
        day = timezone.localdate().isoformat()
        page = hung.get(reverse("backoffice:reconciliation"), {"ngay": day})
        assert page.status_code == 200
        body = page.content.decode()
        assert p.reference in body
        assert "sau khi giao dịch hết hạn" in body
        export = hung.get(reverse("backoffice:reconciliation"), {"ngay": day, "xuat": "xlsx"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    assert sheet["A1"].value == "Ngày"
    assert sheet["A1"].font.bold
    assert sheet["C2"].value == p.reference
    assert sheet["H2"].value == 1_050_000
    assert isinstance(sheet["H2"].value, int)
    assert "hết hạn" in sheet["L2"].value
    # Reception officials and officials of other units do not reconcile.
    assert client_for(world.lan).get(reverse("backoffice:reconciliation")).status_code == 403
    other = client_for(world.binh).get(reverse("backoffice:reconciliation"), {"ngay": day})
    assert p.reference not in other.content.decode()


def test_refund_by_the_leader_through_the_page(world: World, awaiting: Dossier) -> None:
    """A late counter... the refund of an online payment calls the gateway: covered with the sandbox bank
    (test_sandbox); here the leader refunds a counter payment of a dossier withdrawn afterwards."""
    services.payment_counter_record(
        actor=world.lan, dossier=awaiting, method="card", transaction_reference="POS-1", amount_vnd=1_050_000
    )
    awaiting.refresh_from_db()
    from motcua.dossiers import services as dossier_services

    dossier_services.dossier_withdraw(
        actor=world.an, dossier=awaiting, row_version=awaiting.row_version, reason="Không cần nữa"
    )
    p = Payment.objects.get()
    url = reverse("backoffice:payment_refund", args=[awaiting.code, p.reference])
    client_for(world.lan).post(url, {"reason": "Công dân rút hồ sơ"})
    p.refresh_from_db()
    assert p.state == PaymentState.PAID
    client_for(world.hung).post(url, {"reason": "Công dân rút hồ sơ"})
    p.refresh_from_db()
    assert p.state == PaymentState.REFUNDED
