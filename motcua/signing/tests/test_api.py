"""``POST /api/v1/verify``: PDF in, JSON out; bad files are 400 in the ErrorOut shape."""

from __future__ import annotations

import itertools
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.core.tests.upload_files import pdf_bytes
from motcua.dossiers import actions, services
from motcua.dossiers.models import DossierResultDocument
from motcua.dossiers.tests.factories import World, dossier_advance, dossier_submit
from motcua.signing.pki import Pki

URL = "/api/v1/verify"
_keys = itertools.count(1)


def _signed(world: World) -> tuple[str, bytes]:
    d = dossier_submit(world, key=f"api-{next(_keys)}")
    d = services.dossier_accept(actor=world.lan, dossier=d, row_version=d.row_version)
    d = dossier_advance(world, d, to="signing")
    d = actions.action_perform(
        action="sign_result", actor=world.hung, dossier=d, data={"row_version": d.row_version}
    )
    with DossierResultDocument.objects.get(dossier=d).file.open("rb") as handle:
        return d.code, handle.read()


def _post(client: Client, data: bytes, **extra: Any) -> Any:
    return client.post(URL, {"file": SimpleUploadedFile("kq.pdf", data, "application/pdf"), **extra})


def test_a_signed_result_verifies_and_matches_its_dossier(world: World, pki: Pki):
    code, data = _signed(world)
    response = _post(Client(), data, ma=code)
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is True
    assert [s["verdict"] for s in body["signatures"]] == ["valid", "valid"]
    assert body["signatures"][0]["signer"] == "Vũ Văn Hùng"
    assert body["signatures"][0]["chain"][-1].endswith("Root CA (thử nghiệm)")
    assert body["on_file"]["matches"] is True
    assert body["on_file"]["dossier_code"] == code


def test_bad_files_are_400_with_vietnamese_details(world: World, pki: Pki, settings: Any):
    client = Client()
    for data, code in (
        (b"not a pdf", "not_pdf"),
        (b"%PDF-1.7\nbroken", "broken"),
        (pdf_bytes(pages=1), "unsigned"),
    ):
        response = _post(client, data)
        assert response.status_code == 400, data[:20]
        body = response.json()
        assert body["code"] == code
        assert body["detail"]
    settings.MOTCUA_SIGNING_VERIFY_MAX_BYTES = 1000
    response = _post(client, b"%PDF-1.7\n" + b"0" * 2000)
    assert response.status_code == 400
    assert response.json()["code"] == "too_large"
    assert client.post(URL, {}).status_code == 400  # no file at all


def test_verification_is_rate_limited(world: World, pki: Pki, settings: Any):
    from django.core.cache import cache

    cache.clear()
    settings.MOTCUA_SIGNING_VERIFY_RATE_LIMIT = 2
    client = Client()
    statuses = [_post(client, b"x").status_code for _ in range(3)]
    assert statuses == [400, 400, 429]
    cache.clear()
