"""Files in S3-compatible object storage (MOTCUA_STORAGE=s3) against a real server process (moto).

The same services and views as on the filesystem: a component scanned at the counter and the signed
result go to the bucket under content-addressed names, download checks their SHA-256, and an object
altered in the bucket behind the application's back is refused (409), never served.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from motcua.backoffice.tests.conftest import client_for
from motcua.core.tests.upload_files import pdf_bytes
from motcua.dossiers import services
from motcua.dossiers.models import DossierComponent, DossierResultDocument
from motcua.dossiers.tests.factories import (
    RESULT_PDF,
    World,
    complete_components,
    dossier_advance,
    dossier_receive_at_counter,
)

SCAN = pdf_bytes(pages=3)


def test_component_and_result_live_in_the_bucket_and_are_checked_on_download(
    world: World, s3_storage: Any
) -> None:
    server, bucket = s3_storage
    s3 = server.client()
    required = complete_components(world.procedure)
    scanned = services.ComponentData(
        document_id=required[0].document_id,
        file=SimpleUploadedFile("don.pdf", SCAN, content_type="application/pdf"),
    )
    d = dossier_receive_at_counter(world, components=[scanned, *required[1:]])
    component = DossierComponent.objects.exclude(file="").get(dossier=d)
    sha = hashlib.sha256(SCAN).hexdigest()
    assert component.file_sha256 == sha
    assert component.file.name == f"dossiers/{sha[:2]}/{sha[2:4]}/{sha}.pdf"
    stored = s3.get_object(Bucket=bucket, Key=component.file.name)["Body"].read()
    assert stored == SCAN

    d = dossier_advance(world, d, to="signed")
    result = DossierResultDocument.objects.get(dossier=d)
    assert s3.get_object(Bucket=bucket, Key=result.file.name)["Body"].read() == RESULT_PDF
    assert result.file.name.startswith(f"results/{result.sha256[:2]}/")

    client = client_for(world.hoa)
    component_url = reverse("backoffice:component_download", args=[d.code, component.pk])
    result_url = reverse("backoffice:result_download", args=[d.code, result.pk])
    ok = client.get(component_url)
    assert ok.status_code == 200
    assert b"".join(ok.streaming_content) == SCAN  # type: ignore[attr-defined]
    ok = client.get(result_url)
    assert ok.status_code == 200
    assert b"".join(ok.streaming_content) == RESULT_PDF  # type: ignore[attr-defined]

    # Someone with access to the bucket rewrites both objects in place.
    s3.put_object(Bucket=bucket, Key=component.file.name, Body=SCAN + b"% appended")
    s3.put_object(Bucket=bucket, Key=result.file.name, Body=RESULT_PDF.replace(b"%PDF-", b"%PDF+", 1))
    refused = client.get(component_url)
    assert refused.status_code == 409
    assert "không còn khớp với mã băm" in refused.content.decode()
    assert client.get(result_url).status_code == 409
    api = client.get(f"/api/v1/dossiers/{d.code}/results/{result.pk}")
    assert api.status_code == 409
    assert api.json()["code"] == "file_altered"


def test_the_same_content_twice_never_overwrites_an_object(world: World, s3_storage: Any) -> None:
    server, bucket = s3_storage
    d = dossier_advance(world, dossier_receive_at_counter(world), to="appraisal")
    first = services.dossier_result_draft_upload(
        actor=world.minh, dossier=d, row_version=d.row_version, file=SimpleUploadedFile("a.pdf", SCAN)
    )
    first_name = first.file.name
    d.refresh_from_db()
    second = services.dossier_result_draft_upload(
        actor=world.minh, dossier=d, row_version=d.row_version, file=SimpleUploadedFile("b.pdf", SCAN)
    )
    assert second.file.name != first_name
    assert second.file.name.startswith(
        f"result-drafts/{second.sha256[:2]}/{second.sha256[2:4]}/{second.sha256}"
    )
    assert server.client().get_object(Bucket=bucket, Key=second.file.name)["Body"].read() == SCAN


def test_a_deleted_object_is_a_404_not_a_500(world: World, s3_storage: Any) -> None:
    server, bucket = s3_storage
    d = dossier_advance(world, dossier_receive_at_counter(world), to="signed")
    result = DossierResultDocument.objects.get(dossier=d)
    server.client().delete_object(Bucket=bucket, Key=result.file.name)
    response = client_for(world.hoa).get(reverse("backoffice:result_download", args=[d.code, result.pk]))
    assert response.status_code == 404
