"""The dossier page's draft result: "Xem dự thảo kết quả" for the approver and the leader, the
specialist's upload form, and the files served only if they still match their SHA-256."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from motcua.backoffice.tests.conftest import client_for
from motcua.catalog.models import ResultTemplate
from motcua.core.tests.upload_files import HTML, pdf_bytes
from motcua.documents.tests import pdfcheck
from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierComponent, DossierResultDocument, DossierResultDraft
from motcua.dossiers.tests.factories import World, dossier_advance, dossier_receive_at_counter

DRAFT_PDF = pdf_bytes(pages=1)


def _at(world: World, stage: str, **kwargs: Any) -> Dossier:
    return dossier_advance(world, dossier_receive_at_counter(world, **kwargs), to=stage)


def test_the_approver_sees_the_link_and_opens_the_template_draft(world: World) -> None:
    d = _at(world, "approval")
    client = client_for(world.hung)
    html = client.get(reverse("backoffice:dossier_detail", args=[d.code])).content.decode()
    url = reverse("backoffice:result_draft_pdf", args=[d.code])
    assert "Xem dự thảo kết quả" in html
    assert f'href="{url}"' in html
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdfcheck.text(response.content)
    assert "DỰ THẢO" in text
    assert d.code in text


def test_the_specialist_uploads_the_draft_from_the_page_and_the_leader_reads_it(world: World) -> None:
    d = _at(world, "appraisal")
    minh = client_for(world.minh)
    html = minh.get(reverse("backoffice:dossier_detail", args=[d.code])).content.decode()
    assert f'action="{reverse("backoffice:result_draft_upload", args=[d.code])}"' in html
    response = minh.post(
        reverse("backoffice:result_draft_upload", args=[d.code]),
        {"row_version": str(d.row_version), "file": SimpleUploadedFile("du-thao.pdf", DRAFT_PDF)},
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    assert DossierResultDraft.objects.get(dossier=d).uploaded_by == world.minh
    served = client_for(world.hung).get(reverse("backoffice:result_draft_pdf", args=[d.code]))
    assert served.status_code == 200
    assert served.content == DRAFT_PDF


def test_a_bad_file_re_renders_the_page_with_the_message_and_stores_nothing(world: World) -> None:
    d = _at(world, "appraisal")
    response = client_for(world.minh).post(
        reverse("backoffice:result_draft_upload", args=[d.code]),
        {"row_version": str(d.row_version), "file": SimpleUploadedFile("du-thao.pdf", HTML)},
    )
    assert response.status_code == 400
    assert "không phải tệp PDF" in response.content.decode()
    assert not DossierResultDraft.objects.exists()


def test_the_clerk_sees_no_upload_form_and_is_refused(world: World) -> None:
    d = _at(world, "approval")
    hoa = client_for(world.hoa)
    html = hoa.get(reverse("backoffice:dossier_detail", args=[d.code])).content.decode()
    assert f'action="{reverse("backoffice:result_draft_upload", args=[d.code])}"' not in html
    response = hoa.post(
        reverse("backoffice:result_draft_upload", args=[d.code]),
        {"row_version": str(d.row_version), "file": SimpleUploadedFile("du-thao.pdf", DRAFT_PDF)},
    )
    assert response.status_code == 403
    assert not DossierResultDraft.objects.exists()


def test_another_units_official_gets_no_draft(world: World) -> None:
    d = _at(world, "approval")
    assert (
        client_for(world.binh).get(reverse("backoffice:result_draft_pdf", args=[d.code])).status_code == 404
    )


def test_an_altered_component_is_refused_with_409_and_logged(world: World, caplog: Any) -> None:
    d = dossier_receive_at_counter(world)
    d = services.dossier_forward(actor=world.lan, dossier=d, row_version=d.row_version, assignee=world.minh)
    component = DossierComponent.objects.filter(dossier=d).first()
    assert component is not None
    content = pdf_bytes(pages=1)
    # A scan attached as the component service does: hash first, then the content-addressed name.
    component.file_sha256 = hashlib.sha256(content).hexdigest()
    component.file.save("scan.pdf", ContentFile(content), save=True)
    assert component.file.name.startswith(f"dossiers/{component.file_sha256[:2]}/")
    url = reverse("backoffice:component_download", args=[d.code, component.pk])
    client = client_for(world.minh)
    ok = client.get(url)
    assert ok.status_code == 200
    assert b"".join(ok.streaming_content) == content  # type: ignore[attr-defined]
    Path(component.file.path).write_bytes(content.replace(b"%PDF-", b"%PDF+", 1))
    refused = client.get(url)
    assert refused.status_code == 409
    assert "không còn khớp với mã băm" in refused.content.decode()
    assert b"%PDF" not in refused.content
    assert any("altered" in r.getMessage() and r.levelname == "ERROR" for r in caplog.records)


def test_an_altered_result_is_refused_on_the_api_too(world: World) -> None:
    d = _at(world, "signed")
    document = DossierResultDocument.objects.get(dossier=d)
    Path(document.file.path).write_bytes(b"%PDF-1.7 altered")
    client = client_for(world.hoa)
    page = client.get(reverse("backoffice:result_download", args=[d.code, document.pk]))
    assert page.status_code == 409
    api = client.get(f"/api/v1/dossiers/{d.code}/results/{document.pk}")
    assert api.status_code == 409
    assert api.json()["code"] == "file_altered"


def test_an_upload_only_procedure_offers_the_link_once_a_draft_is_uploaded(world: World) -> None:
    world.procedure.result_template = ResultTemplate.UPLOAD
    world.procedure.save()
    d = _at(world, "approval")
    hung = client_for(world.hung)
    html = hung.get(reverse("backoffice:dossier_detail", args=[d.code])).content.decode()
    assert "Xem dự thảo kết quả" not in html
    assert "không dùng mẫu văn bản kết quả" in html
    assert hung.get(reverse("backoffice:result_draft_pdf", args=[d.code])).status_code == 404
    services.dossier_result_draft_upload(
        actor=world.minh, dossier=d, row_version=d.row_version, file=SimpleUploadedFile("d.pdf", DRAFT_PDF)
    )
    html = hung.get(reverse("backoffice:dossier_detail", args=[d.code])).content.decode()
    assert "Xem dự thảo kết quả" in html
    assert hung.get(reverse("backoffice:result_draft_pdf", args=[d.code])).content == DRAFT_PDF
