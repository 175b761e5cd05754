"""The committed OpenAPI document (docs/openapi.json) must match the running API."""

from __future__ import annotations

import json

from django.conf import settings

from motcua.devtools.openapi import openapi_document

COMMITTED = settings.PROJECT_DIR / "docs" / "openapi.json"


def test_committed_openapi_matches_api():
    current = openapi_document()
    assert COMMITTED.read_text(encoding="utf-8") == current, (
        "docs/openapi.json is out of date: run `make openapi` and commit the result"
    )


def test_openapi_served(client, db):  # an API request counts in the shared (database) cache
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert json.loads(response.content)["info"]["version"] == "1"
