"""The public page ``/xac-thuc`` (portal channel): QR link and upload."""

from __future__ import annotations

import itertools

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.dossiers import actions, services
from motcua.dossiers.models import DossierResultDocument
from motcua.dossiers.tests.factories import World, dossier_advance, dossier_submit
from motcua.signing.models import SignedResult
from motcua.signing.pki import Pki

_keys = itertools.count(1)


def test_the_qr_link_and_an_upload_show_the_result_and_its_signatures(world: World, pki: Pki):
    from django.core.cache import cache

    cache.clear()
    d = dossier_submit(world, key=f"page-{next(_keys)}")
    d = services.dossier_accept(actor=world.lan, dossier=d, row_version=d.row_version)
    d = dossier_advance(world, d, to="signing")
    d = actions.action_perform(
        action="sign_result", actor=world.hung, dossier=d, data={"row_version": d.row_version}
    )
    signed = SignedResult.objects.get(dossier=d)
    client = Client()
    page = client.get("/xac-thuc", {"ma": d.code, "h": signed.unsigned_sha256[:16]})
    assert page.status_code == 200
    html = page.content.decode()
    assert signed.number in html
    assert "Vũ Văn Hùng" in html
    assert client.get("/xac-thuc", {"ma": d.code, "h": "0" * 16}).status_code == 404
    with DossierResultDocument.objects.get(dossier=d).file.open("rb") as handle:
        data = handle.read()
    answer = client.post("/xac-thuc", {"tep": SimpleUploadedFile("kq.pdf", data), "ma": d.code})
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "Văn bản hợp lệ" in html
    assert "Trùng khớp" in html
    broken = client.post("/xac-thuc", {"tep": SimpleUploadedFile("x.pdf", b"%PDF-1.4 nope")})
    assert broken.status_code == 400
    assert "bị hỏng" in broken.content.decode()
    cache.clear()
