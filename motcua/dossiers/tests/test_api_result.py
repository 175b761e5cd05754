"""The API's result documents: ``record_signature`` takes the file (base64), the dossier lists it, and the
download URL checks who asks (officials of the dossier's units; the applicant once the result is ready)."""

from __future__ import annotations

import hashlib
import itertools
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import RESULT_PDF, World, dossier_advance, dossier_submit, result_b64
from motcua.identity.services import api_token_create

_keys = itertools.count(1)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _bearer(user: Any) -> dict[str, str]:
    _row, raw = api_token_create(user=user, name="thử nghiệm")
    return {"Authorization": f"Bearer {raw}"}


def _online_at_signing(world: World) -> Dossier:
    d = dossier_submit(world, key=f"api-result-{next(_keys)}")
    d = services.dossier_accept(actor=world.lan, dossier=d, row_version=d.row_version)
    return dossier_advance(world, d, to="signing")


def _sign(client: Client, world: World, d: Dossier, **extra: Any) -> Any:
    body = {
        "row_version": d.row_version,
        "signer": world.hung.username,
        "signature_reference": "QĐ-9",
        **extra,
    }
    return client.post(
        f"/api/v1/dossiers/{d.code}/actions/record_signature",
        body,
        content_type="application/json",
        headers=_bearer(world.hoa),
    )


def test_record_signature_without_the_file_of_an_online_dossier_is_a_400(world: World):
    d = _online_at_signing(world)
    response = _sign(Client(), world, d)
    assert response.status_code == 400
    assert "result_file" in response.json()["errors"]


def test_the_file_is_recorded_listed_and_downloaded_by_those_allowed(world: World):
    client = Client()
    d = _online_at_signing(world)
    response = _sign(client, world, d, **result_b64())
    assert response.status_code == 200, response.content
    results = response.json()["result_documents"]
    assert len(results) == 1
    assert results[0]["sha256"] == hashlib.sha256(RESULT_PDF).hexdigest()
    assert results[0]["size"] == len(RESULT_PDF)
    url = results[0]["download_url"]
    download = client.get(url, headers=_bearer(world.lan))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == RESULT_PDF  # type: ignore[attr-defined]
    assert download["Cache-Control"] == "private, no-store"
    assert download["Content-Disposition"].startswith("attachment")
    # Another unit's official: as for an unknown dossier.
    assert client.get(url, headers=_bearer(world.binh)).status_code == 404
    # The applicant: not while the result is only signed …
    an = _bearer(world.an)
    assert client.get(url, headers=an).status_code == 404
    assert client.get(f"/api/v1/dossiers/{d.code}", headers=an).json()["result_documents"] == []
    # … but once it is ready (status 9).
    d.refresh_from_db()
    services.dossier_mark_result_ready(actor=world.hoa, dossier=d, row_version=d.row_version)
    assert (
        client.get(f"/api/v1/dossiers/{d.code}", headers=an).json()["result_documents"][0]["download_url"]
        == url
    )
    mine = client.get(url, headers=an)
    assert mine.status_code == 200
    assert b"".join(mine.streaming_content) == RESULT_PDF  # type: ignore[attr-defined]
    assert client.get(url + "9", headers=an).status_code == 404
    assert client.get(url).status_code == 401
