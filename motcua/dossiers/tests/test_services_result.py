"""The signed result file recorded at the signing step — tệp kết quả giải quyết (services/result.py)."""

from __future__ import annotations

import hashlib
import itertools
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from motcua.core.tests.upload_files import image_bytes, pdf_bytes
from motcua.dossiers import actions, services
from motcua.dossiers.errors import DossierConflict, DossierInvalid
from motcua.dossiers.models import Dossier, DossierEvent, DossierResultDocument
from motcua.dossiers.services import result as result_services
from motcua.dossiers.tests.factories import (
    RESULT_PDF,
    World,
    dossier_advance,
    dossier_receive_at_counter,
    dossier_submit,
    result_b64,
    result_pdf,
)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _stored_files(settings: Any) -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "results"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


_keys = itertools.count(1)


def _online_at_signing(world: World) -> Dossier:
    d = dossier_submit(world, key=f"result-{next(_keys)}")
    d = services.dossier_accept(actor=world.lan, dossier=d, row_version=d.row_version)
    return dossier_advance(world, d, to="signing")


def _sign(world: World, d: Dossier, **kwargs: Any) -> Dossier:
    return services.dossier_record_signature(
        actor=world.hoa,
        dossier=d,
        signer=world.hung,
        signature_reference="QD-7/2026",
        row_version=d.row_version,
        **kwargs,
    )


def test_the_signed_pdf_is_stored_byte_for_byte_with_its_sha256_in_the_event(world: World, settings: Any):
    d = _sign(world, _online_at_signing(world), result_file=result_pdf("QĐ 7.pdf"))
    document = DossierResultDocument.objects.get(dossier=d)
    digest = hashlib.sha256(RESULT_PDF).hexdigest()
    assert document.sha256 == digest
    assert document.size == len(RESULT_PDF)
    assert document.content_type == "application/pdf"
    assert document.uploaded_by == world.hoa
    with document.file.open("rb") as handle:
        assert handle.read() == RESULT_PDF  # never re-written: a signature inside stays valid
    event = DossierEvent.objects.filter(dossier=d).order_by("-seq").first()
    assert event is not None
    assert event.action == "record_signature"
    assert event.data["result"]["sha256"] == digest


def test_an_online_dossier_cannot_be_signed_without_its_result_file(world: World, settings: Any):
    d = _online_at_signing(world)
    with pytest.raises(DossierInvalid) as exc:
        _sign(world, d)
    assert "tệp kết quả" in exc.value.errors["result_file"]
    d.refresh_from_db()
    assert d.signed_at is None
    assert d.state == "processing"


def test_a_counter_dossier_may_be_signed_without_a_file(world: World, settings: Any):
    d = dossier_advance(world, dossier_receive_at_counter(world), to="signing")
    d = _sign(world, d)
    assert d.signed_at is not None
    assert not DossierResultDocument.objects.filter(dossier=d).exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [("ket-qua.pdf", b"<html><script>alert(1)</script></html>"), ("ket-qua.pdf", pdf_bytes(javascript="x"))],
)
def test_a_refused_file_stores_nothing_and_changes_nothing(
    world: World, settings: Any, name: str, content: bytes
):
    d = _online_at_signing(world)
    version = d.row_version
    with pytest.raises(DossierInvalid) as exc:
        _sign(world, d, result_file=SimpleUploadedFile(name, content))
    assert "ket-qua.pdf" in exc.value.errors["result_file"]
    d.refresh_from_db()
    assert d.row_version == version
    assert d.signed_at is None
    assert not DossierResultDocument.objects.exists()
    assert _stored_files(settings) == []


def test_a_failed_transaction_removes_the_stored_file(world: World, settings: Any):
    d = _online_at_signing(world)
    # A stale version: the conflict is found after the file would be written — nothing must remain.
    Dossier.objects.filter(pk=d.pk).update(row_version=d.row_version + 1)
    with pytest.raises(DossierConflict):
        _sign(world, d, result_file=result_pdf())
    assert not DossierResultDocument.objects.exists()
    assert _stored_files(settings) == []


def test_a_failure_after_the_file_was_written_removes_it(
    world: World, settings: Any, monkeypatch: pytest.MonkeyPatch
):
    d = _online_at_signing(world)
    written: list[Path] = []

    def failing_event_data(**kwargs: Any) -> dict[str, Any]:
        written.extend(_stored_files(settings))  # the file is on disk at this point …
        raise RuntimeError("ghi sự kiện thất bại")

    monkeypatch.setattr(result_services.event_data, "signed", failing_event_data)
    with pytest.raises(RuntimeError):
        _sign(world, d, result_file=result_pdf())
    assert len(written) == 1
    assert _stored_files(settings) == []  # … and gone with the rolled-back transaction
    assert not DossierResultDocument.objects.exists()


def test_a_scanned_image_is_converted_to_a_pdf(world: World, settings: Any):
    d = _sign(
        world,
        _online_at_signing(world),
        result_file=SimpleUploadedFile("quyet-dinh.jpg", image_bytes("JPEG"), content_type="image/jpeg"),
    )
    document = DossierResultDocument.objects.get(dossier=d)
    assert document.name == "quyet-dinh.pdf"
    with document.file.open("rb") as handle:
        content = handle.read()
    assert content.startswith(b"%PDF-")
    assert len(PdfReader(document.file.path).pages) == 1
    assert document.sha256 == hashlib.sha256(content).hexdigest()


def test_the_registry_takes_the_file_beside_the_data_or_as_base64(world: World, settings: Any):
    d = _online_at_signing(world)
    data = {"row_version": d.row_version, "signer": world.hung.username, "signature_reference": "QD-1"}
    d = actions.action_perform(
        action="record_signature", actor=world.hoa, dossier=d, data=data, files={"result_file": result_pdf()}
    )
    assert DossierResultDocument.objects.filter(dossier=d).count() == 1
    other = _online_at_signing(world)
    actions.action_perform(
        action="record_signature",
        actor=world.hoa,
        dossier=other,
        data={**data, "row_version": other.row_version, **result_b64()},
    )
    document = DossierResultDocument.objects.get(dossier=other)
    assert document.sha256 == hashlib.sha256(RESULT_PDF).hexdigest()
    third = _online_at_signing(world)
    with pytest.raises(DossierInvalid) as exc:
        actions.action_perform(
            action="record_signature",
            actor=world.hoa,
            dossier=third,
            data={**data, "row_version": third.row_version, "result_file_base64": "không phải base64"},
        )
    assert "base64" in exc.value.errors["result_file_base64"]
