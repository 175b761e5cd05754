"""PAdES B-T: a time-stamp from the RFC 3161 authority of the stand-in process (``POST /tsa``)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from motcua.dossiers import actions, services
from motcua.dossiers.models import DossierResultDocument
from motcua.dossiers.tests.factories import World, dossier_advance, dossier_submit
from motcua.signing.models import SignedResult
from motcua.signing.pki import Pki
from motcua.signing.verification import document_verify
from tests.standins import Standins

_keys = itertools.count(1)


@pytest.fixture
def tsa(pki: Pki, tmp_path: Path, settings: Any) -> Iterator[Standins]:
    """The stand-in process, its TSA signing with the test PKI's time-stamping certificate."""
    process = Standins.start(tmp_path / "standins.sqlite3", env={"STANDINS_TSA_DIR": str(pki.dir)})
    settings.MOTCUA_SIGNING_TSA_URL = f"{process.url}/tsa"
    yield process
    process.stop()


def test_with_a_tsa_configured_both_signatures_carry_a_valid_time_stamp(
    world: World, pki: Pki, tsa: Standins
):
    d = dossier_submit(world, key=f"tsa-{next(_keys)}")
    d = services.dossier_accept(actor=world.lan, dossier=d, row_version=d.row_version)
    d = dossier_advance(world, d, to="signing")
    d = actions.action_perform(
        action="sign_result", actor=world.hung, dossier=d, data={"row_version": d.row_version}
    )
    document = DossierResultDocument.objects.get(dossier=d)
    with document.file.open("rb") as handle:
        report = document_verify(handle.read())
    assert report.valid
    for signature in report.signatures:
        assert signature.check.timestamp_at is not None
        assert signature.check.timestamp_valid is True
    assert SignedResult.objects.get(document=document).timestamped
    # The requests reached the authority over HTTP: one per signature (pyHanko may ask once more first,
    # to size the signature's placeholder).
    assert len(tsa.messages("tsa")) >= 2


def test_without_a_tsa_the_signatures_are_b_b(world: World, pki: Pki):
    d = dossier_submit(world, key=f"tsa-{next(_keys)}")
    d = services.dossier_accept(actor=world.lan, dossier=d, row_version=d.row_version)
    d = dossier_advance(world, d, to="signing")
    d = actions.action_perform(
        action="sign_result", actor=world.hung, dossier=d, data={"row_version": d.row_version}
    )
    with DossierResultDocument.objects.get(dossier=d).file.open("rb") as handle:
        report = document_verify(handle.read())
    assert report.valid
    assert all(s.check.timestamp_at is None for s in report.signatures)
