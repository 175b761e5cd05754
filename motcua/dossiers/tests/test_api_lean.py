"""Lean request paths (issue 9): an action reads the dossier once, answers without a reload, and costs
a fixed, small number of queries; the official's read likewise. What is cached (reference data) or
compiled once (``core.orm.PreparedQuery``) still shows every change at once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from motcua.core.text import fold
from motcua.dossiers.api import DossierOut, _dossier_out
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import dossier_get_for_official, dossier_rows_seed
from motcua.dossiers.services import recording
from motcua.dossiers.tests.factories import MONDAY_0900, World, dossier_at, process_to_return
from motcua.identity.services import api_token_create, api_token_revoke

pytestmark = pytest.mark.django_db

URL = "/api/v1/dossiers"


def _token_client(user: Any) -> tuple[Client, dict[str, str]]:
    _row, token = api_token_create(user=user)
    return Client(), {"Authorization": f"Bearer {token}"}


def _act(user: Any, code: str, action: str, **body: Any) -> Any:
    client, headers = _token_client(user)
    return client.post(
        f"{URL}/{code}/actions/{action}", body, content_type="application/json", headers=headers
    )


def _get(user: Any, code: str) -> Any:
    client, headers = _token_client(user)
    return client.get(f"{URL}/{code}", headers=headers)


def test_each_action_answers_what_a_fresh_read_shows(world: World) -> None:
    """No reload after the transition: the answer is the locked, changed dossier — and it must equal
    what a new GET reads from the database (steps, assignees' names, units, fees, components)."""
    with time_machine.travel(MONDAY_0900, tick=False) as traveller:
        d = dossier_at(world, "received")
        version = d.row_version
        for user, action, extra in process_to_return(world):
            traveller.shift(timedelta(minutes=30))
            answer = _act(user, d.code, action, row_version=version, **extra)
            assert answer.status_code == 200, (action, answer.content)
            fresh = _get(user, d.code)
            assert fresh.status_code == 200
            assert answer.json() == fresh.json(), action
            version = answer.json()["row_version"]
    assert answer.json()["status"] == 10


def test_action_query_count(world: World, django_assert_max_num_queries: Any) -> None:
    """A forward with a token: token, visibility (dossier columns, stamp, roles), the named assignee,
    lock-and-read, current step, the writes (step closed and opened, event, dossier), components and
    fees once for the payload and the answer, the subscribers' jobs. It was 23 with the dossier read
    three times through a 16-join query."""
    d = dossier_at(world, "received")
    client, headers = _token_client(world.lan)
    # Warm: the token's use recorded (≤ 1/min), the reference data (units, procedure, process) cached.
    assert client.get(f"{URL}/{d.code}", headers=headers).status_code == 200
    with django_assert_max_num_queries(20):
        response = client.post(
            f"{URL}/{d.code}/actions/forward",
            {"row_version": d.row_version, "assignee": world.minh.username},
            content_type="application/json",
            headers=headers,
        )
    assert response.status_code == 200, response.content
    assert response.json()["current_step"]["assignee_name"] == "Trần Văn Minh"


def test_official_read_query_count(world: World, django_assert_max_num_queries: Any) -> None:
    """Token, dossier with its step and the step's assignee, stamp, roles, fees, components — and the
    one INSERT of the personal-data access log (an official read an applicant's data: motcua.privacy)."""
    with time_machine.travel(MONDAY_0900, tick=True):
        d = dossier_at(world, "appraisal")
    client, headers = _token_client(world.minh)
    client.get(f"{URL}/{d.code}", headers=headers)  # the reference data cached
    with django_assert_max_num_queries(7):
        response = client.get(f"{URL}/{d.code}", headers=headers)
    assert response.status_code == 200
    assert response.json()["current_step"]["assignee_name"] == "Trần Văn Minh"


def test_a_renamed_unit_shows_in_the_next_answer(world: World) -> None:
    """Units come from the per-process reference-data cache; a committed rename restamps it."""
    with time_machine.travel(MONDAY_0900, tick=True):
        d = dossier_at(world, "appraisal")
    assert _get(world.minh, d.code).json()["current_unit"]["name"] == world.commune_a.name
    world.commune_a.name = "UBND phường Mới Đổi Tên"
    world.commune_a.save()
    assert _get(world.minh, d.code).json()["current_unit"]["name"] == "UBND phường Mới Đổi Tên"


def test_a_revoked_token_is_refused_at_the_next_action(world: World) -> None:
    d = dossier_at(world, "received")
    row, token = api_token_create(user=world.lan)
    headers = {"Authorization": f"Bearer {token}"}
    assert Client().get(f"{URL}/{d.code}", headers=headers).status_code == 200
    api_token_revoke(token=row)
    response = Client().post(
        f"{URL}/{d.code}/actions/forward",
        {"row_version": d.row_version, "assignee": world.minh.username},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 401
    assert Dossier.objects.get(pk=d.pk).row_version == d.row_version


def test_a_transition_writes_only_the_columns_it_changed(world: World) -> None:
    """The UPDATE names what the transition changed (and ``updated_at``): the row read back equals the
    dossier in memory, column by column, and untouched columns are not in the statement."""
    d = dossier_at(world, "received")
    client, headers = _token_client(world.lan)
    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            f"{URL}/{d.code}/actions/forward",
            {"row_version": d.row_version, "assignee": world.minh.username},
            content_type="application/json",
            headers=headers,
        )
    assert response.status_code == 200, response.content
    updates = [
        q["sql"] for q in captured.captured_queries if q["sql"].startswith('UPDATE "dossiers_dossier"')
    ]
    assert len(updates) == 1
    assert '"current_step_id"' in updates[0]
    assert '"updated_at"' in updates[0]
    assert '"applicant_name"' not in updates[0]
    assert '"summary"' not in updates[0]
    stored = Dossier.objects.get(pk=d.pk)
    assert stored.row_version == d.row_version + 1
    assert stored.current_assignee_id == world.minh.pk
    assert stored.updated_at > d.updated_at


def test_changed_columns_compare_every_column() -> None:
    """Every column but the key is compared (a new column is never silently left unwritten)."""
    names = {f.name for f in recording._COLUMNS}
    assert {f.name for f in Dossier._meta.concrete_fields if not f.primary_key} == names
    assert "id" not in names


@pytest.mark.parametrize("stage", ["submitted", "received", "payment", "returned"])
def test_dossier_out_is_what_the_schema_validates(world: World, stage: str) -> None:
    """``_dossier_out`` skips validation (``model_construct``): every field must be there and of its
    schema's type — a dump that warns (wrong type) or a field missing fails here."""
    d = dossier_at(world, stage)
    for user in (world.lan, world.an):  # an official (names shown) and the applicant (names hidden)
        found = dossier_get_for_official(user=user, code=d.code)
        assert found is not None
        out = _dossier_out(dossier_rows_seed(found), user=user)
        dumped = out.model_dump(warnings="error")
        assert set(dumped) == set(DossierOut.model_fields)
        assert DossierOut.model_validate(dumped).model_dump(warnings="error") == dumped


def test_search_refresh_names_the_folded_name_with_the_name() -> None:
    """The transition's UPDATE (``core.orm.PreparedUpdate``) bypasses ``Dossier.save``: both go through
    ``search_refresh``, which folds the name and adds its column when the name is written."""
    d = Dossier(applicant_name="Nguyễn Văn Ân")
    assert d.search_refresh(["state"]) == ["state"]
    assert d.applicant_search == fold("Nguyễn Văn Ân")
    assert d.search_refresh(["applicant_name", "state"]) == ["applicant_name", "state", "applicant_search"]
    assert d.search_refresh(None) == []
