"""/kho-du-lieu: the applicant's store page — list, upload, download through the owner check, delete."""

from __future__ import annotations

import pytest
from django.urls import reverse

from motcua.datastore.models import StoredDocument
from motcua.datastore.services import stored_document_upload, stored_result_record
from motcua.dossiers.tests.factories import dossier_at, world_build
from motcua.org.tests.factories import UserFactory
from motcua.portal.tests.factories import pdf_upload


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return world_build()


def test_upload_list_download_delete(client, world, django_assert_max_num_queries):
    client.force_login(world.an)
    url = reverse("portal:datastore")
    response = client.post(
        url,
        {
            "name": "Giấy khai sinh",
            "issuer": "UBND phường Hạ Long",
            "issued_on": "2020-05-01",
            "file": pdf_upload(),
        },
    )
    assert response.status_code == 302
    doc = StoredDocument.objects.get(owner=world.an)
    for n in range(5):
        stored_document_upload(owner=world.an, name=f"Giấy tờ {n}", file=pdf_upload())
    with django_assert_max_num_queries(6):
        page = client.get(url).content.decode()
    assert "Giấy khai sinh" in page
    assert "UBND phường Hạ Long" in page
    assert "01/05/2020" in page
    download = client.get(reverse("portal:datastore_download", args=[doc.pk]))
    assert download.status_code == 200
    assert download["Cache-Control"] == "private, no-store"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert client.post(reverse("portal:datastore_delete", args=[doc.pk])).status_code == 302
    assert not StoredDocument.objects.filter(pk=doc.pk).exists()


def test_bad_upload_gives_vietnamese_errors_and_stores_nothing(client, world):
    client.force_login(world.an)
    response = client.post(reverse("portal:datastore"), {"name": "", "issued_on": "31/02/2020"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Vui lòng nhập loại giấy tờ." in page
    assert "Ngày cấp không đúng định dạng" in page
    assert "Vui lòng chọn tệp PDF, JPEG hoặc PNG." in page
    assert not StoredDocument.objects.exists()


def test_issued_result_cannot_be_deleted(client, world):
    dossier = dossier_at(world, "returned")
    result = stored_result_record(dossier_id=dossier.pk)
    client.force_login(world.an)
    page = client.get(reverse("portal:datastore")).content.decode()
    assert "Kết quả giải quyết" in page
    assert reverse("portal:datastore_delete", args=[result.pk]) not in page
    response = client.post(reverse("portal:datastore_delete", args=[result.pk]))
    assert response.status_code == 400
    assert "Không thể xoá kết quả giải quyết" in response.content.decode()
    assert StoredDocument.objects.filter(pk=result.pk).exists()


def test_another_citizen_gets_404(client, world):
    doc = stored_document_upload(owner=world.an, name="Giấy khai sinh của An", file=pdf_upload())
    client.force_login(UserFactory(citizen=True))
    assert client.get(reverse("portal:datastore_download", args=[doc.pk])).status_code == 404
    assert client.post(reverse("portal:datastore_delete", args=[doc.pk])).status_code == 404
    assert "Giấy khai sinh của An" not in client.get(reverse("portal:datastore")).content.decode()
    assert StoredDocument.objects.filter(pk=doc.pk).exists()


def test_officials_and_visitors_are_kept_out(client, world):
    url = reverse("portal:datastore")
    assert client.get(url).status_code == 302
    client.force_login(world.lan)
    assert client.get(url).status_code == 403


def test_saving_and_deleting_are_confirmed_in_a_status_region(client, world):
    client.force_login(world.an)
    url = reverse("portal:datastore")
    response = client.post(url, {"name": "Giấy khai sinh", "file": pdf_upload()}, follow=True)
    page = response.content.decode()
    assert '<div role="status">' in page
    assert "Đã lưu «Giấy khai sinh» vào kho dữ liệu." in page
    doc = StoredDocument.objects.get(owner=world.an)
    response = client.post(reverse("portal:datastore_delete", args=[doc.pk]), follow=True)
    assert "Đã xoá giấy tờ khỏi kho dữ liệu." in response.content.decode()
    # Shown once: the next visit is quiet.
    assert 'role="status"' not in client.get(url).content.decode()
