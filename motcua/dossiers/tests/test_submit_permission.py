"""Who may submit a dossier (rules.submit_error), through the engine and through the API.

Citizens and organisations submit their own dossiers, a reception official at a unit where they hold
the role, a service account only with ``dossiers.submit_dossier``; read-only and processing roles are
refused with 403 and nothing is created: no dossier, no code number, no job.
"""

from __future__ import annotations

import io
from typing import cast

import pytest
from django.core.management import call_command
from django.test import Client

from motcua.accounts.models import Account
from motcua.accounts.services import account_permission_grant
from motcua.dossiers import services
from motcua.dossiers.errors import DossierPermissionDenied
from motcua.dossiers.models import Dossier, DossierCodeCounter
from motcua.dossiers.tests.factories import APPLICANT, World, _official, complete_components
from motcua.dossiers.tests.test_api import _post
from motcua.identity.services import api_token_create
from motcua.jobs.models import Job
from motcua.org.models import Role
from motcua.org.tests.factories import UserFactory

# persona -> may submit at centre A (the receiving unit of every submission below)
MATRIX = {
    "citizen": True,
    "organisation": True,
    "reception_here": True,  # Lan: reception at centre A
    "reception_elsewhere": False,  # Bình: reception at centre B only
    "specialist": False,  # Minh: specialist at commune A, which centre A serves
    "report_viewer": False,
    "province_admin": False,
    "service_with_permission": True,
    "service_without_permission": False,
}


def _persona(world: World, name: str) -> Account:
    if name == "citizen":
        return world.an
    if name == "organisation":
        return cast(Account, UserFactory(organisation=True))
    if name == "reception_here":
        return world.lan
    if name == "reception_elsewhere":
        return world.binh
    if name == "specialist":
        return world.minh
    if name == "report_viewer":
        return _official("baocao", "Phạm Thị Báo", [(world.province, Role.REPORT_VIEWER)])
    if name == "province_admin":
        return _official("qttinh", "Trịnh Văn Quản", [(world.province, Role.PROVINCE_ADMIN)])
    service = cast(Account, UserFactory(service=True))
    if name == "service_with_permission":
        account_permission_grant(account=service, permission="dossiers.submit_dossier")
    return service


def _nothing_created() -> None:
    assert Dossier.objects.count() == 0
    assert DossierCodeCounter.objects.filter(last_number__gt=0).count() == 0
    assert Job.objects.count() == 0


@pytest.mark.parametrize(("persona", "allowed"), MATRIX.items())
def test_submit_persona_matrix_api(world: World, persona: str, allowed: bool):
    user = _persona(world, persona)
    _, token = api_token_create(user=user, name="thử")
    client = Client(headers={"Authorization": f"Bearer {token}"})
    response = _post(client, world)
    if allowed:
        assert response.status_code == 201, response.content
        assert Dossier.objects.get().applicant_user_id == user.pk
        return
    assert response.status_code == 403, response.content
    body = response.json()
    assert body["code"] == "permission_denied"
    assert "quyền nộp hồ sơ" in body["detail"]
    _nothing_created()


@pytest.mark.parametrize(("persona", "allowed"), MATRIX.items())
def test_submit_persona_matrix_engine(world: World, persona: str, allowed: bool):
    """The rule is the engine's: every channel calling ``dossier_submit_online`` gets it."""

    def submit() -> Dossier:
        return services.dossier_submit_online(
            applicant_user=_persona(world, persona),
            procedure=world.procedure,
            receiving_unit=world.centre_a,
            applicant=APPLICANT,
            components=complete_components(world.procedure),
            idempotency_key="k-1",
        )

    if allowed:
        assert submit().code
        return
    with pytest.raises(DossierPermissionDenied):
        submit()
    _nothing_created()


def test_create_token_can_submit_grants_the_permission(world: World):
    out = io.StringIO()
    call_command(
        "create_token",
        "kiosk-halong",
        "--new-service",
        "Ki-ốt Hạ Long",
        "--can-submit",
        stdout=out,
        stderr=io.StringIO(),
    )
    client = Client(headers={"Authorization": f"Bearer {out.getvalue().strip()}"})
    assert _post(client, world).status_code == 201
    assert Account.objects.get(username="kiosk-halong").has_perm("dossiers.submit_dossier")
