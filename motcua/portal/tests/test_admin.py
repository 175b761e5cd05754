"""The online forms in the admin: an invalid schema is refused in Vietnamese; every change is a version."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from motcua.portal.models import FormDefinition
from motcua.portal.tests.factories import online_world

SCHEMA = {"type": "object", "required": ["a"], "properties": {"a": {"type": "string", "title": "Trường A"}}}


@pytest.mark.django_db
def test_invalid_definition_refused_and_changes_versioned(admin_client):
    world = online_world()
    add = reverse("admin:portal_formdefinition_add")
    bad = {
        "procedure": world.procedure.pk,
        "schema": json.dumps({"type": "object", "properties": {}}),
        "ui": "{}",
    }
    response = admin_client.post(add, bad)
    assert response.status_code == 200
    assert "Lược đồ phải có" in response.content.decode()
    assert not FormDefinition.objects.exists()
    good = bad | {"schema": json.dumps(SCHEMA)}
    assert admin_client.post(add, good).status_code == 302
    definition = FormDefinition.objects.get()
    assert definition.version == 1
    change = reverse("admin:portal_formdefinition_change", args=[definition.pk])
    schema = SCHEMA | {"properties": {"a": {"type": "string", "title": "Trường A mới"}}}
    assert admin_client.post(change, good | {"schema": json.dumps(schema)}).status_code == 302
    definition.refresh_from_db()
    assert definition.version == 2
    assert definition.schema["properties"]["a"]["title"] == "Trường A mới"
    assert admin_client.get(reverse("admin:portal_submissiondraft_changelist")).status_code == 200
