"""Công khai and dữ liệu mở: anonymous pages, no personal data, DCAT JSON-LD, streamed downloads."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from motcua.dossiers.tests.factories import MONDAY_0900, dossier_at, world_build
from motcua.reports.tests.conftest import aggregate_jobs_run


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else bytes(response.content)


pytestmark = pytest.mark.django_db


@pytest.fixture
def dossiers(db: None) -> Any:
    with time_machine.travel(MONDAY_0900, tick=False):
        world = world_build()
        done = dossier_at(world, "result_ready")
        aggregate_jobs_run()
        yield world, done


def test_public_pages_show_no_personal_data(dossiers: Any, settings: Any) -> None:
    world, done = dossiers
    client = Client()
    pages = [
        client.get(reverse("portal:transparency")),
        client.get(reverse("portal:open_data")),
        *(
            client.get(reverse("portal:open_data_download", args=[slug, ext]))
            for slug in ("tong-hop-theo-ngay", "thu-tuc", "don-vi")
            for ext in ("csv", "json")
        ),
    ]
    for response in pages:
        assert response.status_code == 200
        body = _body(response)
        text = body.decode("utf-8")
        for secret in (done.code, done.applicant_name, done.applicant_id_number, done.applicant_phone):
            assert secret not in text
    board = pages[0].content.decode()
    assert world.commune_a.name in board


def test_open_data_downloads_parse_and_suppress(dossiers: Any, settings: Any) -> None:
    settings.MOTCUA_OPEN_DATA_MIN_COUNT = 5
    client = Client()
    response = client.get(reverse("portal:open_data_download", args=["tong-hop-theo-ngay", "csv"]))
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    text = _body(response).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows
    assert all(r["received"] in ("", "0") or int(r["received"]) >= 5 for r in rows)
    assert any(r["received"] == "" and r["an_so_lieu"] == "1" for r in rows)  # one dossier: suppressed
    data = json.loads(
        _body(client.get(reverse("portal:open_data_download", args=["tong-hop-theo-ngay", "json"])))
    )
    assert any(row["received"] is None for row in data)
    settings.MOTCUA_OPEN_DATA_MIN_COUNT = 1
    data = json.loads(
        _body(client.get(reverse("portal:open_data_download", args=["tong-hop-theo-ngay", "json"])))
    )
    assert sum(row["received"] for row in data) == 1
    assert client.get("/du-lieu-mo/khong-co.csv").status_code == 404


def test_dcat_catalog(dossiers: Any) -> None:
    response = Client().get(reverse("portal:open_data_catalog"))
    assert response["Content-Type"].startswith("application/ld+json")
    catalog = response.json()
    assert catalog["@type"] == "dcat:Catalog"
    assert catalog["dct:license"]["@id"].startswith("https://creativecommons")
    urls = [d["dcat:downloadURL"]["@id"] for ds in catalog["dcat:dataset"] for d in ds["dcat:distribution"]]
    assert len(urls) == 6
    path = urls[0].split("testserver", 1)[1]
    assert Client().get(path).status_code == 200
