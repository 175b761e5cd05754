"""The OpenAPI document of API v1 as committed in docs/openapi.json (``make openapi``)."""

from __future__ import annotations

import json

from motcua.api import api


def openapi_document() -> str:
    """Canonical text of the API schema, committed as docs/openapi.json (sorted keys: clean diffs)."""
    return json.dumps(api.get_openapi_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
