"""Result documents of a dossier: the template's builder, ``result_pdf_build`` (the contract with the
signing app) and the specialist's draft result (upload, replacement, who may, audit)."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.catalog.models import ResultTemplate
from motcua.catalog.selectors import procedure_result_template
from motcua.core.tests.upload_files import HTML, image_bytes, pdf_bytes
from motcua.documents.results import ResultKind
from motcua.documents.tests import pdfcheck
from motcua.dossiers import downloads, form_builders, services
from motcua.dossiers.errors import (
    DossierActionNotAllowed,
    DossierConflict,
    DossierInvalid,
    DossierPermissionDenied,
)
from motcua.dossiers.events import EventKind
from motcua.dossiers.models import Dossier, DossierEvent, DossierResultDraft
from motcua.dossiers.tests.factories import World, dossier_advance, dossier_receive_at_counter

DRAFT_PDF = pdf_bytes(pages=1)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _at_appraisal(world: World, **kwargs: Any) -> Dossier:
    return dossier_advance(world, dossier_receive_at_counter(world, **kwargs), to="appraisal")


def _draft(name: str = "du-thao.pdf", content: bytes = DRAFT_PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


# --- which template -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        ("Giấy chứng nhận đăng ký hộ kinh doanh", ResultTemplate.CERTIFICATE),
        ("Giấy phép xây dựng", ResultTemplate.CERTIFICATE),
        ("Trích lục khai sinh (bản chính)", ResultTemplate.CERTIFICATE),
        ("Quyết định công nhận hòa giải viên", ResultTemplate.DECISION),
        ("Thông báo kết quả đăng ký tạm trú", ResultTemplate.CONFIRMATION),
        ("", ResultTemplate.CONFIRMATION),
    ],
)
def test_the_template_is_guessed_from_the_result_text(world: World, result: str, expected: str) -> None:
    world.procedure.result = result
    assert procedure_result_template(world.procedure) == expected


def test_the_template_set_in_the_admin_wins_over_the_guess(world: World) -> None:
    world.procedure.result = "Giấy phép xây dựng"
    world.procedure.result_template = ResultTemplate.DECISION
    assert procedure_result_template(world.procedure) == ResultTemplate.DECISION


# --- the builder ----------------------------------------------------------------------------------


def test_the_decision_is_issued_by_the_competent_unit_with_the_leaders_block(world: World) -> None:
    world.procedure.result, world.procedure.legal_basis = (
        "Quyết định công nhận",
        ["Luật Hòa giải ở cơ sở 2013"],
    )
    world.procedure.save()
    world.hung.official.title = "Phó Chủ tịch UBND phường Hạ Long"
    world.hung.official.save()
    d = _at_appraisal(world)
    document = form_builders.result_document_build(
        dossier=d, number="45", signer=world.hung, issued_on=date(2026, 3, 9)
    )
    assert document is not None
    assert document.kind == ResultKind.DECISION
    assert document.unit_name == "Ủy ban nhân dân phường Hạ Long"
    assert document.parent_unit_name == ""  # a People's Committee has no governing-body line
    assert document.symbol == "QĐ-UBND"
    assert document.place_name == "Hạ Long"
    assert document.signer_authority == ("KT. Chủ tịch", "Phó Chủ tịch")
    assert document.signer_name == "Vũ Văn Hùng"
    assert document.legal_bases == ("Luật Hòa giải ở cơ sở 2013",)
    assert world.procedure.name in document.summary


def test_an_upload_only_procedure_has_no_template_document(world: World) -> None:
    world.procedure.result_template = ResultTemplate.UPLOAD
    world.procedure.save()
    d = _at_appraisal(world)
    assert form_builders.result_document_build(dossier=d, number=None, signer=None, issued_on=None) is None
    with pytest.raises(DossierInvalid, match="tải lên dự thảo"):
        downloads.result_pdf_build(dossier=d, number=None, signer=None, issued_on=None)


# --- result_pdf_build -----------------------------------------------------------------------------


def test_without_an_uploaded_draft_the_template_is_rendered_with_its_boxes(world: World) -> None:
    d = _at_appraisal(world)
    draft = downloads.result_pdf_build(dossier=d, number=None, signer=None, issued_on=None)
    assert draft.source == "template"
    assert draft.signer_box is not None
    assert draft.seal_box is not None
    text = pdfcheck.text(draft.pdf)
    assert "DỰ THẢO" in text
    assert d.code in text
    assert "Nguyễn Văn An" in text
    final = downloads.result_pdf_build(dossier=d, number="45", signer=world.hung, issued_on=date(2026, 3, 9))
    text = pdfcheck.text(final.pdf)
    assert "DỰ THẢO" not in text
    assert "Số: 45/" in text
    assert "Vũ Văn Hùng" in text
    assert final.filename == f"Ket-qua-{d.code}.pdf"


def test_an_uploaded_draft_is_returned_as_uploaded_without_boxes(world: World) -> None:
    d = _at_appraisal(world)
    services.dossier_result_draft_upload(
        actor=world.minh, dossier=d, row_version=d.row_version, file=_draft()
    )
    built = downloads.result_pdf_build(dossier=d, number="45", signer=world.hung, issued_on=date(2026, 3, 9))
    assert built.source == "upload"
    assert built.pdf == DRAFT_PDF
    assert built.signer_box is None
    assert built.seal_box is None


# --- the draft upload -----------------------------------------------------------------------------


def test_the_specialist_uploads_a_draft_in_one_audited_write(world: World) -> None:
    d = _at_appraisal(world)
    version, state = d.row_version, d.state
    draft = services.dossier_result_draft_upload(
        actor=world.minh, dossier=d, row_version=version, file=_draft()
    )
    assert draft.sha256 == hashlib.sha256(DRAFT_PDF).hexdigest()
    assert draft.size == len(DRAFT_PDF)
    assert draft.uploaded_by == world.minh
    assert draft.file.name.startswith(f"result-drafts/{draft.sha256[:2]}/{draft.sha256[2:4]}/{draft.sha256}")
    d.refresh_from_db()
    assert d.state == state  # not a state change
    assert d.row_version == version + 1
    event = DossierEvent.objects.filter(dossier=d).order_by("-seq").first()
    assert event is not None
    assert event.action == EventKind.UPLOAD_RESULT_DRAFT
    assert event.data["sha256"] == draft.sha256
    assert event.hash == d.last_event_hash


def test_replacing_the_draft_keeps_one_and_removes_the_old_file(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    d = _at_appraisal(world)
    first = services.dossier_result_draft_upload(
        actor=world.minh, dossier=d, row_version=d.row_version, file=_draft()
    )
    old_name, storage = first.file.name, first.file.storage
    d.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        second = services.dossier_result_draft_upload(
            actor=world.minh,
            dossier=d,
            row_version=d.row_version,
            file=SimpleUploadedFile("scan.png", image_bytes("PNG"), content_type="image/png"),
        )
    assert DossierResultDraft.objects.filter(dossier=d).count() == 1
    assert second.name == "scan.pdf"  # an image scan is kept as a PDF
    assert storage.open(second.file.name).read(5) == b"%PDF-"
    assert not storage.exists(old_name)


def test_the_leader_may_replace_the_draft_but_the_clerk_and_other_units_may_not(world: World) -> None:
    d = _at_appraisal(world)
    for outsider in (world.hoa, world.binh, world.lan):
        with pytest.raises(DossierPermissionDenied):
            services.dossier_result_draft_upload(
                actor=outsider, dossier=d, row_version=d.row_version, file=_draft()
            )
    assert not DossierResultDraft.objects.exists()
    services.dossier_result_draft_upload(
        actor=world.hung, dossier=d, row_version=d.row_version, file=_draft()
    )
    assert DossierResultDraft.objects.filter(dossier=d, uploaded_by=world.hung).exists()


def test_a_signed_dossier_takes_no_new_draft(world: World) -> None:
    d = dossier_advance(world, dossier_receive_at_counter(world), to="signed")
    with pytest.raises(DossierActionNotAllowed):
        services.dossier_result_draft_upload(
            actor=world.hung, dossier=d, row_version=d.row_version, file=_draft()
        )


def test_a_file_that_is_not_a_pdf_or_image_is_refused_and_nothing_is_stored(
    world: World, settings: Any
) -> None:
    d = _at_appraisal(world)
    version = d.row_version
    with pytest.raises(DossierInvalid) as refused:
        services.dossier_result_draft_upload(
            actor=world.minh, dossier=d, row_version=version, file=_draft("du-thao.pdf", HTML)
        )
    assert "file" in refused.value.errors
    d.refresh_from_db()
    assert d.row_version == version
    assert not DossierResultDraft.objects.exists()
    media = Path(settings.MEDIA_ROOT) / "result-drafts"
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_a_stale_version_is_a_conflict(world: World) -> None:
    d = _at_appraisal(world)
    with pytest.raises(DossierConflict):
        services.dossier_result_draft_upload(
            actor=world.minh, dossier=d, row_version=d.row_version - 1, file=_draft()
        )
    assert not DossierResultDraft.objects.exists()
