"""API robustness: schemathesis over the whole committed OpenAPI document (docs/openapi.json).

Every operation of the committed document is called in-process through the WSGI application (the real
middleware, views and test database), as several personas — anonymous, a citizen with an API token, an
official of a commune unit, a provincial administrator — with inputs valid per the document and with
invalid ones. Every answer must be: no server error, a status the document lists for the operation,
the documented content type, a body valid against the documented schema, and every 4xx in the common
error shape (``core.api_errors.ErrorOut``) with Vietnamese messages.

Bounded and reproducible: ``MOTCUA_SCHEMATHESIS_EXAMPLES`` examples per operation, persona and mode
(default 8), derandomized, no shrinking; ``MOTCUA_SCHEMATHESIS_EXAMPLES=200 pytest tests/api`` explores
more locally. docs/architecture.md, "API robustness: schemathesis in the suite".
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import CheckContext, not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from motcua.core.api_errors import STATUS_CODES
from tests.api.seed import SEEDED, ApiWorld

SPEC: dict[str, Any] = json.loads(
    (django_settings.PROJECT_DIR / "docs" / "openapi.json").read_text(encoding="utf-8")
)
SCHEMA = schemathesis.openapi.from_dict(SPEC)
EXAMPLES = int(os.environ.get("MOTCUA_SCHEMATHESIS_EXAMPLES", "8"))

ANONYMOUS = "anonymous"
# Every persona on the operations that need a login; the public ones are the same for every login,
# so anonymous and one token suffice there.
PERSONAS_SECURED = (ANONYMOUS, "citizen", "commune_official", "province_admin")
PERSONAS_PUBLIC = (ANONYMOUS, "citizen")
MODES = {"valid": GenerationMode.POSITIVE, "invalid": GenerationMode.NEGATIVE}


def _negatable(operation: dict[str, Any]) -> bool:
    """Whether invalid inputs exist: a body, or a query or header parameter (a bare string in the
    path cannot be invalid, and schemathesis would find no invalid case: ``Unsatisfiable``)."""
    parameters = operation.get("parameters", [])
    return "requestBody" in operation or any(
        p["in"] in ("query", "header") or p["schema"].get("type") not in (None, "string") for p in parameters
    )


def _cases() -> list[Any]:
    cases = []
    for path, item in SPEC["paths"].items():
        for method, operation in item.items():
            personas = PERSONAS_SECURED if operation.get("security") else PERSONAS_PUBLIC
            for persona in personas:
                for mode in MODES if _negatable(operation) else ("valid",):
                    cases.append(
                        pytest.param(
                            path,
                            method.upper(),
                            persona,
                            mode,
                            id=f"{method.upper()} {path} {persona} {mode}",
                        )
                    )
    return cases


ERROR_KEYS = {"detail", "code", "errors", "current_version"}


def vietnamese_error_shape(ctx: CheckContext, response: Any, case: Any) -> bool | None:
    """Every 4xx is ``ErrorOut``: exactly its keys, a ``code``, Vietnamese ``detail`` and field messages.

    Vietnamese text has letters outside ASCII (ă â đ ê ô ơ ư, the tone marks); the framework's English
    has none, so an ASCII-only message is an untranslated one.
    """
    status = response.status_code
    if not 400 <= status < 500:
        return None
    try:
        body = json.loads(response.content)
    except ValueError:
        raise AssertionError(f"{status}: the error body is not JSON: {response.content[:200]!r}") from None
    assert isinstance(body, dict), f"{status}: the error body is not an object: {body!r}"
    assert set(body) == ERROR_KEYS, f"{status}: error keys {sorted(body)}, documented {sorted(ERROR_KEYS)}"
    detail, code, errors = body["detail"], body["code"], body["errors"]
    assert isinstance(detail, str), f"{status}: detail not a string: {detail!r}"
    assert not detail.isascii(), f"{status}: detail not Vietnamese: {detail!r}"
    assert isinstance(code, str), f"{status}: code not a string: {code!r}"
    assert code, f"{status}: empty code"
    assert status not in STATUS_CODES or code != "error", f"{status}: the generic code 'error'"
    assert isinstance(errors, dict), f"{status}: errors not an object: {errors!r}"
    english = {k: v for k, v in errors.items() if not isinstance(v, str) or v.isascii()}
    assert not english, f"{status}: field messages not Vietnamese: {english!r}"
    return True


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def seeded(api_world: None, db: None, settings: Any) -> Iterator[ApiWorld]:
    # The shared per-address and per-client limits would answer 429 to a fuzzer's burst; they have
    # their own tests and are off here so that no answer depends on timing.
    settings.MOTCUA_RATE_LIMITS = {
        name: (0, window) for name, (_n, window) in settings.MOTCUA_RATE_LIMITS.items()
    }
    settings.MOTCUA_SIGNING_VERIFY_RATE_LIMIT = 1_000_000
    settings.MOTCUA_ASSISTANT_RATE_LIMIT = (1_000_000, 60)
    # As Django's test client does: a request must not close the test's database connection (its
    # transaction holds the seeded rows).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield SEEDED
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _known_path_parameters(path: str, seeded: ApiWorld) -> list[dict[str, Any]]:
    """Path parameters naming seeded rows: generated ones hit a real row only by chance."""
    if "{agency_code}" in path:
        return [{"agency_code": code} for code in seeded.agency_codes]
    if path == "/api/v1/procedures/{code}":
        return [{"code": code} for code in seeded.procedure_codes]
    if "{document_id}" in path:
        return [{"code": code, "document_id": pk} for code, pk in seeded.results]
    if "{code}" in path:
        return [{"code": code} for code in seeded.dossier_codes]
    return []


# Control characters (below U+0020; and in a body all but tab and line breaks) are refused with a 400
# before any view runs (``core.middleware``). Valid cases go without them, so that they reach the
# views; the invalid ones keep what hypothesis drew, and the refusal is checked like any other.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")


def _clean(value: Any, *, in_path: bool = False) -> Any:
    if isinstance(value, str):
        # In the path a "%" would be decoded once more by the server ("%0A" → a line feed).
        return _CONTROLS.sub("", value.replace("%", "") if in_path else value)
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _without_controls(case: Any) -> None:
    for part in ("path_parameters", "query", "headers", "cookies"):
        value = getattr(case, part)
        if value:
            setattr(case, part, _clean(value, in_path=part == "path_parameters"))
    if isinstance(case.body, (str, dict, list)):
        case.body = _clean(case.body)


@pytest.mark.parametrize(("path", "method", "persona", "mode"), _cases())
def test_api_operation_is_robust(seeded: ApiWorld, path: str, method: str, persona: str, mode: str) -> None:
    operation = SCHEMA[path][method]
    app = get_wsgi_application()
    headers = {} if persona == ANONYMOUS else {"Authorization": f"Bearer {seeded.tokens[persona]}"}
    generation = MODES[mode]
    strategy = operation.as_strategy(generation_mode=generation)
    known = _known_path_parameters(path, seeded)
    if known:
        strategy = st.one_of(
            st.sampled_from(known).flatmap(
                lambda given_path: operation.as_strategy(
                    generation_mode=generation, path_parameters=given_path
                )
            ),
            strategy,
        )

    @given(case=strategy)
    @hypothesis_settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: the report shows the case as generated
        suppress_health_check=list(HealthCheck),
    )
    def call(case: Any) -> None:
        if generation is GenerationMode.POSITIVE:
            _without_controls(case)
        case.call_and_validate(
            app=app, headers=headers, checks=CHECKS, additional_checks=[vietnamese_error_shape]
        )

    call()
