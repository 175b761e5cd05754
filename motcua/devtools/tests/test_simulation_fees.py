"""Simulated (demo) dossiers owe what the receipt would charge: alternatives chosen, never added."""

from __future__ import annotations

import pytest

from motcua.catalog.fees import fee_terms_derive
from motcua.catalog.models import ProcedureFee
from motcua.devtools.tests.test_simulation import _run
from motcua.dossiers.models import Channel, Dossier, DossierFee
from motcua.dossiers.tests.factories import World
from motcua.dossiers.tests.test_services_receipt_fees import THUONG_TRU

pytestmark = pytest.mark.django_db


def test_demo_dossiers_owe_one_rate_per_channel(world: World) -> None:
    for procedure in (world.procedure, world.province_procedure):
        ProcedureFee.objects.filter(procedure=procedure).delete()
        for order, line in enumerate(fee_terms_derive(THUONG_TRU), start=1):
            ProcedureFee.objects.create(procedure=procedure, order=order, **line)
    _run(200, seed=5)
    dossiers = list(Dossier.objects.all())
    assert dossiers
    online = {Channel.ONLINE, Channel.DVCQG}
    for d in dossiers:
        assert d.fee_status
        rows = list(DossierFee.objects.filter(dossier=d, name__startswith="Lệ phí đăng ký thường trú"))
        assert [f.amount_vnd for f in rows] == [10_000 if d.channel in online else 20_000], d.code
        assert rows[0].explanation
    assert {d.channel for d in dossiers} & online
