"""Downloading the electronic result from the public tracking page — tải kết quả tại /tra-cuu: only after
the phone/ID verifier matched, rate-limited like the lookups, the file checked against its SHA-256."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from motcua.dossiers.models import Dossier, DossierResultDocument
from motcua.dossiers.tests.factories import MONDAY_0900, RESULT_PDF, World, dossier_at

PAGE = "/tra-cuu"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def returned(world: World) -> Dossier:
    with time_machine.travel(MONDAY_0900, tick=True):
        return dossier_at(world, "returned")


def _url(d: Dossier) -> str:
    document = DossierResultDocument.objects.get(dossier=d)
    return reverse("portal:tracking_result", args=[d.code, document.pk])


def test_the_verified_page_offers_the_result_and_the_download_serves_it(
    client: Client, returned: Dossier
) -> None:
    public = client.get(f"{PAGE}/{returned.code}").content.decode()
    assert _url(returned) not in public  # no verifier, no download
    html = client.post(f"{PAGE}/{returned.code}", {"so_cuoi": "5678"}).content.decode()
    assert f'action="{_url(returned)}"' in html
    assert 'name="so_cuoi" value="5678"' in html
    response = client.post(_url(returned), {"so_cuoi": "5678"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == RESULT_PDF  # type: ignore[attr-defined]


def test_a_wrong_verifier_gets_no_file(client: Client, returned: Dossier) -> None:
    response = client.post(_url(returned), {"so_cuoi": "0000"})
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    assert "4 số cuối chưa đúng" in response.content.decode()
    assert RESULT_PDF not in response.content


def test_a_missing_or_malformed_verifier_gets_no_file(client: Client, returned: Dossier) -> None:
    for data in ({}, {"so_cuoi": "12a4"}):
        response = client.post(_url(returned), data)
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/html")


def test_the_download_is_post_only_so_the_digits_never_enter_a_url(client: Client, returned: Dossier) -> None:
    assert client.get(_url(returned), {"so_cuoi": "5678"}).status_code == 405


def test_no_download_before_the_result_is_ready(client: Client, world: World) -> None:
    with time_machine.travel(MONDAY_0900, tick=True):
        d = dossier_at(world, "signed")  # signed, not yet ready (status 4)
    document = DossierResultDocument.objects.get(dossier=d)
    html = client.post(f"{PAGE}/{d.code}", {"so_cuoi": "5678"}).content.decode()
    assert "Tải kết quả (PDF)" not in html
    response = client.post(reverse("portal:tracking_result", args=[d.code, document.pk]), {"so_cuoi": "5678"})
    assert response.status_code == 404


def test_another_dossiers_document_is_not_served(client: Client, world: World, returned: Dossier) -> None:
    with time_machine.travel(MONDAY_0900, tick=True):
        other = dossier_at(world, "returned")
    foreign = DossierResultDocument.objects.get(dossier=other)
    response = client.post(
        reverse("portal:tracking_result", args=[returned.code, foreign.pk]), {"so_cuoi": "5678"}
    )
    assert response.status_code == 404


def test_wrong_verifiers_on_the_download_count_towards_the_lock(
    client: Client, returned: Dossier, settings: Any
) -> None:
    settings.MOTCUA_TRACKING_RATE_LIMITS = {"WRONG_VERIFIER_PER_IP": (2, 900)}
    for guess in ("0001", "0002"):
        assert client.post(_url(returned), {"so_cuoi": guess}).status_code == 403
    locked = client.post(_url(returned), {"so_cuoi": "5678"})  # even the right one, now
    assert locked.status_code == 429
    assert "Retry-After" in locked
    assert RESULT_PDF not in locked.content


def test_downloads_share_the_lookup_rate_limit(client: Client, returned: Dossier, settings: Any) -> None:
    settings.MOTCUA_TRACKING_RATE_LIMITS = {"LOOKUPS": (2, 60)}
    assert client.post(_url(returned), {"so_cuoi": "5678"}).status_code == 200
    assert client.post(_url(returned), {"so_cuoi": "5678"}).status_code == 200
    assert client.post(_url(returned), {"so_cuoi": "5678"}).status_code == 429


def test_an_altered_result_is_refused(client: Client, returned: Dossier) -> None:
    document = DossierResultDocument.objects.get(dossier=returned)
    Path(document.file.path).write_bytes(RESULT_PDF + b"%tampered")
    response = client.post(_url(returned), {"so_cuoi": "5678"})
    assert response.status_code == 409
    assert "không còn khớp với mã băm" in response.content.decode()


def test_the_download_needs_the_csrf_token(returned: Dossier) -> None:
    assert Client(enforce_csrf_checks=True).post(_url(returned), {"so_cuoi": "5678"}).status_code == 403
