"""The floor under the whole-flow benchmark (bench/urls.py ``bare_flow_step``) writes what the flow writes.

bench/flow_bench.py divides the real flow's CPU by this floor's; the ratio means something only if each
bare request inserts and updates the same rows as the real request it stands for.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import time_machine
from django.test import Client

from bench.urls import BARE_FLOW_STEPS
from motcua.dossiers.models import (
    Dossier,
    DossierComponent,
    DossierEvent,
    DossierFee,
    DossierStep,
)
from motcua.dossiers.tests.factories import MONDAY_0900, World, result_b64, world_build
from motcua.identity.models import IdempotentRequest
from motcua.jobs.models import Job

pytestmark = pytest.mark.django_db

TABLES: tuple[Any, ...] = (
    Dossier,
    DossierComponent,
    DossierFee,
    DossierStep,
    DossierEvent,
    Job,
    IdempotentRequest,
)


def _rows() -> dict[str, int]:
    counts = {model.__name__: model.objects.count() for model in TABLES}
    counts["finished steps"] = DossierStep.objects.filter(finished_at__isnull=False).count()
    return counts


def _delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {name: after[name] - before[name] for name in before if after[name] != before[name]}


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _real_flow(world: World) -> tuple[Dossier, list[dict[str, int]]]:
    """The benchmark's eight requests through the API, with the rows each one wrote."""
    submission = {
        "procedure": world.procedure.code,
        "receiving_unit": world.centre_a.agency_code,
        "applicant": {
            "name": "Nguyễn Văn An",
            "id_number": "022090001234",
            "phone": "0912345678",
            "email": "an@example.test",
            "address": "Tổ 1, khu 2, phường Hạ Long",
        },
        "summary": "Đo tải",
        "components": [{"document_order": 1}],
    }
    steps = [
        (world.lan, "accept", {}),
        (world.lan, "forward", {"assignee": world.minh.username}),
        (world.minh, "forward", {"assignee": world.hung.username}),
        (world.hung, "approve", {"note": "Đồng ý"}),
        (
            world.hoa,
            "record_signature",
            {"signer": world.hung.username, "signature_reference": "QD-1", **result_b64()},
        ),
        (world.hoa, "mark_result_ready", {}),
        (world.lan, "return_result", {"method": "counter"}),
    ]
    deltas = []
    before = _rows()
    response = _client(world.an).post(
        "/api/v1/dossiers", submission, content_type="application/json", headers={"Idempotency-Key": "k-1"}
    )
    assert response.status_code == 201, response.content
    deltas.append(_delta(before, after := _rows()))
    code, version = response.json()["code"], response.json()["row_version"]
    for user, action, extra in steps:
        before = after
        response = _client(user).post(
            f"/api/v1/dossiers/{code}/actions/{action}",
            {"row_version": version, **extra},
            content_type="application/json",
        )
        assert response.status_code == 200, (action, response.content)
        deltas.append(_delta(before, after := _rows()))
        version = response.json()["row_version"]
    return Dossier.objects.get(code=code), deltas


def test_each_bare_request_writes_the_rows_of_the_real_one(settings: Any) -> None:
    settings.ROOT_URLCONF = "bench.urls"
    with time_machine.travel(MONDAY_0900, tick=True):
        world = world_build()
        template, real = _real_flow(world)
        assert len(real) == len(BARE_FLOW_STEPS)
        client = Client()
        bare = []
        code, version = "", 0
        after = _rows()
        for index in range(len(BARE_FLOW_STEPS)):
            before = after
            response = client.post(
                f"/bench/bare-flow/{index}?template={template.pk}&dossier={code}&row_version={version}",
                "{}",
                content_type="application/json",
            )
            assert response.status_code in (200, 201), response.content
            bare.append(_delta(before, after := _rows()))
            answer = json.loads(response.content)
            code, version = answer["code"], answer["row_version"]
    assert bare == real
    copy = Dossier.objects.get(pk=int(code))
    assert (copy.state, copy.row_version, copy.is_open) == (template.state, template.row_version, False)
    assert copy.current_step_id != template.current_step_id
    assert copy.current_step_id is not None
    assert DossierStep.objects.get(pk=copy.current_step_id).dossier_id == copy.pk
