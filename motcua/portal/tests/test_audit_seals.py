"""Published seals of the audit log (/nhat-ky-niem-phong, .json, .csv) and the tracking page's word on
whether a dossier's history matches them (docs/architecture.md §29)."""

from __future__ import annotations

import csv
import io

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from motcua.dossiers.models import Dossier
from motcua.dossiers.sealing import audit_seal_create
from motcua.dossiers.tests.factories import MONDAY_0900, World, dossier_at
from motcua.dossiers.tests.tampering import chain_rewrite


@pytest.fixture
def dossier(world: World) -> Dossier:
    with time_machine.travel(MONDAY_0900, tick=False):
        return dossier_at(world, "appraisal")


def _seal_panel(client: Client, dossier: Dossier) -> str:
    response = client.get(f"/tra-cuu/{dossier.code}")
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index('aria-labelledby="seal-title"') :]


def test_tracking_page_tells_whether_the_history_matches_the_seal(
    client: Client, dossier: Dossier, django_assert_max_num_queries
) -> None:
    assert "chưa được niêm phong" in _seal_panel(client, dossier)
    seal = audit_seal_create().seal
    with django_assert_max_num_queries(5):  # dossier; seal check: leaf and seal, events, nodes, sibling leaf
        panel = _seal_panel(client, dossier)
    assert 'data-testid="seal-matched"' in panel
    # The page prints the Vietnamese day: from 17:00 UTC it is already the next one.
    day = timezone.localtime(seal.sealed_at)
    assert f"Lịch sử xử lý khớp với niêm phong ngày {day:%d/%m/%Y} (niêm phong số 1)." in panel
    chain_rewrite(dossier, lambda event: setattr(event, "reason", "viết lại"))
    panel = _seal_panel(client, dossier)
    assert 'data-testid="seal-mismatch"' in panel
    assert "Cảnh báo: lịch sử xử lý của hồ sơ không khớp với niêm phong ngày" in panel


def test_seals_are_published_as_page_json_and_csv(client: Client, dossier: Dossier) -> None:
    first = audit_seal_create().seal
    second = audit_seal_create().seal
    page = client.get("/nhat-ky-niem-phong").content.decode()
    assert first.root in page
    assert first.mac in page
    assert second.mac in page
    data = client.get("/nhat-ky-niem-phong.json").json()
    assert [(s["seq"], s["root"], s["mac"], s["dossier_count"]) for s in data["seals"]] == [
        (2, second.root, second.mac, 0),
        (1, first.root, first.mac, 1),
    ]
    assert data["seals"][0]["prev_mac"] == first.mac
    response = client.get("/nhat-ky-niem-phong.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(row["seq"], row["root"], row["mac"]) for row in rows] == [
        ("2", second.root, second.mac),
        ("1", first.root, first.mac),
    ]
