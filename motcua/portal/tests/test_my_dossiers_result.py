"""Hồ sơ của tôi — the signed result (issue 10 item 9): offered once ready (status 9) or returned (10),
to the applicant only, as a private attachment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierResultDocument
from motcua.dossiers.tests.factories import MONDAY_0900, RESULT_PDF, World, dossier_at, world_build
from motcua.portal.tests.mine_support import client_for, personas


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(db: None) -> Iterator[World]:
    with time_machine.travel(MONDAY_0900, tick=False):
        yield world_build()


def _result_url(d: Dossier) -> str:
    document = DossierResultDocument.objects.get(dossier=d)
    return reverse("portal:my_dossier_result", args=[d.code, document.pk])


def _detail(d: Dossier, user: Any) -> str:
    return client_for(user).get(reverse("portal:my_dossier_detail", args=[d.code])).content.decode()


def test_before_the_result_is_ready_there_is_no_section_and_the_url_is_a_404(world: World):
    d = dossier_at(world, "signed")
    url = _result_url(d)
    assert "Tải kết quả (PDF)" not in _detail(d, world.an)
    assert client_for(world.an).get(url).status_code == 404


@pytest.mark.parametrize("stage", ["result_ready", "returned"])
def test_once_ready_the_applicant_downloads_the_signed_pdf(world: World, stage: str):
    d = dossier_at(world, stage)
    url = _result_url(d)
    page = _detail(d, world.an)
    assert 'id="result-title">Kết quả giải quyết</h2>' in page
    assert f'<a href="{url}">Tải kết quả (PDF)</a>' in page
    assert "Hệ thống chưa lưu bản điện tử" not in page
    response = client_for(world.an).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == RESULT_PDF  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    name = f"Ket-qua-{d.code}-{url.rsplit('/', 1)[1]}.pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'


def test_a_ready_dossier_without_a_file_still_says_the_paper_is_handed_over(world: World):
    d = dossier_at(world, "signing")
    d = services.dossier_record_signature(
        actor=world.hoa, dossier=d, signer=world.hung, signature_reference="QĐ-1", row_version=d.row_version
    )
    services.dossier_mark_result_ready(actor=world.hoa, dossier=d, row_version=d.row_version)
    page = _detail(d, world.an)
    assert "Tải kết quả (PDF)" not in page
    assert "Hệ thống chưa lưu bản điện tử" in page


def test_nobody_else_gets_the_result(world: World):
    d = dossier_at(world, "returned")
    url = _result_url(d)
    for name, user in personas(world).items():
        response = client_for(user).get(url)
        if user is None:
            assert response.status_code == 302, name
        elif user.kind == "official":
            assert response.status_code == 403, name  # the applicant's pages are not the back office
        else:
            assert response.status_code == 404, name
        assert not getattr(response, "streaming", False), name
