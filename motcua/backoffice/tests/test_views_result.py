"""The back office's signing form takes the signed result file; the dossier page serves it to its units."""

from __future__ import annotations

import itertools

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from motcua.backoffice.tests.conftest import client_for
from motcua.core.tests import upload_files
from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierResultDocument
from motcua.dossiers.tests.factories import RESULT_PDF, World, dossier_advance, dossier_submit, result_pdf

_keys = itertools.count(1)


def _online_at_signing(world: World) -> Dossier:
    d = dossier_submit(world, key=f"bo-result-{next(_keys)}")
    d = services.dossier_accept(actor=world.lan, dossier=d, row_version=d.row_version)
    return dossier_advance(world, d, to="signing")


def test_the_signing_form_has_the_result_file_field_and_sends_multipart(world: World) -> None:
    d = _online_at_signing(world)
    html = client_for(world.hoa).get(reverse("backoffice:dossier_detail", args=[d.code])).content.decode()
    assert 'for="record_signature-result_file"' in html
    assert "Tệp kết quả đã ký số (PDF)" in html
    assert 'name="result_file"' in html
    form = html[
        html.index('action="' + reverse("backoffice:dossier_action", args=[d.code, "record_signature"])) :
    ]
    assert 'enctype="multipart/form-data"' in form[: form.index(">")]


def test_an_online_dossier_needs_the_file_and_nothing_changes_without_it(world: World) -> None:
    d = _online_at_signing(world)
    version = d.row_version
    response = client_for(world.hoa).post(
        reverse("backoffice:dossier_action", args=[d.code, "record_signature"]),
        {"row_version": str(version), "signer": str(world.hung.pk), "signature_reference": "QĐ-45/2026"},
    )
    assert response.status_code == 400
    assert "vui lòng đính kèm tệp kết quả đã ký số" in response.content.decode()
    d.refresh_from_db()
    assert d.row_version == version
    assert d.signed_at is None


def test_a_file_that_is_not_a_pdf_is_a_form_error(world: World) -> None:
    d = _online_at_signing(world)
    html_named_pdf = SimpleUploadedFile("ket-qua.pdf", upload_files.HTML, content_type="application/pdf")
    response = client_for(world.hoa).post(
        reverse("backoffice:dossier_action", args=[d.code, "record_signature"]),
        {
            "row_version": str(d.row_version),
            "signer": str(world.hung.pk),
            "signature_reference": "QĐ-45/2026",
            "result_file": html_named_pdf,
        },
    )
    assert response.status_code == 400
    assert "Tệp «ket-qua.pdf» không phải tệp PDF" in response.content.decode()
    assert not DossierResultDocument.objects.exists()


def test_the_signed_file_is_listed_and_served_to_the_dossiers_units_only(world: World) -> None:
    d = _online_at_signing(world)
    response = client_for(world.hoa).post(
        reverse("backoffice:dossier_action", args=[d.code, "record_signature"]),
        {
            "row_version": str(d.row_version),
            "signer": str(world.hung.pk),
            "signature_reference": "QĐ-45/2026",
            "result_file": result_pdf("QD-45.pdf"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    document = DossierResultDocument.objects.get(dossier=d)
    url = reverse("backoffice:result_download", args=[d.code, document.pk])
    page = client_for(world.lan).get(reverse("backoffice:dossier_detail", args=[d.code])).content.decode()
    assert url in page
    assert "Tải kết quả (PDF)" in page
    assert document.sha256 in page
    for official in (world.lan, world.hoa):
        download = client_for(official).get(url)
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == RESULT_PDF  # type: ignore[attr-defined]
        assert download["Content-Type"] == "application/pdf"
        assert download["Cache-Control"] == "private, no-store"
        assert download["Content-Disposition"].startswith("attachment")
        assert f"Ket-qua-{d.code}" in download["Content-Disposition"]
    assert client_for(world.binh).get(url).status_code == 404  # an official of another unit
    assert client_for(world.an).get(url).status_code in (302, 403)  # the applicant: not the back office
