"""Signing the result in the system — ký số kết quả (services.result_sign, the registry's sign_result)."""

from __future__ import annotations

import hashlib
import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pypdf import PdfReader

from motcua.dossiers import actions, services
from motcua.dossiers.errors import DossierInvalid, DossierPermissionDenied
from motcua.dossiers.models import Dossier, DossierResultDocument, DossierState, SignatureStatus
from motcua.dossiers.tests.factories import World, dossier_advance, dossier_submit
from motcua.signing.models import DocumentNumberCounter, SignedResult
from motcua.signing.pki import Pki, SignerIdentity
from motcua.signing.verification import document_verify, qr_lookup

_keys = itertools.count(1)


def _at_signing(world: World) -> Dossier:
    """An online dossier of An's, approved by Hùng, at the signing step (Hoa's, văn thư)."""
    d = dossier_submit(world, key=f"sign-{next(_keys)}")
    d = services.dossier_accept(actor=world.lan, dossier=d, row_version=d.row_version)
    return dossier_advance(world, d, to="signing")


def _file_bytes(d: Dossier) -> bytes:
    document = DossierResultDocument.objects.get(dossier=d)
    with document.file.open("rb") as handle:
        return handle.read()


def test_hung_signs_the_result_leader_then_seal_both_valid_and_it_moves_to_return(world: World, pki: Pki):
    d = _at_signing(world)
    assert "sign_result" in actions.action_names_allowed(actor=world.hung, dossier=d)
    d = actions.action_perform(
        action="sign_result", actor=world.hung, dossier=d, data={"row_version": d.row_version}
    )
    assert d.state == DossierState.RESULT_READY  # on to step 5, trả kết quả
    assert d.signed_by == world.hung
    year = datetime.now(UTC).year
    assert d.signature_reference == f"1/{year}/KQ"
    document = DossierResultDocument.objects.get(dossier=d)
    assert document.signature_status == SignatureStatus.VERIFIED
    data = _file_bytes(d)
    report = document_verify(data, code=d.code)
    assert report.valid, report.signatures
    names = [(s.check.field_name, s.check.signer_name) for s in report.signatures]
    assert names == [("ChuKyLanhDao", "Vũ Văn Hùng"), ("ChuKyCoQuan", world.commune_a.name)]
    assert report.on_file is not None
    assert report.on_file.matches
    # Two revisions: the seal was added incrementally after the leader's signature.
    assert data.count(b"%%EOF") >= 3
    assert len(PdfReader(__import__("io").BytesIO(data)).pages) == 1
    signed = SignedResult.objects.get(document=document)
    assert signed.number == d.signature_reference
    found = qr_lookup(code=d.code, h=signed.unsigned_sha256[:16])
    assert found is not None
    assert found.number == signed.number


def test_numbers_are_per_unit_and_year_without_gaps(world: World, pki: Pki):
    first, second = _at_signing(world), _at_signing(world)
    for d in (first, second):
        actions.action_perform(
            action="sign_result", actor=world.hung, dossier=d, data={"row_version": d.row_version}
        )
    counter = DocumentNumberCounter.objects.get(unit=world.commune_a)
    assert counter.last_number == 2
    numbers = sorted(
        Dossier.objects.filter(pk__in=[first.pk, second.pk]).values_list("signature_reference", flat=True)
    )
    assert [n.split("/")[0] for n in numbers] == ["1", "2"]


def test_the_clerk_is_not_offered_sign_result_and_is_refused(world: World, pki: Pki):
    d = _at_signing(world)
    assert "sign_result" not in actions.action_names_allowed(actor=world.hoa, dossier=d)
    with pytest.raises(DossierPermissionDenied):
        actions.action_perform(
            action="sign_result", actor=world.hoa, dossier=d, data={"row_version": d.row_version}
        )
    assert not DocumentNumberCounter.objects.exists()


def test_an_expired_certificate_is_refused_in_vietnamese_and_nothing_changes(world: World, pki: Pki):
    past = datetime.now(UTC) - timedelta(days=800)
    pki.issue(
        SignerIdentity("leader", world.hung.username, "Vũ Văn Hùng", world.commune_a.name, "Phó Chủ tịch"),
        not_before=past,
        not_after=past + timedelta(days=730),
    )
    d = _at_signing(world)
    with pytest.raises(DossierInvalid) as exc:
        actions.action_perform(
            action="sign_result", actor=world.hung, dossier=d, data={"row_version": d.row_version}
        )
    assert "đã hết hạn" in exc.value.errors["signature"]
    d.refresh_from_db()
    assert d.signed_at is None
    assert not DossierResultDocument.objects.filter(dossier=d).exists()
    assert not DocumentNumberCounter.objects.exists()


def test_a_revoked_certificate_is_refused_and_its_old_signatures_show_revoked(world: World, pki: Pki):
    d = _at_signing(world)
    d = actions.action_perform(
        action="sign_result", actor=world.hung, dossier=d, data={"row_version": d.row_version}
    )
    data = _file_bytes(d)
    leader_serial = document_verify(data).signatures[0].check.serial
    pki.revoke(leader_serial)
    report = document_verify(data)
    assert [s.verdict for s in report.signatures] == ["revoked", "valid"]
    other = _at_signing(world)
    with pytest.raises(DossierInvalid) as exc:
        actions.action_perform(
            action="sign_result", actor=world.hung, dossier=other, data={"row_version": other.row_version}
        )
    assert "thu hồi" in exc.value.errors["signature"]


def test_a_byte_changed_copy_is_modified_and_does_not_match_the_file(world: World, pki: Pki):
    d = _at_signing(world)
    d = actions.action_perform(
        action="sign_result", actor=world.hung, dossier=d, data={"row_version": d.row_version}
    )
    data = bytearray(_file_bytes(d))
    # One digit of the creation date in the first revision (covered by both signatures): still a PDF.
    position = data.find(b"/CreationDate(D:") + len(b"/CreationDate(D:") + 3
    data[position] = ord("9") if data[position] != ord("9") else ord("8")
    report = document_verify(bytes(data), code=d.code)
    assert not report.valid
    assert {s.verdict for s in report.signatures} == {"modified"}
    assert report.on_file is not None
    assert not report.on_file.matches


def test_broken_encrypted_and_unsigned_files_get_clear_answers(world: World, pki: Pki):
    from motcua.core.tests.upload_files import pdf_bytes
    from motcua.signing.errors import VerificationRefused

    assert document_verify(pdf_bytes(pages=1)).unsigned
    for data, code in ((b"hello", "not_pdf"), (b"%PDF-1.7\n garbage", "broken")):
        with pytest.raises(VerificationRefused) as exc:
            document_verify(data)
        assert exc.value.code == code
        assert exc.value.message


def test_online_return_needs_a_signed_electronic_result(world: World, pki: Pki, settings: Any):
    from motcua.dossiers.tests.factories import dossier_receive_at_counter

    unsigned = dossier_advance(world, dossier_receive_at_counter(world), to="result_ready")
    with pytest.raises(DossierInvalid) as exc:
        services.dossier_return_result(
            actor=world.lan, dossier=unsigned, row_version=unsigned.row_version, method="online"
        )
    assert "đã ký số" in exc.value.errors["method"]
    d = _at_signing(world)
    d = actions.action_perform(
        action="sign_result", actor=world.hung, dossier=d, data={"row_version": d.row_version}
    )
    d = services.dossier_return_result(actor=world.lan, dossier=d, row_version=d.row_version, method="online")
    assert d.state == DossierState.RETURNED
    sha = hashlib.sha256(_file_bytes(d)).hexdigest()
    assert DossierResultDocument.objects.get(dossier=d).sha256 == sha
