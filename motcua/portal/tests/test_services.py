"""Services of the online submission: concurrent submits of one draft, definition versions, prefill."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from motcua.datastore.models import DocumentReuse
from motcua.datastore.services import stored_document_upload
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.tests.test_services_concurrency import run_parallel
from motcua.portal.models import FormDefinition, SubmissionDraft
from motcua.portal.services import draft_start, draft_submit, form_definitions_load
from motcua.portal.tests.factories import draft_to_review, online_world, pdf_upload, step


@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_of_one_draft_create_one_dossier(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = online_world()
    client = Client()
    client.force_login(world.an)
    stored = stored_document_upload(owner=world.an, name="Giấy tờ chứng minh (nếu có)", file=pdf_upload())
    draft = draft_to_review(client, world)
    optional = world.procedure.documents.get(required=False)
    client.post(
        step(draft, "giay-to"), {"action": f"reuse:{optional.pk}", f"stored_{optional.pk}": str(stored.pk)}
    )
    results = run_parallel([lambda: draft_submit(draft_id=draft.pk, owner=world.an) for _ in range(4)])
    assert [kind for kind, _ in results] == ["ok"] * 4, results
    assert len({r.dossier.pk for _, r in results}) == 1
    assert Dossier.objects.count() == 1
    assert DossierEvent.objects.filter(action="submit").count() == 1
    assert DocumentReuse.objects.count() == 1  # counted once


@pytest.mark.django_db
def test_definition_change_does_not_touch_drafts_in_progress(tmp_path):
    world = online_world()
    FormDefinition.objects.create(
        procedure=world.procedure,
        schema={"type": "object", "properties": {"a": {"type": "string"}}},
    )
    draft = draft_start(owner=world.an, procedure=world.procedure)
    assert draft.form_version == 1
    assert "a" in draft.form_schema["properties"]
    path = tmp_path
    definition_file = {
        "procedure": world.procedure.code,
        "schema": {"type": "object", "properties": {"b": {"type": "integer"}}},
        "ui": {},
    }
    (path / "x.json").write_text(json.dumps(definition_file), encoding="utf-8")
    assert form_definitions_load(path=path) == 1
    assert form_definitions_load(path=path) == 1  # idempotent: same version
    definition = FormDefinition.objects.get(procedure=world.procedure)
    assert definition.version == 2
    draft.refresh_from_db()
    assert draft.form_version == 1
    assert "a" in draft.form_schema["properties"]


@pytest.mark.django_db
def test_draft_start_resumes_the_open_draft():
    world = online_world()
    first = draft_start(owner=world.an, procedure=world.procedure)
    assert draft_start(owner=world.an, procedure=world.procedure) == first
    assert SubmissionDraft.objects.count() == 1
