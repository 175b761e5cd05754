"""The personal data store's writes: uploads, deletion rules, collection from dossiers, results, reuses."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from motcua.core.tests.upload_files import pdf_bytes
from motcua.datastore.errors import DatastoreInvalid
from motcua.datastore.models import DocumentOrigin, DocumentReuse, StoredDocument
from motcua.datastore.selectors import document_reuse_count
from motcua.datastore.services import (
    Reuse,
    document_reuses_record,
    stored_document_delete,
    stored_document_upload,
    stored_documents_collect,
    stored_result_record,
)
from motcua.dossiers.models import Dossier
from motcua.dossiers.services.inputs import ComponentData
from motcua.dossiers.tests.factories import dossier_at, dossier_submit, world_build
from motcua.org.tests.factories import UserFactory


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return world_build()


def _pdf(name: str = "giay.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def test_upload_checks_every_field_and_stores_nothing_on_error(world):
    with pytest.raises(DatastoreInvalid) as exc:
        stored_document_upload(
            owner=world.an,
            name=" ",
            file=SimpleUploadedFile("x.pdf", b"GIF89a", content_type="application/pdf"),
            issued_on=date(2026, 1, 10),
            valid_until=date(2025, 1, 1),
        )
    assert exc.value.errors["name"] == "Vui lòng nhập loại giấy tờ."
    assert exc.value.errors["valid_until"] == "Ngày hết hiệu lực phải sau ngày cấp."
    assert "không phải tệp PDF" in exc.value.errors["file"]
    assert not StoredDocument.objects.exists()


def test_upload_over_the_portal_limit(world, settings):
    settings.MOTCUA_PORTAL_UPLOAD_MAX_BYTES = 10
    with pytest.raises(DatastoreInvalid) as exc:
        stored_document_upload(owner=world.an, name="Giấy khai sinh", file=_pdf())
    assert "(giới hạn mỗi tệp)" in exc.value.errors["file"]


def test_own_upload_deleted_with_its_bytes_results_never(world):
    doc = stored_document_upload(owner=world.an, name="Giấy khai sinh", file=_pdf())
    storage, name = doc.file.storage, doc.file.name
    assert storage.exists(name)
    with pytest.raises(StoredDocument.DoesNotExist):
        stored_document_delete(owner=UserFactory(citizen=True), document_id=doc.pk)
    stored_document_delete(owner=world.an, document_id=doc.pk)
    assert not StoredDocument.objects.exists()
    dossier = dossier_at(world, "returned")
    result = stored_result_record(dossier_id=dossier.pk)
    assert result is not None
    assert result.origin == DocumentOrigin.RESULT
    with pytest.raises(DatastoreInvalid):
        stored_document_delete(owner=world.an, document_id=result.pk)
    assert StoredDocument.objects.filter(pk=result.pk).exists()


def test_result_recorded_once_with_issuer_and_date(world):
    dossier = dossier_at(world, "returned")
    first = stored_result_record(dossier_id=dossier.pk)
    again = stored_result_record(dossier_id=dossier.pk)
    assert first == again
    assert StoredDocument.objects.count() == 1
    assert first.issuer == dossier.competent_unit.name
    assert first.issued_on == timezone.localdate(dossier.returned_at)


def test_collect_keeps_uploaded_components_once_and_shares_the_file(world):
    required = world.procedure.documents.get(required=True)
    dossier = dossier_submit(world, components=[ComponentData(document_id=required.pk, file=_pdf())])
    created = stored_documents_collect(dossier_id=dossier.pk)
    assert len(created) == 1
    assert stored_documents_collect(dossier_id=dossier.pk) == []
    doc = StoredDocument.objects.get()
    assert doc.owner == world.an
    assert doc.name == required.name
    assert doc.file.name == dossier.components.exclude(file="").get().file.name
    stored_document_delete(owner=world.an, document_id=doc.pk)  # the dossier's file stays
    assert doc.file.storage.exists(doc.file.name)


def test_reuses_counted_once_per_component(world):
    doc = stored_document_upload(owner=world.an, name="Giấy tờ chứng minh (nếu có)", file=_pdf())
    dossier = dossier_submit(world)
    document_reuses_record(dossier=dossier, reuses=[Reuse(document=doc, component_name="Giấy tờ chứng minh")])
    document_reuses_record(dossier=dossier, reuses=[Reuse(document=doc, component_name="Giấy tờ chứng minh")])
    assert document_reuse_count(dossier_id=dossier.pk) == 1
    assert DocumentReuse.objects.get().document == doc
    assert Dossier.objects.count() == 1
