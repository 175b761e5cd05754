"""The daily gateway check (reconciliation job) against the sandbox bank: a lost IPN is found.

An pays at the bank, but the bank's notification never reaches us (the IPN URL points at a closed
port). The next morning's job asks the bank (VNPay querydr), which says the order was paid: the
payment is flagged for finance — not marked paid, since only a signed IPN does that — and the
reconciliation page lists it.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from motcua.dossiers.models import Dossier, DossierState
from motcua.dossiers.tests.factories import World, dossier_at
from motcua.payments import selectors, services
from motcua.payments.models import PaymentState
from motcua.payments.tests.test_sandbox_flow import _bank_press

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world_tx(transactional_db: None) -> World:
    from motcua.dossiers.tests.factories import world_build

    return world_build()


def test_a_lost_ipn_is_found_by_the_daily_query(world_tx: World, payment_gateways_on: Any) -> None:
    payment_gateways_on.set_ipn_url("vnpay", "http://127.0.0.1:9/thanh-toan/ipn/vnpay")  # nobody listens
    d = dossier_at(world_tx, "payment")
    checkout = services.payment_start(
        actor=world_tx.an,
        dossier=d,
        gateway_code="vnpay",
        return_url="http://127.0.0.1:8000/thanh-toan/ket-qua/vnpay",
    )
    _bank_press(checkout.url, "pay")
    payment = checkout.payment
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING

    assert services.payments_gateway_check(day=timezone.localdate()) == 1
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING
    assert "querydr" in payment.needs_review
    assert payment.events.filter(kind="query", data__success=True).exists()
    assert Dossier.objects.get(pk=d.pk).state == DossierState.AWAITING_PAYMENT
    rows = selectors.reconciliation_rows(unit_ids=[payment.unit_id], day=timezone.localdate())
    assert any("querydr" in problem for row in rows for problem in row.problems)
    # A second run flags nothing new.
    assert services.payments_gateway_check(day=timezone.localdate()) == 0
