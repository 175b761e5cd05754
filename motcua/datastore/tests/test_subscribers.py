"""The data store hears the engine's events through the real job delivery (the engine never calls it)."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.core.tests.upload_files import pdf_bytes
from motcua.datastore.models import DocumentOrigin, StoredDocument
from motcua.datastore.subscribers import COLLECT
from motcua.dossiers import services
from motcua.dossiers.deadlines import local_zone
from motcua.dossiers.models import Dossier, DossierResultDocument
from motcua.dossiers.services.inputs import ComponentData
from motcua.dossiers.tests.factories import RESULT_PDF, dossier_advance, dossier_submit, world_build
from motcua.jobs import delivery
from motcua.jobs.models import Job, JobStatus


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return world_build()


def _deliver(d: Dossier) -> int:
    pending = list(
        Job.objects.filter(name=COLLECT, payload__dossier_id=d.pk, status=JobStatus.PENDING).values_list(
            "pk", flat=True
        )
    )
    assert delivery.jobs_run_due(job_ids=pending) == ["done"] * len(pending)
    return len(pending)


def test_uploads_then_result_reach_the_applicants_store(world):
    required = world.procedure.documents.get(required=True)
    pdf = SimpleUploadedFile("don.pdf", pdf_bytes(), content_type="application/pdf")
    d = dossier_submit(world, components=[ComponentData(document_id=required.pk, file=pdf)])
    assert _deliver(d) == 1
    upload = StoredDocument.objects.get(owner=world.an)
    assert upload.origin == DocumentOrigin.DOSSIER
    assert upload.source_dossier == d
    d = services.dossier_accept(actor=world.lan, dossier=d, row_version=d.row_version)
    dossier_advance(world, d, to="returned")
    assert _deliver(d) >= 1
    result = StoredDocument.objects.get(owner=world.an, origin=DocumentOrigin.RESULT)
    assert result.source_dossier == d
    assert result.issuer == d.competent_unit.name
    # The signed result file recorded at the signing step, referenced (same stored bytes, no copy).
    signed = DossierResultDocument.objects.get(dossier=d)
    assert result.file.name == signed.file.name
    assert result.file_sha256 == signed.sha256 == hashlib.sha256(RESULT_PDF).hexdigest()
    with result.file.open("rb") as handle:
        assert handle.read() == RESULT_PDF
    d.refresh_from_db()
    assert d.returned_at is not None
    assert result.issued_on == d.returned_at.astimezone(local_zone()).date()
