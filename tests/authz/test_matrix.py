"""Authorisation matrix (issue 15 item 4): every URL pattern and API operation, asked as every persona of
``motcua.core.access_policy``, answers as the policy table declares.

The addresses come from Django's URL resolver and from the API's OpenAPI operations, not from a list
kept here: a new view or operation without a policy entry fails ``test_every_address_is_declared``.
Each address's parameters are real objects (a dossier of citizen An's at unit A, its file, its result,
its receipt, An's draft, Lan's token, …), so an official of another unit is refused on an object that
exists, not on a made-up code. Every request runs in a savepoint rolled back at once, and a refused
request must not have written anything (no INSERT, UPDATE or DELETE outside the session and the
shared cache).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from motcua.api import api
from motcua.core.access_policy import API, PERSONAS, URLS, Access
from tests.authz.world import AuthzWorld, authz_world

pytestmark = pytest.mark.django_db

# --------------------------------------------------------------------------------------------------
# The addresses
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Address:
    key: str  # the policy key: ``namespace:name``, the route of an unnamed pattern, or an operationId
    kind: str  # "url" or "api"
    route: str  # the route (URL pattern) or the API path template
    params: tuple[str, ...]
    method: str = ""  # API: its method
    named: bool = False  # a URL pattern with a name (reversible)


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str, Any]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = ":".join(filter(None, [namespace, p.namespace or ""]))
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), namespace, p


def url_addresses() -> list[Address]:
    """Every URL pattern but the API's own (asked per operation below); admin ones keyed by name."""
    found: dict[str, Address] = {}
    for route, namespace, pattern in _walk(get_resolver().url_patterns):
        if namespace == "api-v1":
            continue
        # ``namespace:name``; an unnamed pattern by its route (``portal:tra-cuu/``, ``healthz``).
        key = ":".join(filter(None, [namespace, pattern.name or route]))
        params = tuple(pattern.pattern.regex.groupindex)
        address = Address(key=key, kind="url", route=route, params=params, named=bool(pattern.name))
        found.setdefault(key, address)
    return list(found.values())


def api_addresses() -> list[Address]:
    schema = api.get_openapi_schema()
    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            params = tuple(re.findall(r"{(\w+)}", path))
            found.append(
                Address(
                    key=operation["operationId"], kind="api", route=path, params=params, method=method.upper()
                )
            )
    return found


def policy_for(address: Address) -> Access | None:
    table = API if address.kind == "api" else URLS
    if address.key in table:
        return table[address.key]
    namespace = address.key.split(":", 1)[0]
    if ":" in address.key and f"{namespace}:*" in table:
        return table[f"{namespace}:*"]
    return None


ADDRESSES = url_addresses() + api_addresses()


def test_every_address_is_declared():
    """A view or API operation without an entry in ``core.access_policy`` fails here: declare it."""
    missing = sorted(f"{a.kind} {a.key} ({a.route})" for a in ADDRESSES if policy_for(a) is None)
    assert not missing, "Khai báo quyền truy cập trong motcua/core/access_policy.py cho: " + ", ".join(
        missing
    )


def test_no_stale_policy_entry():
    """An entry whose address is gone fails here: remove it with the view."""
    url_keys = {a.key for a in ADDRESSES if a.kind == "url"}
    namespaces = {k.split(":", 1)[0] for k in url_keys if ":" in k}
    stale = [
        k
        for k in URLS
        if (k.endswith(":*") and k[:-2] not in namespaces) or (not k.endswith(":*") and k not in url_keys)
    ]
    stale += [k for k in API if k not in {a.key for a in ADDRESSES if a.kind == "api"}]
    assert not stale, stale


# --------------------------------------------------------------------------------------------------
# Filling the parameters
# --------------------------------------------------------------------------------------------------

# Which dossier an address's ``code`` names, when it is not the open one (``values["code"]``).
CODE_OF: dict[str, str] = {
    "backoffice:component_download": "code_supplement",
    "portal:my_dossier_file": "code_supplement",
    "portal:my_dossier_supplement": "code_supplement",
    "portal:my_dossier_feedback": "code_supplement",
    "backoffice:result_download": "code_returned",
    "backoffice:result_printout": "code_returned",
    "portal:tracking_result": "code_returned",
    "portal:my_dossier_result": "code_returned",
    "portal:my_dossier_rate": "code_returned",
    "motcua_dossiers_api_dossiers_result_download": "code_returned",
    "backoffice:dossier_payments": "code_payment",
    "backoffice:counter_payment": "code_payment",
    "backoffice:payment_refund": "code_payment",
    "backoffice:receipt_pdf": "code_payment",
    "portal:my_dossier_pay": "code_payment",
    "portal:my_dossier_receipt": "code_payment",
    "assistant:open": "procedure_code",
    "catalog:procedure_detail": "procedure_code",
    "portal:submit_start": "procedure_code",
    "portal:submit_send": "procedure_code",
    "portal:submit_done": "procedure_code",
    "portal:submit_step": "procedure_code",
    "motcua_catalog_api_procedure_detail_api": "procedure_code",
    "payments:receipt_verify": "receipt_verification",
}
PK_OF: dict[str, str] = {
    "backoffice:feedback_answer": "feedback_id",
    "backoffice:intake_notice": "notice_id",
    "backoffice:intake_notice_pdf": "notice_id",
    "backoffice:token_rotate": "token_id",
    "backoffice:token_revoke": "token_id",
}
DOCUMENT_OF: dict[str, str] = {
    "portal:datastore_download": "stored_id",
    "portal:datastore_delete": "stored_id",
}
FIXED: dict[str, dict[str, str]] = {
    "backoffice:dossier_action": {"action": "forward"},
    "backoffice:dossier_form_pdf": {"form": "01"},
    "portal:my_dossier_form_pdf": {"form": "01"},
    "backoffice:dashboard_export": {"slug": "tong-hop", "ext": "csv"},
    "backoffice:periodic_report": {"ext": "xlsx"},
    "portal:open_data_download": {"slug": "don-vi", "ext": "csv"},
    "portal:submit_step": {"step": "nguoi-nop"},
    "payments:ipn": {"gateway": "vnpay"},
    "portal:payment_return": {"gateway": "vnpay"},
}


def _value(address: Address, param: str, values: dict[str, Any]) -> str:
    fixed = FIXED.get(address.key, {})
    if param in fixed:
        return fixed[param]
    if param in ("code", "procedure_code"):
        return str(values[CODE_OF.get(address.key, "code" if param == "code" else "procedure_code")])
    if param == "pk":
        return str(values[PK_OF[address.key]])
    if param == "document_id":
        return str(values[DOCUMENT_OF.get(address.key, "document_id")])
    if param == "agency_code":
        return str(values["agency_code"])
    if param == "conversation_id":
        return "00000000-0000-4000-8000-000000000000"
    if param == "rest":
        return "v1/khong-co"
    if address.key.startswith("admin:"):
        # The first row of the model (or none: the admin then says so); the catch-all an unknown page.
        return {"url": "khong-co/", "app_label": "org"}.get(param, "1")
    return str(values[param])


def _path(address: Address, values: dict[str, Any]) -> str:
    kwargs = {p: _value(address, p, values) for p in address.params}
    if address.kind == "api":
        path = address.route
        for name, value in kwargs.items():
            path = path.replace("{" + name + "}", value)
        return path
    if address.named:
        return reverse(address.key, kwargs=kwargs)
    # An unnamed pattern: its route, parameters substituted.
    path = "/" + address.route.lstrip("^").rstrip("$")
    for name, value in kwargs.items():
        path = re.sub(rf"\(\?P<{name}>[^)]*\)", value, path)
        path = re.sub(rf"<(\w+:)?{name}>", value, path)
    return path


# --------------------------------------------------------------------------------------------------
# Asking
# --------------------------------------------------------------------------------------------------

# A body the operation's schema takes, so that the refusal (or not) is the authorisation's, not a 400.
API_BODIES: dict[str, dict[str, Any]] = {
    "motcua_identity_api_id_card_qr_read": {"text": "không phải mã QR"},
    "motcua_dossiers_api_dossiers_submit": {
        "procedure": "{procedure_code}",
        "receiving_unit": "{centre_code}",
        "applicant": {"name": "Nguyễn Văn An", "id_number": "022090001234", "phone": "0912345678"},
        "components": [{"document_order": 1}],
    },
    "motcua_assistant_api_assistant_ask": {"message": "thủ tục khai sinh"},
}

# Form fields a view checks before the authorisation (a malformed value would answer 400 to everyone).
FORM_DATA: dict[str, dict[str, str]] = {
    "backoffice:intake_population_lookup": {"personal_id": "022090001234"},
}

# Refusals that are themselves recorded, on purpose: every lookup of the population database, allowed
# or not, is logged for its supervisor (``population.services``).
AUDITED_REFUSALS: dict[str, set[str]] = {
    "backoffice:intake_population_lookup": {"population_populationlookup"},
}

_WRITE = re.compile(r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
# Writes a refused request may make: its session and the shared cache (rate-limit counters).
_HARMLESS_TABLES = {"django_session", settings.CACHES["default"].get("LOCATION", "")}


def _login_paths() -> tuple[str, ...]:
    return (reverse("backoffice:login"), settings.MOTCUA_PORTAL_LOGIN_URL, reverse("admin:login"))


@dataclass
class Answer:
    status: int
    location: str
    writes: list[str]
    codes: list[str]  # codes of An's dossiers the answer shows

    def outcome(self) -> str:
        if self.status == 401:
            return "login"
        if self.status in (301, 302, 303, 307, 308):
            path = urlsplit(self.location).path
            return "login" if path in _login_paths() else "served"
        if self.status == 403:
            return "forbidden"
        if self.status == 404:
            return "hidden"
        if self.status >= 500:
            return "error"
        return "served"


def _ask(data: AuthzWorld, persona: str, address: Address, method: str, path: str) -> Answer:
    client = Client()
    headers: dict[str, str] = {}
    if persona != "anonymous":
        if address.kind == "api":
            headers["Authorization"] = f"Bearer {data.tokens[persona]}"
        else:
            client.cookies[settings.SESSION_COOKIE_NAME] = data.sessions[persona]
    kwargs: dict[str, Any] = {"headers": headers}
    if address.key in FORM_DATA and method == "POST":
        kwargs["data"] = FORM_DATA[address.key]
    if address.kind == "api" and method not in ("GET", "DELETE"):
        body = json.dumps(API_BODIES.get(address.key, {"row_version": 0}))
        for name, value in data.values.items():
            body = body.replace("{" + name + "}", str(value))
        kwargs.update(data=body, content_type="application/json")
        headers["Idempotency-Key"] = "authz-matrix"
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            response = getattr(client, method.lower())(path, **kwargs)
        transaction.set_rollback(True)
    writes = []
    for query in queries.captured_queries:
        match = _WRITE.match(query["sql"])
        # The API touches the token's last use (``identity.services.api_token_touch``) before any check.
        harmless = _HARMLESS_TABLES | ({"identity_apitoken"} if address.kind == "api" else set())
        harmless |= AUDITED_REFUSALS.get(address.key, set())
        if match and match.group(2) not in harmless:
            writes.append(query["sql"][:120])
    body = b"" if response.streaming else response.content
    codes = [code for code in _dossier_codes(data) if code.encode() in body]
    return Answer(response.status_code, response.get("Location", ""), writes, codes)


def _dossier_codes(data: AuthzWorld) -> list[str]:
    return [data.values[k] for k in ("code", "code_supplement", "code_returned", "code_payment")]


def _check(persona: str, access: Access, answer: Answer) -> str | None:
    """What is wrong with ``answer`` (None: as declared)."""
    outcome = "served" if answer.status in access.served else answer.outcome()
    if outcome == "error":
        return f"{answer.status} (lỗi máy chủ)"
    if persona in access.allow:
        if outcome != "served":
            return f"refused ({answer.status} {answer.location})"
        if access.shows is not None and persona not in access.shows and answer.codes:
            return f"served a list naming An's dossiers {answer.codes}"
        return None
    if outcome == "served":
        return f"served ({answer.status} {answer.location})"
    if persona == "anonymous" and outcome != "login":
        return f"{answer.status}, expected a login redirect or 401"
    if persona in access.hidden and outcome != "hidden":
        return f"{answer.status}, expected 404"
    if answer.writes:
        return f"refused but wrote: {answer.writes}"
    return None


# ``AUTHZ_OBSERVE=<file>``: ask every address as every persona, declared or not, and write what each
# one got (JSON lines) instead of asserting — a draft for a new view's entry, to be read, not copied.
OBSERVE = os.environ.get("AUTHZ_OBSERVE", "")


def _cases() -> list[Any]:
    cases = []
    for address in ADDRESSES:
        access = policy_for(address)
        if access is None and OBSERVE:
            access = Access(frozenset())
        if access is None:
            continue
        methods = (address.method,) if address.kind == "api" else access.methods
        for method in methods:
            cases.append(pytest.param(address, method, id=f"{method} {address.key}"))
    return cases


@pytest.mark.parametrize(("address", "method"), _cases())
def test_matrix(authz_world_data: AuthzWorld, address: Address, method: str) -> None:
    access = policy_for(address)
    if OBSERVE:
        access = Access(frozenset())
    assert access is not None
    path = _path(address, authz_world_data.values)
    wrong = {}
    for persona in PERSONAS:
        if persona not in access.checked:
            continue
        answer = _ask(authz_world_data, persona, address, method, path)
        if OBSERVE:
            row = [address.key, method, persona, answer.status, answer.location, answer.writes, answer.codes]
            with open(OBSERVE, "a", encoding="utf-8") as out:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
            continue
        problem = _check(persona, access, answer)
        if problem:
            wrong[persona] = problem
    assert not wrong, f"{method} {path}: " + "; ".join(f"{p}: {w}" for p, w in wrong.items())


@pytest.fixture
def authz_world_data(authz_world_shared: None, settings: Any) -> AuthzWorld:
    data = authz_world()
    settings.MEDIA_ROOT = data.values["media_root"]
    return data
