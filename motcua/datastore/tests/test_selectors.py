"""Reads of the data store: what a new submission is offered to reuse, and the reuse count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from motcua.core.tests.upload_files import pdf_bytes
from motcua.datastore.selectors import document_type_key, stored_documents_matching
from motcua.datastore.services import stored_document_upload
from motcua.dossiers.tests.factories import world_build
from motcua.org.tests.factories import UserFactory


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return world_build()


def _pdf(name: str = "giay.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def test_type_key_ignores_accents_case_and_spacing():
    assert document_type_key("  Giấy  KHAI sinh ") == document_type_key("giay khai sinh")


def test_matching_offers_valid_documents_of_the_same_type(world, django_assert_num_queries):
    today = timezone.localdate()
    valid = stored_document_upload(owner=world.an, name="giay to chung minh (neu co)", file=_pdf())
    expired = stored_document_upload(
        owner=world.an,
        name="Giấy tờ chứng minh (nếu có)",
        file=_pdf(),
        issued_on=today - timedelta(days=400),
        valid_until=today - timedelta(days=1),
    )
    stored_document_upload(owner=UserFactory(citizen=True), name="Giấy tờ chứng minh (nếu có)", file=_pdf())
    with django_assert_num_queries(1):
        found = stored_documents_matching(
            owner=world.an, names=["Giấy tờ chứng minh (nếu có)", "Khác"], today=today
        )
    assert found == {"Giấy tờ chứng minh (nếu có)": [valid], "Khác": []}
    assert expired not in found["Giấy tờ chứng minh (nếu có)"]
