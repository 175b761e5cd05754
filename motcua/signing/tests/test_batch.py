"""Ký số hàng loạt: the back office's batch page, one job per dossier, failures kept apart."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from django.test import Client

from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierResultDocument, DossierState, SignatureStatus
from motcua.dossiers.tests.factories import World, dossier_advance, dossier_submit
from motcua.jobs.delivery import jobs_run_due
from motcua.signing.models import BatchItemStatus, SigningBatchItem
from motcua.signing.pki import Pki
from motcua.signing.selectors import electronic_results_count

_keys = itertools.count(1)


def _at_signing(world: World) -> Dossier:
    d = dossier_submit(world, key=f"batch-{next(_keys)}")
    d = services.dossier_accept(actor=world.lan, dossier=d, row_version=d.row_version)
    return dossier_advance(world, d, to="signing")


def test_hung_batch_signs_three_one_fails_alone_and_the_others_move_on(world: World, pki: Pki):
    dossiers = [_at_signing(world) for _ in range(3)]
    client = Client()
    client.force_login(world.hung)
    page = client.get("/can-bo/ky-so/")
    assert page.status_code == 200
    for d in dossiers:
        assert d.code in page.content.decode()
    # Between the list and the jobs, someone else changes the third dossier: its version is stale.
    answer = client.post("/can-bo/ky-so/", {"ho_so": [d.code for d in dossiers]})
    assert answer.status_code == 302
    third = dossiers[2]
    Dossier.objects.filter(pk=third.pk).update(row_version=third.row_version + 1)
    progress = client.get(answer["Location"])
    assert "đang chờ 3" in progress.content.decode()
    jobs_run_due()
    items = {item.dossier_id: item for item in SigningBatchItem.objects.all()}
    assert [items[d.pk].status for d in dossiers] == [
        BatchItemStatus.SIGNED,
        BatchItemStatus.SIGNED,
        BatchItemStatus.FAILED,
    ]
    assert "người khác cập nhật" in items[third.pk].message
    for d in dossiers[:2]:
        d.refresh_from_db()
        assert d.state == DossierState.RESULT_READY
        assert DossierResultDocument.objects.get(dossier=d).signature_status == SignatureStatus.VERIFIED
    assert not DossierResultDocument.objects.filter(dossier=third).exists()
    progress = client.get(answer["Location"], HTTP_HX_REQUEST="true")
    html = progress.content.decode()
    assert "Đã ký 2/3" in html
    assert "hx-get" not in html
    today = datetime.now(UTC).date()
    assert (
        electronic_results_count(world.commune_a, (today - timedelta(days=1), today + timedelta(days=1))) == 2
    )


def test_the_clerk_has_nothing_to_sign(world: World, pki: Pki):
    _at_signing(world)
    client = Client()
    client.force_login(world.hoa)
    page = client.get("/can-bo/ky-so/")
    assert "Không có hồ sơ nào chờ bạn ký số" in page.content.decode()
