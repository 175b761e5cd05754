"""The whole payment against the sandbox bank over the network, with the live server taking the IPN.

Nguyễn Văn An's dossier asks for 1 050 000 đ (status 6). He pays on the sandbox bank's page; the bank
calls our IPN on the live server, the dossier leaves status 6, the receipt is issued; his browser's
return page shows it. Then the dossier is withdrawn and Hùng (leader) refunds through the bank's
merchant API. No mock: the stand-in process is the bank.
"""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from django.test import Client
from django.urls import reverse

from motcua.dossiers import services as dossier_services
from motcua.dossiers.models import Dossier, DossierState
from motcua.dossiers.tests.factories import World, dossier_at, world_build
from motcua.payments import services
from motcua.payments.models import Payment, PaymentState, Receipt

pytestmark = pytest.mark.django_db(transaction=True)
WAIT_SECONDS = 60  # an upper bound for the bank's background IPN; no duration is asserted


@pytest.fixture
def world_tx(transactional_db: None) -> World:
    return world_build()


def _bank_press(checkout_url: str, button: str) -> str:
    """The citizen's browser on the bank's page: press a button; where the bank sends the browser back."""
    page = requests.get(checkout_url, timeout=10)
    assert page.status_code == 200, page.text
    assert "1.050.000" in page.text
    action = re.search(r'<form method="post" action="([^"]+)"', page.text)
    token = re.search(r'name="token" value="([^"]+)"', page.text)
    assert action
    assert token
    base = urlsplit(checkout_url)
    answer = requests.post(
        f"{base.scheme}://{base.netloc}{action.group(1)}",
        data={"token": token.group(1), "action": button},
        allow_redirects=False,
        timeout=60,
    )
    assert answer.status_code == 302
    return str(answer.headers["Location"])


def _wait_state(payment: Payment, state: str) -> Payment:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        payment.refresh_from_db()
        if payment.state == state:
            break
        time.sleep(0.1)
    return payment


def test_an_pays_at_the_sandbox_bank_and_the_dossier_proceeds(
    world_tx: World, payment_gateways_on: Any, live_server: Any
) -> None:
    payment_gateways_on.set_ipn_url("vnpay", f"{live_server.url}/thanh-toan/ipn/vnpay")
    d = dossier_at(world_tx, "payment")
    an = Client()
    an.force_login(world_tx.an)
    started = an.post(reverse("portal:my_dossier_pay", args=[d.code]), {"gateway": "vnpay"})
    assert started.status_code == 302
    back = urlsplit(_bank_press(started["Location"], "pay"))
    assert back.path == reverse("portal:payment_return", args=["vnpay"])
    payment = _wait_state(Payment.objects.get(dossier=d), PaymentState.PAID)
    assert payment.state == PaymentState.PAID
    page = an.get(f"{back.path}?{back.query}").content.decode()
    assert 'data-payment-state="paid"' in page
    assert "QN-26E" in page
    d = Dossier.objects.get(pk=d.pk)
    assert d.state == DossierState.PROCESSING
    assert Receipt.objects.filter(payment=payment).count() == 1

    # An withdraws; Hùng gives the money back through the bank's refund API.
    d = dossier_services.dossier_withdraw(
        actor=world_tx.an, dossier=d, row_version=d.row_version, reason="Không cần"
    )
    refunded = services.payment_refund(actor=world_tx.hung, payment=payment, reason="Công dân rút hồ sơ")
    assert refunded.state == PaymentState.REFUNDED
    assert refunded.events.filter(kind="refunded", data__response_code="00").exists()


def test_a_cancelled_payment_leaves_the_dossier_waiting(
    world_tx: World, payment_gateways_on: Any, live_server: Any
) -> None:
    payment_gateways_on.set_ipn_url("vnpay", f"{live_server.url}/thanh-toan/ipn/vnpay")
    d = dossier_at(world_tx, "payment")
    checkout = services.payment_start(
        actor=world_tx.an,
        dossier=d,
        gateway_code="vnpay",
        return_url=f"{live_server.url}/thanh-toan/ket-qua/vnpay",
    )
    _bank_press(checkout.url, "cancel")
    payment = _wait_state(checkout.payment, PaymentState.FAILED)
    assert payment.state == PaymentState.FAILED
    assert Dossier.objects.get(pk=d.pk).state == DossierState.AWAITING_PAYMENT
    assert not Receipt.objects.exists()
