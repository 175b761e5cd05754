"""``GET /api/v1/dossiers`` for an applicant account: their own dossiers, by token or session."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from motcua.accounts.tests.factories import AccountFactory
from motcua.dossiers.models import Dossier, DvcqgStatus
from motcua.dossiers.tests.factories import World, dossier_at
from motcua.identity.services import api_token_create


def _bearer(user: Any) -> dict[str, str]:
    _row, raw = api_token_create(user=user, name="ứng dụng công dân")
    return {"Authorization": f"Bearer {raw}"}


@pytest.mark.django_db
def test_a_citizen_lists_their_own_dossiers_with_their_token(
    world: World, django_assert_max_num_queries: Any
):
    mine = [dossier_at(world, "received"), dossier_at(world, "submitted"), dossier_at(world, "returned")]
    foreign = dossier_at(world, "received")
    Dossier.objects.filter(pk=foreign.pk).update(applicant_user=AccountFactory.create(citizen=True))
    headers = _bearer(world.an)
    client = Client()
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/dossiers", headers=headers)
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 3
    assert {item["code"] for item in body["items"]} == {d.code for d in mine}
    assert all(item["assignee_name"] is None for item in body["items"])
    # Newest first, closed ones included (the returned dossier is status 10).
    assert DvcqgStatus.RETURNED in {item["status"] for item in body["items"]}
    only_new = client.get("/api/v1/dossiers", {"status": 1}, headers=headers).json()
    assert [item["code"] for item in only_new["items"]] == [mine[1].code]
    paged = client.get("/api/v1/dossiers", {"page_size": 2, "page": 2}, headers=headers).json()
    assert paged["total"] == 3
    assert len(paged["items"]) == 1
    assert client.get(f"/api/v1/dossiers/{foreign.code}", headers=headers).status_code == 404
    detail = client.get(f"/api/v1/dossiers/{mine[0].code}", headers=headers)
    assert detail.status_code == 200
    assert "withdraw" in detail.json()["allowed_actions"]


@pytest.mark.django_db
def test_a_citizen_lists_their_dossiers_with_the_session_and_acts_with_csrf(world: World):
    d = dossier_at(world, "appraisal")
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.an)
    listing = client.get("/api/v1/dossiers")
    assert listing.status_code == 200
    assert [i["code"] for i in listing.json()["items"]] == [d.code]
    body = {"row_version": d.row_version, "reason": "Không còn nhu cầu"}
    refused = client.post(
        f"/api/v1/dossiers/{d.code}/actions/withdraw", body, content_type="application/json"
    )
    assert refused.status_code == 403
    d.refresh_from_db()
    assert d.status == DvcqgStatus.IN_PROGRESS


@pytest.mark.django_db
def test_an_organisation_lists_its_dossiers_and_an_empty_account_gets_an_empty_list(world: World):
    company = AccountFactory.create(organisation=True)
    d = dossier_at(world, "received")
    Dossier.objects.filter(pk=d.pk).update(applicant_user=company)
    body = Client().get("/api/v1/dossiers", headers=_bearer(company)).json()
    assert [item["code"] for item in body["items"]] == [d.code]
    newcomer = AccountFactory.create(citizen=True)
    assert Client().get("/api/v1/dossiers", headers=_bearer(newcomer)).json() == {
        "total": 0,
        "page": 1,
        "page_size": 20,
        "items": [],
    }
