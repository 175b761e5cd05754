"""Concurrency on PostgreSQL: real threads, each with its own connection, committing for real.

Two IPNs of one payment at once → one receipt; receipts of one unit issued at once → numbers 1…n
without gap or duplicate. SQLite serialises every writer at BEGIN (IMMEDIATE), so the row locks
these tests are about are only exercised on PostgreSQL.
"""

from __future__ import annotations

from functools import partial

import pytest
from django.db import connection

from motcua.dossiers.models import DossierEvent
from motcua.dossiers.tests.factories import World, dossier_at, dossier_submit, world_build
from motcua.dossiers.tests.test_services_concurrency import run_parallel
from motcua.payments import services
from motcua.payments.models import NotificationLog, Receipt
from motcua.payments.tests.helpers import vnpay_ipn

pytestmark = pytest.mark.django_db(transaction=True)
RETURN = "http://testserver/thanh-toan/ket-qua"


@pytest.fixture
def world_tx(transactional_db: None) -> World:
    if connection.vendor != "postgresql":
        pytest.skip("row locks (SELECT … FOR UPDATE) are exercised on PostgreSQL; SQLite serialises writers")
    return world_build()


def _ipn(params: dict[str, str]) -> dict[str, str]:
    return services.payment_notification_handle(gateway_code="vnpay", params=params)[1]


def test_two_ipns_at_once_give_exactly_one_receipt(world_tx: World) -> None:
    d = dossier_at(world_tx, "payment")
    p = services.payment_start(actor=world_tx.an, dossier=d, gateway_code="vnpay", return_url=RETURN).payment
    params = vnpay_ipn(p)
    results = run_parallel([lambda: _ipn(params), lambda: _ipn(params)])
    answers = sorted(value["RspCode"] for kind, value in results if kind == "ok")
    assert answers == ["00", "02"], results
    assert Receipt.objects.filter(payment=p).count() == 1
    assert DossierEvent.objects.filter(dossier=d, action="record_payment").count() == 1
    assert NotificationLog.objects.filter(payment=p).count() == 2


def test_receipts_issued_at_once_are_numbered_without_gap(world_tx: World) -> None:
    count = 5
    payments = []
    for i in range(count):
        d = dossier_submit(world_tx, key=f"c{i}")
        payments.append(
            services.payment_start(
                actor=world_tx.an, dossier=d, gateway_code="vnpay", return_url=RETURN
            ).payment
        )
    results = run_parallel([partial(_ipn, vnpay_ipn(p)) for p in payments])
    assert [value["RspCode"] for _, value in results] == ["00"] * count, results
    assert sorted(Receipt.objects.values_list("number", flat=True)) == list(range(1, count + 1))
